// Records of one namespace for a Node-RED on its own: one JSON file in the user directory
// (<userDir>/qualtrics-records/<namespace>.json, written atomically), or the process's memory where
// the runtime has no user directory (the test helper). Writes to one namespace go one after the other.
import { createHash } from "node:crypto";
import { isPlainObject } from "../../../src/safe-object";
import { readJsonObject, updateJsonObject, userDirPath } from "../durable-file";
import { KeyedQueue } from "../keyed-queue";
import type { NodeAPI } from "../types";
import type { RecordStore } from "./types";

interface Stored {
  value: Record<string, unknown>;
  /** ms since the epoch after which the record is gone */
  until?: number;
}

const inMemory = new Map<string, Map<string, Stored>>();
const queue = new KeyedQueue();

interface Group {
  changes: { apply: (all: Record<string, unknown>) => void; resolve: () => void; reject: (err: unknown) => void }[];
}
/** per namespace, the changes waiting for the next write */
const groups = new Map<string, Group>();
/**
 * Each file's records as last written or read: only this process writes them (coordination "none"
 * is a Node-RED on its own), so a read need not parse the whole file again.
 */
const fileCache = new Map<string, Record<string, unknown>>();

async function fileContent(file: string): Promise<Record<string, unknown>> {
  const known = fileCache.get(file);
  if (known) return known;
  const read = await readJsonObject(file);
  fileCache.set(file, read);
  return read;
}

function live(s: unknown, now: number): s is Stored {
  return isPlainObject(s) && isPlainObject(s.value) && (typeof s.until !== "number" || s.until > now);
}

export function localRecords(RED: NodeAPI, namespace: string): RecordStore {
  const name = createHash("sha256").update(namespace, "utf8").digest("base64url").slice(0, 32);
  const file = userDirPath(RED, "qualtrics-records", `${name}.json`);
  const memory = inMemory.get(namespace) ?? new Map<string, Stored>();
  inMemory.set(namespace, memory);

  async function read(key: string): Promise<Stored | undefined> {
    const s = file ? (await fileContent(file))[key] : memory.get(key);
    return live(s, Date.now()) ? s : undefined;
  }
  /**
   * Changes the namespace's records under its queue; drops the expired ones on the way. Changes
   * that arrive while a write is under way go into the next write together (group commit): one
   * read, one write and one fsync for all of them, each applied in the order it came, each
   * promise settled once that write is on disk.
   */
  function change(apply: (all: Record<string, unknown>) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let group = groups.get(namespace);
      if (!group) {
        const g: Group = { changes: [] };
        groups.set(namespace, g);
        group = g;
        void queue.run(namespace, () => writeGroup(g));
      }
      group.changes.push({ apply, resolve, reject });
    });
  }
  async function writeGroup(group: Group): Promise<void> {
    // from here on, new changes start the next group
    if (groups.get(namespace) === group) groups.delete(namespace);
    const applyAll = (all: Record<string, unknown>) => {
      for (const c of group.changes) c.apply(all);
    };
    try {
      if (!file) {
        const all: Record<string, unknown> = Object.fromEntries(memory);
        applyAll(all);
        memory.clear();
        for (const [k, v] of Object.entries(all)) if (live(v, Date.now())) memory.set(k, v);
      } else {
        let written: Record<string, unknown> | undefined;
        await updateJsonObject(file, (all) => {
          applyAll(all);
          const now = Date.now();
          for (const [k, v] of Object.entries(all)) if (!live(v, now)) delete all[k];
          written = all;
        }).catch((err) => {
          // what is on disk is unknown now: the next read goes to the file
          fileCache.delete(file);
          throw err;
        });
        if (written) fileCache.set(file, written);
      }
      for (const c of group.changes) c.resolve();
    } catch (err) {
      for (const c of group.changes) c.reject(err);
    }
  }
  const stored = (given: Record<string, unknown>, ttlMs?: number): Stored => {
    const value = structuredClone(given);
    return ttlMs && ttlMs > 0 ? { value, until: Date.now() + ttlMs } : { value };
  };

  return {
    async get(key) {
      await queue.idle(namespace);
      // a copy: the caller may change what it got, the records change only through set()
      const found = (await read(key))?.value;
      return found && structuredClone(found);
    },
    // alone, this Node-RED holds every lease: a fence has nobody to be refused by
    set(key, value, opts) {
      return change((all) => (all[key] = stored(value, opts?.ttlMs)));
    },
    async claim(key, value, ttlMs) {
      let won = false;
      await change((all) => {
        if (live(all[key], Date.now())) return;
        all[key] = stored(value, ttlMs);
        won = true;
      });
      return won;
    },
    delete(key) {
      return change((all) => delete all[key]);
    },
  };
}
