// Issue 14, scenario 7: one Node-RED without Redis, a burst of signed webhook deliveries through the
// trigger's route, SIGKILL in the middle of it, and a start again. Every delivery that was answered
// 200 must come out (0 lost); a delivery may come out twice only inside the documented window (its
// message went out just before the kill, before the journal's record of it reached the disk):
// once before the kill and once after the start, never twice in one run. Then the same with
// "fetch the full response" on, the sandbox slowing the fetch and answering 404 at first, killed
// while fetches are being retried.
//
// Then a kill while the flow after the trigger is still working on a message (an HTTP request to a
// slow service): the message was sent, the flow never finished it, so it comes out again; the same
// when a full deploy stops that flow. Last, a full deploy while a message is being built: the new
// instance sends it, once, to the nodes of the new deploy (it waits for them all to exist,
// docs/node-red-facts.md §1.9).
//
// What counts as emitted is what the trigger's downstream function wrote to a file, synchronously,
// for each message (the rig's collector batches what it sees, so it would lose what came out in
// the last 50 ms before the kill and blame the trigger for it).
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import type { FlowNode } from "../support/runtime";
import { addFigures } from "./figures";
import { RIG_CONFIG, Rig, rigConfig } from "./rig";
import { sleep, waitFor } from "../support/wait";

const SURVEY = "SV_VE5mzwCiii9FktA";
const SHARED_KEY = "FAULTS-SECRET-SHAREDKEY-journal-5d1e77";
const ROUTE = "/journal/burst";
const TRIGGER = "t-journal";

interface Emitted {
  id: string;
  source: string;
  fetched: boolean;
}

