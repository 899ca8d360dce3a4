// The shapes of input the client checks before any request (src/validate.ts) and the dialogs check
// as the user types (editor/validation.ts, which bundles this file): data and pure functions that
// import only the ID prefix table, so both read one table and decide alike.
import { ID_PREFIX, type IdKind } from "./id-prefixes";

/** §4.8 advises a loose pattern rather than exact lengths or a closed list of prefixes: lengths are
 * observed, not documented, and real answers carry prefixes no document lists (§13 of
 * docs/qualtrics-facts.md). */
export const LOOSE_ID = /^([A-Z]+_)[A-Za-z0-9]+$/;

/** every prefix known for some kind, with the kinds it names (ES_, UT_ too: known, never asked for) */
export const KNOWN_PREFIX: ReadonlyMap<string, readonly IdKind[]> = (() => {
  const known = new Map<string, IdKind[]>();
  for (const [kind, prefixes] of Object.entries(ID_PREFIX) as Array<[IdKind, readonly string[]]>) {
    for (const p of prefixes) known.set(p, [...(known.get(p) ?? []), kind]);
  }
  for (const p of ["ES_", "UT_"]) if (!known.has(p)) known.set(p, []);
  return known;
})();

/** the prefix of an ID of Qualtrics' shape (PREFIX_ then letters and digits), else undefined */
export function idPrefix(id: string): string | undefined {
  return LOOSE_ID.exec(id)?.[1];
}

/**
 * Whether `id` may stand where one of `prefixes` belongs: Qualtrics' shape, and one of them or a
 * prefix no kind is known by (a hint, not a gate: docs/qualtrics-facts.md §4.8). A prefix known for
 * another kind is refused.
 */
export function idFits(id: string, prefixes: readonly string[]): boolean {
  const p = idPrefix(id);
  return p !== undefined && (prefixes.includes(p) || !KNOWN_PREFIX.has(p));
}

/** whether `id` has Qualtrics' shape and one of `prefixes` exactly (what the account can list for it) */
export function idOf(id: string, prefixes: readonly string[]): boolean {
  const p = idPrefix(id);
  return p !== undefined && prefixes.includes(p);
}

export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** ISO 8601 as flows write it: a date, or a date and time with an optional zone */
export const ISO_LIKE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** whether the calendar date an ISO text starts with exists (Date rolls 2024-02-30 over to March) */
export function isCalendarDate(text: string): boolean {
  const [y, m, d] = text.slice(0, 10).split("-").map(Number);
  const written = new Date(Date.UTC(y, m - 1, d));
  return written.getUTCFullYear() === y && written.getUTCMonth() + 1 === m && written.getUTCDate() === d;
}
