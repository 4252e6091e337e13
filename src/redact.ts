// Keeps secrets out of text that leaves the action: error messages, the job
// summary, and server or library text quoted in them.

/**
 * Credentials recognised by their shape, whoever's they are: a bearer or
 * basic Authorization value (a server may echo the request's header into its
 * error body) and GitHub tokens (classic `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_`
 * and fine-grained `github_pat_`, per GitHub's token formats). Sixteen
 * characters at least, so `Bearer token required` stays readable.
 */
const CREDENTIAL_PATTERNS: readonly [RegExp, (mask: string) => string][] = [
  [/\b(Bearer|Basic)(\s+)[A-Za-z0-9\-._~+/]{16,}=*/gi, (mask) => `$1$2${mask}`],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,})/g, (mask) => mask],
];

/** Every occurrence of each secret, and every credential-shaped token, replaced by `mask`. */
export function redact(text: string, secrets: Iterable<string | undefined>, mask = '[REDACTED]'): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join(mask);
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) out = out.replace(pattern, replacement(mask));
  return out;
}

const MAX_QUOTED = 300;

/** `text` cut to at most `max` characters, with `…` where it was cut. */
export function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Text from a server or an error fit to quote: known secrets replaced (before
 * shortening, so no part of one survives a cut), control characters dropped,
 * length bounded.
 */

export function quotable(text: string, secrets: Iterable<string | undefined>): string {
  const out = redact(text, secrets)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim();
  return cut(out, MAX_QUOTED);
}
