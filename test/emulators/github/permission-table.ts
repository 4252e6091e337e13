// What each REST operation the emulator serves requires, keyed by GitHub's
// route string (the OpenAPI path template). GitHub publishes one table for
// fine-grained personal access tokens and GitHub App installation tokens
// alike: https://docs.github.com/en/rest/authentication/permissions-required-for-fine-grained-personal-access-tokens
// and .../permissions-required-for-github-apps. Every route authorizes
// through this table; a route missing here is an emulator bug.
import type { Need } from './tokens.ts';

const read = (permission: Need['permission']): Need => ({ permission, access: 'read' });
const write = (permission: Need['permission']): Need => ({ permission, access: 'write' });

/** The read/list routes and the write routes of one secrets level. */
function secretsRows(base: string, permission: Need['permission']): Record<string, Need> {
  return {
    [`GET ${base}`]: read(permission),
    [`GET ${base}/public-key`]: read(permission),
    [`GET ${base}/{secret_name}`]: read(permission),
    [`PUT ${base}/{secret_name}`]: write(permission),
    [`DELETE ${base}/{secret_name}`]: write(permission),
  };
}

/** `null`: GitHub asks for no permission (the token must still reach the target). */
export const PERMISSION_TABLE: Readonly<Record<string, Need | null>> = {
  ...secretsRows('/repos/{owner}/{repo}/actions/secrets', 'secrets'),
  // Environment secrets are under "Environments", for reading and writing alike; "Secrets" plays no part.
  ...secretsRows('/repos/{owner}/{repo}/environments/{environment_name}/secrets', 'environments'),
  ...secretsRows('/repos/{owner}/{repo}/dependabot/secrets', 'dependabot_secrets'),
  ...secretsRows('/orgs/{org}/actions/secrets', 'organization_secrets'),
  'GET /orgs/{org}/actions/secrets/{secret_name}/repositories': read('organization_secrets'),
  'PUT /orgs/{org}/actions/secrets/{secret_name}/repositories': write('organization_secrets'),
  ...secretsRows('/orgs/{org}/dependabot/secrets', 'organization_dependabot_secrets'),
  'GET /orgs/{org}/dependabot/secrets/{secret_name}/repositories': read('organization_dependabot_secrets'),
  'PUT /orgs/{org}/dependabot/secrets/{secret_name}/repositories': write('organization_dependabot_secrets'),
  // Metadata read is granted to every fine-grained and installation token.
  'GET /repos/{owner}/{repo}': read('metadata'),
  'GET /orgs/{org}': null,
  'GET /repos/{owner}/{repo}/environments/{environment_name}': read('actions'),
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}': read('actions'),
  'GET /repos/{owner}/{repo}/actions/artifacts': read('actions'),
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts': read('actions'),
  'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}': read('actions'),
  'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}': read('actions'),
  'DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}': write('actions'),
  'GET /repos/{owner}/{repo}/issues': read('issues'),
  'POST /repos/{owner}/{repo}/issues': write('issues'),
  'GET /repos/{owner}/{repo}/issues/{issue_number}': read('issues'),
  // Issues and pull requests share numbers: either permission may change one.
  'PATCH /repos/{owner}/{repo}/issues/{issue_number}': write(['issues', 'pull_requests']),
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': write(['issues', 'pull_requests']),
};

/** The need of one operation; throws for a route the table does not list (an emulator bug, not a 403). */
export function needOf(route: string): Need | null {
  const need = PERMISSION_TABLE[route];
  if (need === undefined) throw new Error(`the permission table has no row for ${route}`);
  return need;
}
