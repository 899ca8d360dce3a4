// What a subscription's publication URL says about us, however Qualtrics stores it.
//
// Whether Qualtrics keeps the URL exactly as sent is undocumented (docs/qualtrics-facts.md §6.2): it may
// drop, reorder or re-encode the query, lowercase the host or add a default port. So who made a
// subscription and for which shared key travels in the URL's last path segment, the one part a
// server cannot change without also changing where it delivers, and URLs are compared after
// normalising them. Versions before this one put the same data in the query (`nrqi`, `nrqc`,
// `nrqn`, `nrq`): such URLs are still read, so their subscriptions are recognised and replaced.
import { createHash } from "node:crypto";

/**
 * Who made a subscription: the deployment (a digest of the trigger's public base URL and
 * httpNodeRoot: the same on every replica behind one address, another for staging than for
 * production), the flow, the configuration node it was made through and the trigger node it is
 * for, so subscriptions of triggers removed while Node-RED was down can be found and deleted at the
 * next start (a subscription has no other field of ours, §6.1). Versions before this one named the
 * Node-RED instance (one per user directory) instead of the deployment; such marks are still read.
 */
export interface SubscriptionOwner {
  deployment?: string;
  /** older versions: the Node-RED instance ID */
  instance?: string;
  flow?: string;
  config: string;
  node: string;
}

/** what we mark a publication URL with */
export interface PublicationMark {
  owner?: SubscriptionOwner;
  /** keyFingerprint() of the shared key, so a changed key is noticed */
  fingerprint?: string;
}

export interface ReadPublicationUrl {
  /** the normalised URL without our mark: where deliveries go, whichever version made it */
  route: string;
  mark: PublicationMark;
  /** the mark (or part of it) is in the query, as versions before this one wrote it */
  legacy: boolean;
}

const SEGMENT_PREFIX = "nrq";
const FIELDS = { deployment: "d", instance: "i", flow: "f", config: "c", node: "n", fingerprint: "k" } as const;
const OWNER_FIELDS = ["deployment", "instance", "flow", "config", "node"] as const;
const LEGACY_PARAMS = { instance: "nrqi", config: "nrqc", node: "nrqn", fingerprint: "nrq" } as const;

// A value is written as it is when it is made of characters no encoder changes (Node-RED's IDs
// are); anything else as "_" + hex, which survives percent-encoding and any case change.
const PLAIN = /^[A-Za-z0-9.]+$/;
const encodeValue = (v: string) => (PLAIN.test(v) ? v : "_" + Buffer.from(v, "utf8").toString("hex"));
function decodeValue(v: string): string | undefined {
  if (!v.startsWith("_")) return PLAIN.test(v) ? v : undefined;
  const hex = v.slice(1);
  return /^(?:[0-9a-f]{2})+$/i.test(hex) ? Buffer.from(hex, "hex").toString("utf8") : undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** the path segment that carries a mark, e.g. "nrq-d<deployment>-f<flow>-c<config>-n<node>-k<fingerprint>"; "" for an empty mark */
export function markSegment(mark: PublicationMark): string {
  const parts: string[] = [];
  if (mark.owner) {
    for (const k of OWNER_FIELDS) {
      const v = mark.owner[k];
      if (v) parts.push(FIELDS[k] + encodeValue(v));
    }
  }
  if (mark.fingerprint) parts.push(FIELDS.fingerprint + encodeValue(mark.fingerprint));
  return parts.length ? [SEGMENT_PREFIX, ...parts].join("-") : "";
}

/** the mark a path segment carries (percent-encoded or not), or undefined when it is not one of ours */
export function readMarkSegment(segment: string): PublicationMark | undefined {
  const parts = safeDecode(segment).split("-");
  if (parts[0] !== SEGMENT_PREFIX || parts.length < 2) return undefined;
  const found: Partial<Record<keyof typeof FIELDS, string>> = {};
  for (const part of parts.slice(1)) {
    const key = (Object.keys(FIELDS) as (keyof typeof FIELDS)[]).find((k) => FIELDS[k] === part[0]);
    const value = decodeValue(part.slice(1));
    if (value === undefined || !value) return undefined;
    // a field a later version adds is skipped, not a reason to disown the URL
    if (key) found[key] = value;
  }
  return markOf(found);
}

function markOf(f: Partial<Record<keyof typeof FIELDS, string | null>>): PublicationMark {
  const mark: PublicationMark = {};
  if ((f.deployment || f.instance) && f.config && f.node) {
    const owner: SubscriptionOwner = { config: f.config, node: f.node };
    if (f.deployment) owner.deployment = f.deployment;
    if (f.instance) owner.instance = f.instance;
    if (f.flow) owner.flow = f.flow;
    mark.owner = owner;
  }
  if (f.fingerprint) mark.fingerprint = f.fingerprint;
  return mark;
}

/** the deployment a trigger's subscription belongs to: a digest of its public base URL and httpNodeRoot */
export function deploymentOf(publicBaseUrl: string, httpNodeRoot: string): string {
  const where = normaliseUrl(publicBaseUrl.replace(/\/+$/, "") + (httpNodeRoot || "") + "/");
  return createHash("sha256").update(where, "utf8").digest("hex").slice(0, 16);
}

/** `route` (a URL without query) with the mark as its last path segment */
export function markedUrl(route: string, mark: PublicationMark): string {
  const segment = markSegment(mark);
  if (!segment) return route;
  const u = new URL(route);
  u.pathname = u.pathname.replace(/\/+$/, "") + "/" + segment;
  return u.toString();
}

/**
 * The URL as every server that keeps its meaning would: scheme and host in lower case, no default
 * port, no fragment, no trailing slash, each path segment and query pair percent-encoded one way,
 * the query sorted.
 */
export function normaliseUrl(url: string): string {
  const u = new URL(url);
  const path = u.pathname
    .split("/")
    .map((s) => encodeURIComponent(safeDecode(s)))
    .join("/")
    .replace(/\/+$/, "");
  const pairs = [...u.searchParams].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  const query = new URLSearchParams(pairs).toString();
  return `${u.protocol}//${u.host}${path}${query ? "?" + query : ""}`;
}

/** reads a publication URL: its route and our mark, from the path or (older versions) the query */
export function readPublicationUrl(url: unknown): ReadPublicationUrl | undefined {
  if (typeof url !== "string") return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const legacyValues = Object.fromEntries(Object.entries(LEGACY_PARAMS).map(([k, p]) => [k, u.searchParams.get(p)]));
  const legacy = Object.values(LEGACY_PARAMS).some((p) => u.searchParams.has(p));
  for (const p of Object.values(LEGACY_PARAMS)) u.searchParams.delete(p);
  const segments = u.pathname.split("/");
  const last = segments.at(-1) || segments.at(-2) || "";
  let mark = readMarkSegment(last);
  if (mark) {
    u.pathname = u.pathname.replace(/\/*[^/]*\/*$/, "") || "/";
  } else {
    mark = markOf(legacyValues);
  }
  return { route: normaliseUrl(u.toString()), mark, legacy };
}

export function sameMark(a: PublicationMark, b: PublicationMark): boolean {
  const o = (m: PublicationMark) => (m.owner ? OWNER_FIELDS.map((k) => m.owner![k] ?? null) : []);
  return a.fingerprint === b.fingerprint && JSON.stringify(o(a)) === JSON.stringify(o(b));
}
