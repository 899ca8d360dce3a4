// The local records store (nodes/lib/coordination/local-records.ts): what the invite node relies on
// when many invitations write at once. Concurrent changes are written together, in order, each
// settled once on disk; claims still have exactly one winner.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { localRecords } from "../../nodes/lib/coordination/local-records";
import type { NodeAPI } from "../../nodes/lib/types";

describe("local records", function () {
  let userDir: string;
  let RED: NodeAPI;
  beforeEach(() => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), "nrq-records-"));
    RED = { settings: { userDir } } as unknown as NodeAPI;
  });
  afterEach(() => fs.rmSync(userDir, { recursive: true, force: true }));

  const files = () => fs.readdirSync(path.join(userDir, "qualtrics-records"));

  it("200 concurrent writes all land in the file, each readable once its promise settled", async () => {
    const ns = `ns-${Date.now()}`;
    const store = localRecords(RED, ns);
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.set(`k${i}`, { i })));
    for (let i = 0; i < 200; i++) assert.deepEqual(await store.get(`k${i}`), { i });
    const [file] = files();
    const onDisk = JSON.parse(fs.readFileSync(path.join(userDir, "qualtrics-records", file), "utf8")) as Record<string, { value: unknown }>;
    assert.equal(Object.keys(onDisk).length, 200);
    // a second store object on the same namespace (a message's) sees the same records
    assert.deepEqual(await localRecords(RED, ns).get("k1"), { i: 1 });
  });

  it("concurrent claims of one key have one winner; changes apply in the order they came", async () => {
    const ns = `claims-${Date.now()}`;
    const a = localRecords(RED, ns);
    const b = localRecords(RED, ns);
    const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claim("run:x", { i }, 60_000)));
    assert.equal(wins.filter(Boolean).length, 1);
    assert.deepEqual(await a.get("run:x"), { i: wins.indexOf(true) });
    await Promise.all([a.set("k", { v: 1 }), b.set("k", { v: 2 }), a.delete("k"), b.set("k", { v: 3 })]);
    assert.deepEqual(await b.get("k"), { v: 3 });
  });

  it("an expired record is gone, and can be claimed again", async () => {
    const store = localRecords(RED, `ttl-${Date.now()}`);
    assert.equal(await store.claim("q", { at: 1 }, 30), true);
    assert.equal(await store.claim("q", { at: 2 }, 30), false);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(await store.get("q"), undefined);
    assert.equal(await store.claim("q", { at: 3 }, 30), true);
  });
});
