// The delivery journal of one trigger on Redis: a stream per scope with one consumer group; every
// replica is a consumer and emits what it reads. An entry is finished (acknowledged and deleted)
// once the flow is done with its message; entries a dead replica held are claimed by another
// after claimIdleMs.
// While Redis is unreachable, receipt goes to a local journal; its entries wait (they need the
// shared dedupe) and are moved into the stream when Redis answers again.
import type { RedisLink, RedisReply } from "./redis-connection";
import type { AcceptResult, DeliveryJournal, Emit, JournalEntry, JournalOptions, JournalState } from "./types";

export interface RedisJournalTiming {
  /** an entry pending this long with its consumer is taken over by another (default 15 s) */
  claimIdleMs: number;
  /** how often to look for such entries and to keep this process' own ones fresh (default 5 s) */
  claimEveryMs: number;
  /** how often an idle reader asks for entries other replicas received (default 200 ms) */
  pollMs: number;
  /** most entries this process emits at once */
  maxInFlight: number;
}

export const DEFAULT_JOURNAL_TIMING: RedisJournalTiming = { claimIdleMs: 15_000, claimEveryMs: 5_000, pollMs: 200, maxInFlight: 64 };

const GROUP = "emitters";
/** a stream nobody wrote to for this long belongs to a trigger removed everywhere */
const STREAM_TTL_MS = 7 * 24 * 3600_000;

