// Reads README's permission table (section "The token the action needs"), so
// tests grant tokens exactly what README tells users to grant.

export type PermissionRowKey =
  | 'repo'
  | 'environment'
  | 'org'
  | 'dependabot'
  | 'dependabot-org'
  | 'reminder-issue'
  | 'state';

export type Level = 'read' | 'write';

export interface PermissionRow {
  key: PermissionRowKey;
  /** GitHub App permission names (also the emulator's) and their level. */
  app: Record<string, Level>;
  /** The fine-grained token cell as written, e.g. `repository "Secrets": write`. */
  fineGrained: string;
}

const SECTION = '## The token the action needs';

/** First cell → row key. */
const KEYS: Record<string, PermissionRowKey> = {
  '`repo:`': 'repo',
  '`environment:`': 'environment',
  '`org:`': 'org',
  '`dependabot:`': 'dependabot',
  '`dependabot-org:`': 'dependabot-org',
  '`reminder-issue: true`': 'reminder-issue',
  'state artifacts (`state-token`)': 'state',
};

/** `` `secrets: write`, `environments: read` `` → { secrets: 'write', environments: 'read' }. */
function appPermissions(cell: string, row: string): Record<string, Level> {
  const entries = [...cell.matchAll(/`([a-z_]+): (read|write)`/g)].map((m) => [m[1], m[2]] as const);
  if (entries.length === 0) throw new Error(`README permission row without a GitHub App permission: ${row}`);
  return Object.fromEntries(entries);
}

export function readmePermissionTable(readme: string): PermissionRow[] {
  const start = readme.indexOf(SECTION);
  if (start < 0) throw new Error(`README has no section "${SECTION}"`);
  const rest = readme.slice(start + SECTION.length);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  const rows: PermissionRow[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // `| a | b | c |` splits into ['', a, b, c, ''].
    if (cells.length !== 5 || !line.trim().startsWith('|')) continue;
    const [, first = '', fineGrained = '', app = ''] = cells;
    const key = KEYS[first];
    if (!key) continue;
    rows.push({ key, app: appPermissions(app, line), fineGrained });
  }
  const missing = Object.values(KEYS).filter((k) => !rows.some((r) => r.key === k));
  if (missing.length > 0) throw new Error(`README permission table lacks rows: ${missing.join(', ')}`);
  return rows;
}
