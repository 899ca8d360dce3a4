// Event subscriptions (docs/qualtrics-facts.md §6.1, §6.2). sharedKey is stored but never returned.
import { ApiError, badRequest, ErrorCodes, metaOnly, notFound, ok } from "../envelope";
import { route, Route, RequestContext } from "../router";
import { storePublicationUrl } from "../publication-urls";
import { SubscriptionRecord } from "../state";
import { optionalBoolean, optionalString, requireObject, requireString } from "../validate";

export const BRAND_ADMIN_MESSAGE = "To use this call you must be a Qualtrics brand administrator";

function view(s: SubscriptionRecord): Record<string, unknown> {
  return { id: s.id, scope: s.scope, topics: s.topics, publicationUrl: s.publicationUrl, encrypted: s.encrypted, successfulCalls: s.successfulCalls };
}

function create(ctx: RequestContext) {
  if (ctx.options.requireBrandAdmin) throw new ApiError(403, BRAND_ADMIN_MESSAGE, ErrorCodes.forbidden);
  const body = requireObject(ctx.body, "Request body");
  const publicationUrl = requireString(body, "publicationUrl", "publicationUrl");
  let parsed: URL | undefined;
  try {
    parsed = new URL(publicationUrl);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    throw badRequest("publicationUrl must be an absolute http or https URL");
  }
  // topics is one string: a single topic or a * wildcard (§6.2)
  const topics = requireString(body, "topics", "topics");
  const encrypt = optionalBoolean(body, "encrypt", "encrypt") ?? false;
  const sharedKey = optionalString(body, "sharedKey", "sharedKey");
  const record: SubscriptionRecord = {
    id: ctx.ids.next("SUB_"),
    // UNCONFIRMED (docs/qualtrics-facts.md §6.2): the value of `scope` (the only sample says "dummy").
    scope: "brand",
    topics,
    publicationUrl: storePublicationUrl(publicationUrl, ctx.options.publicationUrls?.mode ?? "verbatim"),
    encrypted: encrypt,
    sharedKey: sharedKey === undefined || sharedKey === "" ? null : sharedKey,
    successfulCalls: 0,
  };
  ctx.state.subscriptions.set(record.id, record);
  return ok({ id: record.id });
}

function getSub(ctx: RequestContext): SubscriptionRecord {
  const s = ctx.state.subscriptions.get(ctx.params.subscriptionId);
  if (!s) throw notFound(`Subscription not found: ${ctx.params.subscriptionId}`);
  return s;
}

export const subscriptionRoutes: Route[] = [
  // the router strips a trailing slash, so this also serves POST /eventsubscriptions/ ([KYMA])
  route("POST", "/eventsubscriptions", create),
  route("GET", "/eventsubscriptions", (ctx) => ok({ elements: [...ctx.state.subscriptions.values()].map(view), nextPage: null })),
  route("GET", "/eventsubscriptions/:subscriptionId", (ctx) => ok(view(getSub(ctx)))),
  route("DELETE", "/eventsubscriptions/:subscriptionId", (ctx) => {
    getSub(ctx);
    ctx.state.subscriptions.delete(ctx.params.subscriptionId);
    return metaOnly();
  }),
];
