// Bookmarks of runs under a lease: a Node-RED on its own keeps them in files and context; with
// replicas (coordination "redis") in the shared records, each write fenced by the run's lease.
import assert from "node:assert/strict";
import { readBookmark, sharedBookmarks, writeBookmark } from "../../nodes/lib/bookmark";
import { localCoordination } from "../../nodes/lib/coordination/local";
import type { Coordination, RecordStore } from "../../nodes/lib/coordination/types";
import type { Node, NodeAPI, QualtricsConfigNode } from "../../nodes/lib/types";

const RED = { settings: {} } as unknown as NodeAPI;
const node = {
  id: "poll-1",
  context: () => {
    throw new Error("the node's context is not where a shared bookmark lives");
  },
} as unknown as Node;

describe("shared bookmarks", function () {
  it("a Node-RED on its own has none: its bookmarks stay in files and context", function () {
    const config = { coordination: () => localCoordination(RED) } as unknown as QualtricsConfigNode;
    assert.equal(sharedBookmarks(config, "poll:poll-1", { fence: 1, lost: new AbortController().signal }), undefined);
  });

  it("with replicas, a bookmark is read from and written to the records, with the lease's fence", async function () {
    const base = localCoordination(RED).records("bookmarks-test");
    const writes: unknown[] = [];
    const records: RecordStore = {
      ...base,
      get: (k) => base.get(k),
      set: (k, v, o) => (writes.push({ k, fence: o?.fence }), base.set(k, v, o)),
    };
    const shared: Coordination = { ...localCoordination(RED), mode: "redis", records: () => records };
    const config = { coordination: () => shared } as unknown as QualtricsConfigNode;
    const place = sharedBookmarks(config, "poll:poll-1", { fence: 7, lost: new AbortController().signal });
    assert.ok(place);
    assert.equal(await readBookmark(RED, node, "SV_1", place), undefined);
    await writeBookmark(RED, node, { surveyId: "SV_1", since: "2030-01-01T00:00:00Z", continuationToken: "tok" }, place);
    assert.deepEqual(writes, [{ k: "poll-1|SV_1", fence: { lease: "poll:poll-1", fence: 7 } }]);
    const back = await readBookmark(RED, node, "SV_1", place);
    assert.equal(back?.continuationToken, "tok");
    assert.equal(back?.since, "2030-01-01T00:00:00Z");
    assert.equal(await readBookmark(RED, node, "SV_2", place), undefined, "one bookmark per survey");
    await base.delete("poll-1|SV_1");
  });
});
