// Turns the action's inputs and the runner's GITHUB_* variables into one
// validated Config. Every problem is collected so the user fixes them all in
// one go; no secret input's value ever reaches a message.
import type { Config, Credential, Destination, Management } from './config.ts';
import {
  parseDestinationLine,
  parseDestinations,
  renameDestination,
  secretKey,
  secretNameProblem,
} from './destinations.ts';
import { InputError } from './errors.ts';
import { managementSpecs, managements, modes } from './modes.ts';
import { redact } from './redact.ts';
import { secureScheme } from './service-url.ts';

/** Inputs that carry secrets: masked before anything else reads them, and never echoed in a message. */
export const SECRET_INPUTS = [
  'client-secret',
  'staged-client-secret',
  'previous-client-secret',
  'admin-client-secret',
  'github-token',
  'state-token',
] as const;

const tokenPath = '/v2/token';
/** Used only to keep parsing other inputs when `secret-name` itself is bad; the run is rejected anyway. */
const placeholderSecretName = 'SECRET';

interface Problem {
  subject: string;
  text: string;
}

/** Who a problem is about: an input (`input \`x\``) or a runner variable. */
interface Field {
  subject: string;
  label: string;
}

const inputField = (name: string): Field => ({ subject: name, label: `input \`${name}\`` });
const envField = (name: string): Field => ({ subject: name, label: `environment variable \`${name}\`` });

/** Quotes a (non-secret) value for a message, shortened so a pasted blob stays readable. */
function quote(value: string): string {
  return `\`${value.length > 80 ? `${value.slice(0, 80)}…` : value}\``;
}

/** Collects problems; each section of the inputs reads and checks through one. */
class Checker {
  readonly problems: Problem[] = [];
  readonly read: (name: string) => string;

  constructor(read: (name: string) => string) {
    this.read = read;
  }

  report(field: Field, what: string, fix: string): void {
    this.problems.push({ subject: field.subject, text: `${field.label}: ${what} — ${fix}` });
  }

  required(name: string, fix: string): string {
    const value = this.read(name);
    if (value === '') this.report(inputField(name), 'is required but empty', fix);
    return value;
  }

  integer(name: string, min: number, max: number, fallback: number, why: string): number {
    const text = this.read(name);
    if (text === '') return fallback;
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(value >= min && value <= max)) {
      this.report(
        inputField(name),
        `${quote(text)} is not a whole number from ${min} to ${max}`,
        `${why}; the default is ${fallback}`,
      );
      return fallback;
    }
    return value;
  }

  clientId(name: string): string {
    const value = this.required(name, 'copy the Client Id from the installed package in Setup');
    if (value !== '' && !/^[A-Za-z0-9]{8,64}$/.test(value)) {
      this.report(
        inputField(name),
        `${quote(value)} is not a client id`,
        'use the Client Id from the installed package in Setup: 8 to 64 letters and digits',
      );
    }
    return value;
  }

  /**
   * An https URL without credentials, query or fragment (http only for
   * loopback, which the tests use). Messages describe the URL's parts rather
   * than echo it, since a rejected URL may carry credentials.
   */
  serviceUrl(field: Field, value: string, path: 'token' | 'base', example: string): string {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.report(field, 'is not an absolute URL', `write it with its scheme, e.g. \`${example}\``);
      return '';
    }
    const before = this.problems.length;
    if (url.username !== '' || url.password !== '') {
      this.report(
        field,
        'contains credentials',
        'remove the user:password@ part; credentials go in their own inputs',
      );
    }
    if (!secureScheme(url)) {
      this.report(
        field,
        `uses ${url.protocol.replace(':', '')}`,
        `use https (http is accepted only for 127.0.0.1, localhost and [::1]), e.g. \`${example}\``,
      );
    }
    if (/[?#]/.test(value))
      this.report(field, 'has a query or fragment', `remove everything from ? or #, e.g. \`${example}\``);
    let pathname = url.pathname;
    if (path === 'token') {
      // Users paste the "Authentication Base URI" from Setup, which has no path.
      if (pathname === '/' || pathname === '') pathname = tokenPath;
      if (!pathname.endsWith(tokenPath)) {
        this.report(
          field,
          `its path ${quote(pathname)} does not end with ${tokenPath}`,
          `use the base URI or the token URL, e.g. \`${example}\``,
        );
      }
    } else {
      pathname = pathname.replace(/\/+$/, '');
    }
    return this.problems.length === before ? `${url.origin}${pathname}` : '';
  }
}

