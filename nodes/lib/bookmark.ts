// Where an export "new since last run" left off, kept in the node's context. The default context
// store is used, so an operator who configures a persistent one (contextStorage: localfilesystem)
// keeps the bookmark across restarts; the callback form of get/set works with every store.
import { isPlainObject } from "../../src/safe-object";
import type { Node, NodeAPI } from "./types";

export interface Bookmark {
  surveyId: string;
  /** Qualtrics' continuationToken from the last export that was emitted completely */
  continuationToken?: string;
  /** before the first token: where the first export starts (ISO 8601) */
  since?: string;
  /** when the bookmark was last written */
  updated: string;
}

/** one bookmark per survey, so a node whose survey comes from msg keeps one for each */
export function bookmarkKey(surveyId: string): string {
  return `bookmark_${surveyId}`;
}

/**
 * Node-RED deletes a node's context whenever the node stops (every redeploy) unless the operator
 * configured a context store. Then the bookmark is also kept here, for the life of the process, so
 * a redeploy neither repeats nor misses responses; a restart still needs a persistent store.
 */
const inProcess = new Map<string, Bookmark>();

function unconfigured(RED: NodeAPI): boolean {
  return !isPlainObject((RED.settings as unknown as { contextStorage?: unknown }).contextStorage);
}

function processKey(node: Node, surveyId: string): string {
  return `${node.id}|${surveyId}`;
}

export function readBookmark(RED: NodeAPI, node: Node, surveyId: string): Promise<Bookmark | undefined> {
  return new Promise((resolve, reject) => {
    node.context().get(bookmarkKey(surveyId), (err: Error, value: unknown) => {
      if (err) return reject(err);
      if (!isPlainObject(value) || value.surveyId !== surveyId) {
        return resolve(unconfigured(RED) ? inProcess.get(processKey(node, surveyId)) : undefined);
      }
      const b: Bookmark = { surveyId, updated: typeof value.updated === "string" ? value.updated : "" };
      if (typeof value.continuationToken === "string" && value.continuationToken) b.continuationToken = value.continuationToken;
      if (typeof value.since === "string" && value.since) b.since = value.since;
      resolve(b);
    });
  });
}

export function writeBookmark(RED: NodeAPI, node: Node, b: Omit<Bookmark, "updated">): Promise<void> {
  const value: Bookmark = { ...b, updated: new Date().toISOString() };
  if (unconfigured(RED)) inProcess.set(processKey(node, b.surveyId), value);
  return new Promise((resolve, reject) => {
    node.context().set(bookmarkKey(b.surveyId), value, (err: Error) => (err ? reject(err) : resolve()));
  });
}

/** A node that was deleted (or disabled) starts afresh if it comes back. */
export function forgetBookmarks(nodeId: string): void {
  for (const k of [...inProcess.keys()]) if (k.startsWith(`${nodeId}|`)) inProcess.delete(k);
}

/** Everything kept in the process (for tests that reuse node IDs against a fresh API). */
export function forgetAllBookmarks(): void {
  inProcess.clear();
}

/** true when the default context store forgets everything on a restart */
export function contextIsMemory(RED: NodeAPI): boolean {
  const storage = (RED.settings as unknown as { contextStorage?: Record<string, unknown> }).contextStorage;
  if (!isPlainObject(storage)) return true;
  const named = storage.default;
  // "default" may name another store, or be a store of its own
  const target = typeof named === "string" ? storage[named] : named ?? Object.values(storage)[0];
  const module = isPlainObject(target) ? target.module : target;
  return module === undefined || module === "memory";
}
