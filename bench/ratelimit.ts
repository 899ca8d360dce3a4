// Case 2, rate-limit use: 10,000 contact creates against the sandbox's leaky bucket. The bucket
// drains LIMIT requests a minute and holds BURST (one second's worth); the config node's rateLimit
// is set to the same LIMIT, as a user sets it to their brand's limit (docs/qualtrics-facts.md §2.3: 3000
// a minute; the sandbox's limit is that scaled by 2 so that 10,000 creates take about 100 s, not
// 200). The 429s carry no Retry-After (Qualtrics' captured answers have none, docs/qualtrics-facts.md §2.3).
//
// All 10,000 messages enter the node at once (one function node sends them); the limiter queues
// them. Every message that leaves (output or catch) comes back to the hub, which counts each
// message id once, so "lost" (never ended) and "failed" (ended in the catch) are exact.
import { startSandbox } from "../sandbox";
import { sleep, startNodeRed } from "../test/support/runtime";
import { TOKEN, cmd, fmt, fn, hubFrame, hubReady, log, median, nodeRedStart, qualtricsConfig } from "./lib";
import type { CaseResult, Row, Target } from "./report";

export const CREATES = 10_000;
export const LIMIT = 6000;
export const BURST = 100;

const HUB = `
let s = context.get("s");
if (!s) { s = {}; context.set("s", s); }
if (msg.topic === "cmd") {
  const c = msg.payload || {};
  if (c.op === "start") {
    s.n = c.count; s.seen = new Uint8Array(c.count); s.done = 0; s.failed = 0; s.dup = 0; s.startAt = Date.now(); s.lastAt = 0; s.lastError = undefined;
    for (let i = 0; i < c.count; i++) {
      node.send([{ i, firstName: "Bench", lastName: "Create " + i, email: "bench." + c.run + "." + i + "@example.com" }, null]);
    }
  }
  msg.payload = { n: s.n, done: s.done, failed: s.failed, dup: s.dup, startAt: s.startAt, lastAt: s.lastAt, lastError: s.lastError, now: Date.now() };
  node.send([null, msg]);
  return null;
}
const i = msg.i;
if (typeof i !== "number" || !s.seen) return null;
if (s.seen[i]) { s.dup++; return null; }
s.seen[i] = 1;
if (msg.error) { s.failed++; s.lastError = msg.error.message; } else s.done++;
s.lastAt = Date.now();
return null;`;

interface Stats {
  n: number;
  done: number;
  failed: number;
  dup: number;
  startAt: number;
  lastAt: number;
  lastError?: string;
  now: number;
}

export async function runRateLimit(runs: number): Promise<CaseResult> {
  const sb = await startSandbox({ token: TOKEN });
  const nr = await startNodeRed(nodeRedStart());
  const ratio: number[] = [];
  const rate: number[] = [];
  const seconds: number[] = [];
  const limited: number[] = [];
  const failed: number[] = [];
  const lost: number[] = [];
  const dups: number[] = [];
  const notes: string[] = [];
  try {
    const directory = sb.seedIds.directoryId;
    await nr.deploy(
      [
        ...hubFrame("hub"),
        fn("hub", "bench: 10,000 creates", HUB, [["unit"], ["bench-cmd-out"]]),
        qualtricsConfig("cfg", sb.apiBase, { rateLimit: LIMIT, maxConcurrent: 10, retries: 4 }),
        {
          id: "unit", type: "qualtrics-contact", z: "bench-tab", name: "", qualtrics: "cfg", operation: "create", directoryId: directory, directoryIdType: "str",
          firstName: "firstName", firstNameType: "msg", lastName: "lastName", lastNameType: "msg", email: "email", emailType: "msg",
          x: 0, y: 0, wires: [["hub"]],
        },
        { id: "catch", type: "catch", z: "bench-tab", name: "", scope: ["unit"], uncaught: false, x: 0, y: 0, wires: [["hub"]] },
      ],
      { cfg: { apiToken: TOKEN } },
    );
    await hubReady(nr);
    for (let run = 1; run <= runs; run++) {
      // a fresh directory (seeded data only) and a fresh, empty bucket for every run
      sb.reset();
      sb.faults.set({ rateLimit: { perMinute: LIMIT, burst: BURST, retryAfter: false } });
      // let the config node's own bucket fill up again after the previous run
      await sleep(2000);
      await cmd(nr, { op: "start", count: CREATES, run });
      let last: Stats | undefined;
      let lastProgress = Date.now();
      for (;;) {
        await sleep(1000);
        const st = await cmd<Stats>(nr, { op: "stats" });
        if (!last || st.done + st.failed !== last.done + last.failed) lastProgress = Date.now();
        last = st;
        if (st.done + st.failed >= CREATES) break;
        // nothing ended for 60 s: what has not ended by now is lost
        if (Date.now() - lastProgress > 60_000) break;
      }
      await sleep(1000);
      const st = await cmd<Stats>(nr, { op: "stats" });
      const secs = (st.lastAt - st.startAt) / 1000;
      const achieved = (st.done / secs) * 60;
      const created = [...sb.state.directories.get(directory)!.contacts.values()].filter((c) => c.lastName?.startsWith("Create ")).length;
      ratio.push(achieved / LIMIT);
      rate.push(achieved);
      seconds.push(secs);
      limited.push(sb.faults.stats.rateLimited);
      failed.push(st.failed);
      lost.push(CREATES - st.done - st.failed);
      dups.push(st.dup);
      if (created !== st.done) notes.push(`run ${run}: the sandbox holds ${created} new contacts, the flow saw ${st.done} created`);
      if (st.lastError) notes.push(`run ${run}: last error: ${st.lastError}`);
      log(`ratelimit run ${run}: ${st.done} created in ${fmt(secs, 1)} s = ${fmt(achieved)}/min (${fmt(achieved / LIMIT, 3)} of the limit), 429s ${sb.faults.stats.rateLimited}, failed ${st.failed}, lost ${CREATES - st.done - st.failed}`);
    }
  } finally {
    await nr.dispose();
    await sb.close();
  }
  const rows: Row[] = [
    { label: "achieved rate", unit: "creates/min", values: rate },
    { label: "achieved / limit", unit: "ratio", values: ratio, digits: 3 },
    { label: "wall time, first message to last end", unit: "s", values: seconds, digits: 1 },
    { label: "429s answered by the sandbox", unit: "count", values: limited },
    { label: "messages failed (catch)", unit: "count", values: failed },
    { label: "messages lost (never ended)", unit: "count", values: lost },
    { label: "messages ended twice", unit: "count", values: dups },
  ];
  const worstFailed = Math.max(...failed);
  const worstLost = Math.max(...lost);
  const targets: Target[] = [
    { name: "achieved rate / limit (median)", value: median(ratio), goal: ">= 0.95", pass: median(ratio) >= 0.95, digits: 3 },
    { name: "messages failed (worst run)", value: worstFailed, goal: "0", pass: worstFailed === 0, digits: 0 },
    { name: "messages lost (worst run)", value: worstLost, goal: "0", pass: worstLost === 0, digits: 0 },
  ];
  return {
    name: "ratelimit",
    title: `2. Rate-limit use: ${fmt(CREATES)} contact creates against a leaky bucket`,
    method: `Sandbox bucket ${fmt(LIMIT)} requests/min, capacity ${BURST} (one second's worth), 429 without Retry-After; config node rateLimit ${fmt(LIMIT)}/min (the API's limit, as a user sets it), maxConcurrent 10, retries 4; all ${fmt(CREATES)} messages sent into the node at once; rate = creates / (last end − first send).`,
    rows,
    targets,
    notes,
  };
}
