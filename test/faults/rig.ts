// The rig the fault, load and hostile-input tests share: the sandbox, a real Node-RED with the
// package, and around every node under test a few core nodes that let the test process send it
// messages and see how each one ended.
//
// For a node under test X (a "unit"), the deployed flow adds:
//   http in  POST /rig/X  →  function "fan out" ─→ X      (each of body.msgs sent as its own message)
//                                               └→ http response (answers at once with the count)
//   X's every output port  → function "end (output, port i)"
//   catch [X]              → function "end (error)"
//   status [X]             → function "status"
// and the end/status functions batch what they see (every 50 ms) into an http request node that
// POSTs it to a collector in the test process. A message is recognised by `msg.rigId` (set by
// send() when missing) or, for messages a trigger makes, by `idExpr`.
import * as fs from "node:fs";
import { startSandbox, type Sandbox, type SandboxOptions } from "../../sandbox";
import { FlowNode, NodeRed, StartOptions, Credentials, startNodeRed } from "../support/runtime";
import { countEnds, type Ends } from "./figures";
import { startCollector, type Listening } from "../support/fake-servers";
import { sleep, waitFor } from "../support/wait";
import { sandboxConfig } from "../support/config-node";

export interface End {
  unit: string;
  id: string;
  kind: "output" | "error";
  /** the output port, for outputs */
  port?: number;
  /** msg.error.message, for errors */
  text?: string;
  /** the type of node that reported the error (msg.error.source.type) */
  source?: string;
  /** the message, without req/res, when the unit keeps messages */
  msg?: Record<string, unknown>;
  at: number;
}

export interface StatusSeen {
  unit: string;
  text: string;
  fill?: string;
  at: number;
}

export interface Unit {
  /** the node under test; its id names the unit. Its wires are set by the rig. */
  node: FlowNode;
  /** output ports of the node (default 1) */
  outputs?: number;
  /** JavaScript expression over `msg` giving the message's id (default msg.rigId) */
  idExpr?: string;
  /** keep every output and error message in full (for the secrets sweep); default false */
  keepMsgs?: boolean;
}

export interface RigOptions {
  /** the API token the sandbox wants and the config node gets; default a recognisable test token */
  token?: string;
  sandbox?: SandboxOptions;
  nodeRed?: StartOptions;
}

export const RIG_TOKEN = "FAULTS-SECRET-TOKEN-4be0c7d2a9f13e56b8d0";
export const RIG_CONFIG = "rig-config";
const TAB = "rig-tab";

/** the configuration node every unit uses unless it names another; baseUrl comes from the environment */
export function rigConfig(over: Partial<FlowNode> = {}): FlowNode {
  return sandboxConfig({ id: RIG_CONFIG, name: "rig sandbox", timeout: 5, retries: 3, ...over });
}

/** the end of a function node's body that batches `item` with the others of the next `ms` into one message */
export function batchItem(ms = 50): string {
  return `
if (!node.rigBuf) node.rigBuf = [];
node.rigBuf.push(item);
if (!node.rigTimer) {
  node.rigTimer = setTimeout(() => {
    const batch = node.rigBuf;
    node.rigBuf = [];
    node.rigTimer = null;
    node.send({ payload: batch });
  }, ${ms});
}
return null;`;
}

const FLUSH = batchItem();

function fn(id: string, name: string, body: string, wires: string[][], outputs = 1): FlowNode {
  return { id, type: "function", z: TAB, name, func: body, outputs, timeout: 0, noerr: 0, initialize: "", finalize: "", libs: [], x: 0, y: 0, wires };
}

function strip(keep: boolean): string {
  return keep ? `(() => { const c = Object.assign({}, msg); delete c.req; delete c.res; return c; })()` : "undefined";
}

