import sodium from 'libsodium-wrappers';
import { beforeAll, describe, expect, it } from 'vitest';
import { seal } from '../../src/github/seal.ts';

const { ORIGINAL } = sodium.base64_variants;

describe('seal', () => {
  let keyPair: { publicKey: Uint8Array; privateKey: Uint8Array };
  beforeAll(async () => {
    await sodium.ready;
    keyPair = sodium.crypto_box_keypair();
  });

  function open(sealedBase64: string, pair = keyPair): string {
    const opened = sodium.crypto_box_seal_open(
      sodium.from_base64(sealedBase64, ORIGINAL),
      pair.publicKey,
      pair.privateKey,
    );
    return sodium.to_string(opened);
  }

  it('seals to the public key so that only its private key opens it', async () => {
    const plaintext = 'sfmc-Secret+/=_with ünïcode ✓';
    const sealed = await seal(plaintext, sodium.to_base64(keyPair.publicKey, ORIGINAL));
    expect(open(sealed)).toBe(plaintext);
    expect(sealed).not.toContain(plaintext);
  });

  it('answers standard Base64 with padding, as GitHub expects', async () => {
    // 48 bytes of sealed-box overhead + 1 byte: 49 bytes, which Base64 pads.
    const sealed = await seal('x', sodium.to_base64(keyPair.publicKey, ORIGINAL));
    expect(sealed).toMatch(/^[A-Za-z0-9+/]+={1,2}$/);
    expect(Buffer.from(sealed, 'base64')).toHaveLength(sodium.crypto_box_SEALBYTES + 1);
  });

  it('seals afresh each time (ephemeral sender key)', async () => {
    const key = sodium.to_base64(keyPair.publicKey, ORIGINAL);
    const [a, b] = await Promise.all([seal('same', key), seal('same', key)]);
    expect(a).not.toBe(b);
    expect(open(a)).toBe('same');
    expect(open(b)).toBe('same');
  });

  it('reads a key with + and / (the ORIGINAL variant, not URL-safe)', async () => {
    // Find a key whose Base64 uses both alphabet-specific characters.
    let pair = keyPair;
    while (!/[+/]/.test(sodium.to_base64(pair.publicKey, ORIGINAL))) pair = sodium.crypto_box_keypair();
    const sealed = await seal('v', sodium.to_base64(pair.publicKey, ORIGINAL));
    expect(open(sealed, pair)).toBe('v');
  });

  it('rejects a malformed key without echoing the plaintext', async () => {
    const plaintext = 'do-not-print-me';
    await expect(seal(plaintext, 'not base64 !!')).rejects.toThrow(/not standard Base64/);
    await expect(seal(plaintext, Buffer.alloc(16).toString('base64'))).rejects.toThrow(/16 bytes, not 32/);
    const error = await seal(plaintext, 'AAAA').catch((e: Error) => e);
    expect(String(error)).not.toContain(plaintext);
  });
});
