// For end-to-end runs that must change nothing: which requests since a mark
// changed (or tried to change) either emulator, and the `::error`
// annotations a run printed, decoded.
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

export interface Annotation {
  title: string;
  message: string;
}

/** Undoes @actions/core's escaping of a command's data (and, with `property`, of its properties). */
function unescapeCommand(text: string, property = false): string {
  let out = text.replaceAll('%0D', '\r').replaceAll('%0A', '\n');
  if (property) out = out.replaceAll('%3A', ':').replaceAll('%2C', ',');
  return out.replaceAll('%25', '%');
}

/** The `::error` lines of a run's stdout. */
export function errorAnnotations(stdout: string): Annotation[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('::error'))
    .map((line) => {
      const m = /^::error(?: (.*?))?::(.*)$/.exec(line);
      const title = /(?:^|,)title=([^,]*)/.exec(m?.[1] ?? '')?.[1] ?? '';
      return { title: unescapeCommand(title, true), message: unescapeCommand(m?.[2] ?? '') };
    });
}

/**
 * stderr without Node's DEP0005 warning (`new Buffer()`), which a dependency
 * of @actions/artifact (unzip-stream) triggers whenever a state artifact is
 * downloaded; anything else there is a crash or a stray log.
 */
export function unexpectedStderr(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !/\[DEP0005\] DeprecationWarning|^\(Use `node --trace-deprecation/.test(line))
    .join('\n')
    .trim();
}
