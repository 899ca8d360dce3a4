// Case 3, memory: list 10,000 and 100,000 contacts (qualtrics-contact list) and export 10,000 and
// 100,000 responses (qualtrics-export), one message per item, each run in a fresh Node-RED so peaks
// do not mix. Peak RSS is the Node-RED process's VmHWM after the last message; wall time is from
// the start command to the last item's arrival, both taken inside Node-RED.
//
// The sandbox runs in the bench process (Node-RED is always its own process), seeded by writing
// to its state directly: contacts into two directories, responses with generateResponses.
import { generateResponses } from "../sandbox/export-control";
import { startSandbox, type Sandbox } from "../sandbox";
import type { ContactRecord, DirectoryRecord } from "../sandbox";
import { sleep, startNodeRed } from "../test/support/runtime";
import { TOKEN, cmd, fmt, fn, hubFrame, hubReady, log, median, memoryOf, nodeRedStart, qualtricsConfig, resetPeak } from "./lib";
import type { CaseResult, Row, Target } from "./report";

const SIZES = [10_000, 100_000];
const DIRS: Record<number, string> = { 10000: "POOL_bench10kContact", 100000: "POOL_bench100kContac" };

function seedContacts(sb: Sandbox, size: number): string {
  const directoryId = DIRS[size];
  const contacts = new Map<string, ContactRecord>();
  const created = "2024-03-01T09:00:00.000Z";
  for (let i = 0; i < size; i++) {
    const contactId = `CID_b${size}x${String(i).padStart(15 - 2 - String(size).length, "0")}`;
    contacts.set(contactId, {
      contactId, firstName: "Bench", lastName: `Contact ${i}`, email: `bench.${i}@example.com`, phone: `+1555${String(i).padStart(7, "0")}`,
      extRef: `CRM-${i}`, language: "EN", unsubscribed: false, unsubscribeDate: null,
      embeddedData: { tier: i % 3 === 0 ? "gold" : "silver", region: "north" }, creationDate: created, lastModified: created,
    });
  }
  const dir: DirectoryRecord = {
    directoryId, name: `Bench ${size}`, isDefault: false,
    deduplicationCriteria: { email: true, firstName: false, lastName: false, externalDataReference: false, phone: false },
    contacts, mailingLists: new Map(), transactions: new Map(), transactionBatches: new Map(),
  };
  sb.state.directories.set(directoryId, dir);
  return directoryId;
}

const HUB = `
let s = context.get("s");
if (!s) { s = {}; context.set("s", s); }
if (msg.topic === "cmd") {
  const c = msg.payload || {};
  if (c.op === "start") {
    s.count = 0; s.errors = 0; s.startAt = Date.now(); s.lastAt = 0; s.total = undefined; s.lastError = undefined;
    node.send([{ payload: "" }, null]);
  }
  msg.payload = { count: s.count, errors: s.errors, total: s.total, startAt: s.startAt, lastAt: s.lastAt, lastError: s.lastError, now: Date.now() };
  node.send([null, msg]);
  return null;
}
if (msg.error) { s.errors++; s.lastError = msg.error.message; s.lastAt = Date.now(); return null; }
s.count++;
if (msg.parts && msg.parts.count !== undefined) { s.total = msg.parts.count; s.lastAt = Date.now(); }
return null;`;

interface Stats {
  count: number;
  errors: number;
  total?: number;
  startAt: number;
  lastAt: number;
  lastError?: string;
}

type Kind = "list" | "export";

async function oneRun(sb: Sandbox, kind: Kind, size: number, target: string): Promise<{ seconds: number; peakMiB: number; atStartMiB: number; startupPeakMiB: number; reset: boolean; count: number; errors: number; lastError?: string }> {
  const nr = await startNodeRed(nodeRedStart({ settings: { qualtricsExportPollDelay: 100 } }));
  try {
    const unit =
      kind === "list"
        ? {
            // page size 1000, the largest Qualtrics serves: 100 requests for 100,000 contacts
            id: "unit", type: "qualtrics-contact", z: "bench-tab", name: "", qualtrics: "cfg", operation: "list", directoryId: target, directoryIdType: "str",
            limit: 0, pageSize: 1000, output: "split", x: 0, y: 0, wires: [["hub"]],
          }
        : {
            // JSON, compressed (the default): read from a temporary file one response at a time
            id: "unit", type: "qualtrics-export", z: "bench-tab", name: "", qualtrics: "cfg", surveyId: target, surveyIdType: "str",
            format: "json", output: "split", compress: true, since: "all", timeout: 10, x: 0, y: 0, wires: [["hub"]],
          };
    await nr.deploy(
      [
        ...hubFrame("hub"),
        fn("hub", "bench: count items", HUB, [["unit"], ["bench-cmd-out"]]),
        qualtricsConfig("cfg", sb.apiBase),
        unit,
        { id: "catch", type: "catch", z: "bench-tab", name: "", scope: ["unit"], uncaught: false, x: 0, y: 0, wires: [["hub"]] },
      ],
      { cfg: { apiToken: TOKEN } },
    );
    await hubReady(nr);
    await sleep(1000);
    const startupPeakMiB = memoryOf(nr.pid!).peakMiB;
    // the peak of the run, not Node-RED's start-up peak (which is higher than a 10,000-item run)
    const reset = resetPeak(nr.pid!);
    const { rssMiB: atStartMiB } = memoryOf(nr.pid!);
    await cmd(nr, { op: "start" });
    let st: Stats;
    const until = Date.now() + 300_000;
    for (;;) {
      await sleep(250);
      st = await cmd<Stats>(nr, { op: "stats" });
      // BENCH_TRACE=1: how RSS moves with the items sent, to tell a plateau from growth
      if (process.env.BENCH_TRACE) log(`  ${kind} ${size}: ${st.count} items, RSS ${fmt(memoryOf(nr.pid!).rssMiB, 1)} MiB, peak ${fmt(memoryOf(nr.pid!).peakMiB, 1)} MiB`);
      if ((st.total !== undefined && st.count >= st.total) || st.errors > 0 || Date.now() > until) break;
    }
    const { peakMiB } = memoryOf(nr.pid!);
    return { seconds: (st.lastAt - st.startAt) / 1000, peakMiB, atStartMiB, startupPeakMiB, reset, count: st.count, errors: st.errors, lastError: st.lastError };
  } finally {
    await nr.dispose();
  }
}

