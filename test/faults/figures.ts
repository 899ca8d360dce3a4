// The figures `npm run test:faults` ends with. Each test adds what it tried and what it saw to a
// file (one JSON line per addition); scripts/test.js adds the lines of every run up into one
// table and fails the run when a figure does not hold. The tests assert their own figures too,
// so a failing figure also shows up as a failing test, with its detail.
import * as fs from "node:fs";

export interface Figures {
  /** fault kinds tried against a node type, and how many of them every message survived */
  faultsTried: number;
  faultsSurvived: number;
  /** messages into our nodes, and how each ended: one output, one Catch-able error, nothing, or more than one end */
  sent: number;
  delivered: number;
  errored: number;
  lost: number;
  duplicated: number;
  /**
   * messages emitted twice inside the documented at-least-once window: a kill between a message
   * and the journal's record that it went out (reported, not a failure; docs/nodes/qualtrics-response-in.md)
   */
  windowDuplicates: number;
  /** hostile inputs tried, and how many of them crashed Node-RED, rejected unhandled or changed a prototype */
  fuzzed: number;
  crashes: number;
  /** places a secret was found in: log lines, statuses, errors, messages, GET /flows, files */
  leaks: number;
  // the replicas suite (test/replicas):
  /** how far the event subscriptions at the end are from one per trigger (|subscriptions − triggers|) */
  subscriptionsOff: number;
  /** runs of a schedule (poll, catch-up) on one replica that overlapped in time with a run of it on another */
  overlaps: number;
  /** requests (contact creates) that ended with an error */
  failed: number;
  /** 429 answers the sandbox gave (information: a shared limiter keeps them few) */
  rateLimited: number;
  /** the longest gap between two polls (any replica) where a schedule changed hands, and the most it may be */
  maxGapMs: number;
  gapLimitMs: number;
  /** the aggregate request rate over the account's limit (target ≥ 0.95) */
  rateRatio: number;
}

export const FIGURE_NAMES: (keyof Figures)[] = [
  "faultsTried", "faultsSurvived", "sent", "delivered", "errored", "lost", "duplicated", "windowDuplicates", "fuzzed", "crashes", "leaks",
  "subscriptionsOff", "overlaps", "failed", "rateLimited", "maxGapMs", "gapLimitMs", "rateRatio",
];

export interface FigureLine extends Partial<Figures> {
  /** the area of the suite: "faults", "load", "restart", "fuzz", "secrets", "access", "replicas" */
  area: string;
  /** what exactly, e.g. "qualtrics-contact create × 503" */
  what: string;
}

/** Adds a line of figures for scripts/test.js; without QUALTRICS_FAULT_FIGURES (a bare mocha run) it does nothing. */
export function addFigures(line: FigureLine): void {
  const file = process.env.QUALTRICS_FAULT_FIGURES;
  if (!file) return;
  fs.appendFileSync(file, JSON.stringify({ ...line, run: process.env.NR_PKG || "node-red" }) + "\n");
}

/** The outcome of messages whose ends were counted: how many ended once, errored, never ended, or ended twice. */
export interface Ends {
  sent: number;
  delivered: number;
  errored: number;
  lost: number;
  duplicated: number;
}

/**
 * Counts the ends of the messages `ids` from the ends seen (one entry per output message or
 * Catch-able error, by message id): a message with no end is lost, one with more than one is
 * duplicated (and not counted as delivered or errored).
 */
export function countEnds(ids: Iterable<string>, ends: Iterable<{ id: string; kind: "output" | "error" }>): Ends {
  const seen = new Map<string, { output: number; error: number }>();
  for (const e of ends) {
    const s = seen.get(e.id) ?? { output: 0, error: 0 };
    s[e.kind]++;
    seen.set(e.id, s);
  }
  const out: Ends = { sent: 0, delivered: 0, errored: 0, lost: 0, duplicated: 0 };
  for (const id of ids) {
    out.sent++;
    const s = seen.get(id);
    const total = s ? s.output + s.error : 0;
    if (total === 0) out.lost++;
    else if (total > 1) out.duplicated++;
    else if (s!.output === 1) out.delivered++;
    else out.errored++;
  }
  return out;
}