describe(`faults: the delivery journal across a kill (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(240_000);
  let rig: Rig;
  const log = () => path.join(rig.nr.userDir, "emitted.log");
  const emitted = (): Emitted[] =>
    fs.existsSync(log())
      ? fs
          .readFileSync(log(), "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Emitted)
      : [];

  function flow(fetchResponse: boolean): FlowNode[] {
    return [
      rigConfig(),
      {
        id: TRIGGER, type: "qualtrics-response-in", z: "rig-tab", name: "journal", qualtrics: RIG_CONFIG, surveyId: SURVEY, topic: "", path: ROUTE,
        autoRegister: false, publicBaseUrl: "", fetchResponse, dedupeSeconds: 600, maxBodyKb: 256, catchUpMinutes: 0, x: 0, y: 0, wires: [["rec"]],
      },
      {
        // each message written down before the next one is handled: what the trigger emitted, whatever happens next
        id: "rec", type: "function", z: "rig-tab", name: "record", outputs: 0, timeout: 0, noerr: 0, initialize: "", finalize: "", x: 0, y: 0, wires: [],
        libs: [{ var: "fs", module: "fs" }],
        func: `fs.appendFileSync(${JSON.stringify(log())}, JSON.stringify({ id: msg.event.responseId, source: msg.event.source, fetched: !!(msg.payload && msg.payload.values) }) + "\\n"); return null;`,
      },
    ];
  }

  function delivery(responseId: string): Record<string, string> {
    const MSG = JSON.stringify({ Status: "Complete", SurveyID: SURVEY, ResponseID: responseId, CompletedDate: "2030-01-01 10:00:00", BrandID: "acme" });
    return { Topic: `acme.surveyengine.completedResponse.${SURVEY}`, MSG, HMAC: createHmac("sha512", SHARED_KEY).update(MSG).digest("hex") };
  }

  /**
   * Sends the deliveries, `parallel` at a time, and kills Node-RED once `killAfter` of them were
   * answered 200. Returns the ids answered 200 (acknowledged: they must come out).
   */
  async function burst(ids: string[], parallel: number, killAfter: number | undefined, beforeKill?: () => Promise<void>): Promise<{ acked: string[]; killedAt: number }> {
    const acked: string[] = [];
    let next = 0;
    let killed = false;
    let killing: Promise<void> | undefined;
    let killedAt = 0;
    const worker = async () => {
      while (!killed && next < ids.length) {
        const id = ids[next++];
        const status = await rig.postForm(ROUTE, delivery(id)).catch(() => 0);
        if (status === 200) acked.push(id);
        if (killAfter !== undefined && acked.length >= killAfter && !killing) {
          killing = (async () => {
            await beforeKill?.();
            killed = true;
            await rig.nr.kill();
            // what the process wrote before it died; everything after comes from the next start
            killedAt = emitted().length;
          })();
        }
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    await killing;
    return { acked, killedAt };
  }

  /** how the acknowledged deliveries came out: lost, once, or twice across the kill (the window) or otherwise */
  function outcome(acked: string[], killedAt: number) {
    const all = emitted();
    const before = all.slice(0, killedAt);
    const after = all.slice(killedAt);
    const count = (list: Emitted[], id: string) => list.filter((e) => e.id === id).length;
    let delivered = 0;
    let lost = 0;
    let windowDuplicates = 0;
    let duplicated = 0;
    for (const id of acked) {
      const b = count(before, id);
      const a = count(after, id);
      if (a + b === 0) lost++;
      else if (a + b === 1) delivered++;
      else if (a === 1 && b === 1) windowDuplicates++;
      else duplicated++;
    }
    const strays = all.filter((e) => !acked.includes(e.id)).map((e) => e.id);
    return { sent: acked.length, delivered, errored: 0, lost, duplicated, windowDuplicates, strays, all };
  }

  before(async function () {
    rig = await Rig.start({ nodeRed: { settings: { qualtricsConfigRetryDelay: 50 } } });
  });
  after(() => rig?.dispose());

  it("SIGKILL during a burst of 300 deliveries: every one answered 200 comes out after the start, none twice outside the window", async function () {
    fs.rmSync(log(), { force: true });
    await rig.deploy([], flow(false), { [TRIGGER]: { sharedKey: SHARED_KEY } });
    await waitFor("the route", async () => ![0, 404].includes(await rig.postForm(ROUTE, {}).catch(() => 0)), 15_000, 50);
    const ids = Array.from({ length: 300 }, (_, i) => `R_burst${i}`);
    const { acked, killedAt } = await burst(ids, 16, 150);
    assert.ok(acked.length >= 150 && acked.length < 300, `the kill came during the burst (${acked.length} acknowledged)`);
    await rig.nr.start();
    await waitFor("every acknowledged delivery to come out", () => acked.every((id) => emitted().some((e) => e.id === id)), 30_000, 100);
    await sleep(1000); // a repeat would show now
    const o = outcome(acked, killedAt);
    console.log(`      journal, no fetch: ${o.sent} acknowledged, ${o.delivered} once, ${o.windowDuplicates} twice across the kill (the window), ${o.lost} lost; ${o.strays.length} journaled whose 200 was cut off`);
    addFigures({ area: "restart", what: "qualtrics-response-in journal: 300 deliveries, SIGKILL mid-burst", sent: o.sent, delivered: o.delivered, errored: 0, lost: o.lost, duplicated: o.duplicated, windowDuplicates: o.windowDuplicates });
    assert.equal(o.lost, 0, "lost");
    assert.equal(o.duplicated, 0, "emitted twice outside the window");
    assert.ok(o.all.every((e) => e.source === "webhook"));
    // a delivery whose 200 the kill cut off may have been journaled: then it comes out once
    for (const id of new Set(o.strays)) assert.equal(o.all.filter((e) => e.id === id).length, 1, id);
  });

  it("with the fetch of the full response slowed and 404ing: killed while fetches are retried, every acknowledged response comes out fetched", async function () {
    fs.rmSync(log(), { force: true });
    rig.sb.faults.clear();
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push((await rig.sb.completeResponse(SURVEY)).responseId);
    await rig.deploy([], flow(true), { [TRIGGER]: { sharedKey: SHARED_KEY } });
    await waitFor("the route", async () => ![0, 404].includes(await rig.postForm(ROUTE, {}).catch(() => 0)), 15_000, 50);
    // a response is not readable at once (404, retried), and each read is slow
    rig.sb.faults.set({
      rules: [
        { match: { method: "GET", path: "/responses/R_" }, action: "status", status: 404, times: 40 },
        { match: { method: "GET", path: "/responses/R_" }, action: "delay", delayMs: 400 },
      ],
    });
    const fetches = () => rig.sb.requests.filter((r) => r.method === "GET" && /\/responses\/R_/.test(r.path)).length;
    const { acked, killedAt } = await burst(ids, 8, ids.length, async () => {
      await waitFor("fetches being retried", () => fetches() >= 20, 15_000, 20);
    });
    const emittedBeforeKill = killedAt;
    assert.ok(emittedBeforeKill < acked.length, `the kill came while fetches were running (${emittedBeforeKill} of ${acked.length} out)`);
    rig.sb.faults.set({ rules: [{ match: { method: "GET", path: "/responses/R_" }, action: "delay", delayMs: 50 }] });
    await rig.nr.start();
    await waitFor("every acknowledged response to come out", () => acked.every((id) => emitted().some((e) => e.id === id)), 60_000, 100);
    await sleep(1000);
    rig.sb.faults.clear();
    const o = outcome(acked, killedAt);
    console.log(`      journal, fetch: ${o.sent} acknowledged, ${emittedBeforeKill} out before the kill, ${o.delivered} once, ${o.windowDuplicates} twice across the kill (the window), ${o.lost} lost`);
    addFigures({ area: "restart", what: "qualtrics-response-in journal with fetch (404s, slow): SIGKILL while fetching", sent: o.sent, delivered: o.delivered, errored: 0, lost: o.lost, duplicated: o.duplicated, windowDuplicates: o.windowDuplicates });
    assert.equal(o.lost, 0, "lost");
    assert.equal(o.duplicated, 0, "emitted twice outside the window");
    assert.ok(o.all.every((e) => e.fetched), "every message carries the fetched response");
  });

  /** a service the flow posts each message to, which holds its answers until told to answer */
  async function slowService() {
    const calls: string[] = [];
    let answering = false;
    const held: http.ServerResponse[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        calls.push(body);
        if (answering) res.end("ok");
        else held.push(res);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/crm`;
    const [config, trigger, rec] = flow(false);
    return {
      calls,
      /** trigger → http request to the service → record (only what the service answered) */
      flow: (): FlowNode[] => [
        config,
        { ...trigger, wires: [["post"]] },
        {
          id: "post", type: "http request", z: "rig-tab", name: "to the service", method: "POST", ret: "txt", paytoqs: "ignore", url, tls: "",
          persist: false, proxy: "", insecureHTTPParser: false, authType: "", senderr: false, headers: [], x: 0, y: 0, wires: [["rec"]],
        },
        { ...rec, func: `msg.event = { responseId: msg.payload === "ok" ? msg.event.responseId : "?", source: msg.event.source }; ${rec.func}` },
      ],
      /** from now on every request is answered; `held`: what to do with the ones held so far */
      answer(heldOnes: "drop" | "answer"): void {
        answering = true;
        for (const res of held.splice(0)) heldOnes === "drop" ? res.destroy() : res.end("ok");
      },
      async close(): Promise<void> {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      },
    };
  }

  /** the slow service's flow deployed, one delivery acknowledged and its message waiting on the service */
  async function slowFlowWith(responseId: string) {
    fs.rmSync(log(), { force: true });
    rig.sb.faults.clear();
    const service = await slowService();
    try {
      await rig.deploy([], service.flow(), { [TRIGGER]: { sharedKey: SHARED_KEY } });
      await waitFor("the route", async () => ![0, 404].includes(await rig.postForm(ROUTE, {}).catch(() => 0)), 15_000, 50);
      assert.equal(await rig.postForm(ROUTE, delivery(responseId)), 200);
      await waitFor("the flow posting it to the service", () => service.calls.length === 1, 15_000, 20);
      return service;
    } catch (err) {
      await service.close();
      throw err;
    }
  }

  it("killed while the flow after the trigger still waits on a slow service: that message comes out again after the start, and is finished once", async function () {
    const service = await slowFlowWith("R_slowflow");
    try {
      await sleep(300);
      await rig.nr.kill();
      service.answer("drop");
      await rig.nr.start();
      await waitFor("the message again, this time through to the end", () => emitted().length === 1, 30_000, 100);
      await sleep(1500); // a third send would show now
      assert.equal(service.calls.length, 2, "posted once before the kill and once after the start");
      assert.ok(service.calls.every((c) => c.includes("R_slowflow")));
      assert.deepEqual(emitted().map((e) => e.id), ["R_slowflow"]);
      // finished as soon as the flow was done with it (not at a close, not after the time limit):
      // another kill now does not bring it a third time
      await rig.nr.kill();
      await rig.nr.start();
      await sleep(1500);
      assert.equal(service.calls.length, 2, "not sent again after a second kill");
    } finally {
      await service.close();
    }
  });

  it("a full deploy while the flow after the trigger waits on a slow service: the new flow gets the message, once", async function () {
    const service = await slowFlowWith("R_deploycut");
    try {
      // the deploy stops that flow: the answer, when it comes, goes nowhere
      await rig.deploy([], service.flow(), { [TRIGGER]: { sharedKey: SHARED_KEY } });
      service.answer("answer");
      await waitFor("the message through the new flow", () => emitted().length === 1, 15_000, 50);
      await sleep(1500);
      assert.equal(service.calls.length, 2, "posted by the old flow, then by the new one");
      assert.deepEqual(emitted().map((e) => e.id), ["R_deploycut"]);
    } finally {
      await service.close();
    }
  });

  it("a full deploy while a message is being built: the new nodes send it, once, to the node after the trigger", async function () {
    fs.rmSync(log(), { force: true });
    const { responseId } = await rig.sb.completeResponse(SURVEY);
    await rig.deploy([], flow(true), { [TRIGGER]: { sharedKey: SHARED_KEY } });
    await waitFor("the route", async () => ![0, 404].includes(await rig.postForm(ROUTE, {}).catch(() => 0)), 15_000, 50);
    // the fetch of the full response hangs: the message is still being built when the deploy comes
    rig.sb.faults.set({ rules: [{ match: { method: "GET", path: "/responses/R_" }, action: "delay", delayMs: 30_000 }] });
    const fetches = () => rig.sb.requests.filter((r) => r.method === "GET" && r.path.includes(responseId)).length;
    assert.equal(await rig.postForm(ROUTE, delivery(responseId)), 200);
    await waitFor("the fetch under way", () => fetches() >= 1, 15_000, 20);
    // the new version sends the event without fetching: nothing to wait for between its start and its send
    await rig.deploy([], flow(false), { [TRIGGER]: { sharedKey: SHARED_KEY } });
    await waitFor("the message from the new nodes", () => emitted().length >= 1, 15_000, 50);
    await sleep(1500);
    rig.sb.faults.clear();
    assert.deepEqual(emitted().map((e) => [e.id, e.fetched]), [[responseId, false]]);
  });
});
