// A local delivery journal in memory, for the Redis journal's tests (its fallback): keeps entries
// per scope across close and reopen as a file would, dedupes within the window, is bounded, and
// hands entries to `emit` one after the other.
import type { AcceptResult, DeliveryJournal, Emit, JournalEntry, JournalOptions, JournalState } from "../../nodes/lib/coordination/types";

interface Store {
  pending: JournalEntry[];
  emitted: Map<string, number>;
}

export class MemoryJournals {
  readonly stores = new Map<string, Store>();
  /** every journal opened, newest last */
  readonly opened: DeliveryJournal[] = [];

  factory = (opts: JournalOptions): DeliveryJournal => {
    const store = this.stores.get(opts.scope) ?? { pending: [], emitted: new Map() };
    this.stores.set(opts.scope, store);
    const j = memoryJournal(store, opts);
    this.opened.push(j);
    return j;
  };

  pending(scope: string): JournalEntry[] {
    return this.stores.get(scope)?.pending ?? [];
  }
}

function memoryJournal(store: Store, opts: JournalOptions): DeliveryJournal {
  const listeners = new Set<(s: JournalState) => void>();
  let emit: Emit | undefined;
  let closed = false;
  let running = false;
  const handed = new Set<JournalEntry>();
  const state = (): JournalState => ({ pending: store.pending.length, where: "local" });
  const changed = () => {
    for (const l of [...listeners]) l(state());
  };
  const known = (key: string) => {
    const at = store.emitted.get(key);
    return store.pending.some((e) => e.key === key) || (at !== undefined && Date.now() - at < opts.windowMs);
  };
  async function pump(): Promise<void> {
    if (running || !emit) return;
    running = true;
    try {
      for (;;) {
        const next = store.pending.find((e) => !handed.has(e));
        if (!next || closed) return;
        handed.add(next);
        try {
          const out = await emit(next);
          // a test journal: the entry is finished when the flow is done with the message
          if (out) await out.settled;
        } catch {
          continue; // stays for the next start
        }
        store.pending.splice(store.pending.indexOf(next), 1);
        store.emitted.set(next.key, Date.now());
        changed();
      }
    } finally {
      running = false;
    }
  }
  return {
    ready: Promise.resolve(),
    accept(entry): Promise<AcceptResult> {
      if (known(entry.key)) return Promise.resolve("duplicate");
      if (store.pending.length >= opts.maxPending) return Promise.resolve("full");
      store.pending.push(entry);
      changed();
      void pump();
      return Promise.resolve("new");
    },
    known: (key) => Promise.resolve(known(key)),
    start(fn) {
      emit = fn;
      void pump();
    },
    state,
    onState(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
