// What every palette node shares: finding its config node, the (msg, send, done) handler that
// always ends in exactly one done(), msg.qualtrics, status, and a close that lets work finish.
import type { ApiResponse, QualtricsClient } from "../../src/client";
import { QualtricsApiError, QualtricsInputError } from "../../src/errors";
import { inDialogTerms } from "./field-label";
import { NodeStatus } from "./status";
import type { NodeMessage, NodeMessageInFlow } from "node-red";
import type { Done, Msg, Node, NodeAPI, QualtricsConfigNode, Send, TriggerInfo } from "./types";

export interface InputContext {
  client: QualtricsClient;
  config: QualtricsConfigNode;
  send: Send;
  /** aborted when the node closes and in-flight work did not finish in time */
  signal: AbortSignal;
  /** aborted as soon as the node starts closing: a list being read stops at its next page */
  closing: AbortSignal;
  status: NodeStatus;
  /** put the request metadata (requestId, httpStatus, notice) on a message */
  record(msg: Msg, res: Pick<ApiResponse, "requestId" | "statusCode" | "notice">): void;
}

/** what the handler reports for the status: a count of items, if that means something */
export type InputHandler = (msg: Msg, ctx: InputContext) => Promise<{ count?: number } | void>;

/** how long work still running may finish when a node closes, before it is aborted */
export const CLOSE_GRACE_MS = 10_000;

/** waits for the work, or for ms, whichever is first; never rejects */
export function withinGrace(work: Promise<unknown>, ms = CLOSE_GRACE_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work.then(() => undefined, () => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}

type InputListener = (msg: NodeMessageInFlow, send: (m: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void, done: (err?: Error) => void) => void;

export function record(msg: Msg, res: Pick<ApiResponse, "requestId" | "statusCode" | "notice">): void {
  // notice only when Qualtrics sent one: an undefined key shows in the debug sidebar as "notice: undefined"
  msg.qualtrics = { requestId: res.requestId, httpStatus: res.statusCode, ...(res.notice !== undefined && { notice: res.notice }) };
}

/**
 * msg.qualtrics of a failed request, for every node alike; errors that are not Qualtrics' answers
 * leave msg alone. `clean` takes out any secret a server echoed into its texts.
 */
export function recordFailure(msg: Msg, err: unknown, clean: (text: string) => string = (t) => t): void {
  if (err instanceof QualtricsApiError) {
    const requestId = err.requestId && clean(err.requestId);
    const errorCode = err.errorCode && clean(err.errorCode);
    msg.qualtrics = { requestId, httpStatus: err.statusCode, errorCode, mayHaveSucceeded: err.mayHaveSucceeded };
  }
}

export function configOf(RED: NodeAPI, id: unknown): QualtricsConfigNode | null {
  if (typeof id !== "string" || !id) return null;
  return (RED.nodes.getNode(id) as QualtricsConfigNode | null) ?? null;
}

export function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === "string" ? err : "unknown error");
}

/** `err` with its texts (message, stack) cleaned; Node-RED shows both in Catch, debug and the log */
function scrubbed(err: Error, clean: (text: string) => string): Error {
  const message = clean(err.message);
  if (message !== err.message) err.message = message;
  if (typeof err.stack === "string") {
    const stack = clean(err.stack);
    if (stack !== err.stack) err.stack = stack;
  }
  return err;
}

