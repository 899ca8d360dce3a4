import assert from "node:assert/strict";
import { FencedError, type Held } from "../../nodes/lib/coordination/types";
import { sleep, waitFor } from "../support/wait";
import { connected, useRedis } from "./redis-helpers";

describe("Redis lease, records and presence", function () {
  const fx = useRedis("s3cret-pass");

  describe("lease", function () {
    /** replica A holding the lease "poll" (ttl 600 ms) with work that runs until the lease is lost */
    async function holdingPoll() {
      const a = fx.replica();
      await connected(a);
      const la = a.lease("poll", 600);
      let held: Held | undefined;
      const running = la.run((h) => {
        held = h;
        return new Promise<void>((resolve) => h.lost.addEventListener("abort", () => resolve()));
      });
      return { a, la, running, held: await waitFor("A running", () => held) };
    }

    it("one holder at a time; it keeps the lease between runs, the other gets ran: false", async function () {
      const a = fx.replica();
      const b = fx.replica();
      await Promise.all([connected(a), connected(b)]);
      const la = a.lease("poll", 600);
      const lb = b.lease("poll", 600);
      let release!: () => void;
      const running = la.run(() => new Promise<string>((r) => (release = () => r("done"))));
      await waitFor("A running", () => release !== undefined || undefined);
      assert.deepEqual(await lb.run(async () => "b"), { ran: false });
      release();
      assert.deepEqual(await running, { ran: true, value: "done" });
      await sleep(1000); // past the ttl: A renews it without running anything
      assert.deepEqual(await lb.run(async () => "b"), { ran: false });
      const again = await la.run(async (held) => held.fence);
      assert.equal(again.ran, true);
    });

    it("a process asking for a name's lease again gets the one it holds, with the same fence", async function () {
      const a = fx.replica();
      const b = fx.replica();
      await Promise.all([connected(a), connected(b)]);
      const first = await a.lease("export:1").run(async (held) => held.fence);
      const again = await a.lease("export:1").run(async (held) => held.fence);
      assert.ok(first.ran && again.ran, "the holder runs each time");
      assert.equal(again.value, first.value);
      assert.deepEqual(await b.lease("export:1").run(async () => 0), { ran: false });
    });

    it("a closed holder hands over at once, with a larger fence", async function () {
      const a = fx.replica();
      const b = fx.replica();
      await Promise.all([connected(a), connected(b)]);
      const la = a.lease("sweep", 5000);
      const first = await la.run(async (held) => held.fence);
      assert.equal(first.ran, true);
      await la.close();
      const second = await b.lease("sweep", 5000).run(async (held) => held.fence);
      assert.equal(second.ran, true);
      assert.ok(second.ran && first.ran && second.value > first.value, "the fence grows");
    });

    it("a holder that dies without releasing is replaced once the ttl has passed", async function () {
      const a = fx.replica();
      const b = fx.replica();
      await Promise.all([connected(a), connected(b)]);
      assert.equal((await a.lease("poll", 500).run(async () => 1)).ran, true);
      await a.link.close(); // killed: renewals stop, nothing released
      const lb = b.lease("poll", 500);
      assert.deepEqual(await lb.run(async () => 2), { ran: false });
      await waitFor("B taking over", async () => (await lb.run(async () => 2)).ran || undefined, 5000);
    });

    it("lost aborts when Redis is unreachable for the ttl, and nobody runs meanwhile", async function () {
      const { la, held, running } = await holdingPoll();
      await fx.server.stop();
      await running;
      assert.equal(held.lost.aborted, true);
      assert.match(String((held.lost.reason as Error).message), /lease "poll" was lost/);
      assert.deepEqual(await la.run(async () => 1), { ran: false });
      await fx.server.restart();
    });

    it("lost aborts when a renewal finds another holder", async function () {
      const { a, held, running } = await holdingPoll();
      await a.link.command(["SET", `nrq:${fx.configId}:l:poll`, "someone-else", "PX", 5000]);
      await running;
      assert.equal(held.lost.aborted, true);
    });
  });

  describe("records", function () {
    it("set, get, claim once, delete; shared by the replicas", async function () {
      const a = fx.replica();
      const b = fx.replica();
      await Promise.all([connected(a), connected(b)]);
      const ra = a.records("bookmarks");
      const rb = b.records("bookmarks");
      assert.equal(await rb.get("SV_1"), undefined);
      await ra.set("SV_1", { lastResponseId: "R_1" });
      assert.deepEqual(await rb.get("SV_1"), { lastResponseId: "R_1" });
      assert.equal(await ra.claim("invite:1", { by: "a" }), true);
      assert.equal(await rb.claim("invite:1", { by: "b" }), false);
      assert.deepEqual(await rb.get("invite:1"), { by: "a" });
      await rb.delete("SV_1");
      assert.equal(await ra.get("SV_1"), undefined);
      assert.equal(await a.records("other").get("invite:1"), undefined, "namespaces apart");
    });

    it("a record set or claimed with a ttl is gone after it", async function () {
      const a = fx.replica();
      await connected(a);
      const r = a.records("tmp");
      await r.set("x", { v: 1 }, { ttlMs: 150 });
      assert.equal(await r.claim("y", { v: 2 }, 150), true);
      await waitFor("both gone", async () => ((await r.get("x")) === undefined && (await r.get("y")) === undefined) || undefined, 3000);
      assert.equal(await r.claim("y", { v: 3 }), true);
    });

    it("a write fenced by a holder that lost the lease is refused with FencedError", async function () {
      const a = fx.replica();
      const b = fx.replica();
      await Promise.all([connected(a), connected(b)]);
      const la = a.lease("poll", 5000);
      const old = await la.run(async (held) => {
        await a.records("bookmarks").set("SV_1", { n: 1 }, { fence: { lease: "poll", fence: held.fence } });
        return held.fence;
      });
      assert.equal(old.ran, true);
      await la.close();
      const newer = await b.lease("poll", 5000).run(async (held) => held.fence);
      assert.ok(newer.ran && old.ran);
      await assert.rejects(
        a.records("bookmarks").set("SV_1", { n: 0 }, { fence: { lease: "poll", fence: old.value } }),
        (err: Error) => err instanceof FencedError && /another Node-RED took over "poll"/.test(err.message),
      );
      assert.deepEqual(await b.records("bookmarks").get("SV_1"), { n: 1 });
      await b.records("bookmarks").set("SV_1", { n: 2 }, { fence: { lease: "poll", fence: newer.value } });
      assert.deepEqual(await a.records("bookmarks").get("SV_1"), { n: 2 });
    });
  });

  describe("presence", function () {
    it("members are those announced by a live process; a withdrawn or silent one is dropped", async function () {
      const a = fx.replica();
      const b = fx.replica();
      await Promise.all([connected(a), connected(b)]);
      const pa = a.presence("triggers");
      const pb = b.presence("triggers");
      pa.announce("flow1/t1@a");
      pb.announce("flow1/t1@b");
      await waitFor("both", async () => (await pa.members()).size === 2 || undefined);
      await pb.withdraw("flow1/t1@b");
      assert.deepEqual([...(await pa.members())], ["flow1/t1@a"]);
      pb.announce("flow1/t1@b");
      await waitFor("b again", async () => (await pa.members()).has("flow1/t1@b") || undefined);
      await b.link.close(); // killed: no more announcements, nothing withdrawn
      await waitFor("b dropped", async () => (!(await pa.members()).has("flow1/t1@b")) || undefined, 5000);
      assert.ok((await pa.members()).has("flow1/t1@a"), "a is still announced");
    });
  });

  it("works through a password in the URL, and no error quotes it", async function () {
    const wrong = fx.replica({ url: fx.server.url.replace("s3cret-pass", "wrong-pass") });
    await assert.rejects(wrong.records("x").get("k"), (err: Error) => !err.message.includes("wrong-pass"));
    const a = fx.replica();
    await connected(a);
    await a.records("x").set("k", { ok: true });
    assert.deepEqual(await a.records("x").get("k"), { ok: true });
  });
});