/** The units, the config node(s) and the rig's core nodes around them, posting to `collectorUrl`. */
export function rigFlows(units: Unit[], extra: FlowNode[], collectorUrl: string): FlowNode[] {
  const sender = "rig-send";
  const out: FlowNode[] = [
    { id: TAB, type: "tab", label: "fault rig", disabled: false, info: "" },
    {
      id: sender, type: "http request", z: TAB, name: "rig: to collector", method: "POST", ret: "txt", paytoqs: "ignore",
      url: `${collectorUrl}/ends`, tls: "", persist: true, proxy: "", insecureHTTPParser: false, authType: "",
      senderr: false, headers: [], x: 0, y: 0, wires: [[]],
    },
  ];
  for (const u of units) {
    const x = u.node.id;
    const idExpr = u.idExpr ?? "msg.rigId";
    const ports = u.outputs ?? 1;
    const endIds = Array.from({ length: ports }, (_, i) => `rig-end-${x}-${i}`);
    out.push({ x: 0, y: 0, ...u.node, z: TAB, wires: endIds.map((e) => [e]) });
    out.push({ id: `rig-in-${x}`, type: "http in", z: TAB, name: `rig: in ${x}`, url: `/rig/${x}`, method: "post", upload: false, swaggerDoc: "", x: 0, y: 0, wires: [[`rig-fan-${x}`]] });
    out.push(fn(`rig-fan-${x}`, `rig: fan out ${x}`, `
const msgs = Array.isArray(msg.payload && msg.payload.msgs) ? msg.payload.msgs : [];
for (const m of msgs) node.send([m, null]);
return [null, { req: msg.req, res: msg.res, statusCode: 200, payload: { accepted: msgs.length } }];`, [[x], [`rig-res-${x}`]], 2));
    out.push({ id: `rig-res-${x}`, type: "http response", z: TAB, name: "", statusCode: "", headers: {}, x: 0, y: 0, wires: [] });
    endIds.forEach((id, port) =>
      out.push(fn(id, `rig: end ${x} port ${port}`, `const item = { kind: "output", unit: ${JSON.stringify(x)}, port: ${port}, id: String(${idExpr}), msg: ${strip(!!u.keepMsgs)} };${FLUSH}`, [[sender]])),
    );
    out.push({ id: `rig-catch-${x}`, type: "catch", z: TAB, name: "", scope: [x], uncaught: false, x: 0, y: 0, wires: [[`rig-err-${x}`]] });
    out.push(fn(`rig-err-${x}`, `rig: error ${x}`, `const item = { kind: "error", unit: ${JSON.stringify(x)}, id: String(${idExpr}), text: msg.error && msg.error.message, source: msg.error && msg.error.source && msg.error.source.type, msg: ${strip(!!u.keepMsgs)} };${FLUSH}`, [[sender]]));
    out.push({ id: `rig-status-${x}`, type: "status", z: TAB, name: "", scope: [x], x: 0, y: 0, wires: [[`rig-st-${x}`]] });
    out.push(fn(`rig-st-${x}`, `rig: status ${x}`, `const item = { kind: "status", unit: ${JSON.stringify(x)}, text: msg.status && msg.status.text, fill: msg.status && msg.status.fill };${FLUSH}`, [[sender]]));
  }
  return [...out, ...extra];
}

export class Rig {
  readonly ends: End[] = [];
  readonly statuses: StatusSeen[] = [];
  private nextId = 0;
  private units: Unit[] = [];

  private constructor(
    readonly sb: Sandbox,
    readonly nr: NodeRed,
    private readonly collector: Listening,
    readonly token: string,
  ) {}

  get collectorUrl(): string {
    return this.collector.url;
  }

  static async start(opts: RigOptions = {}): Promise<Rig> {
    const token = opts.token ?? RIG_TOKEN;
    const sb = await startSandbox({ ...opts.sandbox, token });
    let rig: Rig | undefined;
    const collector = await startCollector((body, at) => {
      for (const item of body as Array<Record<string, unknown>>) {
        if (item.kind === "status") rig?.statuses.push({ unit: String(item.unit), text: String(item.text ?? ""), fill: item.fill as string | undefined, at });
        else rig?.ends.push({ ...(item as unknown as End), at });
      }
    });
    try {
      const nr = await startNodeRed({ ...opts.nodeRed, env: { QUALTRICS_BASE_URL: sb.apiBase, ...opts.nodeRed?.env } });
      rig = new Rig(sb, nr, collector, token);
      return rig;
    } catch (err) {
      await collector.close();
      await sb.close();
      throw err;
    }
  }