export function parseInputs(read: (name: string) => string, env: Record<string, string | undefined>): Config {
  const inputs = new Checker(read);
  // The runner's context is read first (defaults need it); its problems are reported after the inputs'.
  const context = new Checker(read);
  const runner = parseRunner(context, env);
  const choice = parseChoice(inputs);
  const marketingCloud = parseMarketingCloud(inputs, choice);
  const github = parseGitHub(inputs);
  const destinations = parseDestinationInputs(inputs, runner);
  const rotation = parseRotation(inputs, runner);
  const state = parseState(inputs, marketingCloud.clientId);
  const problems = [...inputs.problems, ...context.problems];
  if (problems.length > 0 || !destinations) {
    throw inputError(
      problems,
      SECRET_INPUTS.map((name) => read(name)),
    );
  }
  const { mode, management, reminderIssue } = choice;
  return {
    mode,
    management,
    ...marketingCloud,
    ...github,
    ...destinations,
    reminderIssue,
    ...rotation,
    ...state,
    ...runner,
  };
}

/** `mode`, `management` and what only one management reads, checked against src/modes.ts. */
function parseChoice(c: Checker) {
  const modeText = c.read('mode') || 'auto';
  const mode = modes.find((m) => m === modeText) ?? 'auto';
  if (mode !== modeText) {
    c.report(inputField('mode'), `${quote(modeText)} is not a mode`, `use one of ${modes.join(', ')}`);
  }
  // `setup` works on every tenant; `api` needs a service implementing docs/management-api.openapi.yaml.
  const managementText = c.read('management') || 'setup';
  const management = managements.find((m) => m === managementText) ?? 'setup';
  /** Inputs that need one choice are checked only once the choice itself is valid. */
  const chosen = management === managementText;
  if (!chosen) {
    c.report(
      inputField('management'),
      `${quote(managementText)} is not a way of managing secrets`,
      `use ${managements.map((m) => managementSpecs[m].describe).join(' or ')}`,
    );
  }
  const reminderText = (c.read('reminder-issue') || 'false').toLowerCase();
  const reminderIssue = reminderText === 'true';
  if (reminderText !== 'true' && reminderText !== 'false') {
    c.report(
      inputField('reminder-issue'),
      `${quote(reminderText)} is not a boolean`,
      'use `true` or `false`',
    );
  }
  if (chosen && reminderIssue) {
    appliesOnlyWhere(
      c,
      'reminder-issue',
      management,
      'remindsAPerson',
      `remove it: with \`management: ${management}\` no person needs reminding, the action stages and activates itself`,
    );
  }
  return { mode, management, chosen, reminderIssue };
}

/** Reports an input set under a `management` that lacks the feature the input is for. */
function appliesOnlyWhere(
  c: Checker,
  name: string,
  management: Management,
  feature: 'usesManagementService' | 'remindsAPerson',
  fix: string,
): void {
  if (managementSpecs[management][feature]) return;
  const where = managements.filter((m) => managementSpecs[m][feature]).map((m) => `\`management: ${m}\``);
  c.report(inputField(name), `applies only with ${where.join(' or ')}`, fix);
}

/** The token endpoint, from `auth-url` or `subdomain`; '' when neither is usable. */
function parseTokenUrl(c: Checker): string {
  const authUrl = c.read('auth-url');
  const subdomain = c.read('subdomain');
  if (authUrl !== '') {
    return c.serviceUrl(
      inputField('auth-url'),
      authUrl,
      'token',
      'https://mc563885gzs27c5t9-63k636ttgm.auth.marketingcloudapis.com/',
    );
  }
  if (subdomain === '') {
    c.report(
      inputField('subdomain'),
      'neither `subdomain` nor `auth-url` is set',
      'set `subdomain` to your tenant subdomain (e.g. `mc563885gzs27c5t9-63k636ttgm`) or `auth-url` to the Authentication Base URI shown on the installed package in Setup',
    );
  } else if (/[.:/]/.test(subdomain)) {
    const host = /^(?:https?:\/\/)?([A-Za-z0-9-]+)\.auth\.marketingcloudapis\.com(?:[/:]|$)/.exec(subdomain);
    c.report(
      inputField('subdomain'),
      `${quote(subdomain)} looks like a URL or host name`,
      host
        ? `set \`subdomain\` to just \`${host[1]?.toLowerCase()}\`, or put the whole URL in \`auth-url\``
        : 'set `subdomain` to just the subdomain part, or put the whole URL in `auth-url`',
    );
  } else if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(subdomain)) {
    c.report(
      inputField('subdomain'),
      `${quote(subdomain)} is not a Marketing Cloud subdomain`,
      'use lowercase letters, digits and hyphens only (at most 63), e.g. `mc563885gzs27c5t9-63k636ttgm`',
    );
  } else {
    return `https://${subdomain}.auth.marketingcloudapis.com${tokenPath}`;
  }
  return '';
}

