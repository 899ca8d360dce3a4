// Outgoing webhook POSTs, as Qualtrics sends them (docs/qualtrics-facts.md §6.3, §6.4).
import { createHmac } from "node:crypto";
import * as http from "node:http";
import { SandboxState, SubscriptionRecord } from "./state";

/** HMAC = lowercase hex(HMAC-SHA512(key = UTF-8 bytes of sharedKey, message = the MSG text exactly as sent)). */
export function signMessage(sharedKey: string, msg: string): string {
  return createHmac("sha512", Buffer.from(sharedKey, "utf8")).update(msg, "utf8").digest("hex");
}

/** Subscription `topics` is one string; `*` matches anything ("surveyengine.*", "*"). */
export function topicMatches(pattern: string, topic: string): boolean {
  const source = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${source}$`).test(topic);
}

export interface Delivery {
  subscriptionId: string;
  url: string;
  status: number | null;
  error?: string;
}

export interface CompletedEvent {
  surveyId: string;
  responseId: string;
  recipientId: string;
  distributionId: string;
  /** "YYYY-MM-DD HH:MM:SS" */
  completedDate: string;
}

/** The MSG JSON text. Field order as in the real capture ([COMM]); CreatorID/DistributionChannel left out. */
export function completedMessage(brandId: string, e: CompletedEvent): string {
  return JSON.stringify({
    Status: "Complete",
    SurveyID: e.surveyId,
    RecipientID: e.recipientId,
    ResponseEventContext: "",
    DistributionID: e.distributionId,
    ResponseID: e.responseId,
    CompletedDate: e.completedDate,
    BrandID: brandId,
  });
}

/** The form body for one subscription: Topic, MSG and (with a sharedKey) HMAC. */
export function webhookForm(brandId: string, event: string, msg: string, sharedKey: string | null): URLSearchParams {
  const form = new URLSearchParams();
  form.set("Topic", `${brandId}.${event}`);
  form.set("MSG", msg);
  if (sharedKey !== null) form.set("HMAC", signMessage(sharedKey, msg));
  return form;
}

/** POSTs a form with node:http; resolves with the HTTP status. Only http:// targets (no node:https here). */
export function postForm(target: string, form: URLSearchParams, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      reject(new Error(`invalid publicationUrl: ${target}`));
      return;
    }
    if (url.protocol !== "http:") {
      reject(new Error(`the sandbox only delivers to http:// URLs, not ${url.protocol}//`));
      return;
    }
    const payload = Buffer.from(form.toString(), "utf8");
    const req = http.request(
      {
        method: "POST",
        hostname: url.hostname.replace(/^\[|\]$/g, ""),
        port: url.port || 80,
        path: `${url.pathname}${url.search}`,
        agent: false,
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Content-Length": String(payload.length),
          "User-Agent": "qualtrics-sandbox-webhook/1.0",
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          clearTimeout(timer);
          resolve(res.statusCode ?? 0);
        });
        res.on("error", (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(payload);
  });
}

async function deliverOne(state: SandboxState, sub: SubscriptionRecord, event: string, msg: string, timeoutMs: number, drop: () => boolean): Promise<Delivery> {
  const base = { subscriptionId: sub.id, url: sub.publicationUrl };
  if (drop()) return { ...base, status: null, error: "dropped by the sandbox (faults.webhookDropRate); nothing was sent" };
  if (sub.encrypted) {
    // UNCONFIRMED (docs/qualtrics-facts.md §6.2, §12.3): the encrypt:true algorithm is unknown, so the sandbox does not deliver.
    return { ...base, status: null, error: "encrypt:true is not simulated by the sandbox (algorithm UNCONFIRMED); nothing was sent" };
  }
  try {
    const status = await postForm(sub.publicationUrl, webhookForm(state.brandId, event, msg, sub.sharedKey), timeoutMs);
    if (status >= 200 && status < 300) sub.successfulCalls += 1;
    return { ...base, status };
  } catch (err) {
    return { ...base, status: null, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Sends `surveyengine.completedResponse.<SurveyID>` to every matching subscription, in parallel.
 * // UNCONFIRMED (docs/qualtrics-facts.md §6.3): no retries are made (Qualtrics' retry policy is unknown).
 */
export async function fireCompletedResponse(state: SandboxState, e: CompletedEvent, timeoutMs: number, drop: () => boolean = () => false): Promise<Delivery[]> {
  const event = `surveyengine.completedResponse.${e.surveyId}`;
  const msg = completedMessage(state.brandId, e);
  const targets = [...state.subscriptions.values()].filter((s) => topicMatches(s.topics, event));
  return Promise.all(targets.map((s) => deliverOne(state, s, event, msg, timeoutMs, drop)));
}
