// The destination-line grammar: `<kind>:<target> [key=value ...]`, one line
// per GitHub secret to write. Every error quotes the line, says what is wrong
// and shows a line that would work.
import {
  type AtTarget,
  byTarget,
  type Destination,
  type DestinationKind,
  destinationKinds,
  kindNames,
  type Target,
  type Visibility,
} from './destination-kinds.ts';
import { InputError } from './errors.ts';

export interface DestinationDefaults {
  /** The secret name used when a line has no `name=`. */
  secretName: string;
}

const visibilities: readonly Visibility[] = ['all', 'private', 'selected'];

const example = (kind: DestinationKind): string => destinationKinds[kind].example;

/** The `key=` options a line may carry, by target. */
const optionsOf: Record<Target, readonly string[]> = {
  repository: ['name'],
  environment: ['name'],
  organization: ['name', 'visibility', 'repositories'],
};

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

function parseOptions(line: string, kind: DestinationKind, tokens: string[]): Map<string, string> {
  const target = destinationKinds[kind].target;
  const allowed = optionsOf[target];
  const options = new Map<string, string>();
  for (const token of tokens) {
    const eq = token.indexOf('=');
    if (eq < 0) {
      if (target === 'environment') {
        fail(
          line,
          `\`${token}\` is not a key=value option (environment names containing spaces cannot be written here, because fields are separated by spaces)`,
          'rename the environment without spaces, or remove the stray word',
          example(kind),
        );
      }
      fail(line, `\`${token}\` is not a key=value option`, 'write options as key=value', example(kind));
    }
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1);
    if (!allowed.includes(key)) {
      const known = allowed.map((k) => `${k}=`).join(', ');
      fail(line, `unknown option \`${key}\` for a ${kind} line`, `use only ${known}`, example(kind));
    }
    if (options.has(key)) fail(line, `\`${key}=\` is given twice`, 'keep one', example(kind));
    if (value === '')
      fail(line, `\`${key}=\` has no value`, `give ${key} a value or remove it`, example(kind));
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
        destinationKinds['dependabot-org'].example,
      );
    }
    if (seen.has(name.toLowerCase())) {
      fail(
        line,
        `repository \`${name}\` is listed twice`,
        'list each repository once',
        destinationKinds['dependabot-org'].example,
      );
    }
    seen.add(name.toLowerCase());
  }
  // Canonical order, so the id does not depend on how the list was written.
  return [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
}