/** Marketing Cloud: where tokens come from, with which credentials, and the management service. */
function parseMarketingCloud(c: Checker, choice: { management: Management; chosen: boolean }) {
  const tokenUrl = parseTokenUrl(c);
  const clientId = c.clientId('client-id');
  const clientSecret = c.required(
    'client-secret',
    'pass the current client secret from a GitHub secret, e.g. `secrets.SFMC_CLIENT_SECRET`',
  );
  const stagedClientSecret = c.read('staged-client-secret') || undefined;
  const previousClientSecret = c.read('previous-client-secret') || undefined;
  const accountId = c.read('account-id') || undefined;
  if (accountId !== undefined && !/^\d+$/.test(accountId)) {
    c.report(
      inputField('account-id'),
      `${quote(accountId)} is not a MID`,
      'use the numeric business unit id (MID), or leave it empty',
    );
  }
  const { admin, managementUrl } = parseManagementService(c, choice);
  return {
    tokenUrl,
    clientId,
    clientSecret,
    ...(stagedClientSecret !== undefined && { stagedClientSecret }),
    ...(previousClientSecret !== undefined && { previousClientSecret }),
    ...(accountId !== undefined && { accountId }),
    ...(admin !== undefined && { admin }),
    ...(managementUrl !== undefined && { managementUrl }),
  };
}

/**
 * The management service's inputs. They mean nothing where the management
 * table says no service is used (`setup`), and a wrong guess there (a URL
 * that serves nothing) must not go unnoticed.
 */
function parseManagementService(
  c: Checker,
  { management, chosen }: { management: Management; chosen: boolean },
): { admin?: Credential; managementUrl?: string } {
  const adminClientId = c.read('admin-client-id');
  const adminClientSecret = c.read('admin-client-secret');
  const managementUrlText = c.read('management-url');
  if (!managementSpecs[management].usesManagementService) {
    const inputs = [
      ['management-url', managementUrlText],
      ['admin-client-id', adminClientId],
      ['admin-client-secret', adminClientSecret],
    ] as const;
    for (const [name, value] of inputs) {
      if (value === '' || !chosen) continue;
      appliesOnlyWhere(
        c,
        name,
        management,
        'usesManagementService',
        'remove it, or set `management: api` if a service implementing docs/management-api.openapi.yaml stages and activates your secrets',
      );
    }
    return {};
  }
  let admin: Credential | undefined;
  if (adminClientId !== '' || adminClientSecret !== '') {
    const fix =
      'set both `admin-client-id` and `admin-client-secret`, or neither (then the management service is called with the rotated package’s own token)';
    admin = {
      clientId: adminClientId === '' ? c.required('admin-client-id', fix) : c.clientId('admin-client-id'),
      clientSecret: c.required('admin-client-secret', fix),
    };
  }
  // No default: no Salesforce tenant serves the contract at its own REST base URL.
  const text = c.required(
    'management-url',
    'with `management: api`, give the base URL of a service implementing docs/management-api.openapi.yaml, or use `management: setup`',
  );
  if (text === '') return { admin };
  return {
    admin,
    managementUrl: c.serviceUrl(
      inputField('management-url'),
      text,
      'base',
      'https://sfmc-secrets.example.com',
    ),
  };
}

/** GitHub: the token that writes the destinations, and how long one call may take. */
function parseGitHub(c: Checker) {
  const githubToken = c.required(
    'github-token',
    'the workflow GITHUB_TOKEN cannot write secrets; pass a GitHub App installation token or a fine-grained token with write access to the secrets of each destination kind you use (repository "Secrets", "Environments", "Dependabot secrets", organization "Secrets" or "Dependabot secrets"; README: The token the action needs)',
  );
  const githubTimeoutSeconds = c.integer(
    'github-timeout-seconds',
    1,
    300,
    30,
    'this bounds how long one attempt of a GitHub call may take before it is repeated',
  );
  return { githubToken, githubTimeoutMs: githubTimeoutSeconds * 1000 };
}

