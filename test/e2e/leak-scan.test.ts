// The leak scan must bite: a secret planted, in any of the forms it may take,
// in a run's stdout, summary or outputs, in an artifact or in an emulator's
// request log is reported where it was planted; a real rotation leaves
// nothing to report, and masks each staged secret before it is used.
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeaks, type Leak } from '../support/leak-scan.ts';
import { OWNER, REPO, type WorkflowRun, World } from '../support/world.ts';

/** The forms a secret can leak in, computed here independently of leak-scan.ts. */
function formsOf(secret: string): Record<string, string> {
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  return {
    plaintext: secret,
    base64,
    'base64 without padding': base64.replace(/=+$/, ''),
    base64url: Buffer.from(secret, 'utf8').toString('base64url'),
    'URL-encoded': encodeURIComponent(secret),
    'JSON-escaped': JSON.stringify(secret).slice(1, -1),
  };
}

/** A secret whose six forms all differ: padding, `+/`, `%`, `\"` and `\\` all occur. */
const SPECIAL = 'p?ß"wo\\rd +/=&ü';

/** Each place and form reported once (a padded Base64 form also holds the unpadded one). */
const places = (leaks: Leak[]): string[] => [...new Set(leaks.map((l) => `${l.where}: ${l.form}`))];
const reported = (where: string, form: string, secret: string): string[] => [
  `${where}: ${form === secret ? 'plaintext' : 'encoded'}`,
];

describe('findLeaks', () => {
  const secret = SPECIAL;
  const forms = formsOf(secret);

  it('the forms of the test secret are all distinct', () => {
    expect(new Set(Object.values(forms)).size).toBe(Object.keys(forms).length);
  });

  for (const [name, form] of Object.entries(forms)) {
    it(`reports the ${name} form, and where it is`, () => {
      const texts = { quiet: 'nothing to see', noisy: `before ${form} after` };
      expect(places(findLeaks(texts, ['unrelated-secret', secret]))).toEqual(reported('noisy', form, secret));
    });
  }

  it('reports nothing when no form appears', () => {
    expect(findLeaks({ a: 'Pa+ss/wo', b: forms.base64?.slice(0, 8) ?? '' }, [secret])).toEqual([]);
  });
});

