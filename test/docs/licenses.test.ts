// dist/licenses.txt names each bundled package with its license text.
import { describe, expect, it } from 'vitest';
import { licensesText } from '../../scripts/licenses.ts';
import { ROOT } from './repo-files.ts';

describe('licensesText', () => {
  const text = licensesText(ROOT, [
    'src/main.ts',
    'node_modules/zod/v4/classic/schemas.js',
    'node_modules/zod/v4/core/core.js',
    'node_modules/@actions/core/lib/core.js',
  ]);

  it('lists each bundled package once, by name and version, sorted, and none of our own sources', () => {
    const listed = [...text.matchAll(/^(\S+)@(\d\S*) \(/gm)].map((m) => m[1]);
    expect(listed).toEqual(['@actions/core', 'zod']);
    expect(text).not.toContain('src/main.ts');
  });

  it("carries each package's license text", () => {
    expect(text).toMatch(/@actions\/core@\S+ \(MIT\)\n\nThe MIT License/);
    expect(text).toMatch(/zod@\S+ \(MIT\)\n\nMIT License/);
  });
});
