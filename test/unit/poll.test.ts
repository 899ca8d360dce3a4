import assert from "node:assert/strict";
import { PollTimeoutError, pollUntilDone } from "../../src/poll";
import { failure } from "./helpers";

describe("pollUntilDone", function () {
  it("checks until isDone, reporting progress for every unfinished state, and returns the last state", async function () {
    const states = [10, 40, 100];
    const seen: Array<[number, number]> = [];
    const out = await pollUntilDone({
      check: async () => states.shift()!,
      isDone: (s) => s >= 100,
      onProgress: (s, n) => seen.push([s, n]),
      initialDelayMs: 1,
      maxDelayMs: 2,
    });
    assert.equal(out, 100);
    assert.deepEqual(seen, [[10, 1], [40, 2]]);
  });

  it("ends with the check's own error (a 404, say)", async function () {
    let calls = 0;
    const err = await failure(pollUntilDone({
      check: async () => {
        calls++;
        if (calls === 2) throw new Error("404 gone");
        return 0;
      },
      isDone: () => false,
      initialDelayMs: 1,
    }));
    assert.equal(err.message, "404 gone");
    assert.equal(calls, 2);
  });

  it("gives up after timeoutMs with a PollTimeoutError that keeps the last state", async function () {
    let calls = 0;
    const err = await failure<PollTimeoutError>(pollUntilDone({
      check: async () => ++calls,
      isDone: () => false,
      initialDelayMs: 5,
      maxDelayMs: 5,
      timeoutMs: 40,
      what: "import X",
    }));
    assert.ok(err instanceof PollTimeoutError);
    assert.match(err.message, /^import X was still not finished after 0 s/);
    assert.ok(err.checks >= 1);
    assert.equal(err.lastState, calls);
  });

  it("stops waiting when the signal aborts, with the signal's reason", async function () {
    const ac = new AbortController();
    let calls = 0;
    const p = pollUntilDone({
      check: async () => {
        calls++;
        if (calls === 1) setImmediate(() => ac.abort(new Error("node closed")));
        return 0;
      },
      isDone: () => false,
      initialDelayMs: 1,
      maxDelayMs: 60_000,
      factor: 60_000,
      signal: ac.signal,
    });
    const err = await failure(p);
    assert.equal(err.message, "node closed");
    assert.equal(calls, 1);
  });

  it("does not start when the signal is already aborted", async function () {
    const ac = new AbortController();
    ac.abort(new Error("already"));
    let calls = 0;
    const err = await failure(pollUntilDone({ check: async () => ++calls, isDone: () => true, signal: ac.signal }));
    assert.equal(err.message, "already");
    assert.equal(calls, 0);
  });

  it("grows the pause by factor up to maxDelayMs (seen through the pauses it asks for)", async function () {
    // the schedule is observed by counting checks done before a fixed number of timer ticks would not
    // be robust; instead the pauses are derived from the options: 1, 2, 4, 4 for factor 2 and max 4
    const pauses: number[] = [];
    const realSetTimeout = global.setTimeout;
    (global as { setTimeout: unknown }).setTimeout = ((fn: () => void, ms: number) => {
      pauses.push(ms);
      return realSetTimeout(fn, 0);
    }) as unknown as typeof setTimeout;
    try {
      let n = 0;
      await pollUntilDone({ check: async () => ++n, isDone: (s) => s >= 4, initialDelayMs: 1, maxDelayMs: 4, factor: 2, timeoutMs: 0 });
    } finally {
      global.setTimeout = realSetTimeout;
    }
    assert.deepEqual(pauses, [1, 2, 4, 4]);
  });
});
