import assert from "node:assert/strict";
import { forgetAllBookmarks } from "../../nodes/lib/bookmark";
import { localLease } from "../../nodes/lib/coordination/local-lease";
import { failExports, generateResponses } from "../../sandbox/export-control";
import { exportStore } from "../../sandbox/routes/export";
import { collect, credentials, FlowNode, helper, http, nextError, nodeRedModulePath, statusLog, TOKEN } from "../support/nr-helper";
import { json, RawServer, startRawServer } from "../support/fake-servers";
import { sleep, until } from "../support/wait";
import { configNode } from "../support/config-node";
import { useSandbox } from "../support/fixtures";
import { noUnhandledRejections, useNodeRuntime } from "../support/node-test";

const N = http.nodes;
type Msg = { payload: { responseId: string; values: Record<string, unknown> }; topic: string; event: Record<string, unknown>; qualtrics: Record<string, unknown> };

describe("qualtrics-response-poll", function () {
  this.timeout(30_000);
  const sb = useSandbox({ token: TOKEN });
  let survey: string;
  beforeEach(() => {
    survey = sb.seedIds.surveyIds[0];
  });
  useNodeRuntime({ qualtricsExportPollDelay: 2, qualtricsResponsePollMinInterval: 1 });
  afterEach(() => forgetAllBookmarks());
  // a promise left to reject unhandled would end Node-RED (docs/node-red-facts.md §1.4)
  noUnhandledRejections();

  function flow(props: Record<string, unknown>, base = sb.apiBase): FlowNode[] {
    return [
      { id: "tab", type: "tab" },
      configNode(base),
      { id: "n", z: "tab", type: "qualtrics-response-poll", qualtrics: "cfg", surveyId: survey, surveyIdType: "str", interval: 1, start: "now", wires: [["out"]], ...props },
      { id: "out", z: "tab", type: "helper" },
    ];
  }
  async function load(props: Record<string, unknown> = {}, base?: string): Promise<Msg[]> {
    await helper.load([N.config, N.responsePoll], flow(props, base), credentials);
    return collect("out") as unknown as Msg[];
  }

  const exports = () => sb.requests.filter((r) => r.method === "POST" && r.path.endsWith("/export-responses"));
  const files = () => sb.requests.filter((r) => r.path.endsWith("/file"));
  /** responses that were recorded an hour ago */
  function older(count: number): string[] {
    const ids = generateResponses(sb.state, survey, count);
    const s = sb.state.surveys.get(survey)!;
    for (const id of ids) s.responses.get(id)!.values.recordedDate = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    return ids;
  }
  const polls = (n: number) => until(() => files().length >= n, 15_000, `${n} polls`);

  it("sends each response recorded after the deploy once, with msg.event like the response trigger's", async function () {
    older(3);
    const out = await load();
    await polls(1);
    assert.equal(out.length, 0, "responses from before the deploy are not sent");
    const first = generateResponses(sb.state, survey, 2);
    await polls(3);
    const { responseId } = await sb.completeResponse(survey, { QID1: 4 });
    await until(() => out.length === 3, 15_000);
    await polls(files().length + 2);
    assert.deepEqual(out.map((m) => m.payload.responseId), [...first, responseId]);
    const m = out[2];
    const topic = `surveyengine.completedResponse.${survey}`;
    assert.equal(m.topic, topic);
    assert.deepEqual(m.event, { topic, surveyId: survey, responseId, completedDate: m.payload.values.endDate });
    assert.match(String(m.event.completedDate), /^\d{4}-\d{2}-\d{2}T/);
    assert.equal(m.payload.values.QID1, 4);
    assert.deepEqual(Object.keys(m.payload), ["responseId", "values", "labels", "displayedFields", "displayedValues"]);
    assert.equal(m.qualtrics.httpStatus, 200);
    // the first export starts at the deploy with allowContinuation; every later one from the token
    const bodies = exports().map((r) => r.body as Record<string, unknown>);
    assert.deepEqual(Object.keys(bodies[0]).sort(), ["allowContinuation", "compress", "format", "startDate"]);
    assert.ok(Date.now() - Date.parse(String(bodies[0].startDate)) < 60_000);
    for (const b of bodies.slice(1)) assert.deepEqual(Object.keys(b).sort(), ["allowContinuation", "compress", "continuationToken", "format"]);
  });

  it("with a start date, the first poll sends what was recorded since then", async function () {
    const before = older(2);
    const out = await load({ start: "date", startDate: new Date(Date.now() - 7_200_000).toISOString() });
    await polls(2);
    assert.deepEqual(out.map((m) => m.payload.responseId), before);
  });

  it("the bookmark is kept in the node's context: a redeploy (flows stopped and started) neither repeats nor misses, also without a context store", async function () {
    let out = await load();
    await polls(1);
    const a = generateResponses(sb.state, survey, 2);
    await until(() => out.length === 2, 15_000);
    assert.deepEqual(out.map((m) => m.payload.responseId), a);
    const saved = helper.getNode("n").context().get(`bookmark_${survey}`) as { surveyId: string; continuationToken: string };
    assert.equal(saved.surveyId, survey);
    assert.equal(typeof saved.continuationToken, "string");
    // what a restart does to the nodes (the real restart with a file context store is in the e2e tests)
    const red = (helper as unknown as { _redNodes: { stopFlows(): Promise<void>; startFlows(): Promise<void> } })._redNodes;
    await red.stopFlows();
    const whileDown = generateResponses(sb.state, survey, 3);
    const pollsBefore = files().length;
    const startsBefore = exports().length;
    await red.startFlows();
    out = collect("out") as unknown as Msg[];
    await polls(pollsBefore + 2);
    assert.deepEqual(out.map((m) => m.payload.responseId), whileDown);
    assert.equal((exports()[startsBefore].body as { continuationToken?: string }).continuationToken, saved.continuationToken, "the new node went on from the token");
  });

  it("a failed poll is reported once to Catch with msg.surveyId and the requestId, and the next poll picks the responses up", async function () {
    const out = await load();
    await polls(1);
    const shown = statusLog("n");
    const ids = generateResponses(sb.state, survey, 2);
    failExports(sb.state, survey, 1);
    const err = await nextError("n");
    assert.match(err.message, /export failed in Qualtrics/);
    assert.equal(err.msg.surveyId, survey);
    assert.equal(typeof (err.msg.qualtrics as { requestId: string }).requestId, "string");
    assert.ok(shown.some((s) => s.fill === "red" && /poll failed/.test(String(s.text))));
    await until(() => out.length === 2, 15_000);
    assert.deepEqual(out.map((m) => m.payload.responseId), ids);
    assert.ok(shown.some((s) => s.fill === "green" && /: 2 new$/.test(String(s.text))), "the status shows the count");
  });

  it("a Catch node on the tab gets the failed poll's message", async function () {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const catchNode = require(nodeRedModulePath("nodes/core/common/25-catch.js"));
    failExports(sb.state, survey, 1);
    await helper.load([N.config, N.responsePoll, catchNode], [
      ...flow({}),
      { id: "catcher", z: "tab", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
      { id: "caught", z: "tab", type: "helper" },
    ], credentials);
    const caught = collect("caught");
    await until(() => caught.length === 1, 15_000, "the caught message");
    const m = caught[0] as { surveyId: string; error: { message: string; source: { id: string } } };
    assert.equal(m.surveyId, survey);
    assert.match(m.error.message, /export failed/);
    assert.equal(m.error.source.id, "n");
  });

  it("runs one poll at a time: a tick during a slow export is skipped", async function () {
    const out = await load();
    await polls(1);
    // the next export's first progress check takes 2.5 intervals
    sb.faults.set({ rules: [{ match: { method: "GET", path: "/export-responses/ES_" }, action: "delay", delayMs: 2500, times: 1 }] });
    generateResponses(sb.state, survey, 1);
    await until(() => out.length === 1, 15_000);
    await polls(files().length + 1);
    // between two export starts there is always the download of the first
    const order = sb.requests.filter((r) => r.method === "POST" || r.path.endsWith("/file")).map((r) => (r.method === "POST" ? "start" : "file"));
    for (let i = 1; i < order.length; i++) assert.notDeepEqual([order[i - 1], order[i]], ["start", "start"], order.join(" "));
    assert.equal(out.length, 1);
  });

  it("stops polling when closed", async function () {
    await load();
    await polls(1);
    await helper.unload();
    const count = sb.requests.length;
    await sleep(1500);
    assert.equal(sb.requests.length, count);
  });

  it("an export without a continuation token is an error before anything is sent", async function () {
    const raw: RawServer = await startRawServer();
    try {
      raw.handle((req, res) => {
        if (req.method === "POST") return json(res, 200, { progressId: "ES_1", status: "inProgress", percentComplete: 0 });
        if (req.path.endsWith("/file")) return void res.writeHead(200).end('{"responses":[{"responseId":"R_1"}]}');
        json(res, 200, { status: "complete", percentComplete: 100, fileId: "F" });
      });
      const out = await load({}, raw.apiBase);
      const err = await nextError("n");
      assert.match(err.message, /no continuationToken/);
      assert.equal(raw.requests.some((r) => r.path.endsWith("/file")), false);
      assert.equal(out.length, 0);
    } finally {
      await helper.unload();
      await raw.close();
    }
  });

  it("sends a response that appears twice in one export once", async function () {
    const raw: RawServer = await startRawServer();
    try {
      raw.handle((req, res) => {
        if (req.method === "POST") return json(res, 200, { progressId: "ES_1", status: "inProgress", percentComplete: 0 });
        if (req.path.endsWith("/file")) return void res.writeHead(200).end('{"responses":[{"responseId":"R_1"},{"responseId":"R_2"},{"responseId":"R_1"}]}');
        json(res, 200, { status: "complete", percentComplete: 100, fileId: "F", continuationToken: "T" });
      });
      const out = await load({ interval: 100 }, raw.apiBase);
      await until(() => raw.requests.some((r) => r.path.endsWith("/file")), 10_000);
      await sleep(100);
      assert.deepEqual(out.map((m) => m.payload.responseId), ["R_1", "R_2"]);
    } finally {
      await helper.unload();
      await raw.close();
    }
  });

  it("refuses a bad setup at deploy, without polling", async function () {
    for (const [props, message, status] of [
      [{ surveyId: "CG_1" }, /^Survey: "CG_1" is not a survey ID/, "invalid Survey"],
      [{ surveyId: "" }, /^Survey: is required/, "invalid Survey"],
      [{ start: "date", startDate: "" }, /^From: is required/, "invalid From"],
      [{ start: "date", startDate: "someday" }, /^From:/, "invalid From"],
      [{ qualtrics: "" }, /^Qualtrics:/, "select a configuration"],
    ] as const) {
      const errors: string[] = [];
      const shown: Array<{ text?: string }> = [];
      await helper.load([N.config, N.responsePoll], flow(props), credentials);
      // the node reported during construction; its status and log calls are on record
      const node = helper.getNode("n") as unknown as { error: { args: unknown[][] }; status: { args: Array<[{ text?: string }]> } };
      for (const a of node.error.args) errors.push(String(a[0]));
      for (const a of node.status.args) shown.push(a[0]);
      assert.ok(errors.some((e) => message.test(e)), `${JSON.stringify(props)}: ${errors.join(" | ")}`);
      assert.equal(shown[shown.length - 1].text, status);
      await helper.unload();
    }
    await sleep(50);
    assert.equal(sb.requests.length, 0);
  });

  it("when Qualtrics refuses the saved continuation token: warns once, polls again from the bookmark's date, and sends no response twice", async function () {
    const out = await load();
    await polls(1);
    const a = generateResponses(sb.state, survey, 3);
    await until(() => out.length === 3, 15_000);
    await polls(files().length + 1);
    const saved = helper.getNode("n").context().get(`bookmark_${survey}`) as { since: string; sent: Record<string, number> };
    assert.deepEqual(Object.keys(saved.sent).sort(), [...a].sort());
    // the server forgets its tokens (a restart, or they expired)
    exportStore(sb.state).tokens.clear();
    const startsBefore = exports().length;
    const b = generateResponses(sb.state, survey, 2);
    await until(() => out.length === 5, 15_000);
    await polls(files().length + 2);
    assert.deepEqual(out.map((m) => m.payload.responseId), [...a, ...b]);
    const node = helper.getNode("n") as unknown as { warn: { args: unknown[][] }; error: { args: unknown[][] } };
    const warnings = node.warn.args.map((x) => String(x[0])).filter((t) => /continuation token/.test(t));
    assert.equal(warnings.length, 1, warnings.join(" | "));
    assert.match(warnings[0], /^Qualtrics refused the saved continuation token \(Qualtrics 400[^:]*: continuationToken is not valid for this survey .*\); exporting again from \S+Z, skipping the 3 responses already sent since then$/);
    assert.equal(node.error.args.length, 0, "no failed poll");
    const after = exports().slice(startsBefore).map((r) => r.body as Record<string, unknown>);
    assert.equal(typeof after[0].continuationToken, "string", "the refused one");
    assert.deepEqual(after[1], { format: "json", compress: false, allowContinuation: true, startDate: saved.since });
    for (const later of after.slice(2)) assert.equal(typeof later.continuationToken, "string", "then on from the new token");
  });

  it("an interval above 24 hours (a timer overflows past 2^31-1 ms) is refused with a status and a log line naming the field, also as text and from ${ENV}; it never polls", async function () {
    process.env.QTEST_POLL_INTERVAL = "2592000";
    try {
      for (const interval of [2592000, "2592000", "${QTEST_POLL_INTERVAL}", 86401]) {
        await helper.load([N.config, N.responsePoll], flow({ interval }), credentials);
        const node = helper.getNode("n") as unknown as { error: { args: unknown[][] }; status: { args: Array<[{ text?: string; fill?: string }]> } };
        const errors = node.error.args.map((x) => String(x[0]));
        assert.ok(errors.some((e) => /^Interval: \d+ seconds is more than 24 hours \(86400 seconds\), the longest interval; the node does not poll$/.test(e)), `${interval}: ${errors.join(" | ")}`);
        const last = node.status.args[node.status.args.length - 1][0];
        assert.deepEqual([last.fill, last.text], ["red", "interval over 24 hours"], String(interval));
        await sleep(300);
        await helper.unload();
      }
      for (const interval of ["every minute", -5, 0]) {
        await helper.load([N.config, N.responsePoll], flow({ interval }), credentials);
        const node = helper.getNode("n") as unknown as { error: { args: unknown[][] } };
        assert.ok(node.error.args.some((x) => /^Interval: ".*" is not a number of seconds from 1 to 86400; the node does not poll$/.test(String(x[0]))), String(interval));
        await helper.unload();
      }
      assert.equal(sb.requests.length, 0, "no export was started");
      // 24 hours itself is allowed: the first poll runs at once, the next a day later
      await load({ interval: "86400" });
      await polls(1);
      await sleep(300);
      assert.equal(exports().length, 1);
    } finally {
      delete process.env.QTEST_POLL_INTERVAL;
    }
  });

  it("takes the survey from an environment variable", async function () {
    process.env.QTEST_POLL_SURVEY = survey;
    try {
      await load({ surveyId: "QTEST_POLL_SURVEY", surveyIdType: "env" });
      await polls(1);
      assert.ok(exports()[0].path.includes(survey));
    } finally {
      delete process.env.QTEST_POLL_SURVEY;
    }
  });

  it("a tick while another holder has the poll's lease skips (no export); the next one after it polls", async function () {
    let release!: () => void;
    const held = localLease("poll:n").run(() => new Promise<void>((r) => (release = r)));
    const out = await load();
    await sleep(2500);
    assert.equal(exports().length, 0, "no export while the lease is held elsewhere");
    release();
    await held;
    await polls(1);
    generateResponses(sb.state, survey, 1);
    await until(() => out.length === 1, 15_000, "the response, polled once the lease is free");
  });
});
