// GitHub stores only secrets sealed to a repository, environment or
// organization public key: libsodium's anonymous sealed box (X25519).
type Sodium = typeof import('libsodium-wrappers').default;

let loading: Promise<Sodium> | undefined;

/**
 * Loads libsodium (about 70 ms of CPU) once. The secrets client starts it
 * once a key lookup of preflight's has answered, while the others are in
 * flight, so a run that seals pays little for it, and a run that fails
 * before preflight never loads it.
 */
export function loadSodium(): Promise<Sodium> {
  loading ??= import('libsodium-wrappers').then(async ({ default: sodium }) => {
    await sodium.ready;
    return sodium;
  });
  return loading;
}

/** Seal a value for GitHub with libsodium crypto_box_seal to the Base64 (ORIGINAL variant) public key; returns Base64 ORIGINAL. */
export async function seal(plaintext: string, publicKeyBase64: string): Promise<string> {
  const sodium = await loadSodium();
  const { ORIGINAL } = sodium.base64_variants;
  let publicKey: Uint8Array;
  try {
    publicKey = sodium.from_base64(publicKeyBase64, ORIGINAL);
  } catch {
    throw new Error('the GitHub public key is not standard Base64');
  }
  if (publicKey.length !== sodium.crypto_box_PUBLICKEYBYTES) {
    throw new Error(
      `the GitHub public key is ${publicKey.length} bytes, not ${sodium.crypto_box_PUBLICKEYBYTES}`,
    );
  }
  return sodium.to_base64(sodium.crypto_box_seal(sodium.from_string(plaintext), publicKey), ORIGINAL);
}
