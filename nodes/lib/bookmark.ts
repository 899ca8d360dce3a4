// Where an export "new since last run" or a response poll left off.
//
// It is kept in the node's context (where the operator sees it, in any store they configured) and,
// when the runtime has a user directory, also written durably to
// <userDir>/qualtrics-bookmarks/<node id>.json: Node-RED's file context store writes its cache to
// disk only every 30 seconds, so after a hard kill (power loss, OOM killer, `docker kill`) it would
// bring back an older bookmark and the next run would send responses again. Reading takes the later
// of the two.
//
// With coordination "redis" the bookmark of a schedule lives in the shared records instead
// (`coordination.records("bookmarks")`), written with the fence of the lease the run holds, so a
// replica that lost the lease cannot move it back.
import { isPlainObject } from "../../src/safe-object";
import type { Held, QualtricsConfigNode } from "./types";
import type { RecordStore } from "./coordination/types";
import { readJsonObject, removeFile, updateJsonObject, userDirPath } from "./durable-file";
import type { Node, NodeAPI } from "./types";

export interface Bookmark {
  surveyId: string;
  /** Qualtrics' continuationToken from the last export that was emitted completely */
  continuationToken?: string;
  /**
   * where an export starts without a token (ISO 8601): the first one, and one after Qualtrics
   * refused the token. Every response recorded before it has been sent.
   */
  since?: string;
  /** the responses sent that were recorded at or after `since` (ResponseId → recordedDate, ms), so an export from `since` sends none of them again */
  sent?: Record<string, number>;
  /** when the bookmark was last written */
  updated: string;
}

/** at most this many responses are remembered in `sent` (see nodes/lib/continuation.ts) */
export const MAX_SENT = 5000;

/** one bookmark per survey, so a node whose survey comes from msg keeps one for each */
export function bookmarkKey(surveyId: string): string {
  return `bookmark_${surveyId}`;
}

/**
 * Without a user directory or a configured context store (the test helper), Node-RED deletes a
 * node's context whenever the node stops: then the bookmark is also kept here, for the life of the
 * process, so a redeploy neither repeats nor misses responses.
 */
const inProcess = new Map<string, Bookmark>();

function unconfigured(RED: NodeAPI): boolean {
  return !isPlainObject((RED.settings as unknown as { contextStorage?: unknown }).contextStorage);
}

function processKey(node: Node, surveyId: string): string {
  return `${node.id}|${surveyId}`;
}

/** where a node's bookmarks are kept, inside the user directory (npm start forgets the examples') */
export function bookmarkFilePath(nodeId: string): string[] {
  // encoded, so any node ID is one plain file name in that directory
  return ["qualtrics-bookmarks", `${encodeURIComponent(nodeId).replace(/^\.+/, (d) => "%2E".repeat(d.length))}.json`];
}

function bookmarkFile(RED: NodeAPI, nodeId: string): string | undefined {
  return userDirPath(RED, ...bookmarkFilePath(nodeId));
}

function asBookmark(value: unknown, surveyId: string): Bookmark | undefined {
  if (!isPlainObject(value) || value.surveyId !== surveyId) return undefined;
  const b: Bookmark = { surveyId, updated: typeof value.updated === "string" ? value.updated : "" };
  if (typeof value.continuationToken === "string" && value.continuationToken) b.continuationToken = value.continuationToken;
  if (typeof value.since === "string" && value.since) b.since = value.since;
  if (isPlainObject(value.sent)) {
    const sent: Record<string, number> = {};
    let n = 0;
    for (const [id, at] of Object.entries(value.sent)) {
      if (typeof at === "number" && Number.isFinite(at) && n++ < MAX_SENT) sent[id] = at;
    }
    if (n) b.sent = sent;
  }
  return b;
}

function later(a: Bookmark | undefined, b: Bookmark | undefined): Bookmark | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.updated > a.updated ? b : a;
}

/** where a run under a lease keeps its bookmark when the replicas share state */
export interface SharedBookmarks {
  records: RecordStore;
  fence: { lease: string; fence: number };
}

/** the shared place for a run holding `lease`, or undefined for a Node-RED on its own (files and context) */
export function sharedBookmarks(config: QualtricsConfigNode, lease: string, held: Held): SharedBookmarks | undefined {
  const c = config.coordination();
  return c.mode === "redis" ? { records: c.records("bookmarks"), fence: { lease, fence: held.fence } } : undefined;
}

const sharedKey = (nodeId: string, surveyId: string) => `${nodeId}|${surveyId}`;

export async function readBookmark(RED: NodeAPI, node: Node, surveyId: string, shared?: SharedBookmarks): Promise<Bookmark | undefined> {
  if (shared) return asBookmark(await shared.records.get(sharedKey(node.id, surveyId)), surveyId);
  const fromContext = await new Promise<Bookmark | undefined>((resolve, reject) => {
    node.context().get(bookmarkKey(surveyId), (err: Error, value: unknown) => (err ? reject(err) : resolve(asBookmark(value, surveyId))));
  });
  const fromFile = asBookmark((await readJsonObject(bookmarkFile(RED, node.id)))[surveyId], surveyId);
  const found = later(fromContext, fromFile);
  if (found) return found;
  return unconfigured(RED) ? inProcess.get(processKey(node, surveyId)) : undefined;
}

export async function writeBookmark(RED: NodeAPI, node: Node, b: Omit<Bookmark, "updated">, shared?: SharedBookmarks): Promise<void> {
  const value: Bookmark = { ...b, updated: new Date().toISOString() };
  if (shared) return shared.records.set(sharedKey(node.id, b.surveyId), { ...value }, { fence: shared.fence });
  if (unconfigured(RED)) inProcess.set(processKey(node, b.surveyId), value);
  const file = bookmarkFile(RED, node.id);
  if (file) await updateJsonObject(file, (all) => (all[b.surveyId] = value));
  await new Promise<void>((resolve, reject) => {
    node.context().set(bookmarkKey(b.surveyId), value, (err: Error) => (err ? reject(err) : resolve()));
  });
}

/** A node that was deleted (or disabled) starts afresh if it comes back. */
export async function forgetBookmarks(RED: NodeAPI, nodeId: string): Promise<void> {
  for (const k of [...inProcess.keys()]) if (k.startsWith(`${nodeId}|`)) inProcess.delete(k);
  await removeFile(bookmarkFile(RED, nodeId));
}

/** Everything kept in the process (for tests that reuse node IDs against a fresh API). */
export function forgetAllBookmarks(): void {
  inProcess.clear();
}

/** true when a restart forgets the bookmark: no user directory to keep it in, and the context store is in memory */
export function bookmarkIsVolatile(RED: NodeAPI): boolean {
  if (userDirPath(RED)) return false;
  const storage = (RED.settings as unknown as { contextStorage?: Record<string, unknown> }).contextStorage;
  if (!isPlainObject(storage)) return true;
  const named = storage.default;
  // "default" may name another store, or be a store of its own
  const target = typeof named === "string" ? storage[named] : named ?? Object.values(storage)[0];
  const module = isPlainObject(target) ? target.module : target;
  return module === undefined || module === "memory";
}
