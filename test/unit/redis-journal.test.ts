import assert from "node:assert/strict";
import type { JournalEntry, JournalOptions } from "../../nodes/lib/coordination/types";
import { MemoryJournals } from "../support/memory-journal";
import { RedisRelay } from "../support/redis";
import { sleep, waitFor } from "../support/wait";
import { connected, TAKEOVER, useRedis } from "./redis-helpers";

const entry = (key: string): JournalEntry => ({ key, source: "webhook", receivedAt: Date.now(), data: { responseId: key } });
const OPTS: JournalOptions = { scope: "trigger-1", windowMs: 60_000, maxPending: 1000 };

describe("Redis delivery journal", function () {
  const fx = useRedis();

  it("each entry accepted on either replica is emitted by exactly one of them", async function () {
    const a = fx.replica();
    const b = fx.replica();
    await Promise.all([connected(a), connected(b)]);
    const emitted: string[] = [];
    const by = { a: 0, b: 0 };
    const ja = a.journal(OPTS);
    const jb = b.journal(OPTS);
    ja.start(async (e) => void (emitted.push(e.key), by.a++));
    jb.start(async (e) => void (emitted.push(e.key), by.b++));
    for (let i = 0; i < 60; i++) assert.equal(await (i % 2 ? ja : jb).accept(entry(`R_${i}`)), "new");
    await waitFor("60 messages", () => emitted.length >= 60);
    await waitFor("nothing pending", () => ja.state().pending === 0 && jb.state().pending === 0);
    assert.equal(new Set(emitted).size, 60);
    assert.equal(emitted.length, 60, "none twice");
    assert.equal(ja.state().where, "shared");
  });

  it("a key pending or emitted within the window is a duplicate on every replica; known() says so", async function () {
    const a = fx.replica();
    const b = fx.replica();
    await Promise.all([connected(a), connected(b)]);
    const ja = a.journal(OPTS);
    const jb = b.journal(OPTS);
    assert.equal(await ja.accept(entry("R_1")), "new");
    assert.equal(await jb.accept(entry("R_1")), "duplicate", "pending");
    const emitted: string[] = [];
    ja.start(async (e) => void emitted.push(e.key));
    await waitFor("the message", () => emitted.length === 1);
    await waitFor("nothing pending", () => ja.state().pending === 0);
    assert.equal(await jb.accept(entry("R_1")), "duplicate", "emitted");
    assert.equal(await jb.known("R_1"), true);
    assert.equal(await jb.known("R_2"), false);
  });

  it("at maxPending an entry is refused as full, and accepted again once one is emitted", async function () {
    const a = fx.replica();
    await connected(a);
    const j = a.journal({ ...OPTS, maxPending: 3 });
    for (const k of ["R_1", "R_2", "R_3"]) assert.equal(await j.accept(entry(k)), "new");
    assert.equal(await j.accept(entry("R_4")), "full");
    assert.equal(j.state().pending, 3);
    const emitted: string[] = [];
    j.start(async (e) => void emitted.push(e.key));
    await waitFor("three messages", () => emitted.length === 3);
    await waitFor("room again", async () => (await j.accept(entry("R_4"))) === "new");
  });

  it("entries a replica held when it died are emitted by another after the claim time", async function () {
    const a = fx.replica(TAKEOVER);
    const b = fx.replica(TAKEOVER);
    await Promise.all([connected(a), connected(b)]);
    const ja = a.journal(OPTS);
    let aGot = 0;
    ja.start(() => {
      aGot++;
      return new Promise<void>(() => undefined); // dies before its message is out
    });
    assert.equal(await ja.accept(entry("R_1")), "new");
    await waitFor("replica A holding it", () => aGot === 1);
    await a.link.close(); // killed: no acknowledgement, no more refreshes
    const emitted: string[] = [];
    b.journal(OPTS).start(async (e) => void emitted.push(e.key));
    await waitFor("replica B emitting it", () => emitted.length === 1, 10_000);
    assert.deepEqual(emitted, ["R_1"]);
  });

  it("an emit that runs longer than the claim time is kept by its replica, not emitted twice", async function () {
    const a = fx.replica(TAKEOVER);
    const b = fx.replica(TAKEOVER);
    await Promise.all([connected(a), connected(b)]);
    const emitted: string[] = [];
    let finish: (() => void) | undefined;
    // a fetch being retried, on whichever replica reads the entry first
    const slow = (who: string) => (e: JournalEntry) => {
      emitted.push(`${who}:${e.key}`);
      return new Promise<void>((r) => (finish = r));
    };
    const ja = a.journal(OPTS);
    ja.start(slow("a"));
    const jb = b.journal(OPTS);
    jb.start(slow("b"));
    assert.equal(await ja.accept(entry("R_1")), "new");
    await waitFor("one replica emitting", () => emitted.length === 1);
    const who = emitted[0];
    await sleep(1500); // several claim periods (claim time 400 ms, checked every 100 ms)
    assert.deepEqual(emitted, [who]);
    finish!();
    await waitFor("nothing pending", () => ja.state().pending === 0 && jb.state().pending === 0);
    assert.deepEqual(emitted, [who]);
  });

  it("a message sent and not yet done with by the flow keeps its entry claimed past the claim time; finished when the flow is done", async function () {
    const a = fx.replica(TAKEOVER);
    const b = fx.replica(TAKEOVER);
    await Promise.all([connected(a), connected(b)]);
    const emitted: string[] = [];
    let flowDone: (() => void) | undefined;
    const ja = a.journal(OPTS);
    ja.start(async (e) => {
      emitted.push(`a:${e.key}`);
      return { settled: new Promise<void>((r) => (flowDone = r)) };
    });
    assert.equal(await ja.accept(entry("R_1")), "new");
    await waitFor("replica A sending it", () => emitted.length === 1);
    const jb = b.journal(OPTS);
    jb.start(async (e) => void emitted.push(`b:${e.key}`));
    await sleep(1500); // several claim periods (claim time 400 ms, checked every 100 ms)
    assert.deepEqual(emitted, ["a:R_1"], "not taken over while A's flow works on it");
    assert.equal(ja.state().pending, 1, "still pending: the flow is not done");
    flowDone!();
    await waitFor("finished", () => ja.state().pending === 0);
    await sleep(600);
    assert.deepEqual(emitted, ["a:R_1"]);
    assert.equal(await jb.accept(entry("R_1")), "duplicate", "remembered once finished");
  });

  it("a replica killed after sending, while its flow still works on the message: another replica emits it again", async function () {
    const a = fx.replica(TAKEOVER);
    const b = fx.replica(TAKEOVER);
    await Promise.all([connected(a), connected(b)]);
    const ja = a.journal(OPTS);
    let sent = 0;
    ja.start(async () => {
      sent++;
      return { settled: new Promise<void>(() => undefined) }; // the HTTP request after the trigger never answers
    });
    assert.equal(await ja.accept(entry("R_1")), "new");
    await waitFor("replica A sending it", () => sent === 1);
    await a.link.close(); // killed
    const emitted: string[] = [];
    b.journal(OPTS).start(async (e) => void emitted.push(e.key));
    await waitFor("replica B emitting it", () => emitted.length === 1, 10_000);
    assert.deepEqual(emitted, ["R_1"]);
  });

  it("while Redis is down entries are kept locally and wait; when it returns they move to Redis and are emitted once", async function () {
    const a = fx.replica();
    await connected(a);
    const j = a.journal(OPTS);
    const emitted: string[] = [];
    const wheres: string[] = [];
    j.onState((s) => wheres.push(s.where));
    j.start(async (e) => void emitted.push(e.key));
    await fx.server.stop();
    await waitFor("the fallback", () => j.state().where === "fallback" || undefined);
    assert.equal(await j.accept(entry("R_1")), "new");
    assert.equal(await j.accept(entry("R_1")), "duplicate");
    assert.equal(await j.accept(entry("R_2")), "new");
    assert.deepEqual(fx.journals.pending(OPTS.scope).map((e) => e.key), ["R_1", "R_2"]);
    assert.equal(j.state().pending, 2);
    await sleep(300);
    assert.deepEqual(emitted, [], "not emitted without the shared dedupe");
    await fx.server.restart();
    await waitFor("both messages", () => emitted.length === 2, 10_000);
    await waitFor("the local journal drained", () => fx.journals.pending(OPTS.scope).length === 0);
    assert.deepEqual([...emitted].sort(), ["R_1", "R_2"]);
    await waitFor("shared again", () => j.state().where === "shared" || undefined);
    assert.ok(wheres.includes("fallback"));
    assert.equal(await j.accept(entry("R_2")), "duplicate", "the drained key is known to Redis");
  });

  it("started while Redis is down: ready within the connect timeout, receipt local, emitted once Redis is up", async function () {
    await fx.server.stop();
    const a = fx.replica();
    const j = a.journal(OPTS);
    const emitted: string[] = [];
    j.start(async (e) => void emitted.push(e.key));
    await j.ready;
    assert.equal(j.state().where, "fallback");
    assert.equal(await j.accept(entry("R_1")), "new");
    assert.deepEqual(fx.journals.pending(OPTS.scope).map((e) => e.key), ["R_1"]);
    await fx.server.restart();
    await waitFor("the message", () => emitted.length === 1, 10_000);
    assert.deepEqual(emitted, ["R_1"]);
    assert.equal(j.state().where, "shared");
  });

  it("started while Redis is up: shared from the start, nothing kept locally", async function () {
    const a = fx.replica();
    const j = a.journal(OPTS);
    await j.ready;
    assert.equal(j.state().where, "shared");
    assert.equal(await j.accept(entry("R_1")), "new");
    assert.deepEqual(fx.journals.pending(OPTS.scope), []);
  });

  it("entries left in the local journal by an earlier run are moved to Redis at start", async function () {
    const first = fx.journals.factory(OPTS);
    await first.accept(entry("R_9"));
    await first.close(false);
    const a = fx.replica();
    await connected(a);
    const emitted: string[] = [];
    a.journal(OPTS).start(async (e) => void emitted.push(e.key));
    await waitFor("the message", () => emitted.length === 1);
    assert.deepEqual(emitted, ["R_9"]);
  });
});

