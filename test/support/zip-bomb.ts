// A zip whose `state.json` is small compressed and huge inflated: zero bytes
// deflated by zlib a block at a time, so the test process never holds the
// inflated bytes, stored in a zip by fflate as an already-deflated entry.
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { Zip, ZipPassThrough } from 'fflate';

const BLOCK = 1024 * 1024;

/** A zip of one entry `name` holding `inflatedMiB` MiB of zero bytes (about 1 KB compressed per MiB). */
export function zipBomb(inflatedMiB: number, name = 'state.json'): Buffer {
  const zeros = Buffer.alloc(BLOCK);
  // Every block but the last is a non-final deflate block (Z_FULL_FLUSH keeps them byte-aligned and joinable).
  const middle = deflateRawSync(zeros, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const last = deflateRawSync(zeros, { level: 9 });
  let crc = 0;
  for (let i = 0; i < inflatedMiB; i++) crc = crc32(zeros, crc);
  const parts: Uint8Array[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    parts.push(chunk);
  });
  const entry = new ZipPassThrough(name);
  Object.assign(entry, { compression: 8, crc, size: inflatedMiB * BLOCK });
  zip.add(entry);
  for (let i = 0; i < inflatedMiB - 1; i++) entry.push(middle);
  entry.push(last, true);
  zip.end();
  return Buffer.concat(parts);
}
