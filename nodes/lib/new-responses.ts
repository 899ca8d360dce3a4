// "The responses recorded since the last run", for the response poll and the response trigger's
// catch-up alike: the node's bookmark (written at once on the first run, so it starts from then),
// an export from its continuation token or date (nodes/lib/continuation.ts), each response not
// handed out before given to `each`, and the bookmark moved on only once every one of them was.
import { exportBody, exportedResponses } from "../../src/export";
import { isPlainObject } from "../../src/safe-object";
import type { QualtricsClient } from "../../src/client";
import { readBookmark, writeBookmark, type SharedBookmarks } from "./bookmark";
import { exportFromBookmark, SentResponses } from "./continuation";
import { exportLimits, exportPollDelay, runExport, type ExportRun } from "./export-run";
import type { NodeStatus } from "./status";
import type { Node, NodeAPI } from "./types";

/** a run's own limit for the export to complete */
const EXPORT_TIMEOUT_MS = 10 * 60_000;

export interface NewResponsesOptions {
  client: QualtricsClient;
  surveyId: string;
  signal: AbortSignal;
  status?: NodeStatus;
  /** where the first run starts (ISO 8601); now when not given */
  startDate?: string;
  /** with replicas: the shared bookmark, fenced by the run's lease */
  shared?: SharedBookmarks;
  each(response: Record<string, unknown>, run: ExportRun): Promise<void> | void;
}

/** now, to the second, as the export's startDate wants it */
export function isoNow(): string {
  return new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/** writes the first bookmark, when there is none, so the first run starts from `since` */
export async function startBookmark(RED: NodeAPI, node: Node, surveyId: string, since = isoNow(), shared?: SharedBookmarks) {
  const found = await readBookmark(RED, node, surveyId, shared);
  if (found) return found;
  await writeBookmark(RED, node, { surveyId, since }, shared);
  return { surveyId, since, updated: "" };
}

/** exports and hands out the new responses; returns how many */
export async function exportNewResponses(RED: NodeAPI, node: Node, o: NewResponsesOptions): Promise<number> {
  const limits = exportLimits(RED);
  const pollDelayMs = exportPollDelay(RED);
  const bookmark = await startBookmark(RED, node, o.surveyId, o.startDate, o.shared);
  const from = await exportFromBookmark(RED, node, bookmark, (b) => {
    const body = b.continuationToken
      ? exportBody({ format: "json", compress: false, continuationToken: b.continuationToken })
      : exportBody({ format: "json", compress: false, allowContinuation: true, startDate: b.since });
    return runExport({ client: o.client, surveyId: o.surveyId, body, signal: o.signal, timeoutMs: EXPORT_TIMEOUT_MS, pollDelayMs, status: o.status, needsToken: true, limits });
  }, o.shared);
  const run = from.run;
  // responses handed out before (after a refused token the export starts a little earlier) or twice in this export go out once
  const sent = new SentResponses(from.bookmark.sent);
  let count = 0;
  const reading = { signal: o.signal, maxRecordBytes: limits.maxRecordBytes, limitHint: limits.recordHint };
  for await (const item of exportedResponses(run.download.chunks, "json", reading)) {
    if (!isPlainObject(item) || !sent.take(item)) continue;
    await o.each(item, run);
    count++;
  }
  // every response of this export is out: the next run starts after them
  await writeBookmark(RED, node, sent.next(from.bookmark, o.surveyId, from.startedAt, run.final.continuationToken), o.shared);
  return count;
}

/** the response's completion time: values.endDate, else values.recordedDate (docs/qualtrics-facts.md §6.5) */
export function completedDate(response: Record<string, unknown>): string | undefined {
  const v = isPlainObject(response.values) ? response.values : {};
  for (const k of ["endDate", "recordedDate"]) if (typeof v[k] === "string" && v[k]) return v[k] as string;
  return undefined;
}
