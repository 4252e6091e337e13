// Bounded parallelism: mapLimit for one batch, limiter for calls from many callers.
import { describe, expect, it } from 'vitest';
import { limiter, mapLimit } from '../../src/github/limit.ts';

/** A call that runs until released, counting how many run at once. */
function gate() {
  let running = 0;
  let most = 0;
  const releases: Array<() => void> = [];
  const call = (value: number) => async () => {
    running++;
    most = Math.max(most, running);
    await new Promise<void>((resolve) => releases.push(resolve));
    running--;
    return value;
  };
  const releaseAll = async () => {
    // Each release lets a waiting call start, which adds a release of its own.
    while (releases.length > 0 || running > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { call, releaseAll, most: () => most };
}

describe('limiter', () => {
  it('runs at most `limit` calls at once, whoever makes them, and gives each its own result', async () => {
    const g = gate();
    const run = limiter(2);
    const results = Promise.all([1, 2, 3, 4, 5].map((n) => run(g.call(n))));
    await new Promise((resolve) => setImmediate(resolve));
    await g.releaseAll();
    expect(await results).toEqual([1, 2, 3, 4, 5]);
    expect(g.most()).toBe(2);
  });

  it('lets the next call in when one fails', async () => {
    const run = limiter(1);
    const failed = run(async () => {
      throw new Error('no');
    });
    const next = run(async () => 'yes');
    await expect(failed).rejects.toThrow('no');
    expect(await next).toBe('yes');
  });
});

describe('mapLimit', () => {
  it('keeps the input order with at most `limit` calls at once', async () => {
    const g = gate();
    const results = mapLimit([1, 2, 3, 4, 5], 3, (n) => g.call(n)());
    await new Promise((resolve) => setImmediate(resolve));
    await g.releaseAll();
    expect(await results).toEqual([1, 2, 3, 4, 5]);
    expect(g.most()).toBe(3);
  });
});
