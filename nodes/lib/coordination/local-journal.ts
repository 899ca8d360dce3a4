// The delivery journal of a Node-RED on its own: an append-only file in the user directory
// (<userDir>/qualtrics-journal/<digest of the scope>.log), one JSON record a line. An accepted
// event is written and flushed (fdatasync) before accept() resolves, so the trigger's 200 means
// "on disk". Accepts that arrive while a flush runs wait for the next one together (group
// commit): a burst costs one flush per batch, not one per event.
//
// Lines: {"n":seq,"e":entry} accepted; {"d":seq,"k":key digest,"t":ms} emitted; {"k":…,"t":…} a
// key remembered across a compaction. A line that does not parse (the torn end of a write cut
// by a kill) is skipped. The file is rewritten (temporary file, flushed, renamed: durable-file.ts)
// when it holds many more lines than live records. Without a user directory (the test helper)
// everything stays in memory.
import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { isPlainObject } from "../../../src/safe-object";
import { RecentKeys } from "../dedupe";
import { openForAppend, readTextNoFollow, removeFile, replaceFile, userDirPath } from "../durable-file";
import type { NodeAPI } from "../types";
import type { AcceptResult, DeliveryJournal, Emit, Emitted, JournalEntry, JournalOptions, JournalState } from "./types";

/** emitted keys remembered at most (the oldest go first) */
export const MAX_KEYS = 10_000;
/** entries emitted at once (each may be a fetch of the full response) */
const CONCURRENCY = 16;
/**
 * a compaction once the file holds twice its live records and this many lines more: a rewrite
 * costs the whole remembered window (up to 10,000 keys), so not every few thousand events
 */
const COMPACT_AFTER = 10_000;

export interface JournalIo {
  /** flushes an appended batch; fdatasync unless a test counts the calls */
  sync(handle: FileHandle): Promise<void>;
  /** dead lines tolerated beyond twice the live records (COMPACT_AFTER; tests lower it) */
  compactAfter?: number;
}

const realIo: JournalIo = { sync: (h) => h.datasync() };

export function journalFile(RED: NodeAPI, scope: string): string | undefined {
  return userDirPath(RED, "qualtrics-journal", `${digest(scope, 32)}.log`);
}

function digest(text: string, length: number): string {
  return createHash("sha256").update(text, "utf8").digest("base64url").slice(0, length);
}

function entryOf(v: unknown): JournalEntry | undefined {
  if (!isPlainObject(v) || typeof v.key !== "string" || typeof v.receivedAt !== "number" || !isPlainObject(v.data)) return undefined;
  if (v.source !== "webhook" && v.source !== "catch-up") return undefined;
  return { key: v.key, source: v.source, receivedAt: v.receivedAt, data: v.data };
}

interface Waiting {
  line: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class LocalJournal implements DeliveryJournal {
  readonly ready: Promise<void>;
  private readonly pending = new Map<number, JournalEntry>();
  /** digest → how many pending entries have it */
  private readonly pendingKeys = new Map<string, number>();
  private emitted: RecentKeys;
  private seq = 0;
  private lines = 0;
  private handle: FileHandle | undefined;
  private batch: Waiting[] = [];
  private flushing: Promise<void> | undefined;
  private emit: Emit | undefined;
  /** seqs handed to `emit` and not yet settled */
  private readonly inFlight = new Set<number>();
  /** seqs whose message is out and not yet done with by the flow: finished when it is */
  private readonly settling = new Set<number>();
  /** seqs to hand out, oldest first */
  private readonly queue: number[] = [];
  private closed = false;
  private removed = false;
  private readonly listeners = new Set<(s: JournalState) => void>();

  constructor(
    private readonly file: string | undefined,
    private opts: JournalOptions,
    private readonly io: JournalIo = realIo,
  ) {
    this.emitted = new RecentKeys(opts.windowMs, MAX_KEYS);
    this.ready = this.load().catch(() => undefined);
  }

  private async load(): Promise<void> {
    if (!this.file) return;
    const text = (await readTextNoFollow(this.file)) ?? "";
    const now = Date.now();
    for (const line of text.split("\n")) {
      if (!line) continue;
      this.lines++;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        continue; // torn by a kill mid-write: its accept() never resolved
      }
      if (!isPlainObject(rec)) continue;
      if (typeof rec.n === "number") {
        const entry = entryOf(rec.e);
        if (!entry) continue;
        this.seq = Math.max(this.seq, rec.n);
        this.addPending(rec.n, entry);
      } else if (typeof rec.k === "string" && typeof rec.t === "number") {
        if (typeof rec.d === "number") this.removePending(rec.d);
        if (rec.t <= now) this.emitted.firstTime(rec.k, rec.t);
      }
    }
  }

