// For end-to-end runs that must change nothing: which requests since a mark
// changed (or tried to change) either emulator.
import { MC_ROUTES } from '../emulators/marketing-cloud/index.ts';
import { OWNER, REPO, type World } from '../support/world.ts';

/** How far the logs and the artifact list went before a run, so only later requests are judged. */
export interface Mark {
  mc: number;
  gh: number;
  artifactIds: Set<number>;
}

export function mark(world: World): Mark {
  return {
    mc: world.mc.server.log.length,
    gh: world.gh.server.log.length,
    artifactIds: new Set(world.gh.artifacts.list(OWNER, REPO).map((a) => a.id)),
  };
}

/** Artifact-service calls that only read. */
const twirpReads = new Set(['ListArtifacts', 'GetSignedArtifactURL']);

/**
 * Every write since `since`: a Marketing Cloud stage or activate; on GitHub
 * any PUT, PATCH, DELETE or POST that reached a route (an unrouted request
 * is answered 404 and changes nothing), except the artifact service's reads;
 * and any artifact that appeared.
 */
export function writesSince(world: World, since: Mark): string[] {
  const mc = world.mc.server.log
    .slice(since.mc)
    .filter((e) => e.route === MC_ROUTES.stage || e.route === MC_ROUTES.activate)
    .map((e) => `marketing-cloud ${e.method} ${e.path}`);
  const gh = world.gh.server.log
    .slice(since.gh)
    .filter((e) => {
      if (e.method === 'GET' || e.method === 'HEAD' || e.route === 'unmatched') return false;
      const twirp = /\/twirp\/[^/]+\/(\w+)$/.exec(e.path);
      return !(twirp?.[1] && twirpReads.has(twirp[1]));
    })
    .map((e) => `github ${e.method} ${e.path}`);
  const artifacts = world.gh.artifacts
    .list(OWNER, REPO)
    .filter((a) => !since.artifactIds.has(a.id))
    .map((a) => `artifact ${a.id} ${a.name}`);
  return [...mc, ...gh, ...artifacts];
}