describe("Redis delivery journal, one replica cut off", function () {
  const fx = useRedis();
  let relay: RedisRelay;
  beforeEach(async () => {
    relay = new RedisRelay(fx.server);
    await relay.start();
  });
  afterEach(() => relay.close());

  it("an event kept locally by the cut-off replica and also received by another is emitted once", async function () {
    // each replica has its own user directory, so its own local journal
    const localA = new MemoryJournals();
    const a = fx.replica({ url: relay.url, fallbackJournal: localA.factory });
    const b = fx.replica({ fallbackJournal: new MemoryJournals().factory });
    await Promise.all([connected(a), connected(b)]);
    const emitted: string[] = [];
    const ja = a.journal(OPTS);
    const jb = b.journal(OPTS);
    ja.start(async (e) => void emitted.push(`a:${e.key}`));
    jb.start(async (e) => void emitted.push(`b:${e.key}`));
    relay.cut();
    await waitFor("A on its fallback", () => ja.state().where === "fallback" || undefined);
    assert.equal(jb.state().where, "shared");
    // the sender's retry of one delivery reached both replicas
    assert.equal(await ja.accept(entry("R_1")), "new");
    assert.equal(await jb.accept(entry("R_1")), "new");
    assert.equal(await ja.accept(entry("R_2")), "new");
    await waitFor("B emitting R_1", () => emitted.length === 1);
    assert.deepEqual(emitted, ["b:R_1"]);
    relay.restore();
    await waitFor("R_2 emitted", () => emitted.some((e) => e.endsWith(":R_2")), 10_000);
    await waitFor("A's local journal drained", () => localA.pending(OPTS.scope).length === 0);
    await waitFor("nothing pending", () => ja.state().pending === 0 && jb.state().pending === 0);
    assert.deepEqual(emitted.map((e) => e.slice(2)).sort(), ["R_1", "R_2"], `each once: ${emitted.join(", ")}`);
  });
});
