// Bundles src/index.ts into dist/index.js, the file action.yml runs on node24,
// and writes the bundled packages' licenses beside it (dist/licenses.txt).
// Code splitting puts what main.ts imports dynamically (the GitHub and
// Marketing Cloud clients, @actions/artifact, octokit, libsodium) into
// dist/chunks/, so a run that fails on its inputs loads none of it.
import { rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { licensesText } from './licenses.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Marks modules whose import does nothing by itself, so the bundle leaves
 * them out where nothing of theirs is used. @actions/core's oidc-utils.js
 * (class declarations only) imports @actions/http-client with undici, about
 * 840 kB, for getIDToken, which the action never calls: without this every
 * run, even one failing on its inputs, parses them at start. The artifact
 * client, loaded at the first save, still brings its own.
 */
function withoutSideEffects(filter: RegExp): Plugin {
  return {
    name: 'without-side-effects',
    setup(build) {
      build.onResolve({ filter }, async (args) => {
        if (args.pluginData === 'resolving') return undefined;
        const { path, errors } = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'resolving',
        });
        return errors.length > 0 ? { errors } : { path, sideEffects: false };
      });
    },
  };
}

export async function buildBundle(): Promise<void> {
  // Chunk names carry a content hash: stale ones would linger in the committed dist/.
  await rm(`${root}dist/chunks`, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/index.ts'],
    outdir: 'dist',
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    plugins: [withoutSideEffects(/\/oidc-utils\.js$/)],
    // Some dependencies are CommonJS and call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  const inputs = Object.keys(result.metafile.inputs);
  await writeFile(`${root}dist/licenses.txt`, licensesText(root, inputs));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildBundle();
