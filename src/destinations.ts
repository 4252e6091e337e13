// The destination-line grammar: `<kind>:<target> [key=value ...]`, one line
// per GitHub secret to write. Every error quotes the line, says what is wrong
// and shows a line that would work.
import type { Destination, Visibility } from './config.ts';
import { InputError } from './errors.ts';

export interface DestinationDefaults {
  /** The secret name used when a line has no `name=`. */
  secretName: string;
}

type Kind = Destination['kind'];

const kinds: readonly Kind[] = ['repo', 'environment', 'org', 'dependabot', 'dependabot-org'];
const visibilities: readonly Visibility[] = ['all', 'private', 'selected'];

const examples: Record<Kind, string> = {
  repo: 'repo:octo-org/app',
  environment: 'environment:octo-org/app:production',
  org: 'org:octo-org visibility=private',
  dependabot: 'dependabot:octo-org/app',
  'dependabot-org': 'dependabot-org:octo-org visibility=selected repositories=app,api',
};

const isOrgKind = (kind: Kind): kind is 'org' | 'dependabot-org' =>
  kind === 'org' || kind === 'dependabot-org';

/** Why `name` cannot be a GitHub secret name, or undefined when it can. */
export function secretNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (!/^[A-Za-z0-9_]+$/.test(name)) return 'may contain only letters, digits and underscores';
  if (/^[0-9]/.test(name)) return 'must not start with a digit';
  if (/^GITHUB_/i.test(name)) return 'must not start with GITHUB_ (GitHub reserves that prefix)';
  return undefined;
}

/** Owner and repository names; `.` and `..` are rejected so a name can never step out of a URL path. */
function isRepoName(text: string): boolean {
  return /^[A-Za-z0-9._-]+$/.test(text) && text !== '.' && text !== '..';
}

const isOrgName = (text: string): boolean => /^[A-Za-z0-9-]+$/.test(text);

/**
 * An environment name is sent as one URL path segment, percent-encoded as
 * Octokit does (encodeURIComponent leaves `.` alone). It must stay that one
 * segment once a URL parser reads it: `.` and `..` are dot segments and would
 * send the write to another endpoint (`environment:o/r:..` → the repository
 * secret `PUT /repos/o/r/secrets/NAME`).
 */
function staysOneSegment(name: string): boolean {
  const segment = encodeURIComponent(name);
  return (
    new URL(`https://api.invalid/environments/${segment}/secrets`).pathname ===
    `/environments/${segment}/secrets`
  );
}

function fail(line: string, what: string, fix: string, example: string): never {
  throw new InputError(line, `\`${line}\`: ${what} — ${fix}, e.g. \`${example}\``);
}

/** Splits `owner/repo`, or undefined when it is not one. */
function ownerRepo(text: string): { owner: string; repo: string } | undefined {
  const parts = text.split('/');
  if (parts.length !== 2) return undefined;
  const [owner = '', repo = ''] = parts;
  return isRepoName(owner) && isRepoName(repo) ? { owner, repo } : undefined;
}

function parseOptions(line: string, kind: Kind, tokens: string[]): Map<string, string> {
  const allowed = isOrgKind(kind) ? ['name', 'visibility', 'repositories'] : ['name'];
  const options = new Map<string, string>();
  for (const token of tokens) {
    const eq = token.indexOf('=');
    if (eq < 0) {
      if (kind === 'environment') {
        fail(
          line,
          `\`${token}\` is not a key=value option (environment names containing spaces cannot be written here, because fields are separated by spaces)`,
          'rename the environment without spaces, or remove the stray word',
          examples.environment,
        );
      }
      fail(line, `\`${token}\` is not a key=value option`, 'write options as key=value', examples[kind]);
    }
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1);
    if (!allowed.includes(key)) {
      const known = allowed.map((k) => `${k}=`).join(', ');
      fail(line, `unknown option \`${key}\` for a ${kind} line`, `use only ${known}`, examples[kind]);
    }
    if (options.has(key)) fail(line, `\`${key}=\` is given twice`, 'keep one', examples[kind]);
    if (value === '')
      fail(line, `\`${key}=\` has no value`, `give ${key} a value or remove it`, examples[kind]);
    options.set(key, value);
  }
  return options;
}

