// Event subscriptions (docs/qualtrics-facts.md §6.1, §6.2). Only a brand administrator may create them.
import { createHmac } from "node:crypto";
import type { ApiResponse, QualtricsClient } from "./client";
import { QualtricsInputError } from "./errors";
import { collect } from "./paginate";
import { readPublicationUrl, sameMark, type SubscriptionOwner } from "./publication-url";
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

export { markedUrl, normaliseUrl, readPublicationUrl, type PublicationMark, type SubscriptionOwner } from "./publication-url";

/** how Qualtrics stored the URL of a subscription just made, read back (§6.2 does not say) */
export interface StoredCheck {
  /** the URL Qualtrics answers with; undefined when the read-back failed */
  stored?: string;
  /** "verbatim": as sent; "equivalent": written otherwise, same route and mark; "lost": our mark or the route did not survive; "unread": the read-back failed */
  verdict: "verbatim" | "equivalent" | "lost" | "unread";
  /** why the read-back failed */
  error?: unknown;
}

export interface EnsureResult {
  id: string;
  created: boolean;
  /** older or duplicate subscriptions of ours that were deleted (made by older versions, for an older key, or twice) */
  removed: string[];
  /** for a created one: how Qualtrics stored its URL */
  check?: StoredCheck;
}

export function getSubscription(client: QualtricsClient, id: string, signal?: AbortSignal): Promise<ApiResponse<Subscription>> {
  return client.request<Subscription>({ method: "GET", path: `/eventsubscriptions/${requireId("subscriptionId", id, "subscription")}`, signal });
}

/** compares the URL a subscription was created with to the one Qualtrics stored */
export function compareStored(sent: string, stored: unknown): StoredCheck {
  if (typeof stored !== "string") return { verdict: "lost" };
  if (stored === sent) return { stored, verdict: "verbatim" };
  const a = readPublicationUrl(sent);
  const b = readPublicationUrl(stored);
  const same = a && b && !b.legacy && a.route === b.route && sameMark(a.mark, b.mark);
  return { stored, verdict: same ? "equivalent" : "lost" };
}

/**
 * Exactly one subscription for (publicationUrl, topics). Ours are those for the same route and
 * topics (compared as normalised URLs, with or without a mark, so however Qualtrics stored them);
 * one whose mark is the wanted one, in the path, is reused, and so is `reuse` (the ID this trigger
 * made before, recognised even if Qualtrics changed its URL beyond recognition). Otherwise a new
 * one is created and read back; only then the others of ours go: older versions' (mark in the
 * query), older keys', duplicates. So the trigger is never without one.
 */
export async function ensureSubscription(
  client: QualtricsClient,
  spec: SubscriptionSpec,
  signal?: AbortSignal,
  opts: { reuse?: string } = {},
): Promise<EnsureResult> {
  const wantedUrl = checkPublicationUrl(spec.publicationUrl);
  const wanted = readPublicationUrl(wantedUrl)!;
  const all = await listSubscriptions(client, signal);
  // each URL read once: the route says whether it is ours, the mark whether it fits as it is
  const ours = all.flatMap((s) => {
    const read = s.topics === spec.topics ? readPublicationUrl(s.publicationUrl) : undefined;
    return read?.route === wanted.route ? [{ s, read }] : [];
  });
  const reused = opts.reuse ? all.find((s) => s.id === opts.reuse && s.topics === spec.topics) : undefined;
  const keep = reused ?? ours.find(({ read }) => !read.legacy && sameMark(read.mark, wanted.mark))?.s;
  let result: EnsureResult;
  if (keep) {
    result = { id: keep.id, created: false, removed: [] };
  } else {
    const id = await createSubscription(client, { ...spec, publicationUrl: wantedUrl }, signal);
    const check = await getSubscription(client, id, signal).then(
      (res) => compareStored(wantedUrl, res.result?.publicationUrl),
      (error: unknown): StoredCheck => {
        if (signal?.aborted) throw error;
        return { verdict: "unread", error };
      },
    );
    result = { id, created: true, removed: [], check };
  }
  for (const { s } of ours) {
    if (s.id === result.id) continue;
    await removeSubscription(client, s.id, signal);
    result.removed.push(s.id);
  }
  return result;
}

/** which subscriptions a configuration node may sweep: its deployments', and (older versions) its instance's */
export interface SweepScope {
  config: string;
  deployments: readonly string[];
  /** this Node-RED's instance ID, for subscriptions made by versions that marked the instance */
  instance?: string;
}

function inScope(owner: SubscriptionOwner, mine: SweepScope): boolean {
  if (owner.config !== mine.config) return false;
  if (owner.deployment) return mine.deployments.includes(owner.deployment);
  return Boolean(mine.instance) && owner.instance === mine.instance;
}

/**
 * Deletes the subscriptions made through `config` for one of its deployments (or, marked by older
 * versions, by this instance) whose trigger is gone (`isLive` says no): triggers removed while
 * Node-RED was not running, or moved to another account. The owner is read from the path or, for
 * older versions' subscriptions, the query. Ones without an owner, or of another deployment,
 * instance or configuration, are not touched. A subscription that is already gone counts as deleted.
 */
export async function removeOrphans(
  client: QualtricsClient,
  mine: SweepScope,
  isLive: (owner: SubscriptionOwner) => boolean,
  signal?: AbortSignal,
): Promise<string[]> {
  const removed: string[] = [];
  for (const s of await listSubscriptions(client, signal)) {
    const owner = readPublicationUrl(s.publicationUrl)?.mark.owner;
    if (!owner || !inScope(owner, mine) || isLive(owner)) continue;
    await removeSubscription(client, s.id, signal);
    removed.push(s.id);
  }
  return removed;
}
