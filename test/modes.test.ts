// The tables of modes and managements: what README and action.yml promise of
// each mode, and that inputs.ts checks management-only inputs by the table.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.ts';
import { parseInputs } from '../src/inputs.ts';
import { type Management, managementSpecs, managements, modeRules, modes } from '../src/modes.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const actionYml = readFileSync(new URL('../action.yml', import.meta.url), 'utf8');

describe('modes', () => {
  it('are the modes action.yml and README list', () => {
    const described = /\n {2}mode:\n {4}description: >-\n([\s\S]*?)\n {4}required/.exec(actionYml)?.[1] ?? '';
    const named = [...described.matchAll(/`([a-z]+)`:/g)].map((m) => m[1]);
    expect(named).toEqual([...modes]);
    const row = readme.split('\n').find((line) => line.startsWith('| `mode`'));
    expect(row).toContain(
      `${modes
        .map((m) => `\`${m}\``)
        .join(', ')
        .replace(/, (`plan`)$/, ' or $1')}`,
    );
  });

  it('`plan` and `status` write nothing under either management; the others act', () => {
    for (const management of managements) {
      const acting = modes.filter((mode) => modeRules[management][mode].effect === 'act');
      expect(acting, management).toEqual(['auto', 'rotate', 'stage', 'activate']);
    }
  });

  it('under `api`: `stage` stops once staged, `activate` fails when nothing is staged (README: Modes)', () => {
    expect(modeRules.api.stage).toMatchObject({ whenIdle: 'start', finishes: false });
    expect(modeRules.api.activate).toMatchObject({ whenIdle: 'fail', finishes: true });
    expect(modeRules.api.rotate).toMatchObject({ whenIdle: 'start', finishes: true });
  });

  it('under `setup`: `rotate`, `stage` and `activate` act as `auto` but remind even when not due (README: Modes)', () => {
    for (const mode of ['rotate', 'stage', 'activate'] as const) {
      expect(modeRules.setup[mode], mode).toEqual({ ...modeRules.setup.auto, whenIdle: 'start' });
    }
    expect(modeRules.setup.auto.whenIdle).toBe('start-when-due');
  });
});

describe('management-only inputs follow the management table', () => {
  const base: Record<string, string> = {
    subdomain: 'mc563885gzs27c5t9-63k636ttgm',
    'client-id': 'abc123def456ghi789jkl012',
    'client-secret': 'Zq8vLr4Xk9Pq1Ws7Tn3Yb6Hd',
    'github-token': 'ghs_16C7e42F292c6912E7710c838347Ae178B4a',
    'state-token': 'ghs_9zY8xW7vU6tS5rQ4pO3nM2lK1jI0hG9fE8dC',
    'secret-name': 'SFMC_CLIENT_SECRET',
  };
  const problemsWith = (management: Management, extra: Record<string, string>): string => {
    const inputs: Record<string, string> = {
      ...base,
      management,
      ...(managementSpecs[management].usesManagementService && {
        'management-url': 'https://sfmc-secrets.example.com',
      }),
      ...extra,
    };
    try {
      parseInputs((name) => inputs[name] ?? '', { GITHUB_REPOSITORY: 'octo-org/app', GITHUB_RUN_ID: '1' });
      return '';
    } catch (error) {
      if (error instanceof InputError) return error.message;
      throw error;
    }
  };

  /** The management README's inputs table reserves an input for (`` `api` only: ...``). */
  const readmeOnly = (input: string): string | undefined => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${input}\``));
    return /\| `([a-z]+)` only/.exec(row ?? '')?.[1];
  };

  it('the table gives reminders and the management service to the managements README names', () => {
    const having = (feature: 'remindsAPerson' | 'usesManagementService') =>
      managements.filter((m) => managementSpecs[m][feature]);
    expect(having('remindsAPerson')).toEqual([readmeOnly('reminder-issue')]);
    for (const input of ['admin-client-id', 'admin-client-secret', 'management-url']) {
      expect(having('usesManagementService'), input).toEqual([readmeOnly(input)]);
    }
  });

  it.each(managements)('inputs.ts rejects them by the table under %s', (management) => {
    const spec = managementSpecs[management];
    const reminder = problemsWith(management, { 'reminder-issue': 'true' });
    expect(reminder.includes('input `reminder-issue`: applies only with')).toBe(!spec.remindsAPerson);
    const service = problemsWith(management, {
      'admin-client-id': 'ADMIN0000client1',
      'admin-client-secret': 'Ad9Mn8Bv7Cx6Zl5Kj4Hg3Fd2',
      'management-url': 'https://sfmc-secrets.example.com',
    });
    for (const name of ['admin-client-id', 'admin-client-secret', 'management-url']) {
      expect(service.includes(`input \`${name}\`: applies only with`), name).toBe(
        !spec.usesManagementService,
      );
    }
  });
});
