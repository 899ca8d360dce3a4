// What every palette node shares: finding its config node, the (msg, send, done) handler that
// always ends in exactly one done(), msg.qualtrics, status, and a close that lets work finish.
import type { ApiResponse, QualtricsClient } from "../../src/client";
import { QualtricsApiError, QualtricsInputError } from "../../src/errors";
import { inDialogTerms } from "./field-label";
import { NodeStatus } from "./status";
import type { NodeMessage, NodeMessageInFlow } from "node-red";
import type { Done, Msg, Node, NodeAPI, QualtricsConfigNode, Send } from "./types";

export interface InputContext {
  client: QualtricsClient;
  config: QualtricsConfigNode;
  send: Send;
  /** aborted when the node closes and in-flight work did not finish in time */
  signal: AbortSignal;
  status: NodeStatus;
  /** put the request metadata (requestId, httpStatus, notice) on a message */
  record(msg: Msg, res: Pick<ApiResponse, "requestId" | "statusCode" | "notice">): void;
}

/** what the handler reports for the status: a count of items, if that means something */
export type InputHandler = (msg: Msg, ctx: InputContext) => Promise<{ count?: number } | void>;

const CLOSE_GRACE_MS = 10_000;

type InputListener = (msg: NodeMessageInFlow, send: (m: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void, done: (err?: Error) => void) => void;

export function record(msg: Msg, res: Pick<ApiResponse, "requestId" | "statusCode" | "notice">): void {
  msg.qualtrics = { requestId: res.requestId, httpStatus: res.statusCode, notice: res.notice };
}

export function configOf(RED: NodeAPI, id: unknown): QualtricsConfigNode | null {
  if (typeof id !== "string" || !id) return null;
  return (RED.nodes.getNode(id) as QualtricsConfigNode | null) ?? null;
}

export function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === "string" ? err : "unknown error");
}

export function setupQualtricsNode(RED: NodeAPI, node: Node, def: { qualtrics?: string }, handler: InputHandler): NodeStatus {
  const status = new NodeStatus(RED, node);
  const config = configOf(RED, def.qualtrics);
  if (!config) status.problem("noConfig");
  const pending = new Set<Promise<void>>();
  const abort = new AbortController();

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
      const out = await handler(msg, { client, config, send, signal: abort.signal, status, record });
      status.succeeded(out ? out.count : undefined);
      finish();
    } catch (raw) {
      const err = asError(raw);
      if (err instanceof QualtricsApiError) {
        msg.qualtrics = { requestId: err.requestId, httpStatus: err.statusCode, errorCode: err.errorCode, mayHaveSucceeded: err.mayHaveSucceeded };
        status.failed(err.statusCode ? `${err.statusCode} ${err.errorCode ?? ""}`.trim() : "request failed");
      } else if (err instanceof QualtricsInputError) {
        if (config) status.invalid(err.field);
        else status.problem("noConfig");
      } else {
        status.failed("error");
      }
      // Catch and debug show the dialog's label; err.field keeps the property for flows
      finish(inDialogTerms(RED, node.type, err));
    }
  }

  const onInput = (msg: Msg, send: Send, done: Done): void => {
    // handle() catches everything itself; the catch here only guards against a bug in it
    const p = handle(msg, send, done).catch((err) => node.error(asError(err).message));
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  // three declared parameters: Node-RED counts only such listeners towards completion
  node.on("input", onInput as unknown as InputListener);

  node.on("close", (_removed: boolean, done: () => void) => {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((r) => (timer = setTimeout(r, CLOSE_GRACE_MS)));
    Promise.race([Promise.allSettled([...pending]), grace])
      .then(() => {
        clearTimeout(timer);
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
