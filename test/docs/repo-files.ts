// The repository's user-facing files, read once for the docs tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const ROOT = resolve(import.meta.dirname, '../..');
export const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

export interface ActionInput {
  description?: string;
  required?: boolean;
  default?: string;
}

interface ActionYml {
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { description: string }>;
}

export const actionYml = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;

/** Every `examples/*.yml`, by path relative to the repository root. */
export function exampleFiles(): { path: string; text: string }[] {
  return readdirSync(join(ROOT, 'examples'))
    .filter((name) => name.endsWith('.yml'))
    .sort()
    .map((name) => ({ path: `examples/${name}`, text: readFileSync(join(ROOT, 'examples', name), 'utf8') }));
}

/** README's ```yaml blocks, each with the `<!-- examples/… -->` marker on the line before it, if any. */
export function readmeYamlBlocks(): { marker: string | undefined; text: string }[] {
  const blocks: { marker: string | undefined; text: string }[] = [];
  for (const m of readme.matchAll(/(?:<!-- (\S+) -->\n)?```yaml\n([\s\S]*?)```\n/g)) {
    blocks.push({ marker: m[1], text: m[2] ?? '' });
  }
  return blocks;
}

/** The rows of the Markdown table that follows `heading` in README, as trimmed cells. */
export function readmeTable(heading: string): string[][] {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no heading "${heading}"`);
  const next = readme.indexOf('\n## ', start + heading.length + 1);
  const lines = readme
    .slice(start, next < 0 ? undefined : next)
    .split('\n')
    .filter((line) => line.startsWith('|'));
  return lines.slice(2).map((line) =>
    line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim()),
  );
}
