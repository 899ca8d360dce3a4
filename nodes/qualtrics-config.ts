// The account: where the API is, the token, and the one client (pool + limiter) that every node
// using this configuration shares.
import { QualtricsClient } from "../src/client";
import { QualtricsInputError } from "../src/errors";
import { resolveApiBase } from "../src/base-url";
import type { NodeAPI, NodeDef, QualtricsConfigNode } from "./lib/types";
import { registerAdminRoutes } from "./lib/admin-routes";

export interface QualtricsConfigDef extends NodeDef {
  dataCenter: string;
  baseUrl?: string;
  timeout?: number | string;
  retries?: number | string;
  rateLimit?: number | string;
  maxConcurrent?: number | string;
}

function num(v: unknown, fallback: number, min: number, max: number): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, n));
}

export default function (RED: NodeAPI): void {
  function QualtricsConfig(this: QualtricsConfigNode, def: QualtricsConfigDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    let client: QualtricsClient | undefined;
    let warnedNotice = false;
    const settings = RED.settings as unknown as Record<string, unknown>;
    node.timeoutMs = num(def.timeout, 30, 1, 600) * 1000;

    // a wrong data center is reported when the node starts, not at the first message
    try {
      resolveApiBase(def.dataCenter, def.baseUrl);
    } catch (err) {
      node.error((err as Error).message);
    }

    node.client = () => {
      if (client) return client;
      const token = node.credentials?.apiToken;
      if (!token) throw new QualtricsInputError("apiToken", "is not set in the Qualtrics configuration node");
      client = new QualtricsClient({
        dataCenter: def.dataCenter,
        baseUrl: def.baseUrl,
        auth: () => ({ "X-API-TOKEN": token }),
        timeoutMs: node.timeoutMs,
        retry: {
          retries: num(def.retries, 4, 0, 10),
          baseMs: num(settings.qualtricsConfigRetryDelay, 1000, 1, 60_000),
        },
        rateLimitPerMinute: num(def.rateLimit, 3000, 1, 100_000),
        maxConcurrent: num(def.maxConcurrent, 10, 1, 100),
        onNotice: (notice) => {
          // "Request proxied ... use this host instead" (qualtrics-api.md §1.2): once per config
          if (warnedNotice) return;
          warnedNotice = true;
          node.warn(RED._("qualtrics-config.warn.notice", { notice }));
        },
      });
      return client;
    };
    node.accountSecret = () => node.credentials?.apiToken ?? "";

    node.on("close", (_removed: boolean, done: () => void) => {
      const c = client;
      client = undefined;
      if (!c) return done();
      c.close().then(done, done);
    });
  }

  RED.nodes.registerType("qualtrics-config", QualtricsConfig as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1], {
    credentials: { apiToken: { type: "password" } },
    settings: {
      qualtricsConfigRetryDelay: { value: 1000, exportable: false },
    },
  });
  registerAdminRoutes(RED);
}
