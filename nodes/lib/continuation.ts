// "Only new responses" (the export node's "new since last run", the response poll): where the
// next export starts, and what happens when Qualtrics refuses the continuation token it issued
// (it can expire; a server that forgot it answers the same): the export starts again from the
// bookmark's `since`, before which every response has been sent, and the responses already sent
// after it (kept in the bookmark by ResponseId) are skipped, so nothing is missed or sent twice.
import { errorText } from "../../src/errors";
import { isContinuationRefused } from "../../src/export";
import { isPlainObject } from "../../src/safe-object";
import { Bookmark, MAX_SENT, writeBookmark, type SharedBookmarks } from "./bookmark";
import type { ExportRun } from "./export-run";
import type { Node, NodeAPI } from "./types";

/**
 * `since` is set this far before the start of the last export: for a difference between
 * Qualtrics' clock and ours, and for a response whose recordedDate is a little older than the
 * moment it reaches exports. The responses sent in this window are what `sent` remembers.
 */
export const SINCE_MARGIN_MS = 5 * 60_000;

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/** "2025-05-01T10:00:00Z", "2025-05-01T10:00:00.123+02:00", and CSV's "2025-05-01 10:00:00" (UTC, the export's default time zone) */
function dateOf(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(v.trim());
  if (!m) return undefined;
  const t = Date.parse(`${m[1]}T${m[2]}${m[3] ?? "Z"}`);
  return Number.isFinite(t) ? t : undefined;
}

/** a response's ID and recording time, from a JSON export (responseId, values.recordedDate) or a CSV/TSV row (ResponseId, RecordedDate) */
export function responseKey(item: unknown): { id?: string; at?: number } {
  if (!isPlainObject(item)) return {};
  const values = isPlainObject(item.values) ? item.values : {};
  const id = typeof item.responseId === "string" ? item.responseId : typeof item.ResponseId === "string" ? item.ResponseId : undefined;
  const at = dateOf(values.recordedDate) ?? dateOf(item.RecordedDate) ?? dateOf(values.endDate) ?? dateOf(item.EndDate);
  return { id: id || undefined, at };
}

/** The responses of one export: which to skip (sent before, or twice in this file), and what to remember. */
export class SentResponses {
  private readonly now = new Map<string, number | undefined>();
  constructor(private readonly before: Record<string, number> = {}) {}

  /** true when `item` is to be sent (and counts it as sent); false when it went out before */
  take(item: unknown): boolean {
    const { id, at } = responseKey(item);
    if (id === undefined) return true;
    if (Object.prototype.hasOwnProperty.call(this.before, id) || this.now.has(id)) return false;
    this.now.set(id, at);
    return true;
  }

  /** the bookmark after an export that started at `startedAt` (ms) was sent completely */
  next(prev: Bookmark | undefined, surveyId: string, startedAt: number, continuationToken: string | undefined): Omit<Bookmark, "updated"> {
    const prevSince = prev?.since ? Date.parse(prev.since) : NaN;
    let since = Math.max(Number.isFinite(prevSince) ? prevSince : -Infinity, Math.floor((startedAt - SINCE_MARGIN_MS) / 1000) * 1000);
    const all = new Map<string, number>(Object.entries(this.before));
    // a response without a date counts as recorded when the export started
    for (const [id, at] of this.now) all.set(id, at ?? startedAt);
    let kept = [...all].filter(([, at]) => at >= since).sort((a, b) => b[1] - a[1]);
    if (kept.length > MAX_SENT) {
      // too many to remember: `since` moves up to a whole second, so every response sent at or after it is still remembered
      const cut = Math.floor(kept[MAX_SENT - 1][1] / 1000) * 1000 + 1000;
      kept = kept.filter(([, at]) => at >= cut);
      since = cut;
    }
    const out: Omit<Bookmark, "updated"> = { surveyId, since: iso(since) };
    if (continuationToken) out.continuationToken = continuationToken;
    if (kept.length) out.sent = Object.fromEntries(kept);
    return out;
  }
}

/** where to start when the token is refused: `since`, or for a bookmark of an earlier version (token only) a margin before it was written */
export function fallbackSince(b: Bookmark): string | undefined {
  if (b.since) return b.since;
  const written = Date.parse(b.updated);
  return Number.isFinite(written) ? iso(written - SINCE_MARGIN_MS) : undefined;
}

export interface FromBookmark {
  run: ExportRun;
  /** the bookmark the export went from (without the token when Qualtrics refused it) */
  bookmark: Bookmark;
  /** when the export that succeeded was started (ms) */
  startedAt: number;
}

/**
 * Runs the export the bookmark asks for (`start(b)` builds and runs it: from the token, else from
 * `since`). When Qualtrics refuses the token: one warning, the bookmark keeps `since` without the
 * token (so the next run does not meet it again), and the export runs again from `since`.
 */
export async function exportFromBookmark(
  RED: NodeAPI,
  node: Node,
  bookmark: Bookmark,
  start: (b: Bookmark) => Promise<ExportRun>,
  shared?: SharedBookmarks,
): Promise<FromBookmark> {
  let startedAt = Date.now();
  try {
    return { run: await start(bookmark), bookmark, startedAt };
  } catch (err) {
    if (!bookmark.continuationToken || !isContinuationRefused(err)) throw err;
    const since = fallbackSince(bookmark);
    node.warn(
      `Qualtrics refused the saved continuation token (${errorText(err)}); exporting again from ${since ?? "the first response"}` +
        `${bookmark.sent ? `, skipping the ${Object.keys(bookmark.sent).length} responses already sent since then` : ""}`,
    );
    const { continuationToken: _dropped, updated: _u, ...rest } = bookmark;
    const without: Omit<Bookmark, "updated"> = { ...rest, ...(since ? { since } : {}) };
    await writeBookmark(RED, node, without, shared);
    const fallback: Bookmark = { ...without, updated: new Date().toISOString() };
    startedAt = Date.now();
    return { run: await start(fallback), bookmark: fallback, startedAt };
  }
}
