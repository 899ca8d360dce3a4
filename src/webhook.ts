// The event Qualtrics POSTs to a subscription's publicationUrl (docs/qualtrics-facts.md §6.3, §6.4):
// form fields Topic (brand-prefixed), MSG (JSON text) and HMAC (hex HMAC-SHA512 of MSG).
import { createHmac, timingSafeEqual } from "node:crypto";
import { isForbiddenKey, isPlainObject, safeJsonParse, sanitize } from "./safe-object";

export interface WebhookEvent {
  /** the topic without the brand prefix, e.g. surveyengine.completedResponse.SV_x */
  topic: string;
  /** Topic exactly as received */
  rawTopic: string;
  brandId?: string;
  surveyId?: string;
  responseId?: string;
  completedDate?: string;
  /** the event's own fields: MSG parsed, or the flat form fields when there is no MSG */
  fields: Record<string, unknown>;
  /**
   * What tells this event from others, taken from MSG (what the HMAC covers) and never from Topic,
   * which anyone who saw one delivery can change: JSON ["response", survey, response] when MSG
   * names a response (the key catch-up builds from an export, so either path dedupes the other),
   * else MSG's text (the flat fields when there is no MSG)
   */
  identity: string;
  /** MSG as sent, the text the HMAC covers */
  msgText?: string;
  hmac?: string;
}

export class WebhookFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookFormatError";
  }
}

// event namespaces seen in topics (§6.2); what stands before one of them is the brand ID
const NAMESPACES = ["surveyengine", "controlpanel", "threesixty", "xmdirectory", "distribution", "ticketing"];

/** Form fields as plain strings; anything else a body parser made of them is dropped. */
export function formFields(body: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (body instanceof URLSearchParams) {
    for (const [k, v] of body) if (!isForbiddenKey(k)) out[k] = v;
    return out;
  }
  if (isPlainObject(body) || (typeof body === "object" && body !== null && Object.getPrototypeOf(body) === null)) {
    for (const k of Object.keys(body as object)) {
      const v = (body as Record<string, unknown>)[k];
      if (!isForbiddenKey(k) && typeof v === "string") out[k] = v;
    }
  }
  return out;
}

export function parseWebhook(form: Record<string, string>): WebhookEvent {
  const rawTopic = form.Topic ?? form.topic ?? "";
  const msgText = form.MSG ?? form.Msg ?? form.msg;
  let fields: Record<string, unknown>;
  if (msgText !== undefined) {
    let parsed: unknown;
    try {
      parsed = safeJsonParse(msgText);
    } catch {
      throw new WebhookFormatError("MSG is not valid JSON");
    }
    if (!isPlainObject(parsed)) throw new WebhookFormatError("MSG is not a JSON object");
    try {
      // the depth limit of all other input: Node-RED's cloning of a message for a second wire
      // recurses, and a MSG thousands of levels deep overflows its stack
      fields = sanitize(parsed) as Record<string, unknown>;
    } catch (err) {
      throw new WebhookFormatError(`MSG is ${err instanceof RangeError ? err.message : "not plain data"}`);
    }
  } else {
    // UNCONFIRMED (§6.3): without a sharedKey the event may arrive as flat form fields
    fields = {};
    for (const [k, v] of Object.entries(form)) if (k !== "Topic" && k !== "HMAC") fields[k] = v;
  }
  // Qualtrics always names the topic; a body without one is not an event (e.g. a probe or junk)
  if (!rawTopic) throw new WebhookFormatError("no Topic in the body");

  const brandField = str(fields.BrandID);
  let brandId: string | undefined;
  let topic = rawTopic;
  if (brandField && rawTopic.startsWith(brandField + ".")) {
    brandId = brandField;
  } else {
    const parts = rawTopic.split(".");
    const at = parts.findIndex((p, i) => i > 0 && NAMESPACES.includes(p));
    if (at > 0) brandId = parts.slice(0, at).join(".");
  }
  if (brandId) topic = rawTopic.slice(brandId.length + 1);
  // a brand alone ("acme.") or an empty segment names no event, and would otherwise match filters
  // it has nothing to do with; Qualtrics sends topics such as "<brand>.surveyengine.completedResponse.SV_x"
  if (topic.split(".").some((part) => part === "" || part.includes("*"))) throw new WebhookFormatError("Topic names no event");

  // the survey comes from MSG where it has one; a Topic that names another one was not sent with
  // this MSG by Qualtrics
  const signedSurvey = str(fields.SurveyID);
  if (signedSurvey && topic.split(".").some((part) => part.startsWith("SV_") && part !== signedSurvey)) {
    throw new WebhookFormatError("Topic names another survey than MSG");
  }
  const responseId = str(fields.ResponseID);

  return {
    topic,
    rawTopic,
    brandId: brandField ?? brandId,
    surveyId: signedSurvey ?? /completedResponse\.(SV_[A-Za-z0-9]+)/.exec(topic)?.[1],
    responseId,
    completedDate: str(fields.CompletedDate),
    fields,
    identity: responseId
      ? responseKey(signedSurvey ?? null, responseId)
      : JSON.stringify(["event", msgText ?? fields]),
    msgText,
    hmac: form.HMAC ?? form.hmac,
  };
}

/** the journal key of a response, whether a webhook or catch-up brought it */
export function responseKey(surveyId: string | null, responseId: string): string {
  return JSON.stringify(["response", surveyId, responseId]);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** hex(HMAC-SHA512(key, MSG)): the key is the sharedKey's UTF-8 bytes, the message MSG as sent. */
export function signMsg(msgText: string, sharedKey: string): string {
  return createHmac("sha512", Buffer.from(sharedKey, "utf8")).update(msgText, "utf8").digest("hex");
}

/** Constant-time check; a missing or malformed signature is simply false. */
export function verifyHmac(msgText: string | undefined, hmacHex: string | undefined, sharedKey: string): boolean {
  if (msgText === undefined || hmacHex === undefined) return false;
  if (!/^[0-9a-fA-F]{128}$/.test(hmacHex)) return false;
  const expected = createHmac("sha512", Buffer.from(sharedKey, "utf8")).update(msgText, "utf8").digest();
  return timingSafeEqual(expected, Buffer.from(hmacHex, "hex"));
}
