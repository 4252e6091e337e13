// Helpers for tests that talk to the GitHub emulator the way the action does:
// the real Octokit client, and values sealed with libsodium to a public key.
import sodium from 'libsodium-wrappers';
import { Octokit } from 'octokit';
import type { GitHubEmulator } from './index.ts';

/** Octokit against the emulator, without its own retries and throttling. */
export function githubClient(emulator: GitHubEmulator, token?: string): Octokit {
  return new Octokit({
    ...(token === undefined ? {} : { auth: token }),
    baseUrl: emulator.url,
    throttle: { enabled: false },
    retry: { enabled: false },
  });
}

/** `crypto_box_seal` of the value to a Base64 public key, as GitHub's clients do. */
export async function seal(publicKey: string, value: string): Promise<string> {
  await sodium.ready;
  const key = sodium.from_base64(publicKey, sodium.base64_variants.ORIGINAL);
  return sodium.to_base64(
    sodium.crypto_box_seal(sodium.from_string(value), key),
    sodium.base64_variants.ORIGINAL,
  );
}

/** The status of a failed Octokit call and GitHub's error body. */
export async function failure(
  call: Promise<unknown>,
): Promise<{ status: number; body: unknown; headers: Record<string, string | number | undefined> }> {
  try {
    await call;
  } catch (error) {
    const e = error as { status?: number; response?: { data?: unknown; headers?: Record<string, string> } };
    if (typeof e.status === 'number') {
      return { status: e.status, body: e.response?.data, headers: e.response?.headers ?? {} };
    }
    throw error;
  }
  throw new Error('the call succeeded');
}
