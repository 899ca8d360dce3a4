// node-red-node-test-helper pointed at the Node-RED major under test (NR_PKG=node-red | node-red-5).
import helper = require("node-red-node-test-helper");

const pkg = process.env.NR_PKG || "node-red";
helper.init(require.resolve(pkg));

export { helper };
export const nodeRedPackage = pkg;

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const nodes = {
  config: require("../../nodes/qualtrics-config/qualtrics-config").default,
  contact: require("../../nodes/qualtrics-contact/qualtrics-contact").default,
  distribution: require("../../nodes/qualtrics-distribution/qualtrics-distribution").default,
  api: require("../../nodes/qualtrics-api/qualtrics-api").default,
  responseIn: require("../../nodes/qualtrics-response-in/qualtrics-response-in").default,
  response: require("../../nodes/qualtrics-response/qualtrics-response").default,
  mailingList: require("../../nodes/qualtrics-mailing-list/qualtrics-mailing-list").default,
  survey: require("../../nodes/qualtrics-survey/qualtrics-survey").default,
  export: require("../../nodes/qualtrics-export/qualtrics-export").default,
  responsePoll: require("../../nodes/qualtrics-response-poll/qualtrics-response-poll").default,
  invite: require("../../nodes/qualtrics-invite/qualtrics-invite").default,
};

export const TOKEN = "test-token-abcdefghijklmnopqrstuvwxyz0123";

export const credentials = { cfg: { apiToken: TOKEN } };

/** resolves with the next message the helper node receives */
export function nextMessage(id: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => helper.getNode(id).once("input", (m: Record<string, unknown>) => resolve(m)));
}

