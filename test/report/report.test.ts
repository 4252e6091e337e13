import { describe, expect, it } from 'vitest';
import type { Destination } from '../../src/config.ts';
import { bounded, inertLines, MAX_LOG_MESSAGE, safeLog } from '../../src/report/log.ts';
import { outputsOf } from '../../src/report/outputs.ts';
import { MAX_TEXT, summaryMarkdown, text } from '../../src/report/summary.ts';
import { type AgeSource, emptyResult, type RunResult } from '../../src/rotation/result.ts';
import type { Phase } from '../../src/rotation/state.ts';

const at = (iso: string) => new Date(iso);
const now = at('2026-05-01T12:00:00Z');

const repo: Destination = { kind: 'repo', id: 'repo:octo/app', name: 'SFMC', owner: 'octo', repo: 'app' };
const env: Destination = {
  kind: 'environment',
  id: 'environment:octo/app:prod name=PROD',
  name: 'PROD',
  owner: 'octo',
  repo: 'app',
  environment: 'prod',
};

function result(overrides: Partial<RunResult> = {}): RunResult {
  return { ...emptyResult('auto'), headline: 'Nothing to do: the secret is 30 days old.', ...overrides };
}

/** Cells of a table row: split on pipes not escaped by an odd run of backslashes. */
function cells(row: string): string[] {
  return row
    .slice(1, -1)
    .split(/(?<=(?:^|[^\\])(?:\\\\)*)\|/)
    .map((c) => c.trim());
}

describe('outputsOf', () => {
  const empty = {
    'staged-at': '',
    'activated-at': '',
    'expires-at': '',
    'next-rotation-at': '',
    'destinations-updated': '[]',
    'state-artifact-id': '',
  };

  it('reports a run that found nothing to do', () => {
    expect(outputsOf(result({ expiresAt: at('2026-10-01T00:00:00Z') }))).toEqual({
      ...empty,
      phase: 'idle',
      rotated: 'false',
      'expires-at': '2026-10-01T00:00:00.000Z',
    });
  });

  it('reports a completed rotation', () => {
    const outputs = outputsOf(
      result({
        mode: 'rotate',
        phase: 'idle',
        rotated: true,
        stagedAt: at('2026-05-01T11:00:00Z'),
        activatedAt: at('2026-05-01T11:07:30.250Z'),
        expiresAt: at('2026-10-28T11:00:00Z'),
        nextRotationAt: at('2026-09-28T11:00:00Z'),
        destinationsUpdated: [repo.id, env.id],
        stateArtifactId: 0,
      }),
    );
    expect(outputs).toEqual({
      phase: 'idle',
      rotated: 'true',
      'staged-at': '2026-05-01T11:00:00.000Z',
      'activated-at': '2026-05-01T11:07:30.250Z',
      'expires-at': '2026-10-28T11:00:00.000Z',
      'next-rotation-at': '2026-09-28T11:00:00.000Z',
      'destinations-updated': '["repo:octo/app","environment:octo/app:prod name=PROD"]',
      'state-artifact-id': '0',
    });
    expect(JSON.parse(outputs['destinations-updated'] ?? '')).toEqual([repo.id, env.id]);
  });

  it.each<[Phase, boolean]>([
    ['staged', false],
    ['published', false],
    ['activated', true],
  ])('reports a rotation left in phase %s', (phase, rotated) => {
    const outputs = outputsOf(
      result({ phase, rotated, stagedAt: at('2026-05-01T11:00:00Z'), stateArtifactId: 991 }),
    );
    expect(outputs).toMatchObject({
      phase,
      rotated: String(rotated),
      'staged-at': '2026-05-01T11:00:00.000Z',
      'state-artifact-id': '991',
    });
  });

  it('gives every output the action declares, as a string', () => {
    const outputs = outputsOf(result());
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'phase',
        'rotated',
        'staged-at',
        'activated-at',
        'expires-at',
        'next-rotation-at',
        'destinations-updated',
        'state-artifact-id',
      ].sort(),
    );
    for (const value of Object.values(outputs)) expect(typeof value).toBe('string');
  });
});

