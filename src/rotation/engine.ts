// The rotation engine's entry: picks the flow for the `management` input and
// runs it. It knows ports, not HTTP, and never throws: a failure is returned
// with the partial result so the report can show it.

import { errorMessage } from '../errors.ts';
import { ApiRotation } from './api-flow.ts';
import type { RunResult } from './result.ts';
import { type EngineDeps, type Flow, RunContext } from './run-context.ts';
import { SetupRotation } from './setup-flow.ts';

export type { EngineConfig, EngineDeps } from './run-context.ts';

export interface EngineOutcome {
  result: RunResult;
  error?: Error;
}

/** A failed run still saves the phase it reached; a failure to do so is a note, not a second error. */
async function flushAfterFailure(ctx: RunContext): Promise<void> {
  try {
    await ctx.flush();
  } catch (error) {
    ctx.result.notes.push(
      `The rotation state could not be saved after the failure (${errorMessage(error)}); the next run resumes from what Marketing Cloud and GitHub show.`,
    );
  }
}

export async function runEngine(deps: EngineDeps): Promise<EngineOutcome> {
  const ctx = new RunContext(deps);
  try {
    let flow: Flow;
    if (deps.config.management === 'setup') {
      flow = new SetupRotation(ctx);
    } else {
      if (!deps.management) throw new Error('engine: the management API flow needs a management client');
      flow = new ApiRotation(ctx, deps.management);
    }
    await flow.run();
    await ctx.saveOwedIdle(() => flow.othersActed());
    await ctx.flush();
    await ctx.refresh(() => flow.othersActed());
    return { result: ctx.result };
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    ctx.result.headline = `Failed: ${err.message}`;
    await flushAfterFailure(ctx);
    return { result: ctx.result, error: err };
  }
}
