// `npm start` twice in a row on the same user directory (a temporary one: --userdir), pressing every
// example's buttons each time (every inject node, and the sandbox's "Complete a response", which
// feeds the response trigger and the poll): no error in the log, in the debug sidebar or as a red
// node status, except the examples that show an error on purpose (ON_PURPOSE).
//
// The start script runs as a user runs it (node scripts/start.js), on this Node and NR_PKG; the
// sidebar and the statuses are read from the editor's websocket (comms.ts).
import assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT, FlowNode, examplesFlows, sleep, waitFor } from "../support/runtime";
import { CommsWatch, SidebarMessage, watchComms } from "./comms";

/**
 * The nodes that fail on purpose, and why: each example has a "... that does not exist" button that
 * shows how a failure looks (the node's error, its red status and the tab's Catch node).
 */
const ON_PURPOSE: Record<string, string> = {
  "qex-api-missing": "API call: GET of a path that does not exist (404)",
  "qex-contacts-get-missing": "Contacts: get a contact that does not exist (404)",
  "qex-export-missing": "Export: a survey that does not exist (msg.payload)",
  "qex-mailing-lists-missing": "Mailing lists: delete a list that does not exist (404)",
  "qex-responses-missing": "Responses: get a response that does not exist (404)",
};
/** debug nodes that show a failure when they get a message at all */
const FAILURE_DEBUG = /^(not reached|other status)$/;
const SURVEY = "SV_VE5mzwCiii9FktA";
const OWN_TAB: FlowNode = { id: "start-test-own-tab", type: "tab", label: "A flow of my own", disabled: false, info: "" };

interface Run {
  child: ChildProcess;
  out: string;
  editor: string;
  sandbox: string;
}

async function start(userDir: string): Promise<Run> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "scripts", "start.js"), "--userdir", userDir], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NR_PKG: process.env.NR_PKG || "node-red" },
  });
  const run: Run = { child, out: "", editor: "", sandbox: "" };
  child.stdout?.on("data", (b: Buffer) => (run.out += b.toString("utf8")));
  child.stderr?.on("data", (b: Buffer) => (run.out += `[stderr] ${b.toString("utf8")}`));
  let exited = false;
  child.once("exit", () => (exited = true));
  await waitFor("the start banner", () => {
    if (exited) throw new Error(`npm start exited:\n${run.out}`);
    return /\(ready in [\d.]+ s\)/.test(run.out);
  }, 90_000, 100);
  run.editor = /Node-RED editor:\s+(\S+)/.exec(run.out)![1];
  run.sandbox = /Qualtrics sandbox:\s+(\S+?)\/?$/m.exec(run.out)![1];
  return run;
}

async function stop(run: Run): Promise<number | null> {
  if (run.child.exitCode !== null) return run.child.exitCode;
  const exited = new Promise<number | null>((r) => run.child.once("exit", (code) => r(code)));
  run.child.kill("SIGINT");
  return exited;
}

/**
 * The debug nodes a button's message can reach, following wires; for a button that fails on
 * purpose, also the debug node after its tab's Catch.
 */
function debugsAfter(flows: FlowNode[], from: string): Set<string> {
  const byId = new Map(flows.map((n) => [n.id, n]));
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length) {
    const n = byId.get(todo.pop()!);
    if (!n || seen.has(n.id)) continue;
    seen.add(n.id);
    todo.push(...(n.wires ?? []).flat());
    if (n.id in ON_PURPOSE) todo.push(...flows.filter((c) => c.type === "catch" && c.z === n.z).map((c) => c.id));
  }
  return new Set([...seen].filter((id) => byId.get(id)?.type === "debug"));
}

/** the node whose error a Catch node passed on (the sidebar shows the message as JSON text) */
function caughtFrom(m: SidebarMessage): string | undefined {
  return /"source":\{"id":"([^"]+)"/.exec(String(m.msg))?.[1];
}

/**
 * Presses every button as a user would, one after the other in the order of the example files (a
 * later button may use what an earlier one made), each once its result has reached the sidebar,
 * then completes a response in the sandbox; returns what went wrong, as readable lines (the log from
 * the start on: a poll that fails at once counts too).
 */
