// The runner's ACTIONS_RUNTIME_TOKEN: a JWT whose `scp` claim names the
// workflow run and job backend ids. @actions/artifact only decodes it (no
// signature check), and so does the emulator.

export interface BackendIds {
  runBackendId: string;
  jobBackendId: string;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

export function issueRuntimeToken(ids: BackendIds, now: Date = new Date()): string {
  const iat = Math.floor(now.getTime() / 1000);
  const header = { typ: 'JWT', alg: 'RS256', x5t: 'emulator' };
  const payload = {
    scp: `Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.Results:${ids.runBackendId}:${ids.jobBackendId}`,
    iss: 'vstoken.actions.githubusercontent.com',
    aud: 'vso:emulator',
    nbf: iat,
    iat,
    exp: iat + 6 * 3600,
  };
  // The signature is never checked; it only has to look like one.
  const signature = base64url(`emulator-signature-${ids.jobBackendId}`);
  return `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${signature}`;
}

/** The backend ids in a runtime token, or undefined when it is not one. */
export function readRuntimeToken(token: string): BackendIds | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const scp = (claims as { scp?: unknown } | null)?.scp;
  if (typeof scp !== 'string') return undefined;
  for (const scope of scp.split(' ')) {
    const [kind, runBackendId, jobBackendId, ...rest] = scope.split(':');
    if (kind === 'Actions.Results' && runBackendId && jobBackendId && rest.length === 0) {
      return { runBackendId, jobBackendId };
    }
  }
  return undefined;
}