describe('summaryMarkdown', () => {
  const full = result({
    mode: 'rotate',
    headline: 'Rotated the secret and updated 2 destinations.',
    phase: 'idle',
    rotated: true,
    expiresAt: at('2026-10-28T12:00:00Z'),
    nextRotationAt: at('2026-09-28T12:00:00Z'),
    secretAge: { createdAt: at('2026-05-01T11:05:00Z'), source: 'management-api' },
    steps: [
      {
        step: 'preflight',
        startedAt: at('2026-05-01T10:59:58.100Z'),
        endedAt: at('2026-05-01T10:59:58.950Z'),
        outcome: 'done',
        detail: 'token ok',
      },
      {
        step: 'await-usable',
        startedAt: at('2026-05-01T11:00:00Z'),
        endedAt: at('2026-05-01T11:05:07Z'),
        outcome: 'done',
        detail: 'usable after 5 min',
      },
      {
        step: 'verify',
        startedAt: at('2026-05-01T11:05:07Z'),
        endedAt: at('2026-05-01T11:05:19.420Z'),
        outcome: 'skipped',
        detail: 'a | b\nsecond line',
      },
    ],
    destinations: [
      { destination: repo, outcome: 'updated' },
      {
        destination: env,
        outcome: 'failed',
        error: 'HTTP 403 | token lacks Secrets: write\r\nsee C:\\path\\|x',
      },
    ],
    destinationsUpdated: [repo.id],
    notes: ['The old secret is still accepted.', 'State was unreadable:\nnot JSON'],
  });
  const markdown = summaryMarkdown(full, now);
  const lines = markdown.split('\n');

  it('starts with a heading naming the mode and the headline', () => {
    expect(lines[0]).toBe('## SFMC secret rotation (rotate): Rotated the secret and updated 2 destinations.');
    expect(summaryMarkdown(result({ mode: 'status', headline: 'Two\nlines' }), now).split('\n')[0]).toBe(
      '## SFMC secret rotation (status): Two lines',
    );
  });

  it('tabulates the steps with UTC start, duration, outcome and escaped detail', () => {
    const start = lines.indexOf('| Step | Started (UTC) | Duration | Outcome | Detail |');
    expect(start).toBeGreaterThan(0);
    expect(lines[start + 1]).toBe('| --- | --- | --- | --- | --- |');
    expect(lines.slice(start + 2, start + 5)).toEqual([
      '| preflight | 10:59:58 | 850 ms | done | token ok |',
      '| await-usable | 11:00:00 | 5 min 07 s | done | usable after 5 min |',
      '| verify | 11:05:07 | 12.4 s | skipped | a \\| b<br>second line |',
    ]);
    expect(lines[start + 5]).toBe('');
  });

  it('tabulates the destinations, escaping pipes, newlines and backslashes', () => {
    const start = lines.indexOf('| Destination | Kind | Secret name | Result | Error |');
    expect(lines[start - 2]).toBe('### Destinations');
    const rows = lines.slice(start + 2, start + 4);
    expect(rows).toEqual([
      '| repo:octo/app | repo | SFMC | updated |  |',
      '| environment:octo/app:prod name=PROD | environment | PROD | failed | HTTP 403 \\| token lacks Secrets: write<br>see C:\\\\path\\\\\\|x |',
    ]);
    for (const row of rows) expect(cells(row)).toHaveLength(5);
    expect(cells(rows[1] ?? '')[4]).toBe('HTTP 403 \\| token lacks Secrets: write<br>see C:\\\\path\\\\\\|x');
  });

  it('states the age and its source, the expiry and the next rotation', () => {
    const start = lines.indexOf('### Active secret');
    expect(lines.slice(start + 2, start + 5)).toEqual([
      '- Age: 0 days (generated 2026-05-01 11:05 UTC; source: Marketing Cloud management API)',
      '- Expires: 2026-10-28 12:00 UTC (in 180 days)',
      '- Next rotation: 2026-09-28 12:00 UTC (in 150 days)',
    ]);
  });

  it.each<[AgeSource, string]>([
    ['management-api', 'Marketing Cloud management API'],
    ['state', 'the last recorded activation'],
    ['destination', "the first destination's updated_at"],
  ])('names the age source %s', (source, text) => {
    const md = summaryMarkdown(result({ secretAge: { createdAt: at('2026-03-31T12:00:00Z'), source } }), now);
    expect(md).toContain(`- Age: 31 days (generated 2026-03-31 12:00 UTC; source: ${text})`);
  });

  it('counts down and up in days, singular and plural', () => {
    const md = summaryMarkdown(
      result({
        secretAge: { createdAt: at('2026-04-30T11:00:00Z'), source: 'state' },
        expiresAt: at('2026-04-29T12:00:00Z'),
        nextRotationAt: at('2026-05-01T20:00:00Z'),
      }),
      now,
    );
    expect(md).toContain('- Age: 1 day (');
    expect(md).toContain('- Expires: 2026-04-29 12:00 UTC (2 days ago)');
    expect(md).toContain('- Next rotation: 2026-05-01 20:00 UTC (today)');
  });

  it('says when the age is unknown and leaves out empty sections', () => {
    const md = summaryMarkdown(result(), now);
    expect(md).toBe(
      [
        '## SFMC secret rotation (auto): Nothing to do: the secret is 30 days old.',
        '',
        '### Active secret',
        '',
        '- Age: unknown',
        '',
      ].join('\n'),
    );
  });

  it('lists the notes, keeping multi-line notes inside their item', () => {
    const start = lines.indexOf('### Notes');
    expect(lines.slice(start + 2)).toEqual([
      '- The old secret is still accepted.',
      '- State was unreadable:',
      '  not JSON',
      '',
    ]);
  });

  it('numbers the plan in plan mode', () => {
    const md = summaryMarkdown(
      result({
        mode: 'plan',
        headline: 'Would rotate: the secret is 151 days old.',
        plan: [
          'Stage a new secret.',
          'Write it to repo:octo/app\nand environment:octo/app:prod.',
          'Activate it.',
          ...Array.from({ length: 7 }, (_, i) => `Step ${i + 4}.`),
        ],
      }),
      now,
    );
    const plan = md.split('\n### Plan\n\n')[1]?.split('\n') ?? [];
    expect(plan.slice(0, 5)).toEqual([
      '1. Stage a new secret.',
      '2. Write it to repo:octo/app',
      '   and environment:octo/app:prod.',
      '3. Activate it.',
      '4. Step 4.',
    ]);
    expect(plan[10]).toBe('10. Step 10.');
    expect(md).not.toContain('### Notes');
    expect(markdown).not.toContain('### Plan');
  });
});

