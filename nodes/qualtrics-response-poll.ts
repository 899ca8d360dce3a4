// A trigger on new survey responses for brands without a brand administrator (who alone may
// register event subscriptions): every interval, an export with allowContinuation picks up where
// the last one ended (docs/qualtrics-api.md §7.2-§7.4). The continuation token is the bookmark, kept in
// the node's context and moved on only after every response of an export was sent, so a restart
// neither repeats nor misses responses. When Qualtrics refuses the token, the poll goes on from the
// bookmark's date (nodes/lib/continuation.ts).
import { QualtricsInputError, errorText } from "../src/errors";
import { exportBody, exportedResponses } from "../src/export";
import { isPlainObject } from "../src/safe-object";
import { optionalDate, requireId } from "../src/validate";
import { bookmarkIsVolatile, forgetBookmarks, readBookmark, writeBookmark } from "./lib/bookmark";
import { exportFromBookmark, SentResponses } from "./lib/continuation";
import { exportLimits, exportPollDelay, runExport } from "./lib/export-run";
import { asError, configOf, record, recordFailure } from "./lib/qualtrics-node";
import { inDialogTerms } from "./lib/field-label";
import { NodeStatus } from "./lib/status";
import { typed } from "./lib/typed-input";
import type { Msg, Node, NodeAPI, NodeDef } from "./lib/types";
import { dialogValue } from "./lib/dialog-number";

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
/** how long a running poll may finish when the node closes, before it is aborted */
const CLOSE_GRACE_MS = 10_000;
/** a poll's own limit for the export to complete */
const EXPORT_TIMEOUT_MS = 10 * 60_000;

function clock(d = new Date()): string {
  return d.toTimeString().slice(0, 8);
}

/** the response's completion time: values.endDate, else values.recordedDate (§6.5) */
function completedDate(response: Record<string, unknown>): string | undefined {
  const v = isPlainObject(response.values) ? response.values : {};
  for (const k of ["endDate", "recordedDate"]) if (typeof v[k] === "string" && v[k]) return v[k] as string;
  return undefined;
}

export default function (RED: NodeAPI): void {
  function QualtricsResponsePoll(this: Node, def: ResponsePollDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const status = new NodeStatus(RED, node);
    const config = configOf(RED, def.qualtrics);
    const settings = RED.settings as unknown as Record<string, unknown>;
    // settings.js may lower the minimum (tests, a sandbox); never below one second
    const minInterval = Math.max(1, Number(settings.qualtricsResponsePollMinInterval) || MIN_INTERVAL_S);
    const pollDelayMs = exportPollDelay(RED);
    const limits = exportLimits(RED);
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
      // the survey is fixed (text, the picker or an environment variable): with no input there is no msg to read it from
      const t = typed(def as unknown as Record<string, unknown>, "surveyId");
      const value = t.type === "env" ? RED.util.evaluateNodeProperty(t.value, "env", node, {} as Msg) : t.value;
      surveyId = requireId("surveyId", value, "survey");
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
      running = poll().finally(() => (running = undefined));
    }

    async function poll(): Promise<void> {
      abort = new AbortController();
      const signal = abort.signal;
      const errMsg = { _msgid: RED.util.generateId(), surveyId } as unknown as Msg;
      try {
        const client = config!.client();
        let bookmark = await readBookmark(RED, node, surveyId);
        if (!bookmark) {
          // the first poll: where the responses start is kept at once, so a restart before the
          // first export completes still starts there
          const since = startDate ?? new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
          await writeBookmark(RED, node, { surveyId, since });
          bookmark = { surveyId, since, updated: "" };
        }
        const from = await exportFromBookmark(RED, node, bookmark, (b) => {
          const body = b.continuationToken
            ? exportBody({ format: "json", compress: false, continuationToken: b.continuationToken })
            : exportBody({ format: "json", compress: false, allowContinuation: true, startDate: b.since });
          return runExport({ client, surveyId, body, signal, timeoutMs: EXPORT_TIMEOUT_MS, pollDelayMs, status, needsToken: true, limits });
        });
        const run = from.run;
        const topic = `surveyengine.completedResponse.${surveyId}`;
        // responses sent before (after a refused token the export starts a little earlier) or twice in this export go out once
        const sent = new SentResponses(from.bookmark.sent);
        let count = 0;
        const reading = { signal, maxRecordBytes: limits.maxRecordBytes, limitHint: limits.recordHint };
        for await (const item of exportedResponses(run.download.chunks, "json", reading)) {
          if (!isPlainObject(item) || !sent.take(item)) continue;
          const responseId = typeof item.responseId === "string" ? item.responseId : undefined;
          const msg = {
            _msgid: RED.util.generateId(),
            topic,
            payload: item,
            event: { topic, surveyId, responseId, completedDate: completedDate(item) },
          } as unknown as Msg;
          record(msg, { requestId: run.final.requestId, statusCode: run.download.statusCode });
          node.send(msg);
          count++;
        }
        // every response of this export is out: the next poll starts after them
        await writeBookmark(RED, node, sent.next(from.bookmark, surveyId, from.startedAt, run.final.continuationToken));
        status.show("green", "dot", "polled", { time: clock(), count });
      } catch (raw) {
        if (closed && signal.aborted) return;
        const err = asError(raw);
        recordFailure(errMsg, err, config ? config.redact : undefined);
        status.show("red", "ring", "pollFailed", { time: clock() });
        // once per failing poll, with a message so a Catch node sees it; the timer goes on
        node.error(inDialogTerms(RED, node.type, err), errMsg);
      }
    }

    timer = setInterval(tick, intervalS * 1000);
    // the first poll right away, not one interval after the deploy
    setImmediate(tick);

    node.on("close", (removed: boolean, done: () => void) => {
      closed = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      const finish = () => {
        // after the poll: one that finished in the grace period has written its bookmark by now
        void (removed ? forgetBookmarks(RED, node.id) : Promise.resolve()).finally(() => {
          status.dispose();
          done();
        });
      };
      const current = running;
      if (!current) return finish();
      let grace: NodeJS.Timeout | undefined;
      void Promise.race([current, new Promise<void>((r) => (grace = setTimeout(r, CLOSE_GRACE_MS)))])
        .then(() => {
          clearTimeout(grace);
          abort?.abort(new Error("the node was closed"));
          return current;
        })
        .catch(() => undefined)
        .finally(finish);
    });
  }

  RED.nodes.registerType("qualtrics-response-poll", QualtricsResponsePoll as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1], {
    settings: {
      qualtricsResponsePollMinInterval: { value: MIN_INTERVAL_S, exportable: false },
    },
  });
}
