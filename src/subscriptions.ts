// Event subscriptions (qualtrics-api.md §6.1, §6.2). Only a brand administrator may create them.
import { createHmac } from "node:crypto";
import type { ApiResponse, QualtricsClient } from "./client";
import { QualtricsInputError } from "./errors";
import { collect } from "./paginate";
import { requireId } from "./validate";

export interface Subscription {
  id: string;
  topics?: string;
  publicationUrl?: string;
  encrypted?: boolean;
  successfulCalls?: number;
  [key: string]: unknown;
}

export interface SubscriptionSpec {
  publicationUrl: string;
  topics: string;
  sharedKey?: string;
}

export function listSubscriptions(client: QualtricsClient, signal?: AbortSignal): Promise<Subscription[]> {
  return collect<Subscription>(client, "/eventsubscriptions", { signal });
}

export async function createSubscription(client: QualtricsClient, spec: SubscriptionSpec, signal?: AbortSignal): Promise<string> {
  const url = checkPublicationUrl(spec.publicationUrl);
  if (!spec.topics) throw new QualtricsInputError("topics", "is required");
  // encrypt:true is not supported: its algorithm is UNCONFIRMED (§6.2)
  const body: Record<string, unknown> = { publicationUrl: url, topics: spec.topics, encrypt: false };
  if (spec.sharedKey) body.sharedKey = spec.sharedKey;
  const res = await client.request<{ id?: string }>({ method: "POST", path: "/eventsubscriptions", body, signal });
  const id = res.result?.id;
  if (typeof id !== "string") throw new QualtricsInputError("result.id", "Qualtrics created a subscription but returned no ID");
  return id;
}

export function deleteSubscription(client: QualtricsClient, id: string, signal?: AbortSignal): Promise<ApiResponse> {
  return client.request({ method: "DELETE", path: `/eventsubscriptions/${requireId("subscriptionId", id, "subscription")}`, signal });
}

/** deletes a subscription; one that is already gone (404) is fine */
export async function removeSubscription(client: QualtricsClient, id: string, signal?: AbortSignal): Promise<void> {
  await deleteSubscription(client, id, signal).catch((err) => {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  });
}

export function checkPublicationUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new QualtricsInputError("publicBaseUrl", `"${String(text).slice(0, 80)}" is not a URL`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new QualtricsInputError("publicBaseUrl", "must start with https:// (or http://)");
  if (u.username || u.password) throw new QualtricsInputError("publicBaseUrl", "must not contain a user name or password");
  return u.toString();
}

/**
 * A fingerprint of the shared key for the publication URL, so a changed key is noticed without
 * storing anything: it is keyed with a secret of the account, so it cannot be brute-forced back to
 * a weak shared key by someone who only sees the URL.
 */
export function keyFingerprint(sharedKey: string, accountSecret: string): string {
  return createHmac("sha256", accountSecret).update("qualtrics-subscription-key\n" + sharedKey).digest("hex").slice(0, 16);
}

export const FINGERPRINT_PARAM = "nrq";

/**
 * Who made a subscription: the Node-RED instance, the configuration node it was made through and
 * the trigger node it is for. It travels in the publication URL, because a subscription has no
 * other field of ours (§6.1), so subscriptions of triggers that were removed while Node-RED was
 * down can be found and deleted at the next start.
 */
export interface SubscriptionOwner {
  instance: string;
  config: string;
  node: string;
}
const OWNER_PARAMS = { instance: "nrqi", config: "nrqc", node: "nrqn" } as const;
const OUR_PARAMS = [FINGERPRINT_PARAM, ...Object.values(OWNER_PARAMS)];

/** the publication URL with its owner added */
export function withOwner(url: string, owner: SubscriptionOwner): string {
  const u = new URL(url);
  for (const [k, param] of Object.entries(OWNER_PARAMS)) u.searchParams.set(param, owner[k as keyof SubscriptionOwner]);
  return u.toString();
}

/** the owner a publication URL names, if it names all of it */
export function ownerOf(url: unknown): SubscriptionOwner | undefined {
  if (typeof url !== "string") return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const instance = u.searchParams.get(OWNER_PARAMS.instance);
  const config = u.searchParams.get(OWNER_PARAMS.config);
  const node = u.searchParams.get(OWNER_PARAMS.node);
  return instance && config && node ? { instance, config, node } : undefined;
}

/** The URL without our parameters, to recognise our own subscriptions of an older key or owner. */
export function baseOfPublicationUrl(url: string): string {
  try {
    const u = new URL(url);
    for (const p of OUR_PARAMS) u.searchParams.delete(p);
    return u.toString();
  } catch {
    return url;
  }
}

export interface EnsureResult {
  id: string;
  created: boolean;
  /** older or duplicate subscriptions of ours that were deleted */
  removed: string[];
}

/**
 * Exactly one subscription for (publicationUrl, topics): reuse one that exists, delete duplicates
 * and ones for the same route with an older key fingerprint, create one when none fits.
 */
export async function ensureSubscription(client: QualtricsClient, spec: SubscriptionSpec, signal?: AbortSignal): Promise<EnsureResult> {
  const wanted = checkPublicationUrl(spec.publicationUrl);
  const base = baseOfPublicationUrl(wanted);
  const all = await listSubscriptions(client, signal);
  const ours = all.filter((s) => s.topics === spec.topics && typeof s.publicationUrl === "string" && baseOfPublicationUrl(s.publicationUrl) === base);
  const exact = ours.filter((s) => s.publicationUrl === wanted);
  const keep = exact[0];
  const removed: string[] = [];
  for (const s of ours) {
    if (s === keep) continue;
    await deleteSubscription(client, s.id, signal);
    removed.push(s.id);
  }
  if (keep) return { id: keep.id, created: false, removed };
  const id = await createSubscription(client, { ...spec, publicationUrl: wanted }, signal);
  return { id, created: true, removed };
}

/**
 * Deletes the subscriptions made by `instance` through `config` whose trigger is gone (`isLive`
 * says no): triggers removed while Node-RED was not running, or moved to another account. Ones
 * without an owner, or of another instance or configuration, are not touched. A subscription that
 * is already gone counts as deleted.
 */
export async function removeOrphans(
  client: QualtricsClient,
  mine: { instance: string; config: string },
  isLive: (owner: SubscriptionOwner) => boolean,
  signal?: AbortSignal,
): Promise<string[]> {
  const removed: string[] = [];
  for (const s of await listSubscriptions(client, signal)) {
    const owner = ownerOf(s.publicationUrl);
    if (!owner || owner.instance !== mine.instance || owner.config !== mine.config || isLive(owner)) continue;
    await removeSubscription(client, s.id, signal);
    removed.push(s.id);
  }
  return removed;
}
