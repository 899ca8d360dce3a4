// The trigger's durable memory of emitted deliveries: it survives a new instance (a restart), it
// is bounded, and it forgets what is older than its window.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DeliveryMemory } from "../../nodes/lib/delivery-memory";
import type { NodeAPI } from "../../nodes/lib/types";
import { sleep } from "../support/wait";

describe("delivery memory of qualtrics-response-in", function () {
  let userDir: string;
  let RED: NodeAPI;
  const errors: unknown[] = [];
  const memory = (windowMs = 600_000, nodeId = "node-1") => new DeliveryMemory(RED, nodeId, windowMs, (e) => errors.push(e));
  const files = () => fs.readdirSync(path.join(userDir, "qualtrics-webhook-deliveries"));

  beforeEach(() => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), "nrq-deliveries-"));
    RED = { settings: { userDir } } as unknown as NodeAPI;
    errors.length = 0;
  });
  afterEach(() => fs.rmSync(userDir, { recursive: true, force: true }));

  it("a new instance for the same node remembers, one for another node does not", async () => {
    const first = memory();
    await first.ready;
    assert.equal(first.firstTime("event-a"), true);
    assert.equal(first.firstTime("event-a"), false);
    await first.close(false);
    const again = memory();
    await again.ready;
    assert.equal(again.firstTime("event-a"), false);
    assert.equal(again.firstTime("event-b"), true);
    await again.close(false);
    const other = memory(600_000, "node-2");
    await other.ready;
    assert.equal(other.firstTime("event-a"), true);
    await other.close(false);
    assert.deepEqual(errors, []);
  });

  it("keeps at most 10000 events, the newest, and the file holds no event text", async () => {
    const m = memory();
    await m.ready;
    const long = "x".repeat(1000);
    for (let i = 0; i < 10_050; i++) m.firstTime(`event-${i}-${long}`);
    await m.close(false);
    const [file] = files();
    const text = fs.readFileSync(path.join(userDir, "qualtrics-webhook-deliveries", file), "utf8");
    assert.equal(Object.keys(JSON.parse(text).seen as object).length, 10_000);
    assert.ok(!text.includes("event-"), "digests only");
    assert.ok(text.length < 1_000_000, `${text.length} characters`);
    const again = memory();
    await again.ready;
    assert.equal(again.firstTime(`event-10049-${long}`), false, "the newest is remembered");
    assert.equal(again.firstTime(`event-0-${long}`), true, "the oldest went first");
    await again.close(true);
    assert.deepEqual(files(), [], "removing the node deletes its file");
  });

  it("forgets what is older than its window", async () => {
    const m = memory(50);
    await m.ready;
    m.firstTime("event-a");
    await m.close(false);
    await sleep(120);
    const again = memory(50);
    await again.ready;
    assert.equal(again.firstTime("event-a"), true);
    await again.close(false);
  });

  it("a file that is not ours is read as empty, and then replaced", async () => {
    const first = memory();
    await first.ready;
    first.firstTime("event-a");
    await first.close(false);
    const file = path.join(userDir, "qualtrics-webhook-deliveries", files()[0]);
    for (const junk of ["{not json", "[]", '{"seen":[1,2]}', '{"seen":{"k":"not a time"}}']) {
      fs.writeFileSync(file, junk);
      const m = memory();
      await m.ready;
      assert.equal(m.firstTime("event-a"), true, junk);
      await m.close(false);
      assert.ok(isPlain(JSON.parse(fs.readFileSync(file, "utf8")).seen), junk);
    }
    assert.deepEqual(errors, []);
  });
});

function isPlain(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
