// Measures a rotation to 10 destinations on the loopback emulators: the
// action's overhead beyond Marketing Cloud's waiting, and the GitHub requests
// it makes, counted from the emulator's log.
import { ORG, OWNER, REPO, World } from '../test/support/world.ts';

const windowMs = 2000;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

const destinations = [
  `repo:${OWNER}/${REPO}`,
  `repo:${ORG}/web`,
  `repo:${ORG}/api`,
  `environment:${OWNER}/${REPO}:production`,
  `environment:${OWNER}/${REPO}:staging`,
  `environment:${OWNER}/${REPO}:dev`,
  `org:${ORG} visibility=all`,
  `org:${ORG} visibility=private name=SFMC_CLIENT_SECRET_COPY`,
  `dependabot:${OWNER}/${REPO}`,
  `dependabot-org:${ORG} visibility=all`,
];

/** Groups requests by route with the ids and names taken out, e.g. `PUT /repos/{o}/{r}/actions/secrets/{name}`. */
function routeOf(method: string, path: string): string {
  return `${method} ${path.split('?')[0]}`
    .replace(/\/artifacts\/\d+/, '/artifacts/{id}')
    .replace(/\/runs\/\d+/, '/runs/{run}')
    .replace(/\/secrets\/(?!public-key)[A-Z0-9_]+/, '/secrets/{name}')
    .replace(/\/repos\/[^/]+\/[^/]+/, '/repos/{o}/{r}')
    .replace(/\/orgs\/[^/]+/, '/orgs/{org}')
    .replace(/\/environments\/[^/]+/, '/environments/{env}')
    .replace(/\/artifactstore\/.*/, '/artifactstore/{blob}');
}

const overheads: number[] = [];
let counts = new Map<string, number>();
for (let round = 1; round <= rounds; round++) {
  const world = await World.create({ windowMs });
  try {
    for (const env of ['staging', 'dev']) world.gh.addEnvironment(OWNER, REPO, env);
    const started = Date.now();
    const run = await world.run({
      inputs: {
        mode: 'rotate',
        management: 'api',
        'management-url': world.mc.url,
        destinations: destinations.join('\n'),
      },
    });
    const elapsed = Date.now() - started;
    if (run.code !== 0) throw new Error(`round ${round}: the action failed:\n${run.stdout}\n${run.stderr}`);
    const [generated] = world.mc.history(world.clientId).filter((e) => e.type === 'generated');
    if (!generated) throw new Error('no generation recorded');
    // The platform's waiting: from the start of the run until the staged secret became usable.
    const waiting = generated.at + windowMs - started;
    overheads.push(elapsed - waiting);
    console.log(
      `round ${round}: run ${elapsed} ms, platform waiting ${waiting} ms, overhead ${elapsed - waiting} ms`,
    );
    counts = new Map();
    for (const entry of world.gh.server.log) {
      const route = routeOf(entry.method, entry.path);
      counts.set(route, (counts.get(route) ?? 0) + 1);
    }
  } finally {
    await world.stop();
  }
}

console.log('\nGitHub requests in the last round, by route:');
const rows = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
for (const [route, n] of rows) console.log(`  ${String(n).padStart(4)}  ${route}`);
const sum = (pred: (route: string) => boolean) =>
  rows.filter(([r]) => pred(r)).reduce((t, [, n]) => t + n, 0);
const keyGets = sum((r) => r.startsWith('GET') && r.endsWith('/public-key'));
const puts = sum((r) => r.startsWith('PUT') && r.includes('/secrets/{name}'));
const deletes = sum((r) => r.startsWith('DELETE') && r.includes('/secrets/{name}'));
console.log(`\npublic-key GETs: ${keyGets} (distinct scopes: 9)`);
console.log(`secret PUTs: ${puts} (10 destinations + 1 escrow write)`);
console.log(`secret DELETEs: ${deletes} (the escrow)`);
console.log(`all GitHub requests: ${sum(() => true)}`);
overheads.sort((a, b) => a - b);
const median = overheads[Math.floor(overheads.length / 2)] ?? Number.NaN;
console.log(
  `\noverhead beyond the platform's waiting, 10 destinations: median ${median} ms, max ${overheads.at(-1)} ms (target < 2000 ms)`,
);
