// The webhook routes of the response triggers: one per path, kept across a redeploy. A full deploy
// closes every node before it starts the new ones; a route removed in between answers 404, and
// Qualtrics does not send the event again. So a trigger that closes without being removed leaves
// its route serving, with its settings and a handle on its journal, until the new instance takes
// the path over (it then emits what was accepted meanwhile) or LINGER_MS pass. A stop that is no
// deploy (Node-RED shutting down, flows stopped) takes the routes down at once.
import type { Request, Response } from "express";
import { addRoute, nodeRoot, type RouteHandle, type RouteOptions } from "./http-route";
import type { NodeAPI } from "./types";

/** how long a route waits for the node that closed to come back */
export const LINGER_MS = 30_000;

export type PostHandler = (req: Request, res: Response) => Promise<void>;

interface Served {
  route: RouteHandle;
  owner: string;
  post: PostHandler;
  /** other triggers on the same path (warned about), in the order they came: the next owner when this one is removed */
  waiting: Array<{ nodeId: string; post: PostHandler }>;
  /** while no node serves it: the closed node's handler, and what ends its stay */
  lingering?: { timer: NodeJS.Timeout; end: () => Promise<void> };
}

type Events = { on(e: string, f: (ev: unknown) => void): void };
const current = new WeakMap<Events, TriggerRoutes>();

export class TriggerRoutes {
  private readonly byPath = new Map<string, Served>();

  constructor(private readonly RED: NodeAPI) {
    const events = (RED as unknown as { events?: Events }).events;
    if (!events) return;
    // one listener per runtime, for the newest registration of the node type (a test helper loads it again and again)
    if (!current.has(events)) {
      events.on("runtime-event", (ev) => {
        const e = ev as { id?: string; payload?: { state?: string; deploy?: boolean } };
        if (e?.id === "runtime-state" && e.payload?.state === "stop" && !e.payload.deploy) void current.get(events)?.dropLingering();
      });
    }
    current.set(events, this);
  }

  /**
   * Serves `path` for `nodeId`; `mine` is false when another running trigger serves it already
   * (Express gives every delivery to the first). A route left by a closed trigger is taken over.
   */
  serve(path: string, nodeId: string, post: PostHandler, options: RouteOptions): { fullPath: string; mine: boolean } {
    const fullPath = nodeRoot(this.RED) + path;
    // the same trigger moved to another path: its old one goes now
    for (const [p, s] of this.byPath) if (p !== fullPath && s.owner === nodeId && s.lingering) void this.end(p, s);
    const current = this.byPath.get(fullPath);
    if (current && !current.lingering) {
      if (current.owner === nodeId) return { fullPath, mine: true };
      current.waiting = current.waiting.filter((w) => w.nodeId !== nodeId);
      current.waiting.push({ nodeId, post });
      return { fullPath, mine: false };
    }
    if (current?.lingering) {
      clearTimeout(current.lingering.timer);
      const end = current.lingering.end;
      current.lingering = undefined;
      current.owner = nodeId;
      current.post = post;
      void end();
      return { fullPath, mine: true };
    }
    const served: Served = { owner: nodeId, post, waiting: [], route: undefined as unknown as RouteHandle };
    served.route = addRoute(this.RED, path, { post: (req, res) => served.post(req, res) }, options);
    this.byPath.set(fullPath, served);
    return { fullPath, mine: true };
  }

  /**
   * The trigger closes. With `keep`, its route stays (serving `keep.post`) until a trigger takes the
   * path over or LINGER_MS pass; `keep.end` then releases what it holds. Without, the route goes.
   */
  release(fullPath: string, nodeId: string, keep?: { post: PostHandler; end: () => Promise<void> }): void {
    const served = this.byPath.get(fullPath);
    if (served && served.owner !== nodeId) served.waiting = served.waiting.filter((w) => w.nodeId !== nodeId);
    if (!served || served.owner !== nodeId || served.lingering) {
      void keep?.end();
      return;
    }
    // removed for good while another trigger on this path waits: the route is that one's now
    const next = keep ? undefined : served.waiting.shift();
    if (next) {
      served.owner = next.nodeId;
      served.post = next.post;
      return;
    }
    if (!keep) {
      served.route.remove();
      this.byPath.delete(fullPath);
      return;
    }
    served.post = keep.post;
    const timer = setTimeout(() => void this.end(fullPath, served), LINGER_MS);
    timer.unref?.();
    served.lingering = { timer, end: keep.end };
  }

  private async end(fullPath: string, served: Served): Promise<void> {
    const lingering = served.lingering;
    served.lingering = undefined;
    const next = served.waiting.shift();
    if (next) {
      // the trigger did not come back, another one on this path is still running: it gets the route
      served.owner = next.nodeId;
      served.post = next.post;
    } else {
      if (this.byPath.get(fullPath) === served) this.byPath.delete(fullPath);
      served.route.remove();
    }
    if (lingering) {
      clearTimeout(lingering.timer);
      await lingering.end();
    }
  }

  private async dropLingering(): Promise<void> {
    await Promise.all([...this.byPath].filter(([, s]) => s.lingering).map(([p, s]) => this.end(p, s)));
  }
}