/** resolves with the error a node reports through done(err) (seen by a Catch node) */
export function nextError(id: string): Promise<{ message: string; msg: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const n = helper.getNode(id) as unknown as { on(e: string, cb: (call: { args: unknown[] }) => void): void };
    n.on("call:error", (call: { args: unknown[] }) => {
      const [err, msg] = call.args as [unknown, Record<string, unknown>];
      resolve({ message: err instanceof Error ? err.message : String(err), msg });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Additions for the node tests (test/nodes/**). Everything below is opt-in; nothing above changed.
// ---------------------------------------------------------------------------------------------
import * as fs from "node:fs";
import * as path from "node:path";
import sinon = require("sinon");

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Red = any;
type NodeModule = (RED: Red) => unknown;

/** the @node-red/* packages of the Node-RED under test (hoisted or nested under the alias) */
export function nodeRedModulePath(rel: string): string {
  const lib = path.dirname(require.resolve(pkg));
  for (const prefix of [path.join(lib, "..", "node_modules"), path.join(lib, "..", "..")]) {
    const p = path.join(prefix, "@node-red", rel);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`cannot find @node-red/${rel} for ${pkg}`);
}

/** core split/join nodes (one module registers both) */
export function sequenceNodes(): NodeModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(nodeRedModulePath("nodes/core/sequence/17-split.js"));
}

// --- RED._ that renders our message catalogues, so texts such as status counts can be asserted ---
type Catalog = Record<string, unknown>;
let catalogs: Record<string, Catalog> | undefined;
function loadCatalogs(): Record<string, Catalog> {
  if (catalogs) return catalogs;
  catalogs = {};
  const nodes = path.join(__dirname, "..", "..", "nodes");
  for (const type of fs.readdirSync(nodes).filter((d) => d.startsWith("qualtrics-"))) {
    const dir = path.join(nodes, type, "locales", "en-US");
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      if (!f.endsWith(".json")) continue;
      try {
        catalogs[f.replace(/\.json$/, "")] = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as Catalog;
      } catch {
        // someone else's file being written; leave it out
      }
    }
  }
  return catalogs;
}

function lookup(key: string): string | undefined {
  const all = loadCatalogs();
  let file: string | undefined;
  let k = key;
  const colon = key.indexOf(":");
  if (colon >= 0) {
    file = key.slice(0, colon).split("/").pop();
    k = key.slice(colon + 1);
  }
  for (const [name, cat] of Object.entries(all)) {
    if (file && name !== file) continue;
    let v: unknown = cat;
    for (const part of k.split(".")) v = v && typeof v === "object" ? (v as Catalog)[part] : undefined;
    if (typeof v === "string") return v;
  }
  return undefined;
}

/**
 * What RED._ returns in these tests: the catalogue text with __var__ (and {{var}}) filled in when
 * a catalogue has the key, else the key followed by the variables, so a count is still visible.
 */
export function renderMessage(key: string, vars?: Record<string, unknown>): string {
  const text = lookup(key);
  if (text === undefined) return vars && Object.keys(vars).length ? `${key} ${JSON.stringify(vars)}` : key;
  return text.replace(/__([A-Za-z0-9_]+)__|\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (m, a?: string, b?: string) => {
    const name = (a ?? b) as string;
    return vars && name in vars ? String(vars[name]) : m;
  });
}

export interface HttpCapture {
  /** RED.httpNode of the last load */
  app(): Red;
}

/**
 * Our node modules as the tests load them: RED._ renders messages (see renderMessage) and
 * RED.httpNode is kept so supertest can reach the webhook route (docs/node-red-facts.md §4.1).
 */
export const http: HttpCapture & { nodes: typeof nodes } = (() => {
  let app: Red;
  const wrap = (mod: NodeModule): NodeModule => (RED: Red) => {
    RED._ = renderMessage;
    app = RED.httpNode;
    return mod(RED);
  };
  return {
    app: () => app,
    nodes: {
      config: wrap(nodes.config),
      contact: wrap(nodes.contact),
      distribution: wrap(nodes.distribution),
      api: wrap(nodes.api),
      responseIn: wrap(nodes.responseIn),
      response: wrap(nodes.response),
      mailingList: wrap(nodes.mailingList),
      survey: wrap(nodes.survey),
      export: wrap(nodes.export),
      responsePoll: wrap(nodes.responsePoll),
      invite: wrap(nodes.invite),
    },
  };
})();

interface SpyCall {
  args: unknown[];
}
interface EmittingNode {
  on(e: string, cb: (call: SpyCall) => void): void;
}

/** records every status a node sets from now on (through the helper's call:status events) */
export function statusLog(id: string): Array<{ fill?: string; shape?: string; text?: string }> {
  const out: Array<{ fill?: string; shape?: string; text?: string }> = [];
  (helper.getNode(id) as unknown as EmittingNode).on("call:status", (call) => out.push(call.args[0] as { fill?: string; shape?: string; text?: string }));
  return out;
}

export interface DoneRecord {
  nodeId: string;
  msg: Record<string, unknown>;
  error?: unknown;
}

/**
 * Every done() of every node, by spying on Node.prototype._complete (what the done callback of
 * an input handler calls). Call restore() in afterEach.
 */
export function spyDone(): { of(id: string): DoneRecord[]; restore(): void } {
  const proto = (helper as unknown as { _NodePrototype: Record<string, unknown> })._NodePrototype;
  const spy = sinon.spy(proto, "_complete" as never) as unknown as sinon.SinonSpy;
  return {
    of(id: string) {
      return spy.getCalls()
        .filter((c) => (c.thisValue as { id: string }).id === id)
        .map((c) => ({ nodeId: id, msg: c.args[0] as Record<string, unknown>, error: c.args[1] }));
    },
    restore() {
      spy.restore();
    },
  };
}

/** collects every message a helper node receives */
export function collect(id: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  helper.getNode(id).on("input", (m: Record<string, unknown>) => out.push(m));
  return out;
}

/** one node of a test flow */
export type FlowNode = { id: string; type: string; z?: string; wires?: string[][]; [prop: string]: unknown };

/** every message a node sends from now on (through the helper's call:send events) */
export function sends(id: string): unknown[] {
  const out: unknown[] = [];
  (helper.getNode(id) as unknown as EmittingNode).on("call:send", (call) => out.push(call.args[0]));
  return out;
}

/**
 * Texts that a user would see untranslated: a message key, or a __placeholder__ left unfilled.
 * (RED._ here renders the package's en-US catalogue; see renderMessage.)
 */
export function untranslated(texts: Array<string | undefined>): string[] {
  return texts.filter(
    (t): t is string => typeof t === "string" && (/__[A-Za-z0-9_]+__/.test(t) || /\b(common\.status|qualtrics-[a-z-]+\.[a-z]+)\.[A-Za-z]/.test(t)),
  );
}
