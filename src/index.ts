// Entry point of the bundle (dist/index.js), started by the runner.
import * as core from '@actions/core';
import { main } from './main.ts';

await main({ core, env: process.env });
