// How the end-to-end tests see what flows send.
//
// The tests deploy the flows unchanged plus a small fragment per tab: every node that is wired to a
// debug node is also wired to a function node that wraps the message as
// `{ debug: <debug node id>, name, msg }`, and one `http request` node per tab POSTs that to a
// collector, an HTTP server in the test process. So a test waits for "what reached debug node X"
// with the whole message (payload, msg.qualtrics, msg.parts, msg.event, msg.error ...), using only
// core nodes and the real runtime; the example files themselves stay as a user imports them.
import type { FlowNode } from "../support/runtime";
import { startCollector as collectBatches } from "../support/fake-servers";
import { waitFor } from "../support/wait";

export interface Capture {
  /** the id of the debug node the message was going to */
  debug: string;
  name: string;
  msg: Record<string, unknown> & { payload?: unknown };
  at: number;
}

export interface Collector {
  url: string;
  captures: Capture[];
  /** captures for one debug node so far */
  of(debugId: string): Capture[];
  /** waits until debug node `debugId` has received `count` messages in all, returns them */
  wait(debugId: string, count?: number, timeoutMs?: number): Promise<Capture[]>;
  clear(): void;
  close(): Promise<void>;
}

export async function startCollector(): Promise<Collector> {
  const captures: Capture[] = [];
  const collector = await collectBatches((body, at) => captures.push({ ...(body as Omit<Capture, "at">), at }));
  const url = collector.url;
  const of = (id: string) => captures.filter((c) => c.debug === id);
  return {
    url,
    captures,
    of,
    wait(debugId, count = 1, timeoutMs = 10_000) {
      return waitFor(`${count} message(s) at debug node ${debugId}`, () => (of(debugId).length >= count ? of(debugId) : undefined), timeoutMs);
    },
    clear() {
      captures.length = 0;
    },
    close: collector.close,
  };
}

/** every status text our nodes showed, as "type: text" */
export function statusesShown(col: Collector): string[] {
  return col.captures
    .filter((c) => c.debug.startsWith("status:"))
    .map((c) => c.msg.status as { text?: string; source: { type: string } })
    .filter((st) => st.text)
    .map((st) => `${st.source.type}: ${st.text}`);
}

/** the capture id under which the status changes of a tab's qualtrics nodes arrive */
export function statusCaptureId(tab: string): string {
  return `status:${tab}`;
}

/**
 * The flows plus the capture fragment described above (the input array is not changed). Also, per
 * tab, a status node scoped to our (qualtrics-*) nodes, captured as statusCaptureId(tab): the
 * status texts as the real runtime translates them. (Scoped, so the http request node's own status
 * does not feed back into it.)
 */
export function withCapture(flows: FlowNode[], collectorUrl: string): FlowNode[] {
  const out: FlowNode[] = flows.map((n) => ({ ...n, wires: n.wires?.map((w) => [...w]) }) as FlowNode);
  const senders = new Map<string, string>(); // tab -> http request node id
  const extra: FlowNode[] = [];
  const senderOf = (z: string): string => {
    let id = senders.get(z);
    if (!id) {
      id = `e2e-capture-send-${z}`;
      senders.set(z, id);
      extra.push({
        id, type: "http request", z, name: "e2e: to collector", method: "POST", ret: "txt", paytoqs: "ignore",
        url: `${collectorUrl}/capture`, tls: "", persist: false, proxy: "", insecureHTTPParser: false, authType: "",
        senderr: false, headers: [], x: 0, y: 0, wires: [[]],
      });
    }
    return id;
  };
  const capture = (z: string, fnId: string, captureId: string, name: string): FlowNode => ({
    id: fnId, type: "function", z, name: `e2e: capture ${name}`,
    func: `return { payload: { debug: ${JSON.stringify(captureId)}, name: ${JSON.stringify(name)}, msg: msg } };`,
    outputs: 1, timeout: 0, noerr: 0, initialize: "", finalize: "", libs: [], x: 0, y: 0, wires: [[senderOf(z)]],
  });

  for (const d of out.filter((n) => n.type === "debug" && n.z)) {
    const fnId = `e2e-capture-${d.id}`;
    extra.push(capture(d.z as string, fnId, d.id, String(d.name ?? "")));
    for (const n of out) {
      n.wires?.forEach((port) => {
        if (port.includes(d.id)) port.push(fnId);
      });
    }
  }
  const tabs = new Set(out.filter((n) => n.type.startsWith("qualtrics-") && n.z).map((n) => n.z as string));
  for (const z of tabs) {
    const scope = out.filter((n) => n.z === z && n.type.startsWith("qualtrics-")).map((n) => n.id);
    const fnId = `e2e-capture-status-${z}`;
    extra.push({ id: `e2e-status-${z}`, type: "status", z, name: "e2e: status of our nodes", scope, x: 0, y: 0, wires: [[fnId]] });
    extra.push(capture(z, fnId, statusCaptureId(z), "status"));
  }
  return [...out, ...extra];
}

/** status texts that were not translated: a message key, or a placeholder left in */
export function untranslated(texts: string[]): string[] {
  return texts.filter((t) => /__\w+__|:common\.|^common\.|qualtrics-[a-z-]+\./.test(t));
}
