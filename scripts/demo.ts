// A full rotation on the embedded emulators: a Marketing Cloud tenant, a
// GitHub organization and repository, three destinations of different kinds,
// and dist/index.js started the way the runner starts it.
import { OWNER, REPO, SECRET, THREE_DESTINATIONS, World } from '../test/support/world.ts';

const windowMs = 3000;
const say = (text: string) => console.log(text);
const check = (ok: boolean, text: string) => {
  say(`${ok ? '  ✔' : '  ✘'} ${text}`);
  if (!ok) process.exitCode = 1;
};

const world = await World.create({ windowMs });
try {
  // Every destination holds the active secret, as its consumers do before the rotation.
  const watched = world.seedThreeDestinations();
  say(`Marketing Cloud emulator: ${world.mc.url} (platform window shortened to ${windowMs / 1000} s)`);
  say(`GitHub emulator:          ${world.gh.url}`);
  say(
    `Installed package ${world.clientId}: its active secret is 160 days old and held in ${SECRET} of ${OWNER}/${REPO}.`,
  );
  say(`Destinations:\n${watched.map((d) => `  - ${d.id}`).join('\n')}`);
  say(
    `Management: api, against the emulator's implementation of docs/management-api.openapi.yaml at ${world.mc.url}`,
  );
  say('\nRunning dist/index.js with mode=rotate, as the runner would:\n');

  const old = world.initialSecret;
  const started = Date.now();
  const run = await world.run({
    inputs: {
      mode: 'rotate',
      management: 'api',
      'management-url': world.mc.url,
      destinations: THREE_DESTINATIONS,
    },
    // Workflow commands are for the runner; show annotations as it would, hide the rest.
    onLine: (line) => {
      const command = /^::(error|warning|notice)[^:]*::(.*)$/.exec(line);
      if (command) say(`  | ${command[1]?.toUpperCase()}: ${command[2]}`);
      else if (!line.startsWith('::')) say(`  | ${line}`);
    },
  });
  say(`\nThe action exited with code ${run.code} after ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  say(`Outputs: ${JSON.stringify(run.outputs, null, 2).replace(/\n/g, '\n  ')}`);

  say('\nProof:');
  const fresh = world.gh.secretValue(World.repoScope, SECRET) ?? '';
  check(run.code === 0, 'the action succeeded');
  check(fresh !== '' && fresh !== old, 'the repository secret holds a new value');
  check(world.mc.accepts(world.clientId, fresh), 'Marketing Cloud accepts the new secret');
  check(!world.mc.accepts(world.clientId, old), 'Marketing Cloud rejects the old secret');
  for (const { id, scope, name } of watched) {
    check(world.gh.secretValue(scope, name) === fresh, `${id} decrypts to the new secret`);
  }
  check(
    world.gh.secretValue(World.repoScope, `${SECRET}_STAGED`) === undefined,
    'the escrow secret is deleted',
  );
  check(world.newestState()?.phase === 'idle', 'the newest state artifact says idle');
  check(
    world.leaks().length === 0,
    'no secret appears in logs, outputs, summary, artifacts or emulator logs',
  );
} finally {
  await world.stop();
}