function parseRepositories(line: string, text: string): string[] {
  const names = text.split(',');
  const seen = new Set<string>();
  for (const name of names) {
    if (!isRepoName(name)) {
      fail(
        line,
        `\`${name}\` in repositories= is not a repository name`,
        'list repository names of the organization (letters, digits, `.`, `_`, `-`), comma-separated without spaces',
        examples['dependabot-org'],
      );
    }
    if (seen.has(name.toLowerCase())) {
      fail(
        line,
        `repository \`${name}\` is listed twice`,
        'list each repository once',
        examples['dependabot-org'],
      );
    }
    seen.add(name.toLowerCase());
  }
  // Canonical order, so the id does not depend on how the list was written.
  return [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
}

/** The id without `name=`: the scope as written, with canonical option order. */
function scopeId(d: Destination): string {
  switch (d.kind) {
    case 'repo':
    case 'dependabot':
      return `${d.kind}:${d.owner}/${d.repo}`;
    case 'environment':
      return `environment:${d.owner}/${d.repo}:${d.environment}`;
    case 'org':
    case 'dependabot-org': {
      const repositories = d.repositories ? ` repositories=${d.repositories.join(',')}` : '';
      return `${d.kind}:${d.org} visibility=${d.visibility}${repositories}`;
    }
  }
}

/** A copy of `d` writing `name` (upper-cased), with its id recomputed. */
export function renameDestination(d: Destination, name: string, defaults: DestinationDefaults): Destination {
  const upper = name.toUpperCase();
  const renamed = { ...d, name: upper };
  const suffix = upper === defaults.secretName.toUpperCase() ? '' : ` name=${upper}`;
  return { ...renamed, id: `${scopeId(renamed)}${suffix}` };
}

/**
 * Identifies the GitHub secret a destination writes: scope and name, compared
 * case-insensitively as GitHub does. An organization secret is one secret
 * whatever visibility a line asks for.
 */
export function secretKey(d: Destination): string {
  const scope = 'org' in d ? `${d.kind}:${d.org}` : scopeId(d);
  return `${scope} ${d.name}`.toLowerCase();
}

export function parseDestinationLine(line: string, defaults: DestinationDefaults): Destination {
  const text = line.trim();
  const [head = '', ...tokens] = text.split(/\s+/);
  const colon = head.indexOf(':');
  const kind = kinds.find((k) => k === head.slice(0, colon));
  if (colon < 0 || kind === undefined) {
    fail(
      text,
      colon < 0 ? 'has no `<kind>:` prefix' : `unknown kind \`${head.slice(0, colon)}\``,
      `start the line with one of ${kinds.map((k) => `${k}:`).join(', ')}`,
      examples.repo,
    );
  }
  const target = head.slice(colon + 1);
  const options = parseOptions(text, kind, tokens);

  const name = options.get('name') ?? defaults.secretName;
  const nameProblem = secretNameProblem(name);
  if (nameProblem) {
    fail(
      text,
      `secret name \`${name}\` ${nameProblem}`,
      'use letters, digits and underscores, not starting with a digit or GITHUB_',
      `${examples[kind]} name=SFMC_CLIENT_SECRET`,
    );
  }

  let destination: Destination;
  if (kind === 'repo' || kind === 'dependabot') {
    const parsed = ownerRepo(target);
    if (!parsed) {
      fail(
        text,
        `\`${target}\` is not OWNER/REPO`,
        'name the repository as owner/name (letters, digits, `.`, `_`, `-`)',
        examples[kind],
      );
    }
    destination = { kind, id: '', name, ...parsed };
  } else if (kind === 'environment') {
    const sep = target.indexOf(':');
    const parsed = ownerRepo(sep < 0 ? target : target.slice(0, sep));
    const environment = sep < 0 ? '' : target.slice(sep + 1);
    if (!parsed || environment === '') {
      fail(
        text,
        `\`${target}\` is not OWNER/REPO:ENVIRONMENT`,
        'name the repository and the environment',
        examples[kind],
      );
    }
    // GitHub's own limits on environment names.
    if (environment.length > 255 || /\p{Cc}/u.test(environment)) {
      fail(
        text,
        'the environment name is longer than 255 characters or holds control characters',
        'use the environment name as shown in the repository settings',
        examples[kind],
      );
    }
    if (!staysOneSegment(environment)) {
      fail(
        text,
        `the environment name \`${environment}\` would be read as a URL path step, not a name, and the secret written elsewhere`,
        'use the environment name as shown in the repository settings',
        examples[kind],
      );
    }
    destination = { kind, id: '', name, ...parsed, environment };
  } else {
    if (!isOrgName(target)) {
      fail(
        text,
        `\`${target}\` is not an organization name`,
        'use the organization login (letters, digits and `-`)',
        examples[kind],
      );
    }
    const visibility = visibilities.find((v) => v === options.get('visibility'));
    if (!options.has('visibility')) {
      fail(
        text,
        'visibility= is missing',
        'add visibility=all, private or selected (it is required because a default could silently widen or narrow who can read an existing organization secret)',
        examples[kind],
      );
    }
    if (visibility === undefined) {
      fail(
        text,
        `visibility \`${options.get('visibility')}\` is not one of all, private, selected`,
        'pick one of those',
        examples[kind],
      );
    }
    const repositories = options.get('repositories');
    if (visibility === 'selected' && repositories === undefined) {
      fail(
        text,
        'visibility=selected needs repositories=',
        'list the repositories that may read the secret',
        `${kind}:${target} visibility=selected repositories=app,api`,
      );
    }
    if (visibility !== 'selected' && repositories !== undefined) {
      fail(
        text,
        `repositories= applies only with visibility=selected, not ${visibility}`,
        'remove repositories= or use visibility=selected',
        `${kind}:${target} visibility=selected repositories=${repositories}`,
      );
    }
    destination =
      repositories === undefined
        ? { kind, id: '', name, org: target, visibility }
        : {
            kind,
            id: '',
            name,
            org: target,
            visibility,
            repositories: parseRepositories(text, repositories),
          };
  }
  return renameDestination(destination, name, defaults);
}

/**
 * Parses a multi-line destinations input: blank lines and `#` comments are
 * skipped. Collects every bad line into one InputError.
 */
export function parseDestinations(
  text: string,
  defaults: DestinationDefaults,
  inputName: string,
): Destination[] {
  const problems: string[] = [];
  const destinations: Destination[] = [];
  const firstLineOf = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const number = index + 1;
    if (line === '' || line.startsWith('#')) return;
    let destination: Destination;
    try {
      destination = parseDestinationLine(line, defaults);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(`input \`${inputName}\` line ${number}: ${error.message}`);
      return;
    }
    const key = secretKey(destination);
    const first = firstLineOf.get(key);
    if (first !== undefined) {
      problems.push(
        `input \`${inputName}\` line ${number}: \`${line}\` writes the same secret as line ${first} — remove one of them, or give one another name, e.g. \`${scopeId(destination)} name=OTHER_SECRET\``,
      );
      return;
    }
    firstLineOf.set(key, number);
    destinations.push(destination);
  });
  if (problems.length === 0 && destinations.length === 0) {
    problems.push(
      `input \`${inputName}\`: lists no destination — add at least one line, e.g. \`${examples.repo}\``,
    );
  }
  if (problems.length > 0) throw new InputError(inputName, problems.join('\n'));
  return destinations;
}
