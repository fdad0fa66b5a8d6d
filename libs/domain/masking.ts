/**
 * Credential-shaped text (docs/api.md, Conventions (masking): masked wherever it is shown): an Authorization value
 * (`Bearer …`, `Basic …`), a URL with a password, `password=…` / `token: …` and the like, a JWT,
 * an AWS access key id, and vendor keys (`sk_live_…`, `ghp_…`, `xoxb-…`). The ledger keeps what
 * was sent (ops leads read it as evidence); every other surface shows it through `maskSecrets`.
 */
export const SECRET_PATTERNS: readonly RegExp[] = [
  /\b(?:bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/gi,
  /\b(?:api[_-]?key|token|secret|password|passwd|pwd)\s*[=:]\s*\S+/gi,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  /\b(?:sk|pk|rk|ghp|gho|xox[abp])[-_][A-Za-z0-9-_]{10,}/g,
];

/** `text` with every credential-shaped part replaced by `[redacted]`. */
export function maskSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((t, re) => t.replace(re, '[redacted]'), text);
}

/**
 * `value` with every string in it masked, one string at a time (masking serialized JSON would let
 * a pattern run past the end of a string into the JSON around it).
 */
export function maskStrings<T>(value: T): T;
export function maskStrings(value: unknown): unknown {
  if (typeof value === 'string') return maskSecrets(value);
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    return items.map((v) => maskStrings(v));
  }
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskStrings(v)]));
  return value;
}
