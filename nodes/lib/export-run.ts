// What the export node and the polling trigger share: start an export, follow its progress with
// the percentage on the node status, and open the download (docs/qualtrics-facts.md §7.2-§7.4).
import type { QualtricsClient } from "../../src/client";
import { QualtricsApiError } from "../../src/errors";
import { DEFAULT_MAX_DOWNLOAD_BYTES, DEFAULT_MAX_RECORD_BYTES, ExportBody, ExportDownload, ExportProgress, StartedExport, downloadExport, exportProgress, startExport } from "../../src/export";
import type { NodeStatus } from "./status";
import type { NodeAPI } from "./types";

export interface ExportRun {
  started: StartedExport;
  /** the last progress: complete, with the fileId (and the continuationToken when asked for) */
  final: ExportProgress;
  download: ExportDownload;
}

export interface RunOptions {
  client: QualtricsClient;
  surveyId: string;
  body: ExportBody;
  signal?: AbortSignal;
  /** overall time for the export to complete, ms */
  timeoutMs: number;
  /** the first pause between progress checks, ms (rising 1.5-fold to five times this) */
  pollDelayMs: number;
  status?: NodeStatus;
  /** when true, a completed export without a continuationToken is an error before anything is downloaded */
  needsToken?: boolean;
  limits: ExportLimits;
}

export interface ExportLimits {
  maxRecordBytes: number;
  maxDownloadBytes: number;
  /** the error texts' pointer to the settings that raise them */
  recordHint: string;
  downloadHint: string;
}

const MB = 1024 * 1024;

function megabytesSetting(RED: NodeAPI, name: string, fallback: number): number {
  const v = Number((RED.settings as unknown as Record<string, unknown>)[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v * MB) : fallback;
}

/**
 * settings.js: qualtricsExportMaxRecordMB (16), the largest response read from an export file,
 * and qualtricsExportMaxDownloadMB (4096), the largest export file downloaded (to disk, memory or
 * read as it arrives). Fractions are allowed (tests use a few kB).
 */
export function exportLimits(RED: NodeAPI): ExportLimits {
  return {
    maxRecordBytes: megabytesSetting(RED, "qualtricsExportMaxRecordMB", DEFAULT_MAX_RECORD_BYTES),
    maxDownloadBytes: megabytesSetting(RED, "qualtricsExportMaxDownloadMB", DEFAULT_MAX_DOWNLOAD_BYTES),
    recordHint: "qualtricsExportMaxRecordMB in settings.js raises it",
    downloadHint: "qualtricsExportMaxDownloadMB in settings.js raises it",
  };
}

/** settings.js: qualtricsExportPollDelay, the first pause between progress checks (ms, default 1000) */
export function exportPollDelay(RED: NodeAPI): number {
  const v = Number((RED.settings as unknown as Record<string, unknown>).qualtricsExportPollDelay);
  return Number.isFinite(v) && v > 0 ? Math.min(v, 60_000) : 1000;
}

export async function runExport(o: RunOptions): Promise<ExportRun> {
  o.status?.show("blue", "dot", "exporting", { percent: 0 });
  const started = await startExport(o.client, o.surveyId, o.body, o.signal);
  let final: ExportProgress | undefined;
  for await (const p of exportProgress(o.client, started, { signal: o.signal, timeoutMs: o.timeoutMs, initialDelayMs: o.pollDelayMs, maxDelayMs: o.pollDelayMs * 5 })) {
    final = p;
    o.status?.show("blue", "dot", "exporting", { percent: Math.floor(p.percentComplete) });
  }
  // exportProgress ends only with a complete export (or throws)
  const done = final!;
  if (o.needsToken && !done.continuationToken) {
    // UNCONFIRMED (docs/qualtrics-facts.md §7.3): that a complete export asked with allowContinuation always
    // names a continuationToken; without one the bookmark cannot move, so nothing is emitted twice
    throw new QualtricsApiError(
      { method: "GET", path: `/surveys/${o.surveyId}/export-responses/${started.progressId}`, requestId: done.requestId },
      "the export is complete but Qualtrics sent no continuationToken, so the bookmark cannot move on; nothing was emitted",
    );
  }
  const download = await downloadExport(o.client, o.surveyId, done.fileId!, { signal: o.signal, maxBytes: o.limits.maxDownloadBytes, limitHint: o.limits.downloadHint });
  return { started, final: done, download };
}
