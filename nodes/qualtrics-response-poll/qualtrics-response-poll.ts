// A trigger on new survey responses for brands without a brand administrator (who alone may
// register event subscriptions): every interval, an export with allowContinuation picks up where
// the last one ended (docs/qualtrics-facts.md §7.2-§7.4). The continuation token is the bookmark, kept in
// the node's context and moved on only after every response of an export was sent, so a restart
// neither repeats nor misses responses. When Qualtrics refuses the token, the poll goes on from the
// bookmark's date (nodes/lib/continuation.ts).
import { QualtricsInputError, errorText } from "../../src/errors";
import { optionalDate, requireId } from "../../src/validate";
import { responsePollSpec } from "./spec";
import { bookmarkIsVolatile, forgetBookmarks, sharedBookmarks } from "../lib/bookmark";
import { completedDate, exportNewResponses } from "../lib/new-responses";
import { CLOSE_GRACE_MS, asError, record, recordFailure, setupTrigger, withinGrace } from "../lib/qualtrics-node";
import { inDialogTerms } from "../lib/field-label";
import { typed } from "../lib/typed-input";
import type { Held, Msg, Node, NodeAPI, NodeDef } from "../lib/types";
import { dialogValue } from "../lib/dialog-number";

export interface ResponsePollDef extends NodeDef {
  qualtrics?: string;
  surveyId?: string;
  surveyIdType?: string;
  interval?: number | string;
  start?: "now" | "date";
  startDate?: string;
}

export const DEFAULT_INTERVAL_S = 60;
export const MIN_INTERVAL_S = 10;
/**
 * The longest interval: 24 hours, as Node-RED's inject node allows. A timer of more than 2^31-1 ms
 * (24.8 days) fires after 1 ms instead, which would export without pause.
 */
export const MAX_INTERVAL_S = 24 * 60 * 60;

function clock(d = new Date()): string {
  return d.toTimeString().slice(0, 8);
}

