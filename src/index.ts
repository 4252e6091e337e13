// Entry point of the bundle (dist/index.js), started by the runner.
// Named imports, not the namespace: the bundle then leaves out what the
// action never calls (getIDToken's HTTP client and undici, about 840 kB parsed at start).
import {
  debug,
  error,
  getInput,
  group,
  info,
  notice,
  setFailed,
  setOutput,
  setSecret,
  summary,
  warning,
} from '@actions/core';
import { errorMessage } from './errors.ts';
import { main } from './main.ts';

const core = { debug, error, getInput, group, info, notice, setOutput, setSecret, summary, warning };

// unzip-stream (under @actions/artifact) calls the deprecated `new Buffer()`;
// its warning on stderr would only alarm users.
process.noDeprecation = true;

await main({ core, env: process.env }).catch((failure: unknown) => {
  setFailed(`sfmc-secret-rotation failed unexpectedly: ${errorMessage(failure)}`);
});

// A save abandoned at its deadline (state-save.ts) may still hold a socket
// that @actions/artifact's HTTP client keeps for minutes: the run is over, so
// leave once what was written to stdout has been flushed.
process.stdout.write('', () => process.exit());
