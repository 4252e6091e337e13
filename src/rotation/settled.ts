// Independent calls sent together, their results taken in a fixed order:
// what the run decides and reports is the same as if they had been made one
// by one, only sooner. No call's rejection goes unhandled while another is
// still pending.

export type Settled<T> = { [K in keyof T]: PromiseSettledResult<Awaited<T[K]>> };

/** Waits for every call; never rejects. */
export async function settled<T extends Record<string, Promise<unknown> | undefined>>(
  calls: T,
): Promise<Settled<T>> {
  const keys = Object.keys(calls) as (keyof T)[];
  const results = await Promise.allSettled(keys.map((key) => calls[key]));
  return Object.fromEntries(keys.map((key, i) => [key, results[i]])) as Settled<T>;
}

/** A call's value, or its error thrown. */
export function resultOf<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}
