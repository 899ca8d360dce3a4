// A trigger on Qualtrics events, served by Node-RED's own HTTP server. It can register its own
// event subscription (and remove it when the node is removed), checks the HMAC, answers at once
// and can then fetch the full response.
import type { Request, Response } from "express";
import { QualtricsInputError, errorText } from "../src/errors";
import { getResponse } from "../src/responses";
import { readMarkSegment } from "../src/publication-url";
import { type EnsureResult, checkPublicationUrl, ensureSubscription, keyFingerprint, markedUrl, removeSubscription } from "../src/subscriptions";
import { optionalId } from "../src/validate";
import { WebhookFormatError, formFields, parseWebhook, verifyHmac } from "../src/webhook";
import { DeliveryMemory } from "./lib/delivery-memory";
import { unresolvedEnvVar } from "./lib/env-credential";
import { BodyTooLargeError, RouteHandle, addRoute, nodeRoot, normalisePath, readBody } from "./lib/http-route";
import { asError, configOf, record, recordFailure } from "./lib/qualtrics-node";
import { inDialogTerms } from "./lib/field-label";
import { NodeStatus } from "./lib/status";
import type { Msg, Node, NodeAPI, NodeDef, QualtricsConfigNode } from "./lib/types";
import { dialogNumber } from "./lib/dialog-number";
import { claimSubscription, ownerFor, releaseSubscription, rememberSubscriber } from "./lib/subscription-owners";

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
/** which node serves a path, to warn about a second one */
const routeOwners = new Map<string, string>();

/**
 * a subscription topic as a pattern: "*", "a.b.*" (prefix) or the exact topic. An empty topic
 * matches nothing: Qualtrics always names one (docs/qualtrics-api.md §6.3)
 */
export function topicMatches(pattern: string, topic: string): boolean {
  if (!topic) return false;
  if (pattern === "*" || pattern === topic) return true;
  return pattern.endsWith(".*") && topic.startsWith(pattern.slice(0, -1));
}

