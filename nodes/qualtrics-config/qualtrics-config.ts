// The account: where the API is, the API token or the OAuth client, and the one client (pool +
// limiter) that every node using this configuration shares.
import { QualtricsClient } from "../../src/client";
import { QualtricsInputError } from "../../src/errors";
import { resolveApiBase } from "../../src/base-url";
import { normalizeScopes } from "../../src/oauth";
import { redact } from "../../src/redact";
import { dataCenterFromNotice } from "../../src/users";
import type { NodeAPI, NodeDef, QualtricsConfigNode } from "../lib/types";
import { registerAdminRoutes } from "../lib/admin-routes";
import { inDialogTerms } from "../lib/field-label";
import { accountClient, authTypeOf } from "../lib/account-client";
import { configSpec } from "./spec";
import { DEFAULT_MAX_LIST_ITEMS } from "../lib/list-output";
import { dialogNumber } from "../lib/dialog-number";
import { sweepWhenStarted, TriggerRegistry } from "../lib/subscription-owners";
import { localCoordination } from "../lib/coordination/local";
import { coordinationFor } from "../lib/coordination/config-coordination";

export interface QualtricsConfigDef extends NodeDef {
  dataCenter: string;
  baseUrl?: string;
  /** "token" (default) or "oauth" */
  authType?: string;
  /** OAuth scopes, space-separated; empty = the default set */
  scopes?: string;
  timeout?: number | string;
  retries?: number | string;
  rateLimit?: number | string;
  maxConcurrent?: number | string;
  /** "none" (default): this Node-RED alone; "redis": replicas coordinated through the redisUrl credential */
  coordination?: string;
}

export default function (RED: NodeAPI): void {
  function QualtricsConfig(this: QualtricsConfigNode, def: QualtricsConfigDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    let client: QualtricsClient | undefined;
    let warnedNotice = false;
    const settings = RED.settings as unknown as Record<string, unknown>;
    node.timeoutMs = dialogNumber(def.timeout, 30, { min: 1, max: 600 }) * 1000;
    node.maxListItems = dialogNumber(settings.qualtricsConfigMaxListItems, DEFAULT_MAX_LIST_ITEMS, { min: 1, max: 10_000_000 });

    const authType = authTypeOf(def.authType);
    const perMinute = dialogNumber(def.rateLimit, 3000, { min: 1, max: 1_000_000 });
    // made before the client: the client takes its rate gate from it
    const coord = coordinationFor(RED, node, def.coordination, localCoordination(RED));
    if (coord.error) node.error(coord.error.message);

    // a wrong data center or scope list is reported when the node starts, not at the first message
    try {
      resolveApiBase(def.dataCenter, def.baseUrl);
      if (authType === "oauth") normalizeScopes(def.scopes);
    } catch (err) {
      node.error(inDialogTerms(RED, node.type, err as Error).message);
    }

    let closed = false;
    const makeClient = (): QualtricsClient => {
      const creds = node.credentials ?? {};
      if (authType === "token" && !creds.apiToken) throw new QualtricsInputError("apiToken", "is not set in the Qualtrics configuration node");
      if (authType === "oauth" && !creds.clientId) throw new QualtricsInputError("clientId", "is not set in the Qualtrics configuration node");
      if (authType === "oauth" && !creds.clientSecret) throw new QualtricsInputError("clientSecret", "is not set in the Qualtrics configuration node");
      return accountClient({
        authType,
        dataCenter: def.dataCenter,
        baseUrl: def.baseUrl,
        apiToken: creds.apiToken,
        clientId: creds.clientId,
        clientSecret: creds.clientSecret,
        scopes: def.scopes,
      }, {
        timeoutMs: node.timeoutMs,
        retry: {
          retries: dialogNumber(def.retries, 4, { min: 0, max: 10 }),
          baseMs: dialogNumber(settings.qualtricsConfigRetryDelay, 1000, { min: 1, max: 60_000 }),
        },
        rateLimitPerMinute: perMinute,
        rateGate: coord.rateGate(resolveApiBase(def.dataCenter, def.baseUrl), authType === "oauth" ? creds.clientId : creds.apiToken, perMinute),
        maxConcurrent: dialogNumber(def.maxConcurrent, 10, { min: 1, max: 100 }),
        onNotice: (notice) => {
          // "Request proxied ... use this host instead" (docs/qualtrics-facts.md §1.2): once per config
          if (warnedNotice) return;
          warnedNotice = true;
          const dc = dataCenterFromNotice(notice);
          node.warn(dc ? RED._("qualtrics-config.warn.noticeDataCenter", { notice, dc }) : RED._("qualtrics-config.warn.notice", { notice }));
        },
      });
    };
    node.client = () => {
      // after close a new client would never be closed: its sockets would outlive the node
      if (closed) throw new QualtricsInputError("qualtrics", "the Qualtrics configuration node has stopped");
      return (client ??= makeClient());
    };
    node.borrowClient = () => {
      if (!closed) return { client: node.client(), release: () => Promise.resolve() };
      const own = makeClient();
      return { client: own, release: () => own.close() };
    };
    node.coordination = coord.get;
    const triggers = new TriggerRegistry(node);
    node.registerTrigger = (n, info) => triggers.register(n, info);
    node.deregisterTrigger = (n) => triggers.deregister(n);
    node.triggers = () => triggers.all();
    const stopSweep = sweepWhenStarted(RED, node);
    // keys webhook fingerprints: the same across OAuth token refreshes, so the client secret
    node.accountSecret = () => (authType === "oauth" ? node.credentials?.clientSecret : node.credentials?.apiToken) ?? "";

    // texts a node shows (errors, statuses) may quote an upstream that echoed a secret
    node.redact = (text: string) => {
      // the client knows these and the current access token; before it exists, the credentials alone
      const clean = coord.redact(text);
      if (client) return client.redact(clean);
      const creds = node.credentials ?? {};
      return redact(clean, [creds.apiToken, creds.clientId, creds.clientSecret]);
    };

    node.on("close", (_removed: boolean, done: () => void) => {
      closed = true;
      stopSweep();
      void coord.close();
      const c = client;
      client = undefined;
      if (!c) return done();
      c.close().then(done, done);
    });
  }

  RED.nodes.registerType(configSpec.type, QualtricsConfig as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1], {
    credentials: Object.fromEntries(configSpec.credentials.map((c) => [c, { type: "password" }])),
    settings: {
      qualtricsConfigRetryDelay: { value: 1000, exportable: false },
      qualtricsConfigMaxListItems: { value: DEFAULT_MAX_LIST_ITEMS, exportable: false },
    },
  });
  registerAdminRoutes(RED);
}
