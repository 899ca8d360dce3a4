// Takes secrets out of a text before it leaves the package: an upstream (Qualtrics or a proxy) may
// echo the token it was sent in an error message, a text body or an HTML title, and that text
// would otherwise reach a log line, a status, msg.error or an admin route's answer.

export const REDACTED = "***";

/** Shorter values would shred ordinary words ("a", "id"); no real secret is that short. */
export const MIN_SECRET_LENGTH = 4;

/** a secret as it is, and as it would read in a URL, a form body or a JSON string */
function formsOf(secret: string): string[] {
  const forms = new Set([secret]);
  try {
    forms.add(encodeURIComponent(secret));
  } catch {
    // a lone surrogate cannot be URL-encoded; the plain form is still covered
  }
  forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
  forms.add(JSON.stringify(secret).slice(1, -1));
  return [...forms];
}

export type Redactor = (text: string) => string;

/**
 * A function that replaces every occurrence of each secret (and its encoded forms) in a text.
 * Longer needles go first, so a secret that contains another is replaced whole.
 */
export function redactor(secrets: Iterable<string | undefined | null>): Redactor {
  const needles = new Set<string>();
  for (const s of secrets) {
    if (typeof s !== "string" || s.length < MIN_SECRET_LENGTH) continue;
    for (const f of formsOf(s)) needles.add(f);
  }
  const sorted = [...needles].sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return (text) => text;
  return (text) => {
    if (typeof text !== "string" || text === "") return text;
    let out = text;
    for (const n of sorted) if (out.includes(n)) out = out.split(n).join(REDACTED);
    return out;
  };
}

/** redactor(secrets)(text) for a single use */
export function redact(text: string, secrets: Iterable<string | undefined | null>): string {
  return redactor(secrets)(text);
}

/**
 * The secrets inside auth headers that were sent: each whole value and, for "Bearer x" and
 * "Basic x", the credential after the scheme.
 */
export function authSecrets(headers: Record<string, string> | undefined): string[] {
  const out: string[] = [];
  for (const v of Object.values(headers ?? {})) {
    if (typeof v !== "string") continue;
    out.push(v);
    const m = /^\s*(?:Bearer|Basic)\s+(\S+)\s*$/i.exec(v);
    if (m) out.push(m[1]);
  }
  return out;
}
