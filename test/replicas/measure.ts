// What the replicas suite counts, from what the collector saw and what the sandbox recorded:
// each event's emissions, the poll runs of each replica and whether they overlapped, and the
// aggregate rate of the requests the account's limit allows.
import type { RecordedRequest } from "../../sandbox/types";
import type { Ends } from "../faults/figures";
import type { Emission } from "./rig";

/** Ends, where `duplicated` counts only the duplicates outside the documented window */
export interface EventCount extends Ends {
  /** emitted more than once, at least once by a replica that was killed (between emitting and recording) */
  windowDuplicates: number;
  /** the ids lost and duplicated, a few of each, for a failure message */
  lostIds: string[];
  duplicatedIds: string[];
}

/**
 * How each event ended: never emitted (lost), once (delivered), or more than once. A duplicate
 * one of whose emissions came from `killed` (a replica that was SIGKILLed) is the documented
 * window; any other duplicate is not allowed.
 */
export function countEvents(ids: Iterable<string>, emissions: Emission[], killed: string[] = []): EventCount {
  const by = new Map<string, Emission[]>();
  for (const e of emissions) by.set(e.id, [...(by.get(e.id) ?? []), e]);
  const out: EventCount = { sent: 0, delivered: 0, errored: 0, lost: 0, duplicated: 0, windowDuplicates: 0, lostIds: [], duplicatedIds: [] };
  for (const id of ids) {
    out.sent++;
    const seen = by.get(id) ?? [];
    if (seen.length === 0) {
      out.lost++;
      if (out.lostIds.length < 10) out.lostIds.push(id);
    } else if (seen.length === 1) out.delivered++;
    else if (seen.some((e) => killed.includes(e.replica))) out.windowDuplicates++;
    else {
      out.duplicated++;
      if (out.duplicatedIds.length < 10) out.duplicatedIds.push(`${id} (${seen.map((e) => e.replica).join(", ")})`);
    }
  }
  return out;
}

export interface PollRun {
  replica: string;
  start: number;
  /** the download of its file, or the run's last request when it never got that far */
  end: number;
}

const EXPORT_START = /\/surveys\/([^/]+)\/export-responses$/;
const EXPORT_REQUEST = /\/surveys\/([^/]+)\/export-responses(\/|$)/;

/**
 * The poll runs of `surveyId` per replica, from the sandbox's request log: a run begins with the
 * export's creation (POST .../export-responses) and ends with the last request of that replica
 * for that export before its next run begins (normally the file's download).
 */
export function pollRuns(requests: RecordedRequest[], surveyId: string): PollRun[] {
  const runs: PollRun[] = [];
  const open = new Map<string, PollRun>();
  for (const r of requests) {
    const m = EXPORT_REQUEST.exec(r.path);
    if (!m || decodeURIComponent(m[1]) !== surveyId || !r.tag) continue;
    if (r.method === "POST" && EXPORT_START.test(r.path)) {
      const run = { replica: r.tag, start: r.at, end: r.at };
      runs.push(run);
      open.set(r.tag, run);
    } else {
      const run = open.get(r.tag);
      if (run) run.end = r.at;
    }
  }
  return runs;
}

/** pairs of runs on different replicas that were under way at the same time */
export function overlaps(runs: PollRun[]): number {
  let n = 0;
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      const a = runs[i], b = runs[j];
      if (a.replica !== b.replica && a.start <= b.end && b.start <= a.end) n++;
    }
  }
  return n;
}

/** the longest time between the starts of two polls in a row (any replica), from `from` to `to` */
export function longestGap(runs: PollRun[], from: number, to: number): number {
  const starts = [from, ...runs.map((r) => r.start).filter((t) => t >= from && t <= to).sort((a, b) => a - b), to];
  let gap = 0;
  for (let i = 1; i < starts.length; i++) gap = Math.max(gap, starts[i] - starts[i - 1]);
  return gap;
}

/**
 * The aggregate rate of the requests matching `path` the sandbox accepted (answered other than 429;
 * a refused request is not work done), over the account's limit: accepted / (minutes from the
 * first to the last × perMinute). The leaky bucket's first `burst` requests are free, so they are
 * left out.
 */
export function rateOverLimit(requests: RecordedRequest[], accepted: (r: RecordedRequest) => boolean, perMinute: number, burst: number): number {
  const times = requests.filter(accepted).map((r) => r.at).sort((a, b) => a - b).slice(Math.ceil(burst));
  if (times.length < 2) return 0;
  const minutes = (times[times.length - 1] - times[0]) / 60_000;
  return (times.length - 1) / minutes / perMinute;
}