/** `secret-name`, `destinations` and `escrow`; undefined when the escrow cannot be told. */
function parseDestinationInputs(c: Checker, runner: Runner) {
  const secretNameText = c.required(
    'secret-name',
    'name the GitHub secret that holds the client secret, e.g. `SFMC_CLIENT_SECRET`',
  );
  const secretNameIssue = secretNameProblem(secretNameText);
  if (secretNameText !== '' && secretNameIssue) {
    c.report(
      inputField('secret-name'),
      `${quote(secretNameText)} ${secretNameIssue}`,
      'use letters, digits and underscores, not starting with a digit or GITHUB_, e.g. `SFMC_CLIENT_SECRET`',
    );
  }
  const secretName = secretNameIssue ? placeholderSecretName : secretNameText.toUpperCase();
  const defaults = { secretName };

  let destinations: Destination[] = [];
  const { owner, repo } = runner.repository;
  const destinationsText = c.read('destinations') || (owner !== '' ? `repo:${owner}/${repo}` : '');
  if (destinationsText !== '') {
    try {
      destinations = parseDestinations(destinationsText, defaults, 'destinations');
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      c.problems.push({ subject: 'destinations', text: error.message });
    }
  }
  const escrow = parseEscrow(
    c.read('escrow') || destinations[0]?.id || '',
    defaults,
    destinations,
    c.problems,
  );
  if (!escrow) return undefined;
  return { secretName, destinations, escrow, previousEscrow: escrowSlot(escrow, 'PREVIOUS', defaults) };
}

/** When to rotate, how long to wait for a staged secret, and what to store with it. */
function parseRotation(c: Checker, runner: Runner) {
  const rotateAfterDays = c.integer(
    'rotate-after-days',
    1,
    179,
    150,
    'Marketing Cloud expires a secret 180 days after it was generated, so rotate before that',
  );
  const description =
    c.read('description') ||
    `Staged by sfmc-secret-rotation for ${runner.repository.owner}/${runner.repository.repo} run ${runner.runId}`;
  if (description.length > 200) {
    c.report(
      inputField('description'),
      `is ${description.length} characters long`,
      'shorten it to at most 200 characters',
    );
  }
  const maxWaitSeconds = c.integer(
    'max-wait-seconds',
    0,
    3600,
    900,
    'this bounds how long the run waits for a staged secret to become usable',
  );
  return { rotateAfterDays, description, maxWaitSeconds };
}

