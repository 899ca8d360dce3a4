// Case 5, invitations: 1,000 qualtrics-invite messages against the sandbox's leaky bucket, in two
// halves of 500: new people (search, create on the list, transaction, batch, distribution), then
// the same people with new tickets (known: no create, no list check). Per half: the API requests
// per invitation (the sandbox's own count, 429s left out) and the achieved request rate against
// the limit. The invitation records are the real ones: files in Node-RED's user directory.
import { startSandbox } from "../sandbox";
import { sleep, startNodeRed } from "../test/support/runtime";
import { TOKEN, cmd, fmt, fn, hubFrame, hubReady, log, median, nodeRedStart, qualtricsConfig } from "./lib";
import type { CaseResult, Row, Target } from "./report";

export const INVITES = 1000;
export const LIMIT = 6000;
export const BURST = 100;

const HUB = `
let s = context.get("s");
if (!s) { s = {}; context.set("s", s); }
if (msg.topic === "cmd") {
  const c = msg.payload || {};
  if (c.op === "start") {
    s.n = c.count; s.seen = new Uint8Array(c.count); s.done = 0; s.failed = 0; s.dup = 0; s.skipped = 0; s.startAt = Date.now(); s.lastAt = 0; s.lastError = undefined;
    for (let i = 0; i < c.count; i++) {
      node.send([{ i, payload: { email: "bench." + c.run + "." + i + "@example.com", firstName: "Bench", lastName: "Person " + i, transaction: { id: c.half + "-" + i, kind: "bench" } } }, null]);
    }
  }
  msg.payload = { n: s.n, done: s.done, failed: s.failed, dup: s.dup, skipped: s.skipped, startAt: s.startAt, lastAt: s.lastAt, lastError: s.lastError, now: Date.now() };
  node.send([null, msg]);
  return null;
}
const i = msg.i;
if (typeof i !== "number" || !s.seen) return null;
if (s.seen[i]) { s.dup++; return null; }
s.seen[i] = 1;
if (msg.error) { s.failed++; s.lastError = msg.error.message; } else { s.done++; if (msg.payload && msg.payload.skipped) s.skipped++; }
s.lastAt = Date.now();
return null;`;

interface Stats {
  n: number;
  done: number;
  failed: number;
  dup: number;
  skipped: number;
  startAt: number;
  lastAt: number;
  lastError?: string;
}

