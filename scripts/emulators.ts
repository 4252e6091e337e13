// Starts both emulators standalone and prints their URLs, for trying the
// action by hand. Stop with Ctrl-C.
import { World } from '../test/support/world.ts';

const world = await World.create({ windowMs: Number(process.env.WINDOW_MS ?? 10_000) });
console.log(`Marketing Cloud token URL: ${world.mc.tokenUrl}`);
console.log(`GitHub API URL:            ${world.gh.url}`);
console.log(`client-id:                 ${world.clientId}`);
console.log(`github-token:              ${world.writeToken}`);
console.log('The active client secret is stored in the repository secret SFMC_CLIENT_SECRET of octo/app.');
const stop = async () => {
  await world.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