/** waits for the work, or for ms, whichever is first */
function graceful(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work.then(() => undefined, () => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}

export default function (RED: NodeAPI): void {
  function QualtricsResponseIn(this: ResponseInNode, def: ResponseInDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const status = new NodeStatus(RED, node);
    const config = configOf(RED, def.qualtrics);
    const sharedKey = node.credentials?.sharedKey || undefined;
    // a key meant to come from the environment but that did not: nothing is accepted with it
    const keyVar = unresolvedEnvVar(RED, node, "sharedKey");
    let memoryFailed = false;
    const seen = new DeliveryMemory(RED, node.id, dialogNumber(def.dedupeSeconds, 600, { min: 0 }) * 1000, (err) => {
      if (memoryFailed) return;
      memoryFailed = true;
      node.warn(RED._("qualtrics-response-in.warn.memory", { error: asError(err).message }));
    });
    // a value that is not a number must not lift the cap
    const maxBody = dialogNumber(def.maxBodyKb, 256, { min: 1 }) * 1024;
    const followUps = new Set<Promise<void>>();
    const closing = new AbortController();
    // ends a registration still running when the node closes, so it cannot outlive the node
    const stopRegistering = new AbortController();
    let route: RouteHandle | undefined;
    let registering: Promise<void> = Promise.resolve();
    // the "received" status text is "__count__ received": events emitted since the node started
    let received = 0;

    let surveyId: string | undefined;
    let topics: string;
    try {
      surveyId = optionalId("surveyId", def.surveyId, "survey");
      topics = (def.topic ?? "").trim() || (surveyId ? `surveyengine.completedResponse.${surveyId}` : "");
      if (!topics) throw new QualtricsInputError("surveyId", "is required unless a topic is given");
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

    const path = normalisePath(def.path || "/qualtrics/responses");
    // deliveries also arrive at the path plus the segment that marks the subscription as ours
    route = addRoute(RED, path, { post: onPost }, { tail: (segment) => readMarkSegment(segment) !== undefined });
    // a second trigger on the same path would never see a delivery: Express gives it to the first
    const owner = routeOwners.get(route.fullPath);
    if (owner && owner !== node.id) node.warn(RED._("qualtrics-response-in.warn.samePath", { path: route.fullPath }));
    else routeOwners.set(route.fullPath, node.id);

    async function onPost(req: Request, res: Response): Promise<void> {
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
        status.show("red", "ring", "badSignature");
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
      // Qualtrics only needs to know it arrived: acknowledge before any follow-up call
      res.status(200).send("OK");

      if (surveyId && event.surveyId && event.surveyId !== surveyId) return;
      if (!topicMatches(topics, event.topic)) return;
      await seen.ready;
      if (!seen.firstTime(event.identity)) {
        node.debug(`dropped a repeated delivery of ${event.responseId ?? "an event"}`);
        return;
      }
      const msg: Msg = {
        _msgid: RED.util.generateId(),
        topic: event.topic,
        payload: event.fields,
        event: {
          topic: event.topic,
          brandId: event.brandId,
          surveyId: event.surveyId,
          responseId: event.responseId,
          completedDate: event.completedDate,
          fields: event.fields,
        },
      } as Msg;
      if (!def.fetchResponse || !event.responseId || !event.surveyId) {
        status.show("green", "dot", "received", { count: ++received });
        node.send(msg);
        return;
      }
      const work = fetchAndSend(msg, event.surveyId, event.responseId);
      followUps.add(work);
      void work.finally(() => followUps.delete(work));
    }

    async function fetchAndSend(msg: Msg, sId: string, rId: string): Promise<void> {
      try {
        if (!config) throw new QualtricsInputError("qualtrics", "no Qualtrics configuration node is selected, so the response cannot be fetched");
        status.show("blue", "dot", "fetching");
        // a response may not be readable the moment its event arrives: a 404 is tried again, after
        // waits that follow the configuration's retry delay
        const res = await getResponse(config.client(), sId, rId, { notFoundRetries: 3, signal: closing.signal });
        msg.payload = res.result;
        record(msg, res);
        status.show("green", "dot", "received", { count: ++received });
        node.send(msg);
      } catch (raw) {
        const err = asError(raw);
        recordFailure(msg, err, config?.redact);
        status.show("red", "ring", "fetchFailed");
        // the event itself is on msg, so a Catch node can still act on it
        node.error(inDialogTerms(RED, node.type, err), msg);
      }
    }

    // --- the event subscription ---
    const previous = registrations.get(node.id);
    if (def.autoRegister && config) {
      // before the flows have started, so the orphan sweep of the configuration spares it
      claimSubscription(node.id, config.id);
    }
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
        .then(() => status.show("grey", "ring", "listening", { path: route!.fullPath }))
        .catch((e) => node.warn(asError(e).message));
    } else {
      status.show("grey", "ring", "listening", { path: route.fullPath });
    }

    async function register(): Promise<void> {
      if (!config) throw new QualtricsInputError("qualtrics", "a Qualtrics configuration is needed to register the subscription");
      const base = (def.publicBaseUrl ?? "").trim().replace(/\/+$/, "");
      if (!base) throw new QualtricsInputError("publicBaseUrl", "is needed to register the subscription (the address Qualtrics can reach)");
      if (/[?#]/.test(base)) throw new QualtricsInputError("publicBaseUrl", "must not have a query or #fragment: the path is added to it");
      const owner = ownerFor(RED, config.id, node.id);
      const target = checkPublicationUrl(base + nodeRoot(RED) + path);
      const fingerprint = sharedKey ? keyFingerprint(sharedKey, config.accountSecret()) : undefined;
      // who made it and for which key, in the path: a server that rewrites the query cannot lose it
      const publicationUrl = markedUrl(target, { owner, fingerprint });
      status.show("yellow", "ring", "registering");
      const client = config.client();
      const same = previous && previous.url === publicationUrl && previous.topics === topics && previous.config.id === config.id;
      if (previous && !same) {
        await unregister(previous, stopRegistering.signal).catch((e) => node.warn(asError(e).message));
      }
      const result = await ensureSubscription(client, { publicationUrl, topics, sharedKey }, stopRegistering.signal, { reuse: same ? previous.id : undefined });
      registrations.set(node.id, { id: result.id, url: publicationUrl, topics, config });
      if (owner) await rememberSubscriber(RED, config.id).catch((e) => node.debug(asError(e).message));
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

    node.on("close", (removed: boolean, done: () => void) => {
      // a node that comes back claims its subscription again when it starts
      releaseSubscription(node.id);
      if (route && routeOwners.get(route.fullPath) === node.id) routeOwners.delete(route.fullPath);
      route?.remove();
      route = undefined;
      const finish = () => {
        status.dispose();
        done();
      };
      void (async () => {
        try {
          // a registration gets a grace period; one that hangs would hold up the close past
          // Node-RED's close timeout and then race the next instance into a duplicate subscription
          await graceful(registering, 5000);
          stopRegistering.abort(new Error("closed"));
          await registering;
          await graceful(Promise.allSettled([...followUps]), 5000);
          closing.abort(new Error("closed"));
          await seen.close(removed);
          const reg = registrations.get(node.id);
          if (removed && reg) await unregister(reg);
        } catch (err) {
          node.warn(asError(err).message);
        }
      })().finally(finish);
    });
  }

  RED.nodes.registerType("qualtrics-response-in", QualtricsResponseIn as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1], {
    credentials: { sharedKey: { type: "password" } },
  });
}
