// The rig of the replicas suite (issue 14, "Proof"): the sandbox, one redis-server, N real Node-RED
// processes (own user directory each, one credentialSecret, the same flows) behind haproxy on
// loopback, and a collector in the test process. The sandbox delivers signed webhooks to haproxy's
// URL (the trigger's public base URL), so a delivery lands on any replica.
//
// The flows every replica runs:
//   qualtrics-response-in (auto-registered at haproxy's URL, fetching each full response: the window
//     between the 200 and the message that a kill hits) → function → http request → collector
//   qualtrics-response-poll (every POLL_S seconds)            → function → http request → collector
//   http in POST /rep/create → fan out → qualtrics-contact create → function ─┐ (batched)
//                                      └→ http response       catch → function ┴→ http request → collector
// Each function says which replica it ran on (env REPLICA). A trigger's message is posted on its
// own at once, so a replica killed right after emitting loses as little as a flow could; the
// create ends are batched (there are 10,000). Each replica's API requests go to
// sandbox/__from/rN/API/v3, so the sandbox's request log tells the replicas apart (poll runs).
import * as fs from "node:fs";
import { startSandbox, type Sandbox, type SandboxOptions } from "../../sandbox";
import type { Delivery } from "../../sandbox/webhooks";
import { sandboxConfig } from "../support/config-node";
import { startCollector, type Listening } from "../support/fake-servers";
import { haveRedis, RedisServer } from "./redis";
import { Credentials, FlowNode, NodeRed, startNodeRed } from "../support/runtime";
import { sleep } from "../support/wait";
import { batchItem } from "../faults/rig";
import { Haproxy, haveHaproxy } from "./haproxy";

export const REP_TOKEN = "REPLICAS-SECRET-TOKEN-0c8e41f2a7b95d36e1";
export const REP_SHARED_KEY = "REPLICAS-SHARED-KEY-5f2d9a10c4";
const CREDENTIAL_SECRET = "replicas-credential-secret";
const TAB = "rep-tab";
export const CONFIG = "rep-config";
export const TRIGGER = "rep-in";
export const POLL = "rep-poll";
export const CREATE = "rep-create";
export const TRIGGER_PATH = "/replicas/responses";

/** Fails loudly (never a quiet skip) when the programs the suite needs are not installed. */
export function requireTools(): void {
  const missing = [haveRedis() ? "" : "redis-server", haveHaproxy() ? "" : "haproxy"].filter(Boolean);
  if (missing.length) throw new Error(`the replicas suite needs ${missing.join(" and ")} (Debian packages; .ci/run installs them)`);
}

export interface Emission {
  replica: string;
  id: string;
  source?: string;
  at: number;
}

export interface CreateEnd {
  replica: string;
  id: string;
  kind: "output" | "error";
  text?: string;
  at: number;
}

export interface ReplicaRigOptions {
  replicas?: number;
  /** the config node's coordination; default "redis" */
  coordination?: "redis" | "none";
  /** the trigger's catchUpMinutes; default 0 (off) */
  catchUpMinutes?: number;
  /** the poll node's interval in seconds; default 2 */
  pollSeconds?: number;
  /** the config node's requests per minute (the account's limit); default 3000 */
  rateLimit?: number;
  maxConcurrent?: number;
  /** more settings.js values for every replica */
  settings?: Record<string, unknown>;
  sandbox?: SandboxOptions;
}


function fn(id: string, name: string, body: string, wires: string[][], outputs = 1): FlowNode {
  return { id, type: "function", z: TAB, name, func: body, outputs, timeout: 0, noerr: 0, initialize: "", finalize: "", libs: [], x: 0, y: 0, wires };
}

function toCollector(id: string, url: string): FlowNode {
  return {
    id, type: "http request", z: TAB, name: "rep: to collector", method: "POST", ret: "txt", paytoqs: "ignore", url, tls: "",
    persist: true, proxy: "", insecureHTTPParser: false, authType: "", senderr: false, headers: [], x: 0, y: 0, wires: [[]],
  };
}

/** until `seen()` holds every id (or `timeoutMs` passes), then `quietMs` more so a second end would show */
async function settleIds(ids: string[], seen: () => Set<string>, timeoutMs: number, quietMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = seen();
    if (ids.every((id) => s.has(id)) || Date.now() > until) break;
    await sleep(200);
  }
  await sleep(quietMs);
}