  /** the options of the newest node instance (a redeploy may change the window or the bound) */
  configure(opts: JournalOptions): void {
    if (opts.windowMs !== this.opts.windowMs) {
      const keys = new RecentKeys(opts.windowMs, MAX_KEYS);
      for (const [k, t] of this.emitted.entries()) keys.firstTime(k, t);
      this.emitted = keys;
    }
    this.opts = opts;
  }

  /** every pending entry not being emitted, oldest first */
  private requeue(): void {
    this.queue.length = 0;
    for (const n of [...this.pending.keys()].sort((a, b) => a - b)) if (!this.inFlight.has(n) && !this.settling.has(n)) this.queue.push(n);
  }

  private addPending(n: number, entry: JournalEntry): void {
    this.pending.set(n, entry);
    const k = digest(entry.key, 22);
    this.pendingKeys.set(k, (this.pendingKeys.get(k) ?? 0) + 1);
  }

  private removePending(n: number): JournalEntry | undefined {
    const entry = this.pending.get(n);
    if (!entry) return undefined;
    this.pending.delete(n);
    const k = digest(entry.key, 22);
    const left = (this.pendingKeys.get(k) ?? 1) - 1;
    if (left > 0) this.pendingKeys.set(k, left);
    else this.pendingKeys.delete(k);
    return entry;
  }

  private knownNow(key: string): boolean {
    if (this.opts.windowMs <= 0) return false;
    const k = digest(key, 22);
    return this.pendingKeys.has(k) || this.emitted.has(k);
  }

  async known(key: string): Promise<boolean> {
    await this.ready;
    return this.knownNow(key);
  }

  async accept(entry: JournalEntry): Promise<AcceptResult> {
    await this.ready;
    if (this.closed) throw new Error("the delivery journal is closed");
    if (this.knownNow(entry.key)) return "duplicate";
    if (this.pending.size >= this.opts.maxPending) return "full";
    const n = ++this.seq;
    // counted as pending at once, so a second delivery of the key during the flush is a duplicate
    this.addPending(n, entry);
    try {
      await this.write(JSON.stringify({ n, e: entry }));
    } catch (err) {
      this.removePending(n);
      throw err;
    }
    this.queue.push(n);
    this.changed();
    this.pump();
    return "new";
  }

  /** appends a line; resolves once it is flushed with its batch */
  private write(line: string): Promise<void> {
    if (!this.file) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.batch.push({ line, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.batch.length) {
        const batch = this.batch;
        this.batch = [];
        try {
          this.handle ??= await openForAppend(this.file!);
          await this.handle.appendFile(batch.map((w) => w.line + "\n").join(""), "utf8");
          await this.io.sync(this.handle);
          this.lines += batch.length;
          for (const w of batch) w.resolve();
        } catch (err) {
          // a handle that failed once is not trusted again
          await this.closeHandle();
          for (const w of batch) w.reject(err);
        }
        if (!this.batch.length && this.lines > 2 * (this.pending.size + this.emitted.size) + (this.io.compactAfter ?? COMPACT_AFTER)) await this.compact().catch(() => undefined);
      }
    } finally {
      this.flushing = undefined;
      // an entry that finished after close() still gets its line; the handle is not kept open
      if (this.closed) await this.closeHandle();
    }
  }

  /** rewrites the file with the live records only: the pending entries and the remembered keys */
  private async compact(): Promise<void> {
    const out: string[] = [];
    for (const [k, t] of this.emitted.entries()) out.push(JSON.stringify({ k, t }));
    for (const [n, e] of this.pending) out.push(JSON.stringify({ n, e }));
    await this.closeHandle();
    await replaceFile(this.file!, out.map((l) => l + "\n").join(""));
    this.lines = out.length;
  }

  /** hands the entries to `emit` from now on (a new node instance takes over from the last one) */
  start(emit: Emit): void {
    this.emit = emit;
    void this.ready.then(() => {
      if (this.emit !== emit) return;
      this.requeue();
      this.pump();
    });
  }

  /** stops handing entries to `emit`; they wait for the next start() */
  detach(emit: Emit | undefined): void {
    if (emit && this.emit === emit) this.emit = undefined;
  }