export function setupQualtricsNode(RED: NodeAPI, node: Node, def: { qualtrics?: string }, handler: InputHandler): NodeStatus {
  const status = new NodeStatus(RED, node);
  const config = configOf(RED, def.qualtrics);
  if (!config) status.problem("noConfig");
  const pending = new Set<Promise<void>>();
  const abort = new AbortController();
  const closing = new AbortController();
  // an upstream may echo a secret in an error text; nothing of it leaves the node
  const clean = (text: string): string => (config ? config.redact(text) : text);

  async function handle(msg: Msg, send: Send, done: Done): Promise<void> {
    let finished = false;
    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      if (err) done(err);
      else done();
    };
    try {
      if (!config) throw new QualtricsInputError("qualtrics", "no configuration node is selected, or it is disabled");
      const client = config.client();
      status.started();
      const out = await handler(msg, { client, config, send, signal: abort.signal, closing: closing.signal, status, record });
      status.succeeded(out ? out.count : undefined);
      finish();
    } catch (raw) {
      const err = scrubbed(asError(raw), clean);
      recordFailure(msg, err, clean);
      if (err instanceof QualtricsApiError) {
        status.answered(err.statusCode, clean(err.errorCode ?? ""));
      } else if (err instanceof QualtricsInputError) {
        if (config) status.invalid(err.field);
        else status.problem("noConfig");
      } else {
        status.errored();
      }
      // Catch and debug show the dialog's label; err.field keeps the property for flows
      finish(inDialogTerms(RED, node.type, err));
    }
  }

  const onInput = (msg: Msg, send: Send, done: Done): void => {
    // handle() catches everything itself; the catch here only guards against a bug in it
    const p = handle(msg, send, done).catch((err) => node.error(clean(asError(err).message)));
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  // three declared parameters: Node-RED counts only such listeners towards completion
  node.on("input", onInput as unknown as InputListener);

  node.on("close", (_removed: boolean, done: () => void) => {
    closing.abort(new Error("the node was closed"));
    withinGrace(Promise.allSettled([...pending]))
      .then(() => {
        abort.abort(new Error("the node was closed"));
        return Promise.allSettled([...pending]);
      })
      .finally(() => {
        status.dispose();
        done();
      });
  });

  return status;
}

/** what a trigger (a node without input that starts flows) gets from setupTrigger */
export interface TriggerLifecycle {
  config: QualtricsConfigNode | null;
  status: NodeStatus;
  /** tells the configuration node (the registry the orphan sweep asks) that this trigger runs */
  register(info?: Omit<TriggerInfo, "type">): void;
  /** the trigger's own close work; its failure is warned, the close always ends */
  onClose(work: (removed: boolean) => Promise<void> | void): void;
  /**
   * Runs `fn` once every node of the deploy exists: Node-RED creates a flow's nodes one by one
   * (awaiting each) and drops a message sent to a node not created yet (docs/node-red-facts.md §1.9).
   * Not run when the trigger closes first.
   */
  whenFlowsStarted(fn: () => void): void;
}

/**
 * The lifecycle the triggers share with the other nodes: the configuration node looked up, one
 * status, the trigger in its configuration's registry while it runs, and one close: deregistered
 * at once, then the trigger's close work, then the status disposed and done().
 */
export function setupTrigger(RED: NodeAPI, node: Node, def: { qualtrics?: string }): TriggerLifecycle {
  const status = new NodeStatus(RED, node);
  const config = configOf(RED, def.qualtrics);
  let work: ((removed: boolean) => Promise<void> | void) | undefined;
  let registered = false;
  const events = (RED as unknown as { events?: { once(e: string, f: () => void): void; off(e: string, f: () => void): void } }).events;
  const waiting = new Set<() => void>();
  node.on("close", (removed: boolean, done: () => void) => {
    for (const f of waiting) events?.off("flows:started", f);
    waiting.clear();
    // a trigger that comes back registers again when it starts
    if (registered) config?.deregisterTrigger(node);
    let closing: Promise<void>;
    try {
      closing = Promise.resolve(work?.(removed));
    } catch (err) {
      closing = Promise.reject(err);
    }
    void closing
      .catch((err) => node.warn(config ? config.redact(asError(err).message) : asError(err).message))
      .finally(() => {
        status.dispose();
        done();
      });
  });
  return {
    config,
    status,
    register(info = {}) {
      registered = true;
      config?.registerTrigger(node, { type: node.type, ...info });
    },
    onClose(w) {
      work = w;
    },
    whenFlowsStarted(fn) {
      if (!events) return void setImmediate(fn);
      const run = () => {
        waiting.delete(run);
        fn();
      };
      waiting.add(run);
      events.once("flows:started", run);
    },
  };
}
