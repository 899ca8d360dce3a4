// Which webhook deliveries a trigger has emitted within its duplicate window. Kept in memory and in
// <userDir>/qualtrics-webhook-deliveries/, so a restart, a redeploy or a kill does not forget them
// and a replay of an emitted delivery is still dropped afterwards. Bounded: a digest of each
// event's identity with the time it was first seen, at most MAX_KEYS of them (the oldest go first).
import { createHash } from "node:crypto";
import { isPlainObject } from "../../src/safe-object";
import { RecentKeys } from "./dedupe";
import { readJsonObject, removeFile, updateJsonObject, userDirPath } from "./durable-file";
import type { NodeAPI } from "./types";

const MAX_KEYS = 10_000;
/** each write is the whole list, flushed to disk: under load at most one a second */
const WRITE_EVERY_MS = 1000;

function digest(text: string, length: number): string {
  return createHash("sha256").update(text, "utf8").digest("base64url").slice(0, length);
}

export class DeliveryMemory {
  private readonly keys: RecentKeys;
  private readonly file: string | undefined;
  /** resolves once what the file holds is known; never rejects */
  readonly ready: Promise<void>;
  private timer: NodeJS.Timeout | undefined;
  private lastWrite = 0;
  private saving: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    RED: NodeAPI,
    nodeId: string,
    private readonly windowMs: number,
    private readonly onWriteError: (err: unknown) => void,
  ) {
    this.keys = new RecentKeys(windowMs, MAX_KEYS);
    // a digest names the file, so any node ID is one plain file name
    this.file = windowMs > 0 ? userDirPath(RED, "qualtrics-webhook-deliveries", `${digest(nodeId, 32)}.json`) : undefined;
    this.ready = this.load().catch(() => undefined);
  }

  private async load(): Promise<void> {
    if (!this.file) return;
    const seen = (await readJsonObject(this.file)).seen;
    if (!isPlainObject(seen)) return;
    const now = Date.now();
    const live = Object.entries(seen)
      .filter((e): e is [string, number] => typeof e[1] === "number" && e[1] <= now && now - e[1] < this.windowMs)
      .sort((a, b) => a[1] - b[1]);
    for (const [key, at] of live) this.keys.firstTime(key, at);
  }

  /** true the first time an event of this identity is seen within the window (wait for `ready` first) */
  firstTime(identity: string): boolean {
    if (!this.keys.firstTime(digest(identity, 22))) return false;
    this.scheduleWrite();
    return true;
  }

  private scheduleWrite(): void {
    if (!this.file || this.timer || this.closed) return;
    // at once after a quiet second, so a kill right after a delivery finds it written
    const wait = Math.max(0, this.lastWrite + WRITE_EVERY_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write();
    }, wait);
  }

  private write(): void {
    const file = this.file;
    if (!file) return;
    this.lastWrite = Date.now();
    this.saving = updateJsonObject(file, (current) => {
      for (const k of Object.keys(current)) delete current[k];
      // what is known when the write starts, including deliveries since it was scheduled
      current.seen = Object.fromEntries(this.keys.entries());
    }).catch(this.onWriteError);
  }

  /** writes what is not written yet; a removed node's file is deleted */
  async close(removed: boolean): Promise<void> {
    this.closed = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      if (!removed) this.write();
    }
    await this.saving;
    if (removed) await removeFile(this.file);
  }
}
