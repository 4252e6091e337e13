// The workflows README shows are the files under examples/, and each one
// would work: every input it passes exists, the required ones are there, and
// the tokens get exactly the permissions README's table names for what the
// workflow does (no less, or a run fails; no more, or the token is wider than needed).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Level, readmePermissionTable } from '../support/permission-table.ts';
import { actionYml, exampleFiles, readme, readmeYamlBlocks } from './repo-files.ts';

const OUR_ACTION = /^your-org\/sfmc-secret-rotation@v1$/;
const APP_TOKEN = /^actions\/create-github-app-token@/;

type Step = { uses?: string; id?: string; with?: Record<string, unknown> };
type Permissions = Record<string, string>;
type Job = { permissions?: Permissions; steps?: Step[] };
type Workflow = { permissions?: Permissions; jobs: Record<string, Job> };

const table = readmePermissionTable(readme);

/** The union of the App permissions of README's rows for `keys` (write wins over read). */
function needed(keys: string[]): Record<string, Level> {
  const union: Record<string, Level> = {};
  for (const key of keys) {
    const row = table.find((r) => r.key === key);
    if (!row) throw new Error(`README's permission table has no row for ${key}`);
    for (const [name, level] of Object.entries(row.app)) {
      if (union[name] !== 'write') union[name] = level;
    }
  }
  return union;
}

/** The kinds of a destinations text's lines (blank lines and `#` comments skipped). */
function kindsOf(text: unknown): string[] {
  return String(text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => /^([a-z-]+):/.exec(line)?.[1] ?? `unparsable line ${line}`);
}

/** The destination kinds a step writes: its destinations (default `repo:` this repository) and its escrow. */
function destinationKinds(inputs: Record<string, unknown>): string[] {
  const destinations = kindsOf(inputs.destinations);
  return [...new Set([...(destinations.length > 0 ? destinations : ['repo']), ...kindsOf(inputs.escrow)])];
}

/** `permission-organization-secrets: write` → `{ organization_secrets: 'write' }`. */
function narrowedTo(appStep: Step): Record<string, unknown> {
  const granted: Record<string, unknown> = {};
  for (const [input, level] of Object.entries(appStep.with ?? {})) {
    if (input.startsWith('permission-'))
      granted[input.slice('permission-'.length).replaceAll('-', '_')] = level;
  }
  return granted;
}

const examples = exampleFiles();

describe('examples', () => {
  it('README shows every example file in full, each after a marker naming it, and no other workflow', () => {
    const blocks = readmeYamlBlocks();
    expect(blocks.map((b) => b.marker).sort()).toEqual(examples.map((e) => e.path));
    for (const example of examples) {
      expect(blocks.find((b) => b.marker === example.path)?.text, example.path).toBe(example.text);
    }
  });

  it('has the recipes README promises', () => {
    expect(examples.map((e) => e.path)).toEqual([
      'examples/manual.yml',
      'examples/scheduled-api.yml',
      'examples/scheduled-setup.yml',
      'examples/several-packages.yml',
      'examples/two-jobs.yml',
    ]);
  });

  describe.each(examples)('$path', ({ text }) => {
    const workflow = parse(text) as Workflow;
    const jobs = Object.entries(workflow.jobs).filter(([, job]) =>
      job.steps?.some((s) => OUR_ACTION.test(s.uses ?? '')),
    );

    it('parses as a workflow with at least one job using the action', () => {
      expect(jobs.length).toBeGreaterThan(0);
    });

    it.each(jobs)('job %s passes only inputs of action.yml, and every required one', (_, job) => {
      const step = job.steps?.find((s) => OUR_ACTION.test(s.uses ?? '')) as Step;
      const given = Object.keys(step.with ?? {});
      expect(given.filter((name) => !(name in actionYml.inputs))).toEqual([]);
      const required = Object.entries(actionYml.inputs).filter(([, input]) => input.required === true);
      expect(required.map(([name]) => name).filter((name) => !given.includes(name))).toEqual([]);
      // `api` has no default management URL; `setup` is the default and needs none.
      if (step.with?.management === 'api') expect(given).toContain('management-url');
      else expect(given).not.toContain('management-url');
    });

    it.each(jobs)('job %s reads state with github.token and `actions: read` only', (_, job) => {
      const step = job.steps?.find((s) => OUR_ACTION.test(s.uses ?? '')) as Step;
      expect(step.with).not.toHaveProperty('state-token');
      expect(job.permissions ?? workflow.permissions).toEqual(needed(['state']));
    });

    it.each(jobs)(
      'job %s narrows the App token to the table rows of its destinations and features',
      (_, job) => {
        const step = job.steps?.find((s) => OUR_ACTION.test(s.uses ?? '')) as Step;
        const appStep = job.steps?.find((s) => APP_TOKEN.test(s.uses ?? ''));
        expect(appStep, 'an actions/create-github-app-token step').toBeDefined();
        expect(step.with?.['github-token']).toBe(`\${{ steps.${appStep?.id}.outputs.token }}`);
        const features = step.with?.['reminder-issue'] === true ? ['reminder-issue'] : [];
        const inputs = step.with ?? {};
        expect(narrowedTo(appStep as Step)).toEqual(needed([...destinationKinds(inputs), ...features]));
      },
    );
  });
});