async function pressEverything(run: Run, watch: CommsWatch, flows: FlowNode[]): Promise<string[]> {
  const problems: string[] = [];
  const shownSince = (mark: number, debugs: Set<string>) => watch.sidebar.slice(mark).some((m) => debugs.has(m.id));
  const press = async (what: string, from: string, button: () => Promise<Response>, timeoutMs = 20_000) => {
    const mark = watch.sidebar.length;
    const r = await button();
    assert.equal(r.status, 200, `pressing ${what}: ${r.status} ${await r.text()}`);
    const debugs = debugsAfter(flows, from);
    await waitFor(what, () => shownSince(mark, debugs), timeoutMs, 50).catch(() => problems.push(`no message reached the debug sidebar for ${what}`));
  };
  for (const n of flows.filter((x) => x.type === "inject")) {
    await press(`${n.id} (${String(n.name)})`, n.id, () => fetch(`${run.editor}inject/${n.id}`, { method: "POST" }));
  }
  const complete = () => fetch(`${run.sandbox}/__sandbox/surveys/${SURVEY}/complete`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  const pollMark = watch.sidebar.length;
  await press("Complete a response: the response trigger", "qex-response-trigger", complete);
  await waitFor("the poll (every 10 s)", () => shownSince(pollMark, debugsAfter(flows, "qex-poll-trigger")), 15_000, 100).catch(() =>
    problems.push("no message reached the debug sidebar for the poll"),
  );
  // late messages (a join, a second page) come within moments
  await sleep(1000);

  const byId = new Map(flows.map((n) => [n.id, n]));
  const catches = new Set(flows.filter((n) => n.type === "catch").flatMap((n) => n.wires?.flat() ?? []));

  const purposeNames = Object.keys(ON_PURPOSE).map((id) => `:${String(byId.get(id)?.name)}]`);
  for (const m of watch.sidebar) {
    const node = byId.get(m.id);
    if (m.level !== undefined && !(m.level === 20 && m.id in ON_PURPOSE)) problems.push(`sidebar ${m.level === 20 ? "error" : "warning"} from ${m.id}: ${String(m.msg)}`);
    if (m.level === undefined && catches.has(m.id) && !((caughtFrom(m) ?? "") in ON_PURPOSE)) problems.push(`caught on ${String(node?.z)}: ${String(m.msg)}`);
    if (m.level === undefined && node && FAILURE_DEBUG.test(String(node.name))) problems.push(`"${String(node.name)}" got ${String(m.msg)}`);
  }
  for (const s of watch.statuses) if (s.fill === "red" && !(s.id in ON_PURPOSE)) problems.push(`red status on ${s.id}: ${s.text}`);
  for (const line of run.out.split("\n")) {
    if ((/\[error\]/.test(line) && !purposeNames.some((n) => line.includes(n))) || /\[warn\] \[|\[stderr\]|Unhandled|uncaught/i.test(line)) problems.push(`log: ${line}`);
  }
  // and the failures on purpose did show
  for (const id of Object.keys(ON_PURPOSE)) {
    if (!watch.sidebar.some((m) => caughtFrom(m) === id)) problems.push(`${id} (${ON_PURPOSE[id]}) showed no error`);
    if (!watch.statuses.some((s) => s.id === id && s.fill === "red")) problems.push(`${id} (${ON_PURPOSE[id]}) showed no red status`);
  }
  return problems;
}

describe(`npm start, again (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(240_000);
  let userDir: string;
  let run: Run | undefined;
  const flows = examplesFlows();

  before(() => (userDir = fs.mkdtempSync(path.join(os.tmpdir(), "nrq-start-"))));
  afterEach(async function () {
    if (this.currentTest?.state === "failed" && run) console.log(`--- npm start output ---\n${run.out}`);
    if (run) await stop(run);
    run = undefined;
  });
  after(() => fs.rmSync(userDir, { recursive: true, force: true }));

  for (const which of ["first start", "second start", "third start, without the sandbox's file"]) {
    it(`the ${which}: every button works, and only the failures on purpose show an error`, async function () {
      // a user directory from before the sandbox kept its account: the examples' bookmarks name
      // continuation tokens of an account that is gone
      if (which.startsWith("third")) fs.rmSync(path.join(userDir, "sandbox-state.json"));
      if (which === "second start") {
        // a tab of the user's own: kept, and not in the banner
        const file = path.join(userDir, "flows.json");
        fs.writeFileSync(file, JSON.stringify([...(JSON.parse(fs.readFileSync(file, "utf8")) as FlowNode[]), OWN_TAB]));
      }
      run = await start(userDir);
      if (which === "second start") {
        assert.match(run.out, /state restored from/, "the sandbox kept the account of the first run");
        const kept = (await (await fetch(`${run.editor}flows`, { headers: { "Node-RED-API-Version": "v2" } })).json()) as { flows: FlowNode[] };
        assert.ok(kept.flows.some((n) => n.id === OWN_TAB.id), "the user's own tab is kept");
      }
      const tabs = /example tabs:\s+(.*)/.exec(run.out)![1].split(" | ");
      assert.deepEqual(tabs, flows.filter((n) => n.type === "tab").map((n) => n.label), "the banner lists the example tabs, only them");
      const watch = await watchComms(run.editor);
      try {
        assert.deepEqual(await pressEverything(run, watch, flows), []);
      } finally {
        watch.close();
      }
      const subscriptions = (await (await fetch(`${run.sandbox}/API/v3/eventsubscriptions`, { headers: { "X-API-TOKEN": "sandbox-token-00000000000000000000000000" } })).json()) as { result: { elements: unknown[] } };
      assert.equal(subscriptions.result.elements.length, 1, "one event subscription, reused on the next start");
      assert.equal(await stop(run), 0, "Ctrl-C stops it cleanly");
      assert.match(run.out, /Stopped\./);
    });
  }
});
