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

function live(s: unknown, now: number): s is Stored {
  return isPlainObject(s) && isPlainObject(s.value) && (typeof s.until !== "number" || s.until > now);
}

export function localRecords(RED: NodeAPI, namespace: string): RecordStore {
  const name = createHash("sha256").update(namespace, "utf8").digest("base64url").slice(0, 32);
  const file = userDirPath(RED, "qualtrics-records", `${name}.json`);
  const memory = inMemory.get(namespace) ?? new Map<string, Stored>();
  inMemory.set(namespace, memory);

  async function read(key: string): Promise<Stored | undefined> {
    const s = file ? (await readJsonObject(file))[key] : memory.get(key);
    return live(s, Date.now()) ? s : undefined;
  }
  /** changes the namespace's records under its queue; drops the expired ones on the way */
  function change(apply: (all: Record<string, unknown>) => void): Promise<void> {
    return queue.run(namespace, async () => {
      if (!file) {
        const all: Record<string, unknown> = Object.fromEntries(memory);
        apply(all);
        memory.clear();
        for (const [k, v] of Object.entries(all)) if (live(v, Date.now())) memory.set(k, v);
        return;
      }
      await updateJsonObject(file, (all) => {
        apply(all);
        const now = Date.now();
        for (const [k, v] of Object.entries(all)) if (!live(v, now)) delete all[k];
      });
    });
  }
  const stored = (value: Record<string, unknown>, ttlMs?: number): Stored => (ttlMs && ttlMs > 0 ? { value, until: Date.now() + ttlMs } : { value });

  return {
    async get(key) {
      await queue.idle(namespace);
      return (await read(key))?.value;
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