  private pump(): void {
    const emit = this.emit;
    if (!emit) return;
    while (!this.closed && this.inFlight.size < CONCURRENCY && this.queue.length) {
      const n = this.queue.shift()!;
      const entry = this.pending.get(n);
      // queued twice (a start's requeue while its accept was flushing), or finished meanwhile
      if (!entry || this.inFlight.has(n) || this.settling.has(n)) continue;
      this.inFlight.add(n);
      let run: Promise<Emitted>;
      try {
        run = Promise.resolve(emit(entry));
      } catch (err) {
        run = Promise.reject(err);
      }
      void run.then(
        (out) => {
          if (!out) return this.finish(n, entry);
          // the slot is free for the next entry; this one is finished once the flow is done with it
          this.settling.add(n);
          void out.settled.then(() => {
            if (this.settling.delete(n)) this.finish(n, entry);
          });
        },
        () => {
          // the node is closing: the entry stays, for the instance that took over or the next start
          // (out of inFlight now, so a start() between here and the finally requeues it)
          this.inFlight.delete(n);
          if (this.emit && this.emit !== emit) this.queue.push(n);
        },
      ).finally(() => {
        this.inFlight.delete(n);
        this.pump();
      });
    }
  }

  private finish(n: number, entry: JournalEntry): void {
    this.removePending(n);
    const k = digest(entry.key, 22);
    const t = Date.now();
    if (this.opts.windowMs > 0) this.emitted.firstTime(k, t);
    this.changed();
    // not awaited: a kill before this line is flushed re-emits the entry at the next start
    if (!this.removed) void this.write(JSON.stringify({ d: n, k, t })).catch(() => undefined);
  }

  state(): JournalState {
    return { pending: this.pending.size, where: "local" };
  }

  onState(listener: (s: JournalState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    const s = this.state();
    for (const l of this.listeners) l(s);
  }

  private async closeHandle(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close().catch(() => undefined);
  }

  async close(removed: boolean): Promise<void> {
    this.closed = true;
    this.removed = removed;
    // the flows are stopping: a message still in them counts as handled, not to be sent again
    for (const n of [...this.settling]) {
      this.settling.delete(n);
      const entry = this.pending.get(n);
      if (entry) this.finish(n, entry);
    }
    this.listeners.clear();
    await this.ready;
    while (this.flushing) await this.flushing;
    await this.closeHandle();
    if (removed && this.file) await removeFile(this.file);
  }
}

/**
 * One journal per scope in this process, however many handles are open on it: a trigger being
 * redeployed keeps its route (and a handle) until the new instance has its own, and both see the
 * same entries. The journal closes with its last handle.
 */
const shared = new Map<string, { journal: LocalJournal; handles: number }>();

class JournalHandle implements DeliveryJournal {
  private emit: Emit | undefined;
  private readonly unsubscribe = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly journal: LocalJournal,
    private readonly release: (removed: boolean) => Promise<void>,
  ) {}

  get ready(): Promise<void> {
    return this.journal.ready;
  }
  accept(entry: JournalEntry): Promise<AcceptResult> {
    return this.journal.accept(entry);
  }
  known(key: string): Promise<boolean> {
    return this.journal.known(key);
  }
  start(emit: Emit): void {
    this.emit = emit;
    this.journal.start(emit);
  }
  state(): JournalState {
    return this.journal.state();
  }
  onState(listener: (s: JournalState) => void): () => void {
    const off = this.journal.onState(listener);
    this.unsubscribe.add(off);
    return () => {
      this.unsubscribe.delete(off);
      off();
    };
  }
  async close(removed: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.journal.detach(this.emit);
    for (const off of this.unsubscribe) off();
    await this.release(removed);
  }
}

export function localJournal(RED: NodeAPI, opts: JournalOptions, io?: JournalIo): DeliveryJournal {
  const file = journalFile(RED, opts.scope);
  const id = file ?? `memory:${opts.scope}`;
  let entry = shared.get(id);
  if (!entry) {
    entry = { journal: new LocalJournal(file, opts, io), handles: 0 };
    shared.set(id, entry);
  } else {
    entry.journal.configure(opts);
  }
  const mine = entry;
  mine.handles++;
  return new JournalHandle(mine.journal, async (removed) => {
    if (--mine.handles > 0) return;
    if (shared.get(id) === mine) shared.delete(id);
    await mine.journal.close(removed);
  });
}