// KEYS: dedupe key, stream. ARGV: window ms, max pending, entry JSON, stream ttl.
// Both or neither: a key remembered without its entry would drop the event as a duplicate.
const ACCEPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {'duplicate', redis.call('XLEN', KEYS[2])} end
local n = redis.call('XLEN', KEYS[2])
if n >= tonumber(ARGV[2]) then return {'full', n} end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('XADD', KEYS[2], '*', 'e', ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {'new', n + 1}`;

// KEYS: stream, dedupe key. ARGV: group, id, window ms. The key is remembered for the window from now.
const FINISH = `
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) else redis.call('SET', KEYS[2], '1', 'PX', ARGV[3]) end
return redis.call('XLEN', KEYS[1])`;

// KEYS: stream. ARGV: group, consumer, ids... Resets the idle time of the ids this consumer still
// holds (a long emit, e.g. a fetch being retried) so no other replica takes them; returns those it lost.
const KEEP = `
local lost = {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if p[1] and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  else
    table.insert(lost, ARGV[i])
  end
end
return lost`;

export interface RedisJournalOptions extends JournalOptions {
  link: RedisLink;
  /** unique per process start */
  consumer: string;
  /** the local journal receipt falls back to while Redis is unreachable */
  fallback: (opts: JournalOptions) => DeliveryJournal;
  timing?: Partial<RedisJournalTiming>;
}

function parseEntry(fields: RedisReply): JournalEntry | undefined {
  if (!Array.isArray(fields)) return undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (String(fields[i]) !== "e") continue;
    try {
      const e = JSON.parse(String(fields[i + 1])) as JournalEntry;
      if (e && typeof e.key === "string") return e;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** [[id, fields], ...] from XREADGROUP's or XAUTOCLAIM's answer */
function entriesOf(list: RedisReply): [string, RedisReply][] {
  if (!Array.isArray(list)) return [];
  const out: [string, RedisReply][] = [];
  for (const item of list) if (Array.isArray(item) && item.length >= 2) out.push([String(item[0]), item[1]]);
  return out;
}

export function redisJournal(opts: RedisJournalOptions): DeliveryJournal {
  const { link, consumer, scope, windowMs, maxPending } = opts;
  const timing = { ...DEFAULT_JOURNAL_TIMING, ...opts.timing };
  const stream = `${link.prefix}j:${scope}`;
  const dedupeKey = (key: string) => `${link.prefix}d:${scope}:${key}`;
  const fallback = opts.fallback({ scope, windowMs, maxPending });

  let sharedPending = 0;
  // shared until Redis is known to be unreachable: the first connection may still be on its way
  let where: JournalState["where"] = "shared";
  let closed = false;
  let emit: Emit | undefined;
  const listeners = new Set<(s: JournalState) => void>();
  /** ids this process is emitting */
  const mine = new Map<string, JournalEntry>();
  /** ids whose message is out and not yet done with by the flow: still claimed, finished when it is */
  const settling = new Map<string, JournalEntry>();
  /** emitted and not yet recorded as finished */
  const unfinished = new Map<string, JournalEntry>();
  let groupReady = false;
  let wake: (() => void) | undefined;
  let upWaiters: (() => void)[] = [];
  let last: JournalState = { pending: 0, where };
  /** where the next look for idle entries starts: XAUTOCLAIM goes through the pending list in pieces */
  let claimFrom = "0-0";

  const state = (): JournalState => ({ pending: sharedPending + fallback.state().pending, where });
  const changed = () => {
    const s = state();
    if (s.pending === last.pending && s.where === last.where) return;
    last = s;
    for (const l of [...listeners]) l(s);
  };
  const setWhere = (w: JournalState["where"]) => {
    where = w;
    changed();
  };
  const offFallbackState = fallback.onState(changed);
  const offLink = link.onChange((up) => {
    if (!up) return setWhere("fallback");
    groupReady = false;
    claimFrom = "0-0";
    // what the local journal got meanwhile is moved over by drain(); receipt is shared again
    setWhere("shared");
    for (const w of upWaiters.splice(0)) w();
    wake?.();
  });
  const untilUp = () => new Promise<void>((resolve) => (link.up() && !closed ? resolve() : upWaiters.push(resolve)));

  async function ensureGroup(): Promise<void> {
    if (groupReady) return;
    try {
      await link.command(["XGROUP", "CREATE", stream, GROUP, "0", "MKSTREAM"]);
    } catch (err) {
      if (!(err as Error).message.includes("BUSYGROUP")) throw err;
    }
    groupReady = true;
  }

  async function acceptShared(entry: JournalEntry): Promise<AcceptResult> {
    const reply = await link.script(ACCEPT, [dedupeKey(entry.key), stream], [windowMs, maxPending, JSON.stringify(entry), STREAM_TTL_MS]);
    const [result, n] = reply as [string, number];
    sharedPending = Number(n);
    if (where !== "shared" && link.up()) setWhere("shared");
    else changed();
    if (result === "new") wake?.();
    return result as AcceptResult;
  }

  // entries received while Redis was down move into the stream once it answers; a duplicate there
  // (another replica got the sender's retry) is dropped. They wait, never emitted from here.
  async function drain(entry: JournalEntry): Promise<void> {
    for (;;) {
      if (closed) throw new Error("the journal is closing");
      await untilUp();
      if (closed) throw new Error("the journal is closing");
      try {
        const r = await acceptShared(entry);
        if (r !== "full") return;
      } catch {
        // Redis went away again mid-way; wait for it
      }
      await new Promise((r) => setTimeout(r, timing.pollMs));
    }
  }

  async function finish(id: string, entry: JournalEntry): Promise<void> {
    const n = await link.script(FINISH, [stream, dedupeKey(entry.key)], [GROUP, id, windowMs]);
    unfinished.delete(id);
    sharedPending = Number(n);
    changed();
  }

  function hand(id: string, fields: RedisReply): void {
    // read as the node closed: it stays pending for another replica or the next start
    if (closed || mine.has(id) || settling.has(id) || unfinished.has(id)) return;
    const entry = parseEntry(fields);
    if (!entry || !emit) {
      // not ours to read (damaged): finishing it keeps it from coming back forever
      void link.command(["XACK", stream, GROUP, id]).then(() => link.command(["XDEL", stream, id])).catch(() => undefined);
      return;
    }
    mine.set(id, entry);
    const done = () => {
      unfinished.set(id, entry);
      return finish(id, entry).catch(() => undefined); // retried by the claim tick
    };
    emit(entry).then(
      (out) => {
        mine.delete(id);
        if (!out) return done();
        settling.set(id, entry);
        void out.settled.then((how) => {
          // "again" (a stop or a redeploy cut its flow short): no longer kept fresh, so the claim
          // time hands it to the next instance or another replica
          if (settling.delete(id) && how === "handled") void done();
        });
      },
      () => mine.delete(id), // the node is closing: the entry stays pending for another replica or the next start
    ).finally(() => wake?.());
  }

  async function readOnce(): Promise<boolean> {
    const room = timing.maxInFlight - mine.size;
    if (room <= 0 || !link.up()) return false;
    await ensureGroup();
    let reply: RedisReply;
    try {
      reply = await link.command(["XREADGROUP", "GROUP", GROUP, consumer, "COUNT", room, "STREAMS", stream, ">"]);
    } catch (err) {
      if ((err as Error).message.includes("NOGROUP")) groupReady = false; // Redis restarted empty, or the stream expired
      throw err;
    }
    if (!Array.isArray(reply) || reply.length === 0) return false;
    const got = entriesOf((reply[0] as RedisReply[])[1]);
    for (const [id, fields] of got) hand(id, fields);
    return got.length > 0;
  }

  async function claimTick(): Promise<void> {
    if (!link.up()) return;
    await ensureGroup();
    for (const [id, entry] of [...unfinished]) await finish(id, entry);
    if (mine.size + settling.size > 0) {
      const lost = await link.script(KEEP, [stream], [GROUP, consumer, ...mine.keys(), ...settling.keys()]);
      // another replica took it (this one was unreachable too long): it emits it, this emit's result is moot
      if (Array.isArray(lost)) for (const id of lost) mine.delete(String(id)) || settling.delete(String(id));
    }
    const room = timing.maxInFlight - mine.size;
    if (room > 0) {
      const reply = await link.command(["XAUTOCLAIM", stream, GROUP, consumer, timing.claimIdleMs, claimFrom, "COUNT", room]);
      if (Array.isArray(reply)) {
        claimFrom = String(reply[0]);
        for (const [id, fields] of entriesOf(reply[1])) hand(id, fields);
      }
    }
    sharedPending = Number(await link.command(["XLEN", stream]));
    await link.command(["PEXPIRE", stream, STREAM_TTL_MS]);
    changed();
  }

  async function loop(): Promise<void> {
    let nextClaim = 0;
    while (!closed) {
      let busy = false;
      try {
        if (Date.now() >= nextClaim) {
          nextClaim = Date.now() + timing.claimEveryMs;
          await claimTick();
        }
        busy = await readOnce();
      } catch {
        // Redis unreachable or restarting: the link reports it; try again after the poll interval
      }
      if (busy || closed) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.min(timing.pollMs, Math.max(1, nextClaim - Date.now())));
        function done() {
          clearTimeout(t);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    }
  }

  // at start, Redis has a moment to answer before receipt falls back to the local journal
  const ready = Promise.all([fallback.ready, link.firstAttempt]).then(() => {
    if (!link.up()) setWhere("fallback");
  });

  return {
    ready,
    async accept(entry) {
      if (closed) throw new Error("the journal is closed");
      await link.firstAttempt;
      if (link.up()) {
        try {
          return await acceptShared(entry);
        } catch {
          // not answered: the local journal keeps it; should Redis have recorded it after all,
          // the drain finds it a duplicate
        }
      }
      if (where !== "fallback") setWhere("fallback");
      return fallback.accept(entry);
    },
    async known(key) {
      if (link.up()) {
        try {
          return (await link.command(["EXISTS", dedupeKey(key)])) === 1 || (await fallback.known(key));
        } catch {
          // fall through to what this process knows
        }
      }
      return fallback.known(key);
    },
    start(fn) {
      if (emit) throw new Error("the journal was started already");
      emit = fn;
      fallback.start(drain);
      void loop();
    },
    state,
    onState(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close(removed) {
      if (closed) return;
      closed = true;
      wake?.();
      for (const w of upWaiters.splice(0)) w();
      offLink();
      offFallbackState();
      listeners.clear();
      settling.clear();
      // what was emitted and not yet recorded as finished: one try, else another replica re-emits it
      if (link.up()) for (const [id, entry] of [...unfinished]) await finish(id, entry).catch(() => undefined);
      // the stream stays when the trigger is removed: other replicas may still run it (a deploy
      // reaches them one by one); a stream nobody writes to expires
      await fallback.close(removed);
    },
  };
}
