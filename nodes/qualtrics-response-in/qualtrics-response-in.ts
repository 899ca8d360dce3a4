// A trigger on Qualtrics events, served by Node-RED's own HTTP server. It can register its own
// event subscription (and remove it when the node is removed) and checks the HMAC. An event is
// answered 200 only once it is in the delivery journal (nodes/lib/coordination): its message,
// with the full response fetched when asked, is built from the journal, so a restart between the
// answer and the message (or during the fetch) emits it then. Catch-up exports the survey's
// responses every few minutes and journals those no webhook brought.
import type { Request, Response } from "express";
import { QualtricsInputError, errorText } from "../../src/errors";
import { getResponse } from "../../src/responses";
import { deploymentOf, readMarkSegment } from "../../src/publication-url";
import { type EnsureResult, checkPublicationUrl, ensureSubscription, keyFingerprint, markedUrl, removeSubscription } from "../../src/subscriptions";
import { optionalId } from "../../src/validate";
import { responseInSpec } from "./spec";
import { WebhookFormatError, formFields, parseWebhook, responseKey, verifyHmac, type WebhookEvent } from "../../src/webhook";
import { isPlainObject } from "../../src/safe-object";
import { localCoordination } from "../lib/coordination/local";
import type { Coordination, DeliveryJournal, Emitted, JournalEntry } from "../lib/coordination/types";
import { messageSettling } from "../lib/message-settling";
import { completedDate, exportNewResponses, startBookmark } from "../lib/new-responses";
import { forgetBookmarks, sharedBookmarks } from "../lib/bookmark";
import { unresolvedEnvVar } from "../lib/env-credential";
import { BodyTooLargeError, nodeRoot, normalisePath, readBody } from "../lib/http-route";
import { TriggerRoutes } from "../lib/trigger-routes";
import { asError, record, recordFailure, setupTrigger, withinGrace } from "../lib/qualtrics-node";
import { inDialogTerms } from "../lib/field-label";
import type { Msg, Node, NodeAPI, NodeDef, QualtricsConfigNode } from "../lib/types";
import { dialogNumber } from "../lib/dialog-number";
import { rememberSubscriber, underSubscriptionsLease } from "../lib/subscription-owners";

export interface ResponseInDef extends NodeDef {
  qualtrics?: string;
  surveyId?: string;
  topic?: string;
  path?: string;
  autoRegister?: boolean;
  publicBaseUrl?: string;
  fetchResponse?: boolean;
  dedupeSeconds?: number | string;
  maxBodyKb?: number | string;
  catchUpMinutes?: number | string;
}

/** events recorded and not yet emitted, at most: beyond, a delivery is answered 503 (Qualtrics' to repeat, catch-up's to find) */
export const MAX_PENDING = 10_000;
/** pending entries from which the status shows them */
const BACKLOG = 50;
/** how long a trigger's close waits for the registration and for messages being built */
const TRIGGER_GRACE_MS = 5000;
/** a message the flow has not finished with after this long counts as handled (a node that keeps messages, or never calls done) */
const SETTLE_MAX_MS = 60_000;

/** what a journal entry keeps of an event, to build its message after a restart */
interface EventInfo {
  topic: string;
  brandId?: string;
  surveyId?: string;
  responseId?: string;
  completedDate?: string;
  fields: Record<string, unknown>;
}

function infoOf(event: WebhookEvent): EventInfo {
  const { topic, brandId, surveyId, responseId, completedDate, fields } = event;
  return { topic, brandId, surveyId, responseId, completedDate, fields };
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);

/** the event of a journal entry; a file edited by hand is read as far as it makes sense */
function infoFrom(data: Record<string, unknown>): EventInfo {
  const e = isPlainObject(data.event) ? data.event : {};
  return {
    topic: text(e.topic) ?? "",
    brandId: text(e.brandId),
    surveyId: text(e.surveyId),
    responseId: text(e.responseId),
    completedDate: text(e.completedDate),
    fields: isPlainObject(e.fields) ? e.fields : {},
  };
}

