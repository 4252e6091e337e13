// Scans what an action run wrote for any form of a plaintext secret:
// as is, Base64 (standard and URL-safe), URL-encoded and JSON-escaped (once,
// and twice: logs and outputs are scanned as JSON documents of JSON bodies).

export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = [
    secret,
    bytes.toString('base64'),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1),
  ];
  return [...new Set(forms)];
}

export interface Leak {
  where: string;
  form: string;
}

/** Every place (by name) in which a form of one of the secrets appears. */
export function findLeaks(texts: Record<string, string>, secrets: string[]): Leak[] {
  const leaks: Leak[] = [];
  for (const secret of secrets) {
    for (const form of secretForms(secret)) {
      for (const [where, text] of Object.entries(texts)) {
        if (text.includes(form)) leaks.push({ where, form: form === secret ? 'plaintext' : 'encoded' });
      }
    }
  }
  return leaks;
}