export default function (RED: NodeAPI): void {
  function QualtricsResponsePoll(this: Node, def: ResponsePollDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const trigger = setupTrigger(RED, node, def);
    const { status, config } = trigger;
    const settings = RED.settings as unknown as Record<string, unknown>;
    // settings.js may lower the minimum (tests, a sandbox); never below one second
    const minInterval = Math.max(1, Number(settings.qualtricsResponsePollMinInterval) || MIN_INTERVAL_S);
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> | undefined;
    let abort: AbortController | undefined;
    let closed = false;

    // a number of seconds, also as text (${ENV} or a flow file); empty means the default, anything else is refused
    const wanted = dialogValue(def.interval) ?? DEFAULT_INTERVAL_S;
    if (!Number.isFinite(wanted) || wanted <= 0 || wanted > MAX_INTERVAL_S) {
      const given = String(def.interval).slice(0, 40);
      node.error(
        wanted > MAX_INTERVAL_S
          ? `Interval: ${given} seconds is more than 24 hours (${MAX_INTERVAL_S} seconds), the longest interval; the node does not poll`
          : `Interval: "${given}" is not a number of seconds from ${minInterval} to ${MAX_INTERVAL_S}; the node does not poll`,
      );
      status.failed(RED._(wanted > MAX_INTERVAL_S ? "qualtrics-response-poll.status.intervalTooLong" : "qualtrics-response-poll.status.intervalInvalid"));
      return;
    }
    const intervalS = Math.max(minInterval, wanted);

    let startDate: string | undefined;
    let surveyId: string;
    try {
      if (!config) throw new QualtricsInputError("qualtrics", "no Qualtrics configuration node is selected, or it is disabled");
      // a configuration whose Redis URL is unusable runs nothing uncoordinated: its error is this node's
      config.coordination();
      // the survey is fixed (text, the picker or an environment variable): with no input there is no msg to read it from
      const t = typed(def as unknown as Record<string, unknown>, "surveyId");
      const value = t.type === "env" ? RED.util.evaluateNodeProperty(t.value, "env", node, {} as Msg) : t.value;
      surveyId = requireId("surveyId", value, responsePollSpec.ids.surveyId);
      if (def.start === "date") {
        startDate = optionalDate("startDate", def.startDate);
        if (!startDate) throw new QualtricsInputError("startDate", "is required when the first poll starts from a date");
      }
    } catch (err) {
      node.error(errorText(inDialogTerms(RED, node.type, err)));
      status.refusedSetup(err, Boolean(config));
      return;
    }

    if (bookmarkIsVolatile(RED)) node.log(RED._("qualtrics-response-poll.log.memoryContext"));
    status.show("grey", "ring", "waiting");

    function tick(): void {
      // one poll at a time: a slow export makes the next tick wait for the one after
      if (running || closed) {
        if (running) node.debug(RED._("qualtrics-response-poll.log.skipped"));
        return;
      }
      // one replica at a time (with coordination "redis"); a tick that does not get the lease skips
      running = Promise.resolve()
        .then(() => config!.coordination().lease(`poll:${node.id}`).run((held) => poll(held)))
        .then((r) => {
          if (!r.ran) node.debug(RED._("qualtrics-response-poll.log.skipped"));
        })
        .catch((err) => node.debug(asError(err).message))
        .finally(() => (running = undefined));
    }

    async function poll(held: Held): Promise<void> {
      const lost = held.lost;
      const own = new AbortController();
      abort = own;
      // a lease lost to another replica stops the export: its responses are that replica's now
      const onLost = () => own.abort(lost.reason);
      lost.addEventListener("abort", onLost, { once: true });
      const signal = own.signal;
      const errMsg = { _msgid: RED.util.generateId(), surveyId } as unknown as Msg;
      try {
        const client = config!.client();
        const topic = `surveyengine.completedResponse.${surveyId}`;
        const count = await exportNewResponses(RED, node, {
          client,
          surveyId,
          signal,
          status,
          startDate,
          shared: sharedBookmarks(config!, `poll:${node.id}`, held),
          each(item, run) {
            const responseId = typeof item.responseId === "string" ? item.responseId : undefined;
            const msg = {
              _msgid: RED.util.generateId(),
              topic,
              payload: item,
              event: { topic, surveyId, responseId, completedDate: completedDate(item) },
            } as unknown as Msg;
            record(msg, { requestId: run.final.requestId, statusCode: run.download.statusCode });
            node.send(msg);
          },
        });
        status.show("green", "dot", "polled", { time: clock(), count });
      } catch (raw) {
        if (closed && signal.aborted) return;
        const err = asError(raw);
        recordFailure(errMsg, err, config ? config.redact : undefined);
        status.show("red", "ring", "pollFailed", { time: clock() });
        // once per failing poll, with a message so a Catch node sees it; the timer goes on
        node.error(inDialogTerms(RED, node.type, err), errMsg);
      } finally {
        lost.removeEventListener("abort", onLost);
      }
    }

    // the first poll right away, not one interval after the deploy, once the nodes it sends to exist
    trigger.whenFlowsStarted(() => {
      if (closed) return;
      timer = setInterval(tick, intervalS * 1000);
      tick();
    });

    trigger.register();
    trigger.onClose(async (removed) => {
      closed = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      const current = running;
      if (current) {
        await withinGrace(current, CLOSE_GRACE_MS);
        abort?.abort(new Error("the node was closed"));
        await current.catch(() => undefined);
      }
      // after the poll: one that finished in the grace period has written its bookmark by now
      if (removed) await forgetBookmarks(RED, node.id);
    });
  }

  RED.nodes.registerType("qualtrics-response-poll", QualtricsResponsePoll as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1], {
    settings: {
      qualtricsResponsePollMinInterval: { value: MIN_INTERVAL_S, exportable: false },
    },
  });
}
