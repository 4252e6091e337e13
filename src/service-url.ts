// Which URLs the action may send a credential to: https, or plain http on
// loopback only (the tests' emulators). Shared by the URL inputs and by the
// rest_instance_url a token response names, so neither is looser than the other.

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The scheme and host of `url` may carry a credential. */
export function secureScheme(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}
