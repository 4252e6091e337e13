// Entry point of the bundle (dist/index.js), started by the runner.
import * as core from '@actions/core';
import { main } from './main.ts';

// unzip-stream (under @actions/artifact) calls the deprecated `new Buffer()`;
// its warning on stderr would only alarm users.
process.noDeprecation = true;

await main({ core, env: process.env }).catch((error: unknown) => {
  core.setFailed(
    `sfmc-secret-rotation failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
  );
});

// A save abandoned at its deadline (state-save.ts) may still hold a socket
// that @actions/artifact's HTTP client keeps for minutes: the run is over, so
// leave once what was written to stdout has been flushed.
process.stdout.write('', () => process.exit());
