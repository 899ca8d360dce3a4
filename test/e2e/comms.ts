// What the editor sees of a running Node-RED: the debug sidebar's messages (debug nodes, and the
// errors and warnings nodes log, which the debug node forwards with a level) and every node status,
// read from the editor's own websocket (/comms) as the browser would.
//
// The WebSocket is Node's own (Node 22+); on an older Node, the one Node-RED itself serves /comms
// with (its `ws` dependency) is used as a client.
import * as path from "node:path";
import { REPO_ROOT, sleep, waitFor } from "../support/runtime";

/** one message in the debug sidebar */
export interface SidebarMessage {
  /** the node that sent it */
  id: string;
  /** the tab */
  z?: string;
  name?: string;
  /** 20 = error, 30 = warn (a node's log); absent for a debug node's message */
  level?: number;
  /** the message as the sidebar shows it (a string, encoded by the runtime) */
  msg?: unknown;
}

export interface NodeStatusEvent {
  id: string;
  fill?: string;
  shape?: string;
  text?: string;
}

export interface CommsWatch {
  sidebar: SidebarMessage[];
  statuses: NodeStatusEvent[];
  close(): void;
}

type WebSocketLike = {
  onmessage: ((ev: { data: unknown }) => void) | null;
  onopen: (() => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(): void;
};
type WebSocketClass = new (url: string) => WebSocketLike;

function webSocketClass(): WebSocketClass {
  const own = (globalThis as { WebSocket?: WebSocketClass }).WebSocket;
  if (own) return own;
  const nodeRed = path.dirname(require.resolve("node-red/package.json", { paths: [REPO_ROOT] }));
  return require(require.resolve("ws", { paths: [nodeRed] })) as WebSocketClass;
}

/** Connects to the editor at `editorUrl` (http://host:port/) and records debug messages and statuses. */
export async function watchComms(editorUrl: string): Promise<CommsWatch> {
  const WS = webSocketClass();
  const ws = new WS(editorUrl.replace(/^http/, "ws").replace(/\/?$/, "/comms"));
  const sidebar: SidebarMessage[] = [];
  const statuses: NodeStatusEvent[] = [];
  ws.onmessage = (ev) => {
    const parsed = JSON.parse(String(ev.data)) as unknown;
    // the runtime batches: an array of {topic, data}
    for (const m of (Array.isArray(parsed) ? parsed : [parsed]) as Array<{ topic?: string; data?: Record<string, unknown> }>) {
      if (m.topic === "debug" && m.data) sidebar.push(m.data as unknown as SidebarMessage);
      else if (m.topic?.startsWith("status/") && m.data) statuses.push({ id: m.topic.slice("status/".length), ...m.data });
    }
  };
  let opened = false;
  let failed: unknown;
  ws.onopen = () => {
    opened = true;
    ws.send(JSON.stringify({ subscribe: "debug" }));
    ws.send(JSON.stringify({ subscribe: "status/#" }));
  };
  ws.onerror = (err) => (failed = err);
  await waitFor(`the editor websocket at ${editorUrl}`, () => {
    if (failed) throw new Error(`websocket error: ${String((failed as { message?: string }).message ?? failed)}`);
    return opened;
  });
  // the runtime takes the subscriptions in after the socket opens: give it that moment
  await sleep(300);
  return { sidebar, statuses, close: () => ws.close() };
}
