// What the triggers, the schedules and the invite node need from "the other Node-REDs": one
// contract with two implementations. `none` (the default): this Node-RED alone, state in files in
// its user directory. `redis`: N replicas running the same flows behave as one, state in Redis.
// See docs/replicas.md for what each guarantees.

export type CoordinationMode = "none" | "redis";

/** an event kept between its receipt (before the sender is answered) and its message */
export interface JournalEntry {
  /** the identity duplicates share, e.g. JSON ["response", surveyId, responseId] */
  key: string;
  source: "webhook" | "catch-up";
  /** ms since the epoch when it was recorded */
  receivedAt: number;
  /** what the trigger needs to build the message again after a restart (JSON-serialisable) */
  data: Record<string, unknown>;
}

/** "full": not recorded, the journal is at its bound (the sender gets 503) */
export type AcceptResult = "new" | "duplicate" | "full";

export interface JournalState {
  /** recorded and not yet emitted */
  pending: number;
  /** "local": this Node-RED's journal; "shared": Redis; "fallback": Redis unreachable, kept locally until it returns */
  where: "local" | "shared" | "fallback";
}

/** the message is out; `settled` (never rejects) resolves once the flow is done with it (nodes/lib/message-settling.ts) */
export type Emitted = void | { settled: Promise<void> };
export type Emit = (entry: JournalEntry) => Promise<Emitted>;

export interface DeliveryJournal {
  /** settles once what the journal already holds is known; never rejects */
  readonly ready: Promise<void>;
  /** resolves only once the entry is durable (fsync'd or in Redis); "duplicate" for a key pending or emitted within the window */
  accept(entry: JournalEntry): Promise<AcceptResult>;
  /** true when the key is pending or was emitted within the window (catch-up asks before accepting) */
  known(key: string): Promise<boolean>;
  /**
   * Hands each entry this process is to emit to `emit`, those found at start first. When `emit`
   * resolves the entry is finished (removed, its key remembered for the window) at once, or once
   * the `settled` it resolves with does: the flow has finished with the message. When it rejects
   * (the node is closing) the entry stays for the next start or another replica.
   */
  start(emit: Emit): void;
  state(): JournalState;
  /** called whenever state() changes; returns the unsubscribe */
  onState(listener: (s: JournalState) => void): () => void;
  /** stops handing out entries and writes what is pending; `removed`: the trigger is gone for good, its journal too */
  close(removed: boolean): Promise<void>;
}

export interface JournalOptions {
  /** the same on every replica and across restarts (the trigger's node ID) */
  scope: string;
  /** how long an emitted key is remembered */
  windowMs: number;
  /** most entries pending at once */
  maxPending: number;
}

export interface Held {
  /** grows with every new holder: a write fenced with an older one is refused */
  fence: number;
  /** aborts when the lease is lost while the work runs */
  lost: AbortSignal;
}

/** one process at a time runs the work of a name (a poll, a catch-up sweep, a registration) */
export interface Lease {
  /** runs `work` when this process holds the lease or can take it; { ran: false } at once otherwise */
  run<T>(work: (held: Held) => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  close(): Promise<void>;
}

/** small durable records (bookmarks, invitation records) of one namespace */
export interface RecordStore {
  get(key: string): Promise<Record<string, unknown> | undefined>;
  /** with `fence`, written only while that fence is the lease's newest (else throws FencedError) */
  set(key: string, value: Record<string, unknown>, opts?: { fence?: { lease: string; fence: number }; ttlMs?: number }): Promise<void>;
  /** sets the record only when there is none; true when this call set it */
  claim(key: string, value: Record<string, unknown>, ttlMs?: number): Promise<boolean>;
  delete(key: string): Promise<void>;
}

/** who is alive: members announce themselves and are dropped when they stop doing so */
export interface Presence {
  announce(member: string): void;
  withdraw(member: string): Promise<void>;
  /** the members announced by any live process */
  members(): Promise<Set<string>>;
}

export interface Coordination {
  readonly mode: CoordinationMode;
  journal(opts: JournalOptions): DeliveryJournal;
  lease(name: string, ttlMs?: number): Lease;
  records(namespace: string): RecordStore;
  presence(name: string): Presence;
  close(): Promise<void>;
}

export class FencedError extends Error {
  constructor(lease: string) {
    super(`another Node-RED took over "${lease}"; this one's write was refused`);
    this.name = "Qualtrics";
  }
}
