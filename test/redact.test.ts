// Redaction of text that leaves the action: a secret is replaced wherever it
// occurs, also where a quote is cut short.
import { describe, expect, it } from 'vitest';
import type { Destination } from '../src/config.ts';
import { explainFailure } from '../src/github/explain.ts';
import { quotable, redact } from '../src/redact.ts';

const SECRET = 'Zq8rT2vLm9XcB4nH7pKd1wYs';
/** Text in which the secret straddles the 300-character bound of a quote. */
const straddling = `${'x'.repeat(290)}${SECRET} tail`;

describe('redact', () => {
  it('replaces every occurrence of every secret, and skips empty ones', () => {
    expect(redact(`a ${SECRET} b ${SECRET} c`, [undefined, '', SECRET], '***')).toBe('a *** b *** c');
  });

  it('replaces a bearer or basic credential echoed from an Authorization header, keeping the scheme', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlX3Rlc3Q';
    expect(redact(`{"headers":{"Authorization":"Bearer ${token}"}}`, [])).toBe(
      '{"headers":{"Authorization":"Bearer [REDACTED]"}}',
    );
    expect(redact(`authorization: bearer ${token}`, [], '***')).toBe('authorization: bearer ***');
    expect(redact('Basic dXNlcjpwYXNzd29yZDEyMzQ1Ng==', [])).toBe('Basic [REDACTED]');
  });

  it('replaces GitHub tokens of every kind', () => {
    const tokens = [
      `ghs_${'A1b2C3d4'.repeat(4)}`,
      `ghp_${'Z9y8X7w6'.repeat(4)}`,
      `github_pat_11ABCDEFG0_${'q'.repeat(40)}`,
    ];
    for (const token of tokens) expect(redact(`token ${token}.`, [])).toBe('token [REDACTED].');
  });

  it('leaves words after Bearer and short ghp-like words alone', () => {
    expect(redact('Bearer token required; see ghp_docs', [])).toBe('Bearer token required; see ghp_docs');
  });
});

describe('quotable', () => {
  it('redacts before it shortens, so no part of a secret survives the cut', () => {
    const quoted = quotable(straddling, [SECRET]);
    expect(quoted).not.toContain(SECRET.slice(0, 4));
    expect(quoted).toContain('[REDACTED]');
  });

  it('drops control characters and bounds the length', () => {
    expect(quotable('a\u0000\u001b[31mb\r\nc', [])).toBe('a [31mb c');
    expect(quotable('y'.repeat(400), [])).toBe(`${'y'.repeat(300)}…`);
  });
});

describe('explainFailure', () => {
  it('quotes a long error message without any part of the secret', () => {
    const repo: Destination = { kind: 'repo', id: 'repo:o/r', name: 'S', owner: 'o', repo: 'r' };
    const message = explainFailure(repo, 'writing the secret', new Error(straddling), [SECRET]);
    expect(message).toMatch(/^repo:o\/r: writing the secret failed: x+\[REDACTED\]/);
    expect(message).not.toContain(SECRET.slice(0, 4));
  });
});
