// A walk through a picker's list (nodes/lib/lookup-pages.ts): pages read only as needed, shared by
// requests that arrive together, searched by name or ID, capped at its budget, failures passed on.
import assert from "node:assert/strict";
import { ListWalk, pageRequest, PageRequestError } from "../../nodes/lib/lookup-pages";

const item = (n: number) => ({ value: `SV_${String(n).padStart(15, "0")}`, label: `Survey ${n}` });

/** a source of `pages` pages of `size` items that counts the pages read */
function source(pages: number, size: number, failAt = -1) {
  const seen = { read: 0 };
  async function* gen() {
    for (let p = 0; p < pages; p++) {
      await Promise.resolve();
      if (p === failAt) throw new Error("upstream broke");
      seen.read += 1;
      yield { items: Array.from({ length: size }, (_, i) => item(p * size + i)), last: p === pages - 1 };
    }
  }
  return { seen, gen: gen() };
}

describe("lookup pages: ListWalk", function () {
  it("reads one page for the first page of matches, and one more only when a page needs it", async () => {
    const { seen, gen } = source(10, 10);
    const walk = new ListWalk(gen);
    const first = await walk.page({ q: "", offset: 0, limit: 5 });
    assert.deepEqual(first.items.map((i) => i.label), ["Survey 0", "Survey 1", "Survey 2", "Survey 3", "Survey 4"]);
    assert.equal(first.more, true);
    assert.equal(seen.read, 1);
    await walk.page({ q: "", offset: 5, limit: 5 });
    assert.equal(seen.read, 2, "one match past the page tells there is more");
  });

  it("knows the list ended from its last page, without asking for another", async () => {
    let asked = 0;
    async function* two() {
      asked += 1;
      yield { items: [item(2), item(10)], last: false };
      asked += 1;
      yield { items: [item(1)], last: true };
      asked += 1;
    }
    assert.deepEqual((await new ListWalk(two()).all()).map((i) => i.label), ["Survey 2", "Survey 10", "Survey 1"]);
    assert.equal(asked, 2);
  });

  it("requests asking at once wait for the same page", async () => {
    const { seen, gen } = source(10, 10);
    const walk = new ListWalk(gen);
    const [a, b] = await Promise.all([walk.page({ q: "", offset: 0, limit: 3 }), walk.page({ q: "", offset: 0, limit: 3 })]);
    assert.deepEqual(a, b);
    assert.equal(seen.read, 1);
  });

  it("searches name and ID ignoring case, to the end of the list", async () => {
    const { seen, gen } = source(10, 10);
    const walk = new ListWalk(gen);
    assert.deepEqual(await walk.page({ q: "survey 97", offset: 0, limit: 5 }), { items: [item(97)], more: false });
    assert.equal(seen.read, 10);
    assert.deepEqual((await walk.page({ q: item(42).value.toLowerCase(), offset: 0, limit: 5 })).items, [item(42)]);
  });

  it("stops at its budget and says the list was capped", async () => {
    const { seen, gen } = source(10, 10);
    const walk = new ListWalk(gen, 25);
    assert.deepEqual(await walk.page({ q: "nothing", offset: 0, limit: 5 }), { items: [], more: false, capped: true });
    assert.equal(seen.read, 3);
    assert.equal((await walk.all()).length, 25);
  });

  it("a source already searched (contacts) is not filtered again", async () => {
    const { gen } = source(1, 3);
    const walk = new ListWalk(gen, 100, true);
    assert.equal((await walk.page({ q: "what Qualtrics matched", offset: 0, limit: 5 })).items.length, 3);
  });

  it("a failed page fails every request that needs it", async () => {
    const { gen } = source(10, 10, 1);
    const walk = new ListWalk(gen);
    assert.equal((await walk.page({ q: "", offset: 0, limit: 5 })).items.length, 5);
    await assert.rejects(walk.page({ q: "", offset: 10, limit: 5 }), /upstream broke/);
    await assert.rejects(walk.all(), /upstream broke/);
    assert.equal(walk.broken, true);
  });

  it("a request that gives up leaves the walk whole for the next", async () => {
    const { seen, gen } = source(10, 10);
    const walk = new ListWalk(gen);
    await assert.rejects(walk.page({ q: "survey 55", offset: 0, limit: 5 }, AbortSignal.abort(new Error("typed on"))), /typed on/);
    assert.equal(walk.broken, false);
    assert.deepEqual((await walk.page({ q: "survey 55", offset: 0, limit: 5 })).items, [item(55)]);
    assert.equal(seen.read, 10);
  });
});

describe("lookup pages: pageRequest", function () {
  const from = (o: Record<string, unknown>) => (name: string) => o[name];
  it("is undefined without a limit (the whole list), else checked", () => {
    assert.equal(pageRequest(from({ q: "x" })), undefined);
    assert.deepEqual(pageRequest(from({ limit: "20", offset: 40, q: "Ab" })), { q: "Ab", offset: 40, limit: 20 });
    assert.deepEqual(pageRequest(from({ limit: 5 })), { q: "", offset: 0, limit: 5 });
    assert.throws(() => pageRequest(from({ limit: "1e3" })), PageRequestError);
    assert.throws(() => pageRequest(from({ limit: 10, offset: 10_001 })), /offset must be a whole number from 0 to 10000/);
  });
});
