// Writes dist/licenses.txt: the name, version, license and license text of
// every package whose code esbuild put into dist/ (index.js and its chunks), as their licenses
// require when the code is redistributed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface PackageJson {
  name: string;
  version: string;
  license?: string;
}

/** `node_modules/@scope/name/lib/x.js` → `node_modules/@scope/name` (the innermost package). */
function packageDir(input: string): string | undefined {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return m?.[1];
}

function licenseText(dir: string): string {
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
  return file ? readFileSync(join(dir, file), 'utf8').trim() : '(no license file in the package)';
}

/** The licenses text for the bundle built from `inputs` (the keys of esbuild's metafile inputs). */
export function licensesText(root: string, inputs: string[]): string {
  const dirs = [...new Set(inputs.map(packageDir).filter((d): d is string => d !== undefined))];
  const entries = dirs
    .filter((dir) => existsSync(join(root, dir, 'package.json')))
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as PackageJson;
      return { pkg, text: licenseText(join(root, dir)) };
    })
    .sort((a, b) => a.pkg.name.localeCompare(b.pkg.name) || a.pkg.version.localeCompare(b.pkg.version));
  const header = 'Third-party software bundled in dist/ (index.js and its chunks), with its licenses.\n';
  const sections = entries.map(
    ({ pkg, text }) =>
      `${'='.repeat(78)}\n${pkg.name}@${pkg.version} (${pkg.license ?? 'no license field'})\n\n${text}\n`,
  );
  return [header, ...sections].join('\n');
}
