// Reads README's permission table (section "The token the action needs"), so
// tests grant exactly what README tells users to grant.
// Minimal version written by H6 for the examples test; H5's file replaces it at merge (same signature).

export type Level = 'read' | 'write';

export interface PermissionRow {
  /** `repo`, `environment`, `org`, `dependabot`, `dependabot-org`, `reminder-issue` or `state`. */
  key: string;
  /** The GitHub App permissions of the row, e.g. `{ secrets: 'write' }`. */
  app: Record<string, Level>;
}

const SECTION = '## The token the action needs';

/** `` `repo:` `` → `repo`; `` `reminder-issue: true` `` → `reminder-issue`; `state artifacts (…)` → `state`. */
function rowKey(cell: string): string {
  const quoted = /^`([a-z-]+):/.exec(cell);
  return quoted?.[1] ?? cell.split(/\s/)[0] ?? '';
}

function appPermissions(cell: string): Record<string, Level> {
  const app: Record<string, Level> = {};
  for (const m of cell.matchAll(/`([a-z_]+): (read|write)`/g)) app[m[1] as string] = m[2] as Level;
  return app;
}

export function readmePermissionTable(readme: string): PermissionRow[] {
  const start = readme.indexOf(SECTION);
  if (start < 0) throw new Error(`README has no section "${SECTION}"`);
  const next = readme.indexOf('\n## ', start + SECTION.length);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  // The header, then the `| --- |` separator, then the rows.
  return lines.slice(2).map((line) => {
    const cells = line.split('|').map((c) => c.trim());
    return { key: rowKey(cells[1] ?? ''), app: appPermissions(cells.at(-2) ?? '') };
  });
}