/** The id without `name=`: the scope as written, with canonical option order. */
function scopeId(d: Destination): string {
  return byTarget(d, {
    repository: (r) => `${r.kind}:${r.owner}/${r.repo}`,
    environment: (e) => `${e.kind}:${e.owner}/${e.repo}:${e.environment}`,
    organization: (o) => {
      const repositories = o.repositories ? ` repositories=${o.repositories.join(',')}` : '';
      return `${o.kind}:${o.org} visibility=${o.visibility}${repositories}`;
    },
  });
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

/** What a target parser gets: the line, its kind, the text after `<kind>:` and the options. */
interface LineParts<K extends DestinationKind = DestinationKind> {
  line: string;
  kind: K;
  target: string;
  options: Map<string, string>;
  name: string;
}

type KindAt<T extends Target> = AtTarget<T>['kind'];
type TargetParsers = { [T in Target]: (parts: LineParts<KindAt<T>>) => AtTarget<T> };

function parseRepository({ line, kind, target, name }: LineParts<KindAt<'repository'>>) {
  const parsed = ownerRepo(target);
  if (!parsed) {
    fail(
      line,
      `\`${target}\` is not OWNER/REPO`,
      'name the repository as owner/name (letters, digits, `.`, `_`, `-`)',
      example(kind),
    );
  }
  return { kind, id: '', name, ...parsed };
}

function parseEnvironment({ line, kind, target, name }: LineParts<KindAt<'environment'>>) {
  const sep = target.indexOf(':');
  const parsed = ownerRepo(sep < 0 ? target : target.slice(0, sep));
  const environment = sep < 0 ? '' : target.slice(sep + 1);
  if (!parsed || environment === '') {
    fail(
      line,
      `\`${target}\` is not OWNER/REPO:ENVIRONMENT`,
      'name the repository and the environment',
      example(kind),
    );
  }
  // GitHub's own limits on environment names.
  if (environment.length > 255 || /\p{Cc}/u.test(environment)) {
    fail(
      line,
      'the environment name is longer than 255 characters or holds control characters',
      'use the environment name as shown in the repository settings',
      example(kind),
    );
  }
  if (!staysOneSegment(environment)) {
    fail(
      line,
      `the environment name \`${environment}\` would be read as a URL path step, not a name, and the secret written elsewhere`,
      'use the environment name as shown in the repository settings',
      example(kind),
    );
  }
  return { kind, id: '', name, ...parsed, environment };
}

function parseOrganization({ line, kind, target, options, name }: LineParts<KindAt<'organization'>>) {
  if (!isOrgName(target)) {
    fail(
      line,
      `\`${target}\` is not an organization name`,
      'use the organization login (letters, digits and `-`)',
      example(kind),
    );
  }
  const visibility = visibilities.find((v) => v === options.get('visibility'));
  if (!options.has('visibility')) {
    fail(
      line,
      'visibility= is missing',
      'add visibility=all, private or selected (it is required because a default could silently widen or narrow who can read an existing organization secret)',
      example(kind),
    );
  }
  if (visibility === undefined) {
    fail(
      line,
      `visibility \`${options.get('visibility')}\` is not one of all, private, selected`,
      'pick one of those',
      example(kind),
    );
  }
  const repositories = options.get('repositories');
  if (visibility === 'selected' && repositories === undefined) {
    fail(
      line,
      'visibility=selected needs repositories=',
      'list the repositories that may read the secret',
      `${kind}:${target} visibility=selected repositories=app,api`,
    );
  }
  if (visibility !== 'selected' && repositories !== undefined) {
    fail(
      line,
      `repositories= applies only with visibility=selected, not ${visibility}`,
      'remove repositories= or use visibility=selected',
      `${kind}:${target} visibility=selected repositories=${repositories}`,
    );
  }
  const base = { kind, id: '', name, org: target, visibility };
  return repositories === undefined ? base : { ...base, repositories: parseRepositories(line, repositories) };
}

const targetParsers: TargetParsers = {
  repository: parseRepository,
  environment: parseEnvironment,
  organization: parseOrganization,
};

export function parseDestinationLine(line: string, defaults: DestinationDefaults): Destination {
  const text = line.trim();
  const [head = '', ...tokens] = text.split(/\s+/);
  const colon = head.indexOf(':');
  const kind = kindNames.find((k) => k === head.slice(0, colon));
  if (colon < 0 || kind === undefined) {
    fail(
      text,
      colon < 0 ? 'has no `<kind>:` prefix' : `unknown kind \`${head.slice(0, colon)}\``,
      `start the line with one of ${kindNames.map((k) => `${k}:`).join(', ')}`,
      destinationKinds.repo.example,
    );
  }
  const options = parseOptions(text, kind, tokens);
  const name = options.get('name') ?? defaults.secretName;
  const nameProblem = secretNameProblem(name);
  if (nameProblem) {
    fail(
      text,
      `secret name \`${name}\` ${nameProblem}`,
      'use letters, digits and underscores, not starting with a digit or GITHUB_',
      `${example(kind)} name=SFMC_CLIENT_SECRET`,
    );
  }
  const parts: LineParts = { line: text, kind, target: head.slice(colon + 1), options, name };
  // The one cast: the parser is picked by the kind's own target, so the kind is one it accepts.
  const parse = targetParsers[destinationKinds[kind].target] as (parts: LineParts) => Destination;
  return renameDestination(parse(parts), name, defaults);
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
      `input \`${inputName}\`: lists no destination — add at least one line, e.g. \`${destinationKinds.repo.example}\``,
    );
  }
  if (problems.length > 0) throw new InputError(inputName, problems.join('\n'));
  return destinations;
}
