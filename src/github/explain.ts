// Turns a failed GitHub call into a message for the user: which destination,
// what went wrong, and what to do. Free text from GitHub or from an error is
// scrubbed of the values being written before it is quoted.
import type { Destination } from '../config.ts';
import { describePermission, describePlace } from '../destination-kinds.ts';
import { errorMessage } from '../errors.ts';
import { quotable } from '../redact.ts';
import { httpFailure, isNetworkFailure, retriedFailure } from './http-failure.ts';

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
  const failure = httpFailure(error);
  if (!failure) {
    const detail = quotable(errorMessage(error), secrets);
    return isNetworkFailure(error)
      ? `${id}: could not reach GitHub while ${action} (${detail}); check the network and GITHUB_API_URL, then rerun.`
      : `${id}: ${action} failed: ${detail}`;
  }
  const quoted = failure.message ? `: ${quotable(failure.message, secrets)}` : '';
  if (failure.status === 401) {
    return `${id}: GitHub answered 401 while ${action}: the github-token is invalid or expired; pass a valid token.`;
  }
  const retried = retriedFailure(error);
  if (retried) {
    return `${id}: GitHub still failed after retries while ${action} (${retried}${quoted}); rerun the workflow later.`;
  }
  if (failure.status === 403 || failure.status === 404) {
    return (
      `${id}: GitHub answered ${failure.status} while ${action}: the github-token lacks ${describePermission(destination.kind)} ` +
      `on ${describePlace(destination)}${failure.status === 404 ? ' (or that does not exist)' : ''}. ${TOKEN_ADVICE}`
    );
  }
  return `${id}: GitHub answered ${failure.status} while ${action}${quoted}; check this destination's settings.`;
}
