// End-to-end tests run dist/index.js; build it from the current source first.
import { buildBundle } from '../../scripts/build.ts';

export default async function setup(): Promise<void> {
  await buildBundle();
}
