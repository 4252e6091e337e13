// Turns a failed GitHub call into a message for the user: which destination,
// what went wrong, and what to do. Free text from GitHub or from an error is
// scrubbed of the values being written before it is quoted.
import type { Destination } from '../config.ts';
import { describePermission, describePlace } from '../destination-kinds.ts';
import { quotable } from '../redact.ts';
import { failureKind } from './http-failure.ts';

/** An organization destination names a repository that GET /repos/{org}/{name} cannot find. */
export class MissingRepository extends Error {
  readonly repository: string;
  constructor(repository: string) {
    super(`repository ${repository} not found`);
    this.repository = repository;
  }
}

/** An environment's public key is missing while its repository is there. */
export class MissingEnvironment extends Error {}

const TOKEN_ADVICE =
  "The workflow's GITHUB_TOKEN cannot write secrets: use a GitHub App installation token " +
  '(actions/create-github-app-token) or a fine-grained personal access token.';

/**
 * @param action what was being done, e.g. "writing the secret"
 * @param secrets values that must not appear in the message (plaintext, sealed values)
 */
export function explainFailure(
  destination: Destination,
  action: string,
  error: unknown,
  secrets: readonly string[] = [],
): string {
  const id = destination.id;
  if (error instanceof MissingRepository) {
    return (
      `${id}: repository ${error.repository} (listed in repositories=) does not exist or the github-token ` +
      'cannot see it; fix the name or give the token access to that repository.'
    );
  }
  if (error instanceof MissingEnvironment && destination.kind === 'environment') {
    return (
      `${id}: environment "${destination.environment}" does not exist in ${destination.owner}/${destination.repo}; ` +
      'create it (Settings > Environments) or fix the environment name.'
    );
  }
  const failed = failureKind(error);
  const quoted = (message: string) => (message ? `: ${quotable(message, secrets)}` : '');
  switch (failed.kind) {
    case 'unreachable':
      return `${id}: could not reach GitHub while ${action} (${quotable(failed.detail, secrets)}); check the network and GITHUB_API_URL, then rerun.`;
    case 'broken':
      return `${id}: ${action} failed: ${quotable(failed.detail, secrets)}`;
    case 'unauthorized':
      return `${id}: GitHub answered 401 while ${action}: the github-token is invalid or expired; pass a valid token.`;
    case 'retried':
      return `${id}: GitHub still failed after retries while ${action} (${failed.why}${quoted(failed.message)}); rerun the workflow later.`;
    case 'denied':
      return (
        `${id}: GitHub answered ${failed.status} while ${action}: the github-token lacks ${describePermission(destination.kind)} ` +
        `on ${describePlace(destination)}${failed.status === 404 ? ' (or that does not exist)' : ''}. ${TOKEN_ADVICE}`
      );
    case 'answered':
      return `${id}: GitHub answered ${failed.status} while ${action}${quoted(failed.message)}; check this destination's settings.`;
  }
}
