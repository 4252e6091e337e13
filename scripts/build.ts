// Bundles src/index.ts into dist/index.js, the file action.yml runs on node24,
// and writes the bundled packages' licenses beside it (dist/licenses.txt).
// Code splitting puts what main.ts imports dynamically (the GitHub and
// Marketing Cloud clients, @actions/artifact, octokit, libsodium) into
// dist/chunks/, so a run that fails on its inputs loads none of it.
import { readFile, rm, writeFile } from 'node:fs/promises';
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

/**
 * octokit's entry builds `App` and `OAuthApp` at load (`DefaultApp.defaults(...)`),
 * calls esbuild must keep unless told they are pure. The action uses neither:
 * marked pure, they and @octokit/app, oauth-app and webhooks (about 190 kB)
 * leave the bundle, and every run compiles that much less at start.
 */
function octokitAppsPure(): Plugin {
  return {
    name: 'octokit-apps-pure',
    setup(build) {
      build.onLoad({ filter: /\/octokit\/dist-bundle\/index\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        const marked = source.replace(
          /= (DefaultApp|DefaultOAuthApp)\.defaults\(/g,
          '= /* @__PURE__ */ $1.defaults(',
        );
        if (marked.match(/@__PURE__/g)?.length !== 2)
          throw new Error('octokit changed: App and OAuthApp are no longer built as expected');
        return { contents: marked, loader: 'js' };
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
    plugins: [withoutSideEffects(/\/oidc-utils\.js$/), octokitAppsPure()],
    // Some dependencies are CommonJS and call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  const inputs = Object.keys(result.metafile.inputs);
  await writeFile(`${root}dist/licenses.txt`, licensesText(root, inputs));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildBundle();
