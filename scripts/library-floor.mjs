// Run by the benchmark in a process of its own: what the libraries a
// rotation cannot do without cost in memory before any of the action's own
// code runs. It loads the bundle's chunks as the action does, asks GitHub for
// a public key through the action's octokit (node's fetch), seals a value to
// it 100 times with libsodium, loads the @actions/artifact chunk the state
// save needs, and prints its peak RSS in KiB. No state is saved and no
// destination written, so a whole rotation needs more than this. Plain
// JavaScript: a .ts file would load node's type stripper, which the action
// never does.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

const [chunksDir, baseUrl, token, owner, repo] = process.argv.slice(2);
const files = await readdir(chunksDir);
const chunk = (prefix) => {
  const file = files.find((name) => name.startsWith(prefix));
  if (!file) throw new Error(`no chunk ${prefix}* in ${chunksDir}: run npm run build`);
  return import(join(chunksDir, file));
};

const { createGitHubClient } = await chunk('octokit-');
const octokit = createGitHubClient({ token, baseUrl, timeoutMs: 30_000, log: { info() {} } });
const { data } = await octokit.request('GET /repos/{owner}/{repo}/actions/secrets/public-key', {
  owner,
  repo,
});

const { default: sodium } = await chunk('libsodium-wrappers-');
await sodium.ready;
const key = sodium.from_base64(data.key, sodium.base64_variants.ORIGINAL);
for (let i = 0; i < 100; i++) sodium.crypto_box_seal(sodium.from_string(`value-${i}`.padEnd(64, 'x')), key);

await chunk('artifact-');
process.stdout.write(String(process.resourceUsage().maxRSS));
