// README's inputs and outputs tables say what action.yml says: the same names
// in the same order, the same required inputs and the same defaults.
import { describe, expect, it } from 'vitest';
import { actionYml, readme, readmeTable } from './repo-files.ts';

/** `` `a` `` → `a`. */
const unquote = (cell: string): string => /^`(.*)`$/.exec(cell)?.[1] ?? cell;

describe('README', () => {
  const inputs = readmeTable('## Inputs');

  it('lists every input of action.yml, in its order', () => {
    expect(inputs.map((row) => unquote(row[0] ?? ''))).toEqual(Object.keys(actionYml.inputs));
  });

  it('marks exactly the required inputs as required', () => {
    const required = inputs.filter((row) => row[1] === 'yes').map((row) => unquote(row[0] ?? ''));
    const expected = Object.entries(actionYml.inputs).filter(([, input]) => input.required === true);
    expect(required).toEqual(expected.map(([name]) => name));
    expect(inputs.filter((row) => row[1] !== 'yes' && row[1] !== '')).toEqual([]);
  });

  it("shows action.yml's default of every input that has one", () => {
    const withDefault = Object.entries(actionYml.inputs).filter(([, input]) => (input.default ?? '') !== '');
    const shown = Object.fromEntries(inputs.map((row) => [unquote(row[0] ?? ''), row[2]]));
    for (const [name, input] of withDefault) expect(shown[name], name).toBe(`\`${input.default}\``);
  });

  it('keeps its cells short and leaves the full text to action.yml', () => {
    const long = [...inputs, ...readmeTable('## Outputs')].filter((row) => (row.at(-1) ?? '').length > 100);
    expect(long).toEqual([]);
  });

  it('lists every output of action.yml, in its order', () => {
    expect(readmeTable('## Outputs').map((row) => unquote(row[0] ?? ''))).toEqual(
      Object.keys(actionYml.outputs),
    );
  });

  it('shows how to try the action and run the tests on a fresh machine', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });
});
