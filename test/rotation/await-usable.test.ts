// The wait for a staged secret, driven by a fake clock: sleeps until
// usableAt, then polls with growing intervals, logging progress at least
// every 30 seconds, and gives up at the deadline.
import { describe, expect, it } from 'vitest';
import { awaitUsable } from '../../src/rotation/await-usable.ts';
import type { Log, TokenCheck } from '../../src/rotation/ports.ts';

function harness(acceptFrom: number) {
  let now = 0;
  const sleeps: number[] = [];
  const polls: number[] = [];
  const logs: { at: number; text: string }[] = [];
  const log: Log = {
    info: (text) => logs.push({ at: now, text }),
    group: (_title, fn) => fn(),
    warning: () => {},
    notice: () => {},
    debug: () => {},
    setSecret: () => {},
  };
  const deps = {
    clock: { now: () => now },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    log,
    tokens: {
      check: async (): Promise<TokenCheck> => {
        polls.push(now);
        return now >= acceptFrom ? { accepted: true } : { accepted: false, reason: 'invalid_client' };
      },
    },
  };
  return { deps, sleeps, polls, logs };
}

/** Longest time between two progress lines (and from the start to the first). */
function longestSilence(logs: { at: number }[], end: number): number {
  const times = [0, ...logs.map((l) => l.at), end];
  return Math.max(...times.slice(1).map((t, i) => t - (times[i] ?? 0)));
}

describe('awaitUsable', () => {
  it('sleeps until usableAt, then one poll at usableAt suffices', async () => {
    const usableAt = 300_000;
    const h = harness(usableAt);
    await awaitUsable('s', new Date(usableAt), 900_000, h.deps);
    expect(h.polls).toEqual([usableAt]);
    expect(Math.max(...h.sleeps)).toBeLessThanOrEqual(30_000);
    expect(longestSilence(h.logs, usableAt)).toBeLessThanOrEqual(30_000);
  });

  it('polls from 1 s growing to 15 s until accepted, logging at least every 30 s', async () => {
    const h = harness(200_000);
    await awaitUsable('s', new Date(0), 900_000, h.deps);
    const gaps = h.polls.slice(1).map((t, i) => t - (h.polls[i] ?? 0));
    expect(gaps[0]).toBe(1_000);
    expect(gaps).toEqual([...gaps].sort((a, b) => a - b));
    expect(Math.max(...gaps)).toBe(15_000);
    expect(h.polls.at(-1)).toBeGreaterThanOrEqual(200_000);
    expect(longestSilence(h.logs, h.polls.at(-1) ?? 0)).toBeLessThanOrEqual(30_000);
  });

  it('gives up at the deadline with an error that names max-wait-seconds and says the rotation resumes', async () => {
    const h = harness(Number.POSITIVE_INFINITY);
    await expect(awaitUsable('s', new Date(10_000), 60_000, h.deps)).rejects.toThrow(
      /max-wait-seconds ran out.*resumes/,
    );
    expect(h.polls.at(-1)).toBeLessThanOrEqual(60_000);
  });
});
