import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/redact.ts
var CREDENTIAL_PATTERNS = [
  [/\b(Bearer|Basic)(\s+)[A-Za-z0-9\-._~+/]{16,}=*/gi, (mask) => `$1$2${mask}`],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,})/g, (mask) => mask]
];
function redact(text, secrets, mask = "[REDACTED]") {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join(mask);
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) out = out.replace(pattern, replacement(mask));
  return out;
}
var MAX_QUOTED = 300;
function cut(text, max) {
  return text.length > max ? `${text.slice(0, max)}\u2026` : text;
}
function quotable(text, secrets) {
  const out = redact(text, secrets).replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return cut(out, MAX_QUOTED);
}

export {
  redact,
  cut,
  quotable
};
