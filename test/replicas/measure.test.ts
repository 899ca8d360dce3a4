// The replicas suite's counting, on made-up logs: what it calls lost, duplicated, overlapping and
// slow must be what the figures say, or a scenario could pass on a wrong count.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RecordedRequest } from "../../sandbox/types";
import { countEvents, longestGap, overlaps, pollRuns, rateOverLimit } from "./measure";
import { REPO_ROOT } from "../support/runtime";

const req = (tag: string | undefined, method: string, p: string, at: number, status = 200): RecordedRequest =>
  ({ method, path: p, query: {}, headers: {}, body: undefined, rawBody: "", at, tag, status }) as RecordedRequest;

describe("replicas: how the figures are counted", () => {
  it("an event never emitted is lost; twice is duplicated, or in the window when the killed replica emitted one of them", () => {
    const e = (replica: string, id: string) => ({ replica, id, at: 0 });
    const c = countEvents(["a", "b", "c", "d"], [e("r1", "a"), e("r1", "b"), e("r3", "b"), e("r2", "c"), e("r1", "c")], ["r2"]);
    assert.deepEqual(
      { sent: c.sent, delivered: c.delivered, lost: c.lost, duplicated: c.duplicated, windowDuplicates: c.windowDuplicates },
      { sent: 4, delivered: 1, lost: 1, duplicated: 1, windowDuplicates: 1 },
    );
    assert.deepEqual(c.lostIds, ["d"]);
    assert.deepEqual(c.duplicatedIds, ["b (r1, r3)"]);
  });

  it("poll runs per replica from the export requests; runs of two replicas at once overlap, one after the other do not", () => {
    const S = "SV_1";
    const ex = `/API/v3/surveys/${S}/export-responses`;
    const log = [
      req("r1", "POST", ex, 1000),
      req("r1", "GET", `${ex}/ES_1`, 1100),
      req("r1", "GET", `${ex}/ES_1/file`, 1200),
      req("r2", "POST", ex, 1150), // while r1's run is under way
      req("r2", "GET", `${ex}/ES_2/file`, 1300),
      req("r3", "POST", ex, 5000), // after both
      req("r3", "GET", `${ex}/ES_3/file`, 5100),
      req("r1", "POST", "/API/v3/surveys/SV_other/export-responses", 1150), // another survey
      req(undefined, "POST", ex, 1150), // untagged: not a replica's
    ];
    const runs = pollRuns(log, S);
    assert.deepEqual(runs, [
      { replica: "r1", start: 1000, end: 1200 },
      { replica: "r2", start: 1150, end: 1300 },
      { replica: "r3", start: 5000, end: 5100 },
    ]);
    assert.equal(overlaps(runs), 1);
    assert.equal(longestGap(runs, 0, 6000), 5000 - 1150);
    assert.equal(longestGap([], 0, 6000), 6000);
  });

  it("the aggregate rate counts accepted requests only, after the bucket's free burst", () => {
    // 2 free, then one accepted every 100 ms for 6 s (600 a minute), with 429s in between that do not count
    const log = [req("r1", "POST", "/c", 0), req("r2", "POST", "/c", 0)];
    for (let i = 0; i <= 60; i++) log.push(req(`r${(i % 3) + 1}`, "POST", "/c", i * 100), req("r1", "POST", "/c", i * 100 + 50, 429));
    assert.equal(rateOverLimit(log, (r) => r.status === 200, 600, 2), 1);
    assert.equal(rateOverLimit(log, (r) => r.status === 200, 1200, 2), 0.5);
  });

  it("the fault table holds a replicas row to its targets", () => {
    // scripts/fault-figures.js is plain JavaScript run by scripts/test.js
    const { report } = require(path.join(REPO_ROOT, "scripts/fault-figures.js")) as { report(file: string, areas: string[]): { text: string; failures: string[] } };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "nrq-figures-")), "f.jsonl");
    const line = (o: Record<string, unknown>) => JSON.stringify({ area: "replicas", run: "node-red", ...o });
    fs.writeFileSync(file, [
      line({ what: "ok", sent: 10, delivered: 9, windowDuplicates: 1, maxGapMs: 3000, gapLimitMs: 22000 }),
      line({ what: "rate", sent: 5, delivered: 5, rateRatio: 0.97, failed: 0 }),
    ].join("\n"));
    assert.deepEqual(report(file, ["replicas"]).failures, []);
    fs.appendFileSync(file, "\n" + line({ what: "bad", sent: 3, delivered: 1, lost: 1, duplicated: 1, subscriptionsOff: 2, overlaps: 4, maxGapMs: 30000, gapLimitMs: 22000, rateRatio: 0.5, failed: 1 }));
    const failures = report(file, ["replicas", "faults"]).failures.join("\n");
    for (const want of [/1 messages lost/, /1 messages duplicated/, /2 off one per trigger/, /4 overlapping/, /1 requests failed/, /gap between polls/, /rate 0\.500/, /faults: no figures/]) {
      assert.match(failures, want);
    }
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