describe('the leak scan of a world', () => {
  let world: World;
  let run: WorkflowRun;
  /** The secret the rotation staged and delivered. */
  let staged: string;

  beforeAll(async () => {
    world = await World.create({ windowMs: 500 });
    run = await world.run({ inputs: { 'max-wait-seconds': '20' } });
    staged = world.mc.knownSecrets().find((s) => s !== world.initialSecret) ?? '';
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('finds nothing after a normal rotation', () => {
    expect(run.code).toBe(0);
    expect(staged).not.toBe('');
    expect(world.mc.knownSecrets()).toHaveLength(2);
    expect(world.leaks()).toEqual([]);
    expect(world.gh.validationFailures).toEqual([]);
  });

  it('every staged secret is masked before any step after stage', () => {
    const lines = run.stdout.split('\n');
    const stage = lines.findIndex((l) => l.startsWith('[stage]'));
    const next = lines.findIndex((l, i) => i > stage && /^\[[a-z-]+\]/.test(l));
    expect(stage).toBeGreaterThan(-1);
    expect(next).toBeGreaterThan(stage);
    for (const secret of world.mc.knownSecrets().filter((s) => s !== world.initialSecret)) {
      const mask = lines.indexOf(`::add-mask::${secret}`);
      expect(mask).toBeGreaterThan(stage);
      expect(mask).toBeLessThan(next);
    }
  });

  /** Plants text in one place the scan reads; returns a function that removes it. */
  type Planter = (text: string) => () => void;

  const planters: Record<string, { where: () => string; plant: Planter }> = {
    stdout: {
      where: () => `run ${run.runId} stdout`,
      plant: (text) => {
        const before = run.stdout;
        run.stdout += `a log line: ${text}\n`;
        return () => {
          run.stdout = before;
        };
      },
    },
    summary: {
      where: () => `run ${run.runId} summary`,
      plant: (text) => {
        const before = run.summary;
        run.summary += `| cell | ${text} |\n`;
        return () => {
          run.summary = before;
        };
      },
    },
    outputs: {
      where: () => `run ${run.runId} outputs`,
      plant: (text) => {
        run.outputs.planted = text;
        return () => {
          delete run.outputs.planted;
        };
      },
    },
    'state artifact': {
      where: () => `artifact ${stateArtifact()} state.json`,
      plant: (text) => {
        const id = stateArtifact();
        const files = world.gh.artifacts.files(id);
        const state = files['state.json']?.toString('utf8') ?? '';
        world.gh.artifacts.corrupt(id, Buffer.from(zipSync({ 'state.json': strToU8(`${state}\n${text}`) })));
        return () => world.gh.artifacts.corrupt(id, Buffer.from(zipSync(files)));
      },
    },
  };

  const stateArtifact = (): number => {
    const [newest] = world.gh.artifacts.list(OWNER, REPO);
    if (!newest) throw new Error('the rotation saved no state artifact');
    return newest.id;
  };

  for (const [place, { where, plant }] of Object.entries(planters)) {
    it(`reports every form of a secret planted in the ${place}`, () => {
      for (const [name, form] of Object.entries(formsOf(SPECIAL))) {
        const remove = plant(form);
        try {
          // In the outputs even the plaintext shows JSON-escaped: only the place is checked here.
          const seen = new Set(findLeaks(world.texts(), [SPECIAL]).map((l) => l.where));
          expect(seen, name).toEqual(new Set([where()]));
        } finally {
          remove();
        }
      }
      // The staged secret itself, through world.leaks().
      const remove = plant(Buffer.from(staged).toString('base64'));
      try {
        expect(places(world.leaks())).toEqual([`${where()}: encoded`]);
      } finally {
        remove();
      }
      expect(world.leaks()).toEqual([]);
    });
  }

  it('skips only the runner’s `::add-mask::` commands in stdout', () => {
    const before = run.stdout;
    try {
      run.stdout += `::add-mask::${staged}\n`;
      expect(world.leaks()).toEqual([]);
      run.stdout += `echo ::add-mask::${staged}\n`;
      expect(world.leaks()).toEqual([{ where: `run ${run.runId} stdout`, form: 'plaintext' }]);
    } finally {
      run.stdout = before;
    }
  });

  /** Sends a request that the emulator logs; removes the entries it added once checked. */
  async function planted<T>(
    server: World['gh']['server'],
    request: () => Promise<Response>,
    check: () => T,
  ): Promise<T> {
    const length = server.log.length;
    await (await request()).text();
    try {
      return check();
    } finally {
      server.log.splice(length);
    }
  }

  it('reports the staged secret planted in the GitHub emulator’s request log', async () => {
    for (const [name, form] of Object.entries(formsOf(staged))) {
      const leaks = await planted(
        world.gh.server,
        () =>
          fetch(`${world.gh.url}/planted`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ note: form }),
          }),
        () => places(world.leaks()),
      );
      expect(leaks, name).toEqual(reported('github log', form, staged));
    }
  });

  it('reports an encoded secret in the Marketing Cloud emulator’s log (which redacts the plaintext itself)', async () => {
    const tokenRequest = (scope: string) => () =>
      fetch(world.mc.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'client_credentials',
          client_id: 'nobody',
          client_secret: 'x',
          scope,
        }),
      });
    const base64 = Buffer.from(staged).toString('base64');
    expect(await planted(world.mc.server, tokenRequest(base64), () => world.leaks())).toEqual([
      { where: 'marketing-cloud log', form: 'encoded' },
    ]);
    const logged = await planted(world.mc.server, tokenRequest(staged), () => ({
      leaks: world.leaks(),
      request: world.mc.server.log.at(-1)?.request,
    }));
    expect(logged.leaks).toEqual([]);
    expect(logged.request).toContain('[REDACTED]');
  });
});