export async function runMemory(runs: number): Promise<CaseResult> {
  const sb = await startSandbox({ token: TOKEN });
  const rows: Row[] = [];
  const targets: Target[] = [];
  const notes: string[] = [];
  try {
    const t0 = Date.now();
    const dirs = SIZES.map((n) => seedContacts(sb, n));
    const surveys = sb.seedIds.surveyIds.slice(0, 2);
    SIZES.forEach((n, i) => generateResponses(sb.state, surveys[i], n));
    log(`memory: seeded ${SIZES.join(" and ")} contacts and responses in ${fmt((Date.now() - t0) / 1000, 1)} s`);
    const atStart: number[] = [];
    const startup: number[] = [];
    let resetOk = true;
    for (const kind of ["list", "export"] as Kind[]) {
      const peaks: Record<number, number[]> = {};
      const growth: Record<number, number[]> = {};
      for (const [i, size] of SIZES.entries()) {
        const secs: number[] = [];
        peaks[size] = [];
        growth[size] = [];
        for (let run = 1; run <= runs; run++) {
          const r = await oneRun(sb, kind, size, kind === "list" ? dirs[i] : surveys[i]);
          if (r.count !== size || r.errors) notes.push(`${kind} ${fmt(size)} run ${run}: ${r.count} items, ${r.errors} errors ${r.lastError ?? ""}`);
          secs.push(r.seconds);
          peaks[size].push(r.peakMiB);
          growth[size].push(r.peakMiB - r.atStartMiB);
          atStart.push(r.atStartMiB);
          startup.push(r.startupPeakMiB);
          resetOk &&= r.reset;
          log(`memory ${kind} ${fmt(size)} run ${run}: ${fmt(r.count)} items in ${fmt(r.seconds, 2)} s, peak RSS ${fmt(r.peakMiB, 1)} MiB (RSS at the start ${fmt(r.atStartMiB, 1)} MiB, start-up peak ${fmt(r.startupPeakMiB, 1)} MiB)`);
        }
        const what = kind === "list" ? "contacts listed" : "responses exported";
        rows.push({ label: `${fmt(size)} ${what}: wall time`, unit: "s", values: secs, digits: 2 });
        rows.push({ label: `${fmt(size)} ${what}: peak RSS`, unit: "MiB", values: peaks[size], digits: 1 });
        rows.push({ label: `${fmt(size)} ${what}: peak RSS − RSS at the start`, unit: "MiB", values: growth[size], digits: 1 });
      }
      const ratio = median(peaks[100_000]) / median(peaks[10_000]);
      targets.push({ name: `${kind}: peak RSS at 100,000 / at 10,000`, value: ratio, goal: "<= 1.2", pass: ratio <= 1.2 });
    }
    notes.push(`Node-RED with the flow deployed, before the start: RSS ${fmt(median(atStart), 1)} MiB (median of all runs); its start-up peak was ${fmt(median(startup), 1)} MiB. ${resetOk ? "The peak was reset (/proc/<pid>/clear_refs) before each start, so peak RSS is the run's own." : "The peak could NOT be reset before the start: peak RSS includes Node-RED's start-up peak."}`);
  } finally {
    await sb.close();
  }
  return {
    name: "memory",
    title: "3. Memory: one message per item, 10,000 vs 100,000",
    method: "Each run in a fresh Node-RED (peak RSS = VmHWM of its process after the last message). List: qualtrics-contact list, page size 1000, limit 0, one message per contact. Export: qualtrics-export, JSON, compressed (default), one message per response, progress checked every 100 ms. Every item goes to a function node that counts it; wall time from the start command to the item with parts.count.",
    rows,
    targets,
    notes,
  };
}
