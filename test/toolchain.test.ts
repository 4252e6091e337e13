// The action runs on node24; scripts and tests must run on the same major,
// through the node@24 devDependency, whatever Node the machine has.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

describe('toolchain', () => {
  it('tests run on Node 24', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
  });

  it('pins Node 24 through the node devDependency and engines', () => {
    expect(pkg.devDependencies.node).toMatch(/^\^?24\./);
    expect(pkg.engines.node).toBe('>=24 <25');
  });
});
