// The table of destination kinds against GitHub's published routes
// (@octokit/openapi) and README's permission table, and against the grammar
// and messages that read it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  type DestinationKind,
  describePermission,
  describePlace,
  destinationKinds,
  kindNames,
} from '../src/destination-kinds.ts';
import { parseDestinationLine } from '../src/destinations.ts';
import { scopeOf, scopeParams, scopeRoutes } from '../src/github/scopes.ts';
import { readmePermissionTable } from './support/permission-table.ts';

const spec = JSON.parse(
  readFileSync(
    createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json'),
    'utf8',
  ),
) as { paths: Record<string, Record<string, { parameters?: Array<{ $ref?: string; name?: string }> }>> };

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const permissionRows = readmePermissionTable(readme);

describe.each(kindNames)('destination kind %s', (kind: DestinationKind) => {
  const spec_ = destinationKinds[kind];

  it.each(Object.entries(scopeRoutes[kind]))('its %s route is one of GitHub’s', (_what, route) => {
    const [method = '', path = ''] = route.split(' ');
    expect(spec.paths[path]?.[method.toLowerCase()], route).toBeDefined();
  });

  it('fills exactly the path parameters of its routes', () => {
    const destination = parseDestinationLine(spec_.example, { secretName: 'S' });
    const names = Object.keys({ ...scopeParams(scopeOf(destination)), secret_name: 'S' }).sort();
    for (const route of [scopeRoutes[kind].get, scopeRoutes[kind].put, scopeRoutes[kind].delete]) {
      const inPath = [...route.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]).sort();
      expect(inPath).toEqual(names);
    }
  });

  it('needs the permission README tells users to grant', () => {
    const row = permissionRows.find((r) => r.key === kind);
    const { on, fineGrained, app } = spec_.permission;
    expect(row?.fineGrained).toBe(`${on} "${fineGrained}": write`);
    expect(row?.app).toEqual({ [app]: 'write' });
    expect(describePermission(kind)).toBe(
      `the ${on} permission "${fineGrained}: write" (GitHub App: \`${app}: write\`)`,
    );
  });

  it('has an example line that parses to the kind, and a place named after its target', () => {
    const destination = parseDestinationLine(spec_.example, { secretName: 'S' });
    expect(destination.kind).toBe(kind);
    expect(describePlace(destination)).toMatch(new RegExp(`^${spec_.target} `));
  });
});

it('README’s grammar and action.yml name every kind', () => {
  const actionYml = readFileSync(new URL('../action.yml', import.meta.url), 'utf8');
  for (const kind of kindNames) {
    expect(readme).toContain(`\`${kind}:`);
    expect(actionYml).toContain(`${kind}:`);
  }
});
