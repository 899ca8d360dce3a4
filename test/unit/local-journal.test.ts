// The delivery journal of a Node-RED on its own: an accept is on disk before it resolves, a burst
// shares its flushes, a kill's torn line is skipped, keys are remembered across a reopen, and it
// is bounded.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalJournal, MAX_KEYS, type JournalIo } from "../../nodes/lib/coordination/local-journal";
import type { JournalEntry, JournalOptions } from "../../nodes/lib/coordination/types";
import { until } from "../support/wait";

const entry = (id: string, source: JournalEntry["source"] = "webhook"): JournalEntry => ({
  key: JSON.stringify(["response", "SV_1", id]),
  source,
  receivedAt: Date.now(),
  data: { responseId: id },
});
const ids = (es: JournalEntry[]) => es.map((e) => e.data.responseId);

describe("local delivery journal", function () {
  let dir: string;
  let file: string;
  let syncs: number;
  const counting: JournalIo = { sync: async (h) => (syncs++, h.datasync()) };
  /** `f` null: no user directory, everything in memory */
  const open = (opts: Partial<JournalOptions> = {}, io: JournalIo = counting, f: string | null = file) =>
    new LocalJournal(f ?? undefined, { scope: "n1", windowMs: 600_000, maxPending: 1000, ...opts }, io);
  const lines = () => fs.readFileSync(file, "utf8").split("\n").filter(Boolean);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nrq-journal-"));
    file = path.join(dir, "qualtrics-journal", "j.log");
    syncs = 0;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("batches concurrent accepts into few flushes, and resolves none before its flush", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gated: JournalIo = { sync: async (h) => (syncs++, await gate, h.datasync()) };
    const j = open({}, gated);
    let resolved = 0;
    const all = Array.from({ length: 200 }, (_, i) => j.accept(entry(`R_${i}`)).then((r) => (resolved++, r)));
    await until(() => syncs === 1, 2000, "the first flush");
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(resolved, 0, "nothing resolves before its flush");
    release();
    assert.deepEqual(new Set(await Promise.all(all)), new Set(["new"]));
    // one flush for the first accept, one for everything that queued behind it
    assert.ok(syncs <= 3, `${syncs} flushes for 200 accepts`);
    assert.equal(lines().length, 200, "every entry is on disk");
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    await j.close(false);
  });

  it("hands out the entries it finds at start first, and skips a torn last line", async () => {
    const j = open();
    for (const id of ["R_a", "R_b"]) assert.equal(await j.accept(entry(id)), "new");
    await j.close(false);
    // a kill in the middle of the next write
    fs.appendFileSync(file, '{"n":3,"e":{"key":"[\\"resp');
    const again = open();
    await again.ready;
    assert.equal(again.state().pending, 2);
    assert.equal(await again.accept(entry("R_c")), "new");
    const out: JournalEntry[] = [];
    again.start(async (e) => void out.push(e));
    await until(() => out.length === 3, 2000, "three entries");
    assert.deepEqual(ids(out), ["R_a", "R_b", "R_c"]);
    await until(() => again.state().pending === 0, 2000, "none pending");
    await again.close(false);
    const third = open();
    await third.ready;
    assert.equal(third.state().pending, 0, "emitted entries are finished for good");
    await third.close(false);
  });

  it("an entry is finished once the flow is done with its message: a kill before that hands it out again", async () => {
    const j = open();
    assert.equal(await j.accept(entry("R_a")), "new");
    assert.equal(await j.accept(entry("R_b")), "new");
    const flowDone = new Map<string, () => void>();
    j.start(async (e) => ({ settled: new Promise<void>((r) => flowDone.set(String(e.data.responseId), r)) }));
    await until(() => flowDone.size === 2, 2000, "both sent");
    flowDone.get("R_b")!();
    await until(() => j.state().pending === 1, 2000, "R_b finished");
    await new Promise((r) => setTimeout(r, 50)); // its line flushed
    // killed now: R_a's flow was still working on it (no close, the file as it is)
    const again = open();
    const out: JournalEntry[] = [];
    again.start(async (e) => void out.push(e));
    await until(() => out.length === 1, 2000, "R_a again");
    assert.deepEqual(ids(out), ["R_a"]);
    assert.equal(await again.accept(entry("R_b")), "duplicate", "R_b stays finished");
    await again.close(false);
    await j.close(false);
  });

  it("an entry accepted while start() hands out what is pending goes out once", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gated: JournalIo = { sync: async (h) => (syncs++, await gate, h.datasync()) };
    const j = open({}, gated);
    await j.ready;
    const accepting = j.accept(entry("R_a"));
    await until(() => syncs === 1, 2000, "the flush under way");
    const out: JournalEntry[] = [];
    let flowDone!: () => void;
    // a new node instance starting (a deploy) while the delivery's line is being flushed
    j.start(async (e) => (out.push(e), { settled: new Promise<void>((r) => (flowDone = r)) }));
    await until(() => out.length === 1, 2000, "handed out by the start");
    release();
    assert.equal(await accepting, "new");
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(out.length, 1, "not handed out again when its accept completes");
    flowDone();
    await until(() => j.state().pending === 0, 2000, "finished");
    await j.close(false);
  });

  it("a close finishes the entries whose messages are still in the flow: the flows are stopping, they are not sent again", async () => {
    const j = open();
    assert.equal(await j.accept(entry("R_a")), "new");
    let sent = 0;
    j.start(async () => (sent++, { settled: new Promise<void>(() => undefined) }));
    await until(() => sent === 1, 2000, "sent");
    assert.equal(j.state().pending, 1);
    await j.close(false);
    const again = open();
    await again.ready;
    assert.equal(again.state().pending, 0);
    assert.equal(await again.known(entry("R_a").key), true);
    await again.close(false);
  });

  it("a key pending or emitted is a duplicate, across a reopen; another scope's file knows nothing of it", async () => {
    const j = open();
    assert.equal(await j.accept(entry("R_a")), "new");
    assert.equal(await j.accept(entry("R_a", "catch-up")), "duplicate", "pending");
    const out: JournalEntry[] = [];
    j.start(async (e) => void out.push(e));
    await until(() => j.state().pending === 0, 2000, "emitted");
    assert.equal(await j.accept(entry("R_a")), "duplicate", "emitted");
    await j.close(false);
    const again = open();
    assert.equal(await again.known(entry("R_a").key), true);
    assert.equal(await again.accept(entry("R_a")), "duplicate");
    assert.equal(await again.known(entry("R_b").key), false);
    await again.close(false);
    const other = open({}, counting, path.join(dir, "qualtrics-journal", "other.log"));
    assert.equal(await other.accept(entry("R_a")), "new");
    await other.close(false);
    assert.equal(out.length, 1);
  });

  it("forgets emitted keys after the window; with no window every delivery is new", async () => {
    const j = open({ windowMs: 30 });
    await j.accept(entry("R_a"));
    j.start(async () => undefined);
    await until(() => j.state().pending === 0, 2000, "emitted");
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(await j.accept(entry("R_a")), "new");
    await j.close(false);
    const none = open({ windowMs: 0 }, counting, null);
    assert.equal(await none.accept(entry("R_a")), "new");
    assert.equal(await none.accept(entry("R_a")), "new");
    await none.close(false);
  });

  it('is bounded: "full" at maxPending, and at most 10,000 emitted keys remembered, the newest', async () => {
    const j = open({ maxPending: 2 });
    assert.equal(await j.accept(entry("R_1")), "new");
    assert.equal(await j.accept(entry("R_2")), "new");
    assert.equal(await j.accept(entry("R_3")), "full");
    assert.equal(j.state().pending, 2);
    await j.close(false);

    syncs = 0;
    const mem = open({ maxPending: 100_000 }, counting, null);
    mem.start(async () => undefined);
    for (let i = 0; i < MAX_KEYS + 50; i++) await mem.accept(entry(`R_${i}`));
    await until(() => mem.state().pending === 0, 5000, "all emitted");
    assert.equal(await mem.known(entry(`R_${MAX_KEYS + 49}`).key), true, "the newest is remembered");
    assert.equal(await mem.known(entry("R_0").key), false, "the oldest went first");
    await mem.close(false);
    assert.equal(syncs, 0, "without a user directory nothing is written");
  });

  it("compaction rewrites the file with the pending entries and the remembered keys", async () => {
    const io: JournalIo = { ...counting, compactAfter: 100 };
    const j = open({ maxPending: 10_000, windowMs: 1000 }, io);
    // entries whose emit fails stay pending (as when the node closes during it)
    j.start((e) => (String(e.data.responseId).startsWith("keep") ? Promise.reject(new Error("closing")) : Promise.resolve()));
    for (const id of ["keep1", "keep2"]) await j.accept(entry(id));
    await Promise.all(Array.from({ length: 3000 }, (_, i) => j.accept(entry(`R_old${i}`))));
    await until(() => j.state().pending === 2, 5000, "the burst emitted");
    // the burst's keys leave the window: their lines are dead weight now
    await new Promise((r) => setTimeout(r, 1100));
    await Promise.all(Array.from({ length: 50 }, (_, i) => j.accept(entry(`R_new${i}`))));
    await until(() => j.state().pending === 2, 5000, "the second burst emitted");
    await j.accept(entry("R_last"));
    await j.close(false);
    assert.ok(lines().length < 500, `${lines().length} lines after 3053 accepts and 3051 emits: compacted`);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ["j.log"], "no temporary file left");
    const again = open({ maxPending: 10_000, windowMs: 1000 }, io);
    assert.equal(await again.known(entry("R_new5").key), true, "remembered keys survive the compaction");
    assert.equal(await again.known(entry("R_old5").key), false, "keys out of the window are gone");
    const out: JournalEntry[] = [];
    again.start(async (e) => void out.push(e));
    await until(() => out.length === 2, 2000, "the pending entries");
    assert.deepEqual(ids(out), ["keep1", "keep2"]);
    assert.equal(await again.known(entry("R_last").key), true, "a line appended after the compaction is read too");
    await again.close(true);
    assert.equal(fs.existsSync(file), false, "a removed trigger's journal is deleted");
  });

  it("a write that fails rejects the accept and leaves nothing pending", async () => {
    fs.mkdirSync(path.dirname(path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.dirname(file), "a file where the directory should be");
    const j = open();
    await assert.rejects(j.accept(entry("R_a")));
    assert.equal(j.state().pending, 0);
    assert.equal(await j.known(entry("R_a").key), false);
    await j.close(false);
  });
});
