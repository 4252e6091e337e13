// Bundles src/index.ts into dist/index.js, the file action.yml runs on node24,
// and writes the bundled packages' licenses beside it (dist/licenses.txt).
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { licensesText } from './licenses.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildBundle(): Promise<void> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/index.ts'],
    outfile: 'dist/index.js',
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    // Some dependencies are CommonJS and call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  const inputs = Object.keys(result.metafile.inputs);
  await writeFile(`${root}dist/licenses.txt`, licensesText(root, inputs));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildBundle();