/** The state artifact: its name, how long GitHub keeps it, and the token that finds earlier ones. */
function parseState(c: Checker, clientId: string) {
  const stateArtifactName = c.read('state-artifact-name') || `sfmc-rotation-${clientId}`;
  if (/[":<>|*?\\/\r\n]/.test(stateArtifactName)) {
    c.report(
      inputField('state-artifact-name'),
      `${quote(stateArtifactName)} contains a character artifact names cannot hold`,
      'avoid " : < > | * ? \\ / and line breaks, e.g. `sfmc-rotation-state`',
    );
  }
  const stateRetentionDays = c.integer(
    'state-retention-days',
    1,
    400,
    90,
    'GitHub keeps artifacts 1 to 90 days (up to 400 in private repositories)',
  );
  const stateToken = c.required(
    'state-token',
    'it defaults to the workflow GITHUB_TOKEN; give the job `permissions: actions: read` or pass a token that can read workflow artifacts',
  );
  return { stateArtifactName, stateRetentionDays, stateToken };
}

type Runner = ReturnType<typeof parseRunner>;

/** The runner's GITHUB_* variables: the repository and run this action executes in, and GitHub's API. */
function parseRunner(c: Checker, env: Record<string, string | undefined>) {
  const repositoryText = env.GITHUB_REPOSITORY ?? '';
  const repositoryMatch = /^([A-Za-z0-9._-]+)\/([A-Za-z0-9._-]+)$/.exec(repositoryText);
  const repository = { owner: repositoryMatch?.[1] ?? '', repo: repositoryMatch?.[2] ?? '' };
  if (!repositoryMatch) {
    c.report(
      envField('GITHUB_REPOSITORY'),
      repositoryText === '' ? 'is not set' : `${quote(repositoryText)} is not OWNER/REPO`,
      'the action must run inside GitHub Actions, which sets it (or set it to owner/repo when running elsewhere)',
    );
  }
  const runIdText = env.GITHUB_RUN_ID ?? '';
  const runId = /^[1-9]\d*$/.test(runIdText) ? Number(runIdText) : 0;
  if (runId === 0) {
    c.report(
      envField('GITHUB_RUN_ID'),
      runIdText === '' ? 'is not set' : `${quote(runIdText)} is not a run id`,
      'the action must run inside GitHub Actions, which sets it (or set it to a positive integer when running elsewhere)',
    );
  }
  const runAttemptText = env.GITHUB_RUN_ATTEMPT ?? '';
  const runAttempt =
    runAttemptText === '' ? 1 : /^[1-9]\d*$/.test(runAttemptText) ? Number(runAttemptText) : 0;
  if (runAttempt === 0) {
    c.report(
      envField('GITHUB_RUN_ATTEMPT'),
      `${quote(runAttemptText)} is not a positive integer`,
      'unset it or set it to 1',
    );
  }
  const apiUrl = c.serviceUrl(
    envField('GITHUB_API_URL'),
    env.GITHUB_API_URL || 'https://api.github.com',
    'base',
    'https://api.github.com',
  );
  const ghes = gitHubEnterpriseServer(env.GITHUB_SERVER_URL);
  if (ghes) {
    c.report(
      envField('GITHUB_SERVER_URL'),
      `${quote(ghes)} is a GitHub Enterprise Server`,
      'state artifacts are not supported on GitHub Enterprise Server (@actions/artifact 2 and later do not run there); run the action on github.com or GitHub Enterprise Cloud (*.ghe.com)',
    );
  }
  return { repository, runId, runAttempt, apiUrl };
}

/**
 * The host of GITHUB_SERVER_URL when it is a GitHub Enterprise Server, told
 * apart the way @actions/artifact does (its `isGhes`, in
 * node_modules/@actions/artifact/lib/internal/shared/config.js): any host but
 * github.com, *.ghe.com (Enterprise Cloud) and *.localhost.
 */
function gitHubEnterpriseServer(serverUrl: string | undefined): string | undefined {
  let host: string;
  try {
    host = new URL(serverUrl || 'https://github.com').hostname.trimEnd().toUpperCase();
  } catch {
    return undefined;
  }
  const cloud = host === 'GITHUB.COM' || host.endsWith('.GHE.COM') || host.endsWith('.LOCALHOST');
  return cloud ? undefined : host.toLowerCase();
}

/**
 * The escrow line with `_STAGED` appended to its secret name. It must not be
 * a secret any destination writes, or consumers would read the staged value.
 */
function parseEscrow(
  line: string,
  defaults: { secretName: string },
  destinations: Destination[],
  problems: Problem[],
): Destination | undefined {
  const field = inputField('escrow');
  const problem = (text: string): undefined => {
    problems.push({ subject: field.subject, text: `${field.label}: ${text}` });
  };
  if (line === '') return undefined;
  if (/[\r\n]/.test(line)) {
    return problem(
      'holds more than one line — give exactly one destination line, e.g. `environment:octo-org/app:production`',
    );
  }
  let parsed: Destination;
  try {
    parsed = parseDestinationLine(line, defaults);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return problem(error.message);
  }
  const escrow = renameDestination(parsed, `${parsed.name}_STAGED`, defaults);
  for (const slot of [escrow, escrowSlot(escrow, 'PREVIOUS', defaults)]) {
    const clash = destinations.find((d) => secretKey(d) === secretKey(slot));
    if (clash) {
      return problem(
        `the escrow secret \`${slot.id}\` is also the destination \`${clash.id}\` — the escrow must be a secret no consumer reads; pick another escrow line or rename that destination`,
      );
    }
  }
  return escrow;
}

/** The escrow's other slot: `<name>_PREVIOUS` beside `<name>_STAGED`. */
function escrowSlot(escrow: Destination, suffix: 'PREVIOUS', defaults: { secretName: string }): Destination {
  return renameDestination(escrow, `${escrow.name.replace(/_STAGED$/, '')}_${suffix}`, defaults);
}

/**
 * One error listing every problem. As a last guard, any secret input's value
 * that an echoed (non-secret) input happened to contain is blanked out.
 */
function inputError(problems: Problem[], secrets: string[]): InputError {
  const message = redact(problems.map((p) => p.text).join('\n'), secrets, '***');
  return new InputError(problems[0]?.subject ?? 'inputs', message);
}
