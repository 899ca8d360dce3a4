// The shapes of input the client checks before any request (src/validate.ts) and the dialogs check
// as the user types (editor/validation.ts, which bundles this file): alone and with no imports, so
// both read one table.

/** §4.8 advises a loose pattern rather than exact lengths or a closed list of prefixes: lengths are
 * observed, not documented, and real answers carry prefixes no document lists (§13 of
 * docs/qualtrics-api.md). */
export const LOOSE_ID = /^([A-Z]+_)[A-Za-z0-9]+$/;

export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** ISO 8601 as flows write it: a date, or a date and time with an optional zone */
export const ISO_LIKE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** whether the calendar date an ISO text starts with exists (Date rolls 2024-02-30 over to March) */
export function isCalendarDate(text: string): boolean {
  const [y, m, d] = text.slice(0, 10).split("-").map(Number);
  const written = new Date(Date.UTC(y, m - 1, d));
  return written.getUTCFullYear() === y && written.getUTCMonth() + 1 === m && written.getUTCDate() === d;
}