describe('text (outside text in the summary)', () => {
  it.each([
    ['a heading', '# Owned', '\\# Owned'],
    ['a link to javascript:', '[click](javascript:alert(1))', '\\[click\\](javascript:alert(1))'],
    ['an image', '![x](https://evil.example/p.png)', '!\\[x\\](https\\://evil.example/p.png)'],
    ['raw HTML', '<img src=x onerror=alert(1)>', '\\<img src=x onerror=alert(1)\\>'],
    ['an entity', '&lt;b&gt;', '\\&lt;b\\&gt;'],
    ['emphasis, code and math', '*a* _b_ ~~c~~ `d` $e$', '\\*a\\* \\_b\\_ \\~\\~c\\~\\~ \\`d\\` \\$e\\$'],
    ['autolinks', 'www.evil.example me@evil.example', 'www\\.evil.example me\\@evil.example'],
    ['a backslash before a pipe', '\\|', '\\\\\\|'],
    ['line-start blocks', '- a\n+ b\n1. c\n===\n> q', '\\- a\n\\+ b\n1\\. c\n\\===\n\\> q'],
  ])('escapes %s', (_, raw, escaped) => {
    expect(text(raw)).toBe(escaped);
  });

  it('leaves names and plain sentences readable', () => {
    const plain = 'repo:octo/app SFMC_CLIENT_SECRET_STAGED re-stage: run 2001 (at 10:00).';
    expect(text(plain)).toBe(plain);
  });

  it('drops control characters and bounds the length before escaping', () => {
    expect(text('a\u0000b\u001b[0m')).toBe('ab\\[0m');
    expect(text('<'.repeat(MAX_TEXT + 5))).toBe(`${'\\<'.repeat(MAX_TEXT)}…`);
  });

  it('is applied to every outside field of the summary', () => {
    const evil = '# H [l](javascript:x) <img src=x onerror=alert(1)>';
    const hostile: Destination = { ...repo, id: evil, name: evil };
    const md = summaryMarkdown(
      result({
        headline: evil,
        steps: [{ step: 'load', startedAt: now, endedAt: now, outcome: 'done', detail: evil }],
        destinations: [{ destination: hostile, outcome: 'failed', error: evil }],
        plan: [evil],
        notes: [`x\n${evil}`],
      }),
      now,
    );
    expect(md).not.toMatch(/(?<!\\)[<[]/);
    expect(md).not.toMatch(/^\s*# /m);
    expect(md.match(/\\<img/g)).toHaveLength(7);
  });
});

describe('log text', () => {
  it('keeps any line of an info message from starting a workflow command', () => {
    const hostile = 'Rotated.\n::add-mask::x\r\n  ::set-output name=a::b\n##[error]boom\nplain :: text';
    const inert = inertLines(hostile);
    for (const line of inert.split(/\r?\n/)) expect(line.trimStart()).not.toMatch(/^(::|##\[)/);
    expect(inert).toBe(
      'Rotated.\n| ::add-mask::x\r\n|   ::set-output name=a::b\n| ##[error]boom\nplain :: text',
    );
  });

  it('bounds every message, and makes info inert', () => {
    const seen: string[] = [];
    const record = (kind: string) => (m: string) => seen.push(`${kind}:${m}`);
    const log = safeLog({
      group: (_title, fn) => fn(),
      info: record('info'),
      warning: record('warning'),
      notice: record('notice'),
      debug: record('debug'),
      setSecret: record('secret'),
    });
    const long = 'w'.repeat(MAX_LOG_MESSAGE + 10);
    log.warning(long);
    log.info('::stop-commands::x');
    expect(seen).toEqual([`warning:${'w'.repeat(MAX_LOG_MESSAGE)}…`, 'info:| ::stop-commands::x']);
    expect(bounded('short')).toBe('short');
  });
});
