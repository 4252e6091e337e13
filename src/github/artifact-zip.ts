// Bounded reading of a downloaded artifact: the zip's bytes are read up to a
// cap, and one named entry is inflated up to another cap. An artifact can be
// uploaded by anyone who can make a run of the repository, so its size and
// its compression ratio are the uploader's choice: nothing here trusts them.

/** A body, an entry or an archive over its cap, or not a zip with the entry: the artifact is unusable. */
export class UnreadableArtifact extends Error {}

/** Reads a response body, giving up (and cancelling the transfer) once it exceeds `maxBytes`. */
export async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new UnreadableArtifact(`its download is ${declared} bytes, over the ${maxBytes}-byte cap`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body) {
    for await (const chunk of response.body) {
      total += chunk.length;
      if (total > maxBytes) {
        // Leaving the loop early cancels the stream: nothing more is transferred.
        throw new UnreadableArtifact(`its download exceeds the ${maxBytes}-byte cap`);
      }
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks, total);
}

/**
 * Compressed bytes fed to the inflater at a time: deflate expands at most
 * about 1032:1, so one slice inflates to at most ~4 MiB before the cap is
 * checked again. Memory stays bounded whatever the archive claims.
 */
const SLICE = 4096;

/** fflate (about 5 MB resident) loads only when an artifact is read: most runs find none to read. */
let unzipper: Promise<typeof import('fflate')> | undefined;

/** Inflates the entry `name` of `zip`, stopping as soon as it exceeds `maxBytes`; other entries are never inflated. */
export async function readZipEntry(zip: Uint8Array, name: string, maxBytes: number): Promise<Uint8Array> {
  unzipper ??= import('fflate');
  const { Unzip, UnzipInflate } = await unzipper;
  const parts: Uint8Array[] = [];
  let total = 0;
  let found = false;
  let done = false;
  let failure: UnreadableArtifact | undefined;
  const unzip = new Unzip((file) => {
    if (file.name !== name || found) return;
    found = true;
    file.ondata = (error, chunk, final) => {
      if (failure) return;
      if (error) {
        failure = new UnreadableArtifact(`its ${name} cannot be inflated (${error.message})`);
        return;
      }
      total += chunk.length;
      if (total > maxBytes) {
        failure = new UnreadableArtifact(`its ${name} inflates past the ${maxBytes}-byte cap`);
        file.terminate();
        return;
      }
      parts.push(chunk);
      if (final) done = true;
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for (let at = 0; at < zip.length && !failure && !done; at += SLICE) {
      const end = Math.min(at + SLICE, zip.length);
      unzip.push(zip.subarray(at, end), end === zip.length);
    }
  } catch (error) {
    throw new UnreadableArtifact(`it is not a readable zip (${(error as Error).message})`);
  }
  if (failure) throw failure;
  if (!found) throw new UnreadableArtifact(`it holds no ${name}`);
  if (!done) throw new UnreadableArtifact(`its ${name} is truncated`);
  return Buffer.concat(parts, total);
}
