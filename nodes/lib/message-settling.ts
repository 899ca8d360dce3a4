// When a trigger's message counts as handled, so its journal entry may be finished. Sending it is
// not enough: Node-RED delivers it on the next turn of the event loop and the nodes after it work
// asynchronously (an HTTP request, a database write), so a process killed in that moment would
// have finished the entry for a message the flow never completed, and nobody would emit it again.
//
// Node-RED's message hooks tell when that work ends (docs/node-red-facts.md §1.8): `preDeliver` for
// each node a message is handed to, `onComplete` when that node calls done() (`postReceive` for a
// node whose handler takes no done()). A message is settled once every node it reached has
// finished with it (the nodes it passes it on to are handed it before done(), so the count only
// drops to 0 at the end), or after `maxMs` for a node that holds messages or never calls done(). Where the runtime
// offers no hooks (the test helper), a message settles as soon as it is sent, as before.
import type { NodeAPI } from "node-red";

interface Tracked {
  /** node ID → how many copies it was handed and has not finished */
  open: Map<string, number>;
  total: number;
  settle: () => void;
}

interface HookEvent {
  msg?: { _msgid?: unknown };
  destination?: { id?: string; node?: { _expectedDoneCount?: unknown } };
  node?: { id?: string };
}

interface Hooks {
  add(id: string, fn: (event: HookEvent) => void): void;
}

/** one registry per runtime's hooks (a process normally has one runtime; tests may start more) */
const registries = new WeakMap<object, Map<string, Tracked>>();

function registryFor(hooks: Hooks): Map<string, Tracked> {
  let tracked = registries.get(hooks);
  if (tracked) return tracked;
  const map = new Map<string, Tracked>();
  tracked = map;
  registries.set(hooks, map);
  const idOf = (e: HookEvent) => (typeof e.msg?._msgid === "string" ? e.msg._msgid : undefined);
  // the hooks run for every message of the runtime: a map lookup and nothing else for the others
  hooks.add("preDeliver.qualtricsSettling", (e) => {
    const t = map.get(idOf(e) ?? "");
    const to = e.destination?.id;
    if (!t || !to) return;
    t.open.set(to, (t.open.get(to) ?? 0) + 1);
    t.total++;
  });
  hooks.add("onComplete.qualtricsSettling", (e) => finished(map.get(idOf(e) ?? ""), e.node?.id));
  hooks.add("postReceive.qualtricsSettling", (e) => {
    // a node whose input handler takes no done() (the older style, still common in contributed
    // nodes) never reports the end: it is done once its handler has returned. The count is the
    // runtime's own (Node.js `_expectedDoneCount`); without it, the same assumption
    const expects = e.destination?.node?._expectedDoneCount;
    if (typeof expects === "number" && expects > 0) return;
    finished(map.get(idOf(e) ?? ""), e.destination?.id);
  });
  return map;
}

function finished(t: Tracked | undefined, at: string | undefined): void {
  // a node that was not handed the message through a wire (a link in) finishing is not counted
  const open = t && at ? (t.open.get(at) ?? 0) : 0;
  if (!t || !at || open === 0) return;
  if (open === 1) t.open.delete(at);
  else t.open.set(at, open - 1);
  if (--t.total === 0) settleSoon(t);
}

/** a node may call done() just before it sends on: settled only if nothing was handed on meanwhile */
function settleSoon(t: Tracked): void {
  setImmediate(() => {
    if (t.total === 0) t.settle();
  });
}

export interface MessageSettling {
  /**
   * Call with the message's `_msgid` right before `node.send(msg)`; resolves (never rejects) once
   * the flow has finished with it, or after `maxMs`.
   */
  track(msgid: string): Promise<void>;
}

export function messageSettling(RED: NodeAPI, maxMs: number): MessageSettling {
  const hooks = (RED as unknown as { hooks?: Hooks }).hooks;
  if (!hooks || typeof hooks.add !== "function") return { track: () => new Promise((r) => setImmediate(r)) };
  const map = registryFor(hooks);
  return {
    track(msgid) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => t.settle(), maxMs);
        timer.unref?.();
        const t: Tracked = {
          open: new Map(),
          total: 0,
          settle: () => {
            if (map.get(msgid) !== t) return;
            map.delete(msgid);
            clearTimeout(timer);
            resolve();
          },
        };
        map.set(msgid, t);
        // sent to nothing (no wires), or handed on synchronously and counted by then
        settleSoon(t);
      });
    },
  };
}
