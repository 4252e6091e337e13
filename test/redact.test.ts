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