interface ResponseInNode extends Node<{ sharedKey?: string }> {}

/**
 * what this node registered, kept across redeploys so a changed path, topic or account removes the
 * old one; `config` is the configuration node instance it was made through, whose credentials
 * delete it even after that instance has closed
 */
interface Registration {
  id: string;
  url: string;
  topics: string;
  config: QualtricsConfigNode;
}
const registrations = new Map<string, Registration>();

/**
 * a subscription topic as a pattern: "*", "a.b.*" (prefix) or the exact topic. An empty topic
 * matches nothing: Qualtrics always names one (docs/qualtrics-facts.md §6.3)
 */
export function topicMatches(pattern: string, topic: string): boolean {
  if (!topic) return false;
  if (pattern === "*" || pattern === topic) return true;
  return pattern.endsWith(".*") && topic.startsWith(pattern.slice(0, -1));
}

function clock(d = new Date()): string {
  return d.toTimeString().slice(0, 8);
}

export default function (RED: NodeAPI): void {
  // a trigger without a configuration node still journals its deliveries
  let standalone: Coordination | undefined;
  const routes = new TriggerRoutes(RED);

  function QualtricsResponseIn(this: ResponseInNode, def: ResponseInDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const trigger = setupTrigger(RED, node, def);
    const { status, config } = trigger;
    const sharedKey = node.credentials?.sharedKey || undefined;
    // a key meant to come from the environment but that did not: nothing is accepted with it
    const keyVar = unresolvedEnvVar(RED, node, "sharedKey");
    const dedupeMs = dialogNumber(def.dedupeSeconds, 600, { min: 0 }) * 1000;
    const settings = RED.settings as unknown as Record<string, unknown>;
    // settings.js may shorten the period (tests, a sandbox); never below one second
    const minCatchUpS = Math.max(1, Number(settings.qualtricsResponseInCatchUpMinSeconds) || 60);
    const catchUpMinutes = dialogNumber(def.catchUpMinutes, 0, { min: 0 });
    const catchUpMs = catchUpMinutes > 0 ? Math.max(minCatchUpS * 1000, catchUpMinutes * 60_000) : 0;
    // a value that is not a number must not lift the cap
    const maxBody = dialogNumber(def.maxBodyKb, 256, { min: 1 }) * 1024;
    /** messages being built (a fetch of the full response), which a close lets finish */
    const emitting = new Set<Promise<unknown>>();
    /** messages sent whose flow is not done with them yet: how each ended is told to the journal */
    const inFlow = new Map<string, (how: "handled" | "again") => void>();
    const closing = new AbortController();
    // ends a registration still running when the node closes, so it cannot outlive the node
    const stopRegistering = new AbortController();
    let registering: Promise<void> = Promise.resolve();
    // the "received" status text is "__count__ received": events emitted since the node started
    let received = 0;

    let surveyId: string | undefined;
    let topics: string;
    try {
      surveyId = optionalId("surveyId", def.surveyId, responseInSpec.ids.surveyId);
      topics = (def.topic ?? "").trim() || (surveyId ? `surveyengine.completedResponse.${surveyId}` : "");
      if (!topics) throw new QualtricsInputError("surveyId", "is required unless a topic is given");
      if (catchUpMs && !surveyId) throw new QualtricsInputError("surveyId", "is required for catch-up, which exports the survey's responses (or set Catch up to 0)");
      if (catchUpMs && !config) throw new QualtricsInputError("qualtrics", "a Qualtrics configuration is needed for catch-up, which exports the survey's responses");
      // a configuration whose Redis URL is unusable runs nothing uncoordinated: its error is this node's
      config?.coordination();
    } catch (err) {
      node.error(errorText(inDialogTerms(RED, node.type, err)));
      // the trigger runs without a configuration too (it only needs one to register or fetch)
      status.refusedSetup(err, true);
      return;
    }

    if ((RED.settings as unknown as { httpNodeRoot?: unknown }).httpNodeRoot === false) {
      node.warn(RED._("qualtrics-response-in.warn.noHttpNode"));
      status.problem("noHttpNode");
      return;
    }

    const coordination = config ? config.coordination() : (standalone ??= localCoordination(RED));
    // with catch-up on, an emitted response is remembered over several catch-up periods and the
    // export's margin, so a response the webhook brought is not emitted again by the export
    const windowMs = catchUpMs ? Math.max(dedupeMs, 3 * catchUpMs + 10 * 60_000) : dedupeMs;
    const journalOptions = { scope: node.id, windowMs, maxPending: MAX_PENDING };
    const journal = coordination.journal(journalOptions);
    // an entry is finished when the flow is done with its message, so a kill in between re-emits it
    const settling = messageSettling(RED, SETTLE_MAX_MS);

    const path = normalisePath(def.path || "/qualtrics/responses");
    // deliveries also arrive at the path plus the segment that marks the subscription as ours
    const route = routes.serve(path, node.id, postInto(journal, true), { tail: (segment) => readMarkSegment(segment) !== undefined });
    // a second trigger on the same path would never see a delivery: Express gives it to the first
    if (!route.mine) node.warn(RED._("qualtrics-response-in.warn.samePath", { path: route.fullPath }));

    /** the route's handler, recording into `into`; `live` false: the node has closed (no status) */
    function postInto(into: DeliveryJournal, live: boolean) {
      return (req: Request, res: Response) => onPost(req, res, into, live);
    }

    async function onPost(req: Request, res: Response, into: DeliveryJournal, live: boolean): Promise<void> {
      if (keyVar) {
        res.status(503).send("Service Unavailable: the shared key is not configured");
        return;
      }
      let fields: Record<string, string>;
      try {
        fields = formFields(await readBody(req, maxBody));
      } catch (err) {
        if (err instanceof BodyTooLargeError) {
          res.status(413).send("Payload Too Large");
        } else {
          res.status(400).send("Bad Request");
        }
        return;
      }
      if (sharedKey && !verifyHmac(fields.MSG, fields.HMAC, sharedKey)) {
        // no detail to the caller; the flow author sees the status
        if (live) status.show("red", "ring", "badSignature");
        res.status(401).send("Unauthorized");
        return;
      }
      let event;
      try {
        event = parseWebhook(fields);
      } catch (err) {
        res.status(400).send(err instanceof WebhookFormatError ? err.message : "Bad Request");
        return;
      }
      // acknowledged without a message: events this trigger does not listen to
      if ((surveyId && event.surveyId && event.surveyId !== surveyId) || !topicMatches(topics, event.topic)) {
        res.status(200).send("OK");
        return;
      }
      // 200 only for what is on disk (or in Redis): what is not recorded is answered 503
      let result;
      try {
        result = await into.accept({ key: event.identity, source: "webhook", receivedAt: Date.now(), data: { event: infoOf(event) } });
      } catch (err) {
        if (live) status.show("red", "ring", "journalFailed");
        if (live) reportJournalFailure(err);
        res.status(503).send("Service Unavailable");
        return;
      }
      if (result === "full") {
        if (live) status.show("red", "ring", "journalFull", { pending: into.state().pending });
        res.status(503).send("Service Unavailable");
        return;
      }
      if (result === "duplicate") node.debug(`dropped a repeated delivery of ${event.responseId ?? "an event"}`);
      res.status(200).send("OK");
    }

    let journalWarned = false;
    function reportJournalFailure(err: unknown): void {
      if (journalWarned) return;
      journalWarned = true;
      node.warn(RED._("qualtrics-response-in.warn.journal", { error: asError(err).message }));
    }

    function showReceived(): void {
      const pending = journal.state().pending;
      // a few pending are a burst being handled; a backlog is worth showing. A status that switched
      // words with every message would cost an i18n lookup and an editor event each (nodes/lib/status.ts)
      if (pending >= BACKLOG) status.show("green", "dot", "receivedPending", { count: received, pending });
      else status.show("green", "dot", "received", { count: received });
    }

    /** builds and sends the message of a journal entry; rejects (the entry stays) only when the node is closing */
    async function emit(entry: JournalEntry): Promise<Emitted> {
      if (closing.signal.aborted) throw new Error("closed");
      const info = infoFrom(entry.data);
      const msg: Msg = {
        _msgid: RED.util.generateId(),
        topic: info.topic,
        payload: info.fields,
        event: { ...info, source: entry.source },
      } as Msg;
      const exported = isPlainObject(entry.data.response) ? entry.data.response : undefined;
      if (def.fetchResponse && exported) {
        // catch-up's export holds the response already, in the shape GET answers (docs/qualtrics-facts.md §6.5)
        msg.payload = exported;
      } else if (def.fetchResponse && info.responseId && info.surveyId) {
        try {
          await fetchInto(msg, info.surveyId, info.responseId);
        } catch (raw) {
          if (closing.signal.aborted) throw raw;
          const err = asError(raw);
          recordFailure(msg, err, config?.redact);
          status.show("red", "ring", "fetchFailed");
          // the event itself is on msg, so a Catch node can still act on it; the entry is finished
          node.error(inDialogTerms(RED, node.type, err), msg);
          return;
        }
      }
      received++;
      const id = msg._msgid;
      const settled = new Promise<"handled" | "again">((resolve) => inFlow.set(id, resolve));
      void settling.track(id).then(() => inFlow.get(id)?.("handled"));
      void settled.then(() => inFlow.delete(id));
      node.send(msg);
      showReceived();
      return { settled };
    }

    async function fetchInto(msg: Msg, sId: string, rId: string): Promise<void> {
      if (!config) throw new QualtricsInputError("qualtrics", "no Qualtrics configuration node is selected, so the response cannot be fetched");
      status.show("blue", "dot", "fetching");
      // a response may not be readable the moment its event arrives: a 404 is tried again, after
      // waits that follow the configuration's retry delay
      const res = await getResponse(config.client(), sId, rId, { notFoundRetries: 3, signal: closing.signal });
      msg.payload = res.result;
      record(msg, res);
    }

    // what the journal holds (from before a restart or a redeploy) goes out once the nodes it goes to exist
    trigger.whenFlowsStarted(() =>
      journal.start((entry) => {
        const work = emit(entry);
        emitting.add(work);
        void work.then(
          () => emitting.delete(work),
          () => emitting.delete(work),
        );
        return work;
      }),
    );

    // --- catch-up: the responses no webhook brought ---
    let catchUpTimer: NodeJS.Timeout | undefined;
    let catchingUp: Promise<void> = Promise.resolve();
    if (catchUpMs && surveyId && config) {
      const sId = surveyId;
      // the first catch-up starts from the first deploy, not from the survey's first response
      const lease = `catch-up:${node.id}`;
      catchingUp = coordination
        .lease(lease)
        .run((held) => startBookmark(RED, node, sId, undefined, sharedBookmarks(config, lease, held)))
        .then(() => undefined)
        .catch((err) => node.warn(asError(err).message));
      let running = false;
      catchUpTimer = setInterval(() => {
        // one run at a time: a slow export makes the next tick wait for the one after
        if (running) return;
        running = true;
        catchingUp = catchingUp.then(() => catchUp(config, sId)).finally(() => (running = false));
      }, catchUpMs);
    }

    async function catchUp(cfg: QualtricsConfigNode, sId: string): Promise<void> {
      if (closing.signal.aborted) return;
      const topic = `surveyengine.completedResponse.${sId}`;
      try {
        const lease = `catch-up:${node.id}`;
        await coordination.lease(lease).run(async (held) => {
          const signal = AbortSignal.any([closing.signal, held.lost]);
          await exportNewResponses(RED, node, {
            client: cfg.client(),
            surveyId: sId,
            signal,
            shared: sharedBookmarks(cfg, lease, held),
            async each(item) {
              const responseId = text(item.responseId);
              if (!responseId) return;
              const key = responseKey(sId, responseId);
              if (await journal.known(key)) return;
              const done = completedDate(item);
              const fields: Record<string, unknown> = { SurveyID: sId, ResponseID: responseId, ...(done ? { CompletedDate: done } : {}) };
              const data: Record<string, unknown> = { event: { topic, surveyId: sId, responseId, completedDate: done, fields } };
              if (def.fetchResponse) data.response = item;
              // "full" stops the run before the bookmark moves on: the next run exports them again
              if ((await journal.accept({ key, source: "catch-up", receivedAt: Date.now(), data })) === "full") {
                throw new Error(RED._("qualtrics-response-in.error.catchUpFull", { max: MAX_PENDING }));
              }
            },
          });
        });
      } catch (raw) {
        if (closing.signal.aborted) return;
        const err = asError(raw);
        status.show("red", "ring", "catchUpFailed", { time: clock() });
        node.error(inDialogTerms(RED, node.type, err), { _msgid: RED.util.generateId(), surveyId: sId } as unknown as Msg);
      }
    }

    // --- the event subscription ---
    const previous = registrations.get(node.id);
    const base = (def.publicBaseUrl ?? "").trim().replace(/\/+$/, "");
    // the same on every replica behind one address: their subscription is one and the same
    let deployment: string | undefined;
    try {
      if (def.autoRegister && base && !/[?#]/.test(base)) deployment = deploymentOf(base, nodeRoot(RED));
    } catch {
      // not a URL: register() says so, naming the field
    }
    // before the flows have started, so the orphan sweep of the configuration spares it
    trigger.register({ deployment });
    if (keyVar) {
      // nothing registered or removed with a key that is not the one meant, until it is set
      status.show("red", "ring", "sharedKeyEnv", { name: keyVar });
      node.error(RED._("qualtrics-response-in.error.sharedKeyEnv", { name: keyVar }));
    } else if (def.autoRegister) {
      registering = register().catch((err) => {
        if (stopRegistering.signal.aborted) return;
        const e = inDialogTerms(RED, node.type, asError(err));
        status.show("red", "ring", "notRegistered");
        const hint = (e as { statusCode?: number }).statusCode === 403 ? RED._("qualtrics-response-in.error.notAdmin") : "";
        node.error(RED._("qualtrics-response-in.error.register", { error: e.message, hint }));
      });
    } else if (previous) {
      // registration was switched off: the subscription we made before goes
      registering = unregister(previous)
        .then(() => status.show("grey", "ring", "listening", { path: route.fullPath }))
        .catch((e) => node.warn(asError(e).message));
    } else {
      status.show("grey", "ring", "listening", { path: route.fullPath });
    }

    async function register(): Promise<void> {
      if (!config) throw new QualtricsInputError("qualtrics", "a Qualtrics configuration is needed to register the subscription");
      if (!base) throw new QualtricsInputError("publicBaseUrl", "is needed to register the subscription (the address Qualtrics can reach)");
      if (/[?#]/.test(base)) throw new QualtricsInputError("publicBaseUrl", "must not have a query or #fragment: the path is added to it");
      const target = checkPublicationUrl(base + nodeRoot(RED) + path);
      if (!deployment) throw new QualtricsInputError("publicBaseUrl", `"${base.slice(0, 80)}" is not a URL`);
      const owner = { deployment, flow: (node as { z?: string }).z || undefined, config: config.id, node: node.id };
      const fingerprint = sharedKey ? keyFingerprint(sharedKey, config.accountSecret()) : undefined;
      // who made it and for which key, in the path: a server that rewrites the query cannot lose it
      const publicationUrl = markedUrl(target, { owner, fingerprint });
      status.show("yellow", "ring", "registering");
      const client = config.client();
      const same = previous && previous.url === publicationUrl && previous.topics === topics && previous.config.id === config.id;
      if (previous && !same) {
        await unregister(previous, stopRegistering.signal).catch((e) => node.warn(asError(e).message));
      }
      // one registration at a time per configuration, across replicas: the second finds the first's
      const result = await underSubscriptionsLease(
        config,
        () => ensureSubscription(client, { publicationUrl, topics, sharedKey }, stopRegistering.signal, { reuse: same ? previous.id : undefined }),
        stopRegistering.signal,
      );
      registrations.set(node.id, { id: result.id, url: publicationUrl, topics, config });
      await rememberSubscriber(RED, config.id, deployment).catch((e) => node.debug(asError(e).message));
      if (result.removed.length) node.log(RED._("qualtrics-response-in.log.removedOld", { ids: result.removed.join(", ") }));
      node.log(RED._(result.created ? "qualtrics-response-in.log.created" : "qualtrics-response-in.log.reused", { id: result.id, topics }));
      reportStored(result, publicationUrl);
      status.show("green", "dot", "registered");
    }

    /** says how Qualtrics stored the URL of a subscription just made, loudly when our mark did not survive */
    function reportStored(result: EnsureResult, sent: string): void {
      const check = result.check;
      if (!check || check.verdict === "verbatim") return;
      const args = { id: result.id, sent, stored: check.stored ?? "" };
      if (check.verdict === "lost") node.warn(RED._("qualtrics-response-in.warn.urlLost", args));
      else if (check.verdict === "equivalent") node.debug(RED._("qualtrics-response-in.log.urlEquivalent", args));
      else node.debug(`could not read subscription ${result.id} back: ${errorText(check.error)}`);
    }

    async function unregister(reg: Registration, signal?: AbortSignal): Promise<void> {
      registrations.delete(node.id);
      // through the account that made it: after a switch to another configuration the new account
      // would answer 404 and the old subscription would stay
      const { client, release } = reg.config.borrowClient();
      try {
        await removeSubscription(client, reg.id, signal);
      } finally {
        await release();
      }
      node.log(RED._("qualtrics-response-in.log.deleted", { id: reg.id }));
    }

    trigger.onClose(async (removed) => {
      // a stop or a redeploy cuts the flows short: what they were still working on is sent again to
      // the next instance (a node that was removed has none: its messages count as handled)
      for (const tell of [...inFlow.values()]) tell(removed ? "handled" : "again");
      if (removed) {
        routes.release(route.fullPath, node.id);
      } else {
        // a redeploy or a stop: the nodes this one is wired to are closing too, so a message sent
        // now would go nowhere; what is being built stays in the journal for the next instance
        closing.abort(new Error("closed"));
        // the route keeps answering (into this node's journal) until the new instance takes it
        // over; a handle of its own keeps the journal open that long
        const keep = coordination.journal(journalOptions);
        routes.release(route.fullPath, node.id, { post: postInto(keep, false), end: () => keep.close(false) });
      }
      if (catchUpTimer) clearInterval(catchUpTimer);
      // a registration gets a grace period; one that hangs would hold up the close past
      // Node-RED's close timeout and then race the next instance into a duplicate subscription
      await withinGrace(registering, TRIGGER_GRACE_MS);
      stopRegistering.abort(new Error("closed"));
      await registering;
      // a removed node's messages being built may finish; its journal goes with it
      await withinGrace(Promise.allSettled([...emitting]), TRIGGER_GRACE_MS);
      closing.abort(new Error("closed"));
      await Promise.allSettled([...emitting, catchingUp]);
      await journal.close(removed);
      if (removed) await forgetBookmarks(RED, node.id);
      const reg = registrations.get(node.id);
      if (removed && reg) await unregister(reg);
    });
  }

  RED.nodes.registerType("qualtrics-response-in", QualtricsResponseIn as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1], {
    credentials: { sharedKey: { type: "password" } },
    settings: {
      qualtricsResponseInCatchUpMinSeconds: { value: 60, exportable: false },
    },
  });
}
