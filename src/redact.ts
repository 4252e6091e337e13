// Keeps secrets out of text that leaves the action: error messages, the job
// summary, and server or library text quoted in them.

/** Every occurrence of each secret replaced by `mask`. */
export function redact(text: string, secrets: Iterable<string | undefined>, mask = '[REDACTED]'): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join(mask);
  return out;
}

const MAX_QUOTED = 300;

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
  return out.length > MAX_QUOTED ? `${out.slice(0, MAX_QUOTED)}…` : out;
}
