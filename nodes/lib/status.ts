// Node status in one place: requesting (blue), done with a count (green, then cleared),
// error (red ring, kept until the next success), configuration problems (red ring).
// A count that changes per message or item ("3 requests" → "4 requests", "41 received" →
// "42 received") is shown at most every COALESCE_MS: under load a status per
// message (an i18n lookup and an editor event each) cost a quarter of the node's time
// (docs/benchmarks.md). Any other change is shown at once.
import { QualtricsInputError } from "../../src/errors";
import { fieldName } from "./field-label";
import type { Node, NodeAPI } from "./types";

const NS = "@xmflows/node-red-qualtrics/qualtrics-config:common.status.";
const CLEAR_AFTER_MS = 3000;
const COALESCE_MS = 200;
/** the statuses that count something per message or per item; others (a percentage, "chunk 2/2") show every step */
const COALESCED = new Set(["requestingMany", "received", "receivedPending"]);

type Fill = "red" | "green" | "yellow" | "blue" | "grey";
type Shape = "ring" | "dot";
type Vars = Record<string, string | number>;

export class NodeStatus {
  private timer: NodeJS.Timeout | undefined;
  private active = 0;
  /** what is shown: fill, shape and the i18n key (undefined for a cleared status) */
  private shown: { fill?: Fill; shape?: Shape; key?: string } = {};
  /** a numbers-only change waiting for the coalescing timer */
  private pending: { fill: Fill; shape: Shape; key: string; vars?: Vars } | undefined;
  private pendingTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
  ) {}

  private t(key: string, vars?: Vars): string {
    return this.RED._(NS + key, vars);
  }

  private cancelTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingTimer) clearTimeout(this.pendingTimer);
    this.pendingTimer = undefined;
    this.pending = undefined;
  }

  private set(s: { fill?: Fill; shape?: Shape; text?: string }, key?: string): void {
    this.cancelTimers();
    this.shown = { fill: s.fill, shape: s.shape, key };
    this.node.status(s);
  }

  /** a translated status; one that differs from the shown one only in `vars` waits for the coalescing timer */
  private render(fill: Fill, shape: Shape, key: string, vars?: Vars): void {
    const sh = this.shown;
    const same = sh.key === key && sh.fill === fill && sh.shape === shape;
    // the same words again: nothing to show, but a pending or clearing timer no longer applies
    if (same && !vars) return this.cancelTimers();
    if (same && vars && COALESCED.has(key)) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.pending = { fill, shape, key, vars };
      this.pendingTimer ??= setTimeout(() => {
        const p = this.pending;
        this.pendingTimer = undefined;
        this.pending = undefined;
        if (p) this.set({ fill: p.fill, shape: p.shape, text: this.t(p.key, p.vars) }, p.key);
      }, COALESCE_MS);
      return;
    }
    this.set({ fill, shape, text: this.t(key, vars) }, key);
  }

  started(): void {
    this.active++;
    if (this.active > 1) this.render("blue", "dot", "requestingMany", { count: this.active });
    else this.render("blue", "dot", "requesting");
  }

  progress(count: number): void {
    this.render("blue", "dot", "received", { count });
  }

  succeeded(count?: number): void {
    this.active = Math.max(0, this.active - 1);
    if (this.active > 0) return this.render("blue", "dot", "requestingMany", { count: this.active });
    if (count === undefined) this.render("green", "dot", "done");
    else this.set({ fill: "green", shape: "dot", text: this.t("doneCount", { count }) }, "doneCount");
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.shown = {};
      this.node.status({});
    }, CLEAR_AFTER_MS);
  }

  failed(short: string): void {
    this.active = Math.max(0, this.active - 1);
    this.set({ fill: "red", shape: "ring", text: short.length > 24 ? short.slice(0, 23) + "…" : short });
  }

  /**
   * Qualtrics answered with an error: "404 not found", as a person reads the code; a code without
   * a common reason shows Qualtrics' errorCode ("418 XYZ_1"), or "request failed" with no answer.
   */
  answered(statusCode: number | undefined, errorCode = ""): void {
    if (!statusCode) return this.failed(this.t("requestFailed"));
    const key = `http.${statusCode}`;
    const reason = this.t(key);
    this.failed(reason && !reason.endsWith(key) ? `${statusCode} ${reason}` : `${statusCode} ${errorCode}`.trim());
  }

  /** a failure that is neither Qualtrics' answer nor bad input */
  errored(): void {
    this.failed(this.t("error"));
  }

  /** input that names `field` was refused: "invalid Directory", as the dialog calls it */
  invalid(field: string): void {
    this.failed(this.t("invalidField", { field: fieldName(this.RED, this.node.type, field) }));
  }

  /**
   * A node's settings were refused when it started: the field as the dialog names it, or, with no
   * configuration selected, "select a configuration".
   */
  refusedSetup(err: unknown, hasConfig: boolean): void {
    if (!hasConfig) return this.problem("noConfig");
    if (err instanceof QualtricsInputError && err.field !== "qualtrics") return this.invalid(err.field);
    this.problem("badConfig");
  }

  problem(key: string): void {
    this.render("red", "ring", key);
  }

  show(fill: Fill, shape: Shape, key: string, vars?: Vars): void {
    this.render(fill, shape, key, vars);
  }

  clear(): void {
    this.set({});
  }

  dispose(): void {
    this.cancelTimers();
  }
}