  /** Deploys the units (replacing what was deployed) with the config node(s) in `extra` (default: rigConfig()) and the token as credential. */
  async deploy(units: Unit[], extra: FlowNode[] = [rigConfig()], credentials: Credentials = {}): Promise<void> {
    this.units = units;
    const creds: Credentials = { ...credentials };
    for (const n of extra) if (n.type === "qualtrics-config" && !creds[n.id]) creds[n.id] = { apiToken: this.token };
    await this.nr.deploy(rigFlows(units, extra, this.collectorUrl), creds);
    // the http in routes answer 404 until their nodes have started
    for (const u of units) {
      await waitFor(`the rig route of ${u.node.id}`, async () => (await this.nr.request("POST", `rig/${u.node.id}`, { msgs: [] })).status === 200, 15_000, 50);
    }
  }

  /** Sends messages into a unit (each gets a rigId when it has none) and returns their ids. */
  async send(unit: string, msgs: Array<Record<string, unknown>>): Promise<string[]> {
    const withIds = msgs.map((m) => ("rigId" in m ? m : { ...m, rigId: `m${++this.nextId}` }));
    // in chunks, so one request never carries a huge body
    for (let i = 0; i < withIds.length; i += 500) {
      const r = await this.nr.request("POST", `rig/${unit}`, { msgs: withIds.slice(i, i + 500) });
      if (r.status !== 200) throw new Error(`POST /rig/${unit}: ${r.status} ${r.text.slice(0, 200)}`);
    }
    return withIds.map((m) => String(m.rigId));
  }

  endsOf(unit: string, ids?: Iterable<string>): End[] {
    const wanted = ids ? new Set(ids) : undefined;
    return this.ends.filter((e) => e.unit === unit && (!wanted || wanted.has(e.id)));
  }

  /**
   * Waits until every id has ended at least once (or `timeoutMs` passes), then `quietMs` more so a
   * second end would show, and counts how each ended.
   */
  async settle(unit: string, ids: string[], timeoutMs = 60_000, quietMs = 500): Promise<Ends> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const ended = new Set(this.endsOf(unit, ids).map((e) => e.id));
      if (ids.every((id) => ended.has(id)) || Date.now() > until) break;
      await sleep(50);
    }
    await sleep(quietMs);
    return countEnds(ids, this.endsOf(unit, ids) as Array<{ id: string; kind: "output" | "error" }>);
  }

  /**
   * settle() for several units at once: waits until every id of every group has ended (or
   * `timeoutMs` passes), then `quietMs` once, and counts each group.
   */
  async settleAll(groups: Array<{ unit: string; ids: string[] }>, timeoutMs = 60_000, quietMs = 500): Promise<Ends[]> {
    const until = Date.now() + timeoutMs;
    const allEnded = () =>
      groups.every((g) => {
        const ended = new Set(this.endsOf(g.unit, g.ids).map((e) => e.id));
        return g.ids.every((id) => ended.has(id));
      });
    while (!allEnded() && Date.now() <= until) await sleep(50);
    await sleep(quietMs);
    return groups.map((g) => countEnds(g.ids, this.endsOf(g.unit, g.ids) as Array<{ id: string; kind: "output" | "error" }>));
  }

  /** POSTs a form (a webhook delivery) to a route of Node-RED's http nodes, e.g. "/qualtrics/responses" */
  async postForm(route: string, fields: Record<string, string>): Promise<number> {
    const r = await fetch(this.nr.nodeUrl + route, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
    await r.arrayBuffer();
    return r.status;
  }

  /** the resident memory of the Node-RED process in bytes (Linux /proc), or undefined when it cannot be read */
  rss(): number | undefined {
    const pid = this.nr.pid;
    if (pid === undefined) return undefined;
    try {
      const m = /VmRSS:\s+(\d+)\s*kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
      return m ? Number(m[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  clear(): void {
    this.ends.length = 0;
    this.statuses.length = 0;
  }

  async dispose(): Promise<void> {
    await this.nr.dispose().catch(() => undefined);
    await this.collector.close();
    await this.sb.close();
  }
}