export class ReplicaRig {
  readonly emissions: Emission[] = [];
  readonly polled: Emission[] = [];
  readonly createEnds: CreateEnd[] = [];
  private nextId = 0;
  /** the configuration deployed to each replica, for redeploys */
  private flowNodes: FlowNode[] = [];
  private creds: Credentials = {};

  private constructor(
    readonly sb: Sandbox,
    readonly redis: RedisServer,
    readonly replicas: NodeRed[],
    readonly haproxy: Haproxy,
    private readonly collector: Listening,
    readonly opts: ReplicaRigOptions,
  ) {}

  static async start(opts: ReplicaRigOptions = {}): Promise<ReplicaRig> {
    requireTools();
    const n = opts.replicas ?? 3;
    const cleanup: Array<() => Promise<unknown>> = [];
    try {
      const sb = await startSandbox({ ...opts.sandbox, token: REP_TOKEN });
      cleanup.push(() => sb.close());
      // a Redis with persistence, as production runs it: a stop and start keeps the journal
      const redis = await RedisServer.start({ keepData: true });
      cleanup.push(() => redis.dispose());
      let rig: ReplicaRig | undefined;
      const collector = await startCollector((body, at) => rig?.take(body, at));
      cleanup.push(() => collector.close());
      const replicas = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          startNodeRed({
            credentialSecret: CREDENTIAL_SECRET,
            env: { QUALTRICS_BASE_URL: `${sb.url}/__from/r${i + 1}/API/v3`, REPLICA: `r${i + 1}` },
            settings: { qualtricsResponsePollMinInterval: 1, qualtricsExportPollDelay: 100, qualtricsConfigRetryDelay: 200, ...opts.settings },
          }),
        ),
      );
      cleanup.push(() => Promise.all(replicas.map((r) => r.dispose())));
      const haproxy = await Haproxy.start(replicas.map((r) => `127.0.0.1:${r.port}`));
      cleanup.push(() => haproxy.dispose());
      rig = new ReplicaRig(sb, redis, replicas, haproxy, collector, opts);
      return rig;
    } catch (err) {
      for (const c of cleanup.reverse()) await c().catch(() => undefined);
      throw err;
    }
  }

  private take(body: unknown, at: number): void {
    const items = (Array.isArray(body) ? body : [body]) as Array<Record<string, unknown>>;
    for (const it of items) {
      const replica = String(it.replica);
      if (it.kind === "emit") this.emissions.push({ replica, id: String(it.id), source: it.source as string | undefined, at });
      else if (it.kind === "poll") this.polled.push({ replica, id: String(it.id), at });
      else if (it.kind === "output" || it.kind === "error") this.createEnds.push({ replica, id: String(it.id), kind: it.kind, text: it.text as string | undefined, at });
    }
  }

  get surveyId(): string {
    return this.sb.seedIds.surveyIds[0];
  }

  /** the poll node's survey: another one, so the webhook bursts do not flood the polls */
  get pollSurveyId(): string {
    return this.sb.seedIds.surveyIds[1];
  }

  get directoryId(): string {
    return this.sb.seedIds.directoryId;
  }

  /** the flows every replica runs */
  flows(): FlowNode[] {
    const o = this.opts;
    const url = `${this.collector.url}/ends`;
    return [
      { id: TAB, type: "tab", label: "replicas", disabled: false, info: "" },
      sandboxConfig({
        id: CONFIG, name: "replicas", timeout: 30, retries: 4, rateLimit: o.rateLimit ?? 3000, maxConcurrent: o.maxConcurrent ?? 10,
        coordination: o.coordination ?? "redis",
      }),
      {
        id: TRIGGER, type: "qualtrics-response-in", z: TAB, name: "trigger", qualtrics: CONFIG, surveyId: this.surveyId, topic: "",
        path: TRIGGER_PATH, autoRegister: true, publicBaseUrl: this.haproxy.url, fetchResponse: true, dedupeSeconds: 3600,
        maxBodyKb: 256, catchUpMinutes: o.catchUpMinutes ?? 0, x: 0, y: 0, wires: [["rep-emit"]],
      },
      fn("rep-emit", "rep: emitted", `msg.payload = { kind: "emit", replica: env.get("REPLICA"), id: msg.event && msg.event.responseId, source: msg.event && msg.event.source };
delete msg.req; delete msg.res; delete msg.headers; return msg;`, [["rep-send-emit"]]),
      toCollector("rep-send-emit", url),
      {
        id: POLL, type: "qualtrics-response-poll", z: TAB, name: "poll", qualtrics: CONFIG, surveyId: this.pollSurveyId, surveyIdType: "str",
        interval: o.pollSeconds ?? 2, start: "now", startDate: "", x: 0, y: 0, wires: [["rep-polled"]],
      },
      fn("rep-polled", "rep: polled", `const item = { kind: "poll", replica: env.get("REPLICA"), id: msg.event && msg.event.responseId };${batchItem()}`, [["rep-send"]]),
      { id: "rep-create-in", type: "http in", z: TAB, name: "rep: create", url: "/rep/create", method: "post", upload: false, swaggerDoc: "", x: 0, y: 0, wires: [["rep-fan"]] },
      fn("rep-fan", "rep: fan out", `
const msgs = Array.isArray(msg.payload && msg.payload.msgs) ? msg.payload.msgs : [];
for (const m of msgs) node.send([m, null]);
return [null, { req: msg.req, res: msg.res, statusCode: 200, payload: { accepted: msgs.length, replica: env.get("REPLICA") } }];`, [[CREATE], ["rep-res"]], 2),
      { id: "rep-res", type: "http response", z: TAB, name: "", statusCode: "", headers: {}, x: 0, y: 0, wires: [] },
      {
        id: CREATE, type: "qualtrics-contact", z: TAB, name: "create", qualtrics: CONFIG, operation: "create", directoryId: this.directoryId,
        directoryIdType: "str", x: 0, y: 0, wires: [["rep-created"]],
      },
      fn("rep-created", "rep: created", `const item = { kind: "output", replica: env.get("REPLICA"), id: String(msg.rigId) };${batchItem()}`, [["rep-send"]]),
      { id: "rep-catch", type: "catch", z: TAB, name: "", scope: [CREATE], uncaught: false, x: 0, y: 0, wires: [["rep-failed"]] },
      fn("rep-failed", "rep: failed", `const item = { kind: "error", replica: env.get("REPLICA"), id: String(msg.rigId), text: msg.error && msg.error.message };${batchItem()}`, [["rep-send"]]),
      toCollector("rep-send", url),
    ];
  }

  private credentials(): Credentials {
    return { [CONFIG]: { apiToken: REP_TOKEN, redisUrl: this.redis.url }, [TRIGGER]: { sharedKey: REP_SHARED_KEY } };
  }

  /** Deploys the flows to every replica (a full deploy through each one's Admin API), as an operator's pipeline does. */
  async deployAll(): Promise<void> {
    this.flowNodes = this.flows();
    this.creds = this.credentials();
    await Promise.all(this.replicas.map((r) => r.deploy(this.flowNodes, this.creds, "full")));
    await this.waitForRoutes();
  }

  /** the same flows deployed again, full, to every replica at once (a new version rolled out) */
  async redeployAll(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.deploy(this.flowNodes, this.creds, "full")));
  }

  /** until every running replica serves the trigger's route and the create route */
  async waitForRoutes(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (const r of this.replicas.filter((x) => x.running)) {
      for (;;) {
        const probe = await fetch(`${r.nodeUrl}/rep/create`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"msgs":[]}' })
          .then(async (a) => (await a.arrayBuffer(), a.status))
          .catch(() => 0);
        if (probe === 200) break;
        if (Date.now() > until) throw new Error(`replica ${r.url} does not serve its routes after ${timeoutMs} ms:\n${r.log.slice(-3000)}`);
        await sleep(100);
      }
    }
  }

  /** the event subscriptions of the account whose URL is behind haproxy */
  subscriptions(): Array<{ id: string; publicationUrl: string }> {
    return [...this.sb.state.subscriptions.values()].filter((s) => s.publicationUrl.startsWith(this.haproxy.url));
  }

  async waitForSubscription(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.subscriptions().length === 0) {
      if (Date.now() > until) throw new Error(`no subscription at ${this.haproxy.url} after ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  /**
   * Completes `count` responses of the trigger's survey (each delivers its webhook through
   * haproxy), `concurrency` at a time and at most `perSecond` a second when given (a burst that
   * lasts, so a fault can happen during it); `events[i]` starts when the i-th response does, e.g.
   * to kill a replica halfway, and is awaited before this resolves.
   */
  async burst(count: number, o: { events?: Record<number, () => Promise<unknown>>; concurrency?: number; perSecond?: number } = {}): Promise<Array<{ responseId: string; deliveries: Delivery[] }>> {
    const out: Array<{ responseId: string; deliveries: Delivery[] }> = new Array(count);
    const started = Date.now();
    let next = 0;
    const pending: Array<Promise<unknown>> = [];
    const worker = async () => {
      while (next < count) {
        const i = next++;
        if (o.perSecond) {
          const due = started + (i * 1000) / o.perSecond;
          if (due > Date.now()) await sleep(due - Date.now());
        }
        const event = o.events?.[i];
        if (event) pending.push(event());
        out[i] = await this.sb.completeResponse(this.surveyId);
      }
    };
    await Promise.all(Array.from({ length: o.concurrency ?? 20 }, worker));
    await Promise.all(pending);
    return out;
  }

  /** until every id has been emitted at least once (or the time is up), then `quietMs` more so a second emission would show */
  settle(ids: string[], timeoutMs = 60_000, quietMs = 3_000): Promise<void> {
    return settleIds(ids, () => new Set(this.emissions.map((e) => e.id)), timeoutMs, quietMs);
  }

  /** Sends `count` contact creates through haproxy in chunks (round robin spreads them over the replicas); returns their ids. */
  async createContacts(count: number, chunk = 250): Promise<string[]> {
    const ids: string[] = [];
    const chunks: Array<Array<Record<string, unknown>>> = [];
    for (let i = 0; i < count; i += chunk) {
      const msgs = Array.from({ length: Math.min(chunk, count - i) }, () => {
        const id = `c${++this.nextId}`;
        ids.push(id);
        return { rigId: id, payload: { email: `${id}@replicas.example`, extRef: id } };
      });
      chunks.push(msgs);
    }
    for (const msgs of chunks) {
      const r = await fetch(`${this.haproxy.url}/rep/create`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ msgs }) });
      const text = await r.text();
      if (r.status !== 200) throw new Error(`POST /rep/create through haproxy: ${r.status} ${text.slice(0, 200)}`);
    }
    return ids;
  }

  /** until every create has ended (output or error), then `quietMs` more */
  settleCreates(ids: string[], timeoutMs: number, quietMs = 1_000): Promise<void> {
    return settleIds(ids, () => new Set(this.createEnds.map((e) => e.id)), timeoutMs, quietMs);
  }

  /** Stops every replica at once (as a rolling restart gone wrong, or a host reboot) and starts them all again. */
  async restartAll(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.stop()));
    await Promise.all(this.replicas.map((r) => r.start()));
    await this.waitForRoutes();
  }

  /** everything each program wrote, for a failure message */
  logs(tail = 4000): string {
    const parts = this.replicas.map((r, i) => `--- replica r${i + 1} ---\n${r.log.slice(-tail)}`);
    parts.push(`--- haproxy ---\n${this.haproxy.log.slice(-tail)}`, `--- redis ---\n${this.redis.log.slice(-tail)}`);
    return parts.join("\n");
  }

  /** a replica's log lines that say something went wrong */
  problems(): string[] {
    return this.replicas.flatMap((r, i) => r.problems().map((l) => `r${i + 1}: ${l}`));
  }

  /** writes the logs to a file under os.tmpdir() when REPLICAS_KEEP_LOGS is set (for looking at a run afterwards) */
  keepLogs(name: string): void {
    const dir = process.env.REPLICAS_KEEP_LOGS;
    if (dir) fs.writeFileSync(`${dir}/${name}.log`, this.logs(Number.MAX_SAFE_INTEGER));
  }

  clear(): void {
    this.emissions.length = 0;
    this.polled.length = 0;
    this.createEnds.length = 0;
    this.sb.requests.length = 0;
  }

  async dispose(): Promise<void> {
    await this.haproxy.dispose().catch(() => undefined);
    await Promise.all(this.replicas.map((r) => r.dispose().catch(() => undefined)));
    await this.collector.close().catch(() => undefined);
    await this.redis.dispose().catch(() => undefined);
    await this.sb.close();
  }
}