export async function runInvites(runs: number): Promise<CaseResult> {
  const sb = await startSandbox({ token: TOKEN });
  const nr = await startNodeRed(nodeRedStart());
  const perNew: number[] = [];
  const perKnown: number[] = [];
  const ratio: number[] = [];
  const seconds: number[] = [];
  const failed: number[] = [];
  const lost: number[] = [];
  const sent: number[] = [];
  const notes: string[] = [];
  const half = INVITES / 2;
  try {
    const ids = sb.seedIds;
    await nr.deploy(
      [
        ...hubFrame("hub"),
        fn("hub", "bench: invitations", HUB, [["unit"], ["bench-cmd-out"]]),
        qualtricsConfig("cfg", sb.apiBase, { rateLimit: LIMIT, maxConcurrent: 10, retries: 4 }),
        {
          id: "unit", type: "qualtrics-invite", z: "bench-tab", name: "", qualtrics: "cfg",
          directoryId: ids.directoryId, directoryIdType: "str", mailingListId: ids.mailingListIds[0], mailingListIdType: "str", matchKey: "email",
          surveyId: ids.surveyIds[0], surveyIdType: "str", channel: "email", libraryId: ids.libraryId, libraryIdType: "str",
          messageId: ids.messageIds.invite, messageIdType: "str", fromEmail: "bench@example.com", fromEmailType: "str",
          fromName: "Bench", fromNameType: "str", subject: "Bench", subjectType: "str", quietDays: 0, x: 0, y: 0, wires: [["hub"]],
        },
        { id: "catch", type: "catch", z: "bench-tab", name: "", scope: ["unit"], uncaught: false, x: 0, y: 0, wires: [["hub"]] },
      ],
      { cfg: { apiToken: TOKEN } },
    );
    await hubReady(nr);
    for (let run = 1; run <= runs; run++) {
      sb.reset();
      sb.faults.set({ rateLimit: { perMinute: LIMIT, burst: BURST, retryAfter: false } });
      await sleep(2000);
      let requests = 0;
      let elapsed = 0;
      let runFailed = 0;
      let runLost = 0;
      const emailsBefore = sb.state.distributions.size;
      for (const [name, per] of [["new", perNew], ["known", perKnown]] as const) {
        const from = sb.requests.length;
        const limitedFrom = sb.faults.stats.rateLimited;
        await cmd(nr, { op: "start", count: half, run, half: name });
        let st = await waitForEnd(nr, half);
        await sleep(500);
        st = await cmd<Stats>(nr, { op: "stats" });
        const made = sb.requests.length - from - (sb.faults.stats.rateLimited - limitedFrom);
        per.push(made / half);
        requests += made;
        elapsed += (st.lastAt - st.startAt) / 1000;
        runFailed += st.failed;
        runLost += half - st.done - st.failed;
        if (st.skipped) notes.push(`run ${run}, ${name}: ${st.skipped} skipped`);
        if (st.lastError) notes.push(`run ${run}, ${name}: last error: ${st.lastError}`);
      }
      const achieved = (requests / elapsed) * 60;
      ratio.push(achieved / LIMIT);
      seconds.push(elapsed);
      failed.push(runFailed);
      lost.push(runLost);
      sent.push(sb.state.distributions.size - emailsBefore);
      log(`invites run ${run}: ${fmt(perNew[perNew.length - 1], 2)} requests per new person, ${fmt(perKnown[perKnown.length - 1], 2)} per known, ${fmt(achieved)}/min (${fmt(achieved / LIMIT, 3)} of the limit), failed ${runFailed}, lost ${runLost}`);
    }
  } finally {
    await nr.dispose();
    await sb.close();
  }
  const rows: Row[] = [
    { label: "API requests per invitation, new person", unit: "requests", values: perNew, digits: 2 },
    { label: "API requests per invitation, known person", unit: "requests", values: perKnown, digits: 2 },
    { label: "achieved / limit", unit: "ratio", values: ratio, digits: 3 },
    { label: "wall time, both halves", unit: "s", values: seconds, digits: 1 },
    { label: "distributions created", unit: "count", values: sent },
    { label: "messages failed (catch)", unit: "count", values: failed },
    { label: "messages lost (never ended)", unit: "count", values: lost },
  ];
  const targets: Target[] = [
    { name: "requests per new person (median)", value: median(perNew), goal: "<= 5", pass: median(perNew) <= 5, digits: 2 },
    { name: "requests per known person (median)", value: median(perKnown), goal: "<= 4", pass: median(perKnown) <= 4, digits: 2 },
    { name: "achieved rate / limit (median)", value: median(ratio), goal: ">= 0.95", pass: median(ratio) >= 0.95, digits: 3 },
    { name: "invitations sent (worst run)", value: Math.min(...sent), goal: `${fmt(INVITES)}`, pass: Math.min(...sent) === INVITES, digits: 0 },
  ];
  return {
    name: "invites",
    title: `5. Invitations: ${fmt(INVITES)} qualtrics-invite messages against a leaky bucket`,
    method: `Sandbox bucket ${fmt(LIMIT)} requests/min, capacity ${BURST}, 429 without Retry-After; config node rateLimit ${fmt(LIMIT)}/min, maxConcurrent 10; ${fmt(half)} new people sent into the node at once, then the same ${fmt(half)} people with new tickets; records in Node-RED's user directory; rate = API requests (429s left out) / (last end − first send), both halves.`,
    rows,
    targets,
    notes,
  };
}

async function waitForEnd(nr: Parameters<typeof cmd>[0], count: number): Promise<Stats> {
  let last: Stats | undefined;
  let lastProgress = Date.now();
  for (;;) {
    await sleep(500);
    const st = await cmd<Stats>(nr, { op: "stats" });
    if (!last || st.done + st.failed !== last.done + last.failed) lastProgress = Date.now();
    last = st;
    if (st.done + st.failed >= count) return st;
    if (Date.now() - lastProgress > 60_000) return st;
  }
}
