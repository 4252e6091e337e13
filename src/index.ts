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
