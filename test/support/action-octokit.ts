// The Octokit the action builds (src/github/octokit.ts) against the GitHub
// emulator, its plugins' waits shortened a thousandfold (a wait of 60 s takes
// 60 ms); `lines` collects its log of failed attempts and rate-limit waits.
import type { Octokit } from 'octokit';
import { createGitHubClient } from '../../src/github/octokit.ts';
import type { GitHubEmulator } from '../emulators/github/index.ts';

export function actionOctokit(
  emulator: GitHubEmulator,
  token: string,
  options: { timeoutMs?: number; fetch?: typeof fetch } = {},
): { octokit: Octokit; lines: string[] } {
  const lines: string[] = [];
  const octokit = createGitHubClient({
    token,
    baseUrl: emulator.url,
    timeoutMs: options.timeoutMs ?? 30_000,
    msPerSecond: 1,
    log: { info: (m) => lines.push(m) },
    ...(options.fetch && { fetch: options.fetch }),
  });
  return { octokit, lines };
}
