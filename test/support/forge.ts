// Plants a state artifact the way anyone who can write to the repository
// could: a workflow run of this repository uploads an artifact of the state's
// name with any content, through the artifact service's own API (the Twirp
// calls and block-blob upload @actions/artifact makes).
import { createHash } from 'node:crypto';
import { zipSync } from 'fflate';
import type { RotationState } from '../../src/rotation/state.ts';
import { stateDocument } from './state-document.ts';
import { OWNER, REPO, type World } from './world.ts';

const TWIRP = 'twirp/github.actions.results.api.v1.ArtifactService';
/** Forged runs get ids far from the world's own runs (which count up from 1000). */
let nextForgedRun = 900_000;

async function twirp(world: World, token: string, method: string, body: object): Promise<unknown> {
  const url = `${world.gh.url.replace(/\/$/, '')}/${TWIRP}/${method}`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`forge: ${method} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

async function put(url: string, query: string, body: Buffer, headers: Record<string, string>): Promise<void> {
  const response = await fetch(`${url}&${query}`, { method: 'PUT', body, headers });
  if (!response.ok) throw new Error(`forge: blob upload answered ${response.status}`);
}

/** The ids @actions/artifact reads from the runtime token's `scp` claim. */
function backendIds(token: string): { workflow_run_backend_id: string; workflow_job_run_backend_id: string } {
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  const scope = String(claims.scp)
    .split(' ')
    .find((s) => s.startsWith('Actions.Results:'));
  const [, run, job] = scope?.split(':') ?? [];
  if (!run || !job) throw new Error('forge: the runtime token names no run');
  return { workflow_run_backend_id: run, workflow_job_run_backend_id: job };
}

/** Uploads `state.json` holding `state` as the newest state artifact of the world's client, from a new run. */
export async function plantState(world: World, state: RotationState | object): Promise<number> {
  const runId = nextForgedRun++;
  const { ACTIONS_RUNTIME_TOKEN: token } = world.gh.artifacts.runtimeEnv({ owner: OWNER, repo: REPO, runId });
  const ids = backendIds(token);
  const name = `sfmc-rotation-${world.clientId}`;
  const zip = Buffer.from(zipSync({ 'state.json': Buffer.from(JSON.stringify(state)) }));
  const created = (await twirp(world, token, 'CreateArtifact', { ...ids, name, version: 4 })) as {
    signed_upload_url: string;
  };
  const block = Buffer.from('block-0').toString('base64');
  await put(created.signed_upload_url, `comp=block&blockid=${encodeURIComponent(block)}`, zip, {
    'x-ms-blob-type': 'BlockBlob',
  });
  const list = `<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>${block}</Latest></BlockList>`;
  await put(created.signed_upload_url, 'comp=blocklist', Buffer.from(list), {
    'x-ms-blob-content-type': 'application/zip',
  });
  const hash = `sha256:${createHash('sha256').update(zip).digest('hex')}`;
  const finalized = (await twirp(world, token, 'FinalizeArtifact', {
    ...ids,
    name,
    size: zip.length,
    hash,
  })) as {
    artifact_id: string;
  };
  return Number(finalized.artifact_id);
}

/** The newest state with some fields changed, planted as a newer artifact. */
export async function forgeFrom(
  world: World,
  change: (state: RotationState) => RotationState | object,
): Promise<number> {
  const state = world.newestState();
  if (!state) throw new Error('forge: no state to start from');
  return plantState(world, change(structuredClone(state)));
}

/** A state document of this world's client, idle unless `extra` says otherwise, saved now. */
export function stateOf(world: World, extra: Partial<RotationState> = {}): RotationState {
  return stateDocument(world.clientId, new Date(), extra);
}
