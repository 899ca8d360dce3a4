// Node status in one place: requesting (blue), done with a count (green, then cleared),
// error (red ring, kept until the next success), configuration problems (red ring).
import type { Node, NodeAPI } from "./types";

const NS = "node-red-contrib-qualtrics/qualtrics-config:common.status.";
const CLEAR_AFTER_MS = 3000;

export class NodeStatus {
  private timer: NodeJS.Timeout | undefined;
  private active = 0;

  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
  ) {}

  private t(key: string, vars?: Record<string, string | number>): string {
    return this.RED._(NS + key, vars);
  }

  private set(s: { fill?: "red" | "green" | "yellow" | "blue" | "grey"; shape?: "ring" | "dot"; text?: string }): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.node.status(s);
  }

  started(): void {
    this.active++;
    this.set({ fill: "blue", shape: "dot", text: this.active > 1 ? this.t("requestingMany", { count: this.active }) : this.t("requesting") });
  }

  progress(count: number): void {
    this.set({ fill: "blue", shape: "dot", text: this.t("received", { count }) });
  }

  succeeded(count?: number): void {
    this.active = Math.max(0, this.active - 1);
    if (this.active > 0) return this.set({ fill: "blue", shape: "dot", text: this.t("requestingMany", { count: this.active }) });
    this.set({ fill: "green", shape: "dot", text: count === undefined ? this.t("done") : this.t("doneCount", { count }) });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.node.status({});
    }, CLEAR_AFTER_MS);
  }

  failed(short: string): void {
    this.active = Math.max(0, this.active - 1);
    this.set({ fill: "red", shape: "ring", text: short.length > 24 ? short.slice(0, 23) + "…" : short });
  }

  problem(key: string): void {
    this.set({ fill: "red", shape: "ring", text: this.t(key) });
  }

  show(fill: "red" | "green" | "yellow" | "blue" | "grey", shape: "ring" | "dot", key: string, vars?: Record<string, string | number>): void {
    this.set({ fill, shape, text: this.t(key, vars) });
  }

  clear(): void {
    this.set({});
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
