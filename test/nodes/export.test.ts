import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { forgetAllBookmarks } from "../../nodes/lib/bookmark";
import { failExports, generateResponses, setExportPolls } from "../../sandbox/export-control";
import { exportStore, surveyFilters } from "../../sandbox/routes/export";
import { collect, credentials, FlowNode, helper, http, nextMessage, sequenceNodes, statusLog, TOKEN } from "../support/nr-helper";
import { until, sleep } from "../support/wait";
import { configNode } from "../support/config-node";
import { useSandbox } from "../support/fixtures";
import { noUnhandledRejections, useNodeRuntime } from "../support/node-test";

const N = http.nodes;
type Msg = Record<string, unknown> & { payload?: unknown; export?: Record<string, unknown>; parts?: Record<string, unknown>; qualtrics?: Record<string, unknown> };

describe("qualtrics-export", function () {
  const sb = useSandbox({ token: TOKEN });
  let survey: string;
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nrq-export-"));
  });
  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  beforeEach(() => {
    survey = sb.seedIds.surveyIds[0];
  });
  const done = useNodeRuntime({ qualtricsExportPollDelay: 2 });
  afterEach(() => forgetAllBookmarks());
  // a promise left to reject unhandled would end Node-RED (docs/node-red-facts.md §1.4)
  noUnhandledRejections();

  function flow(props: Record<string, unknown>, extra: FlowNode[] = []): FlowNode[] {
    return [
      { id: "tab", type: "tab" },
      configNode(sb.apiBase),
      { id: "n", z: "tab", type: "qualtrics-export", qualtrics: "cfg", surveyId: survey, surveyIdType: "str", format: "json", since: "all", output: "split", compress: true, timeout: 1, wires: [["out"]], ...props },
      { id: "out", z: "tab", type: "helper" },
      ...extra,
    ];
  }
  const load = (props: Record<string, unknown>, extra: FlowNode[] = []) => helper.load([N.config, N.export, sequenceNodes()], flow(props, extra), credentials);

  /** sends msg and waits until the node has called done() for it; returns what reached "out" */
  async function run(msg: Record<string, unknown> = {}): Promise<{ out: Msg[]; error?: unknown }> {
    const out = collect("out") as Msg[];
    const before = done.of("n").length;
    helper.getNode("n").receive(msg);
    await until(() => done.of("n").length > before, 15_000, "done()");
    await until(() => true);
    const d = done.of("n")[before];
    // messages are delivered asynchronously: wait until the count stops growing
    let last = -1;
    while (last !== out.length) {
      last = out.length;
      await sleep(20);
    }
    return { out, error: d.error };
  }

  const posts = () => sb.requests.filter((r) => r.method === "POST" && r.path.endsWith("/export-responses"));
  const bookmark = (sid = survey) => helper.getNode("n").context().get(`bookmark_${sid}`) as Record<string, unknown> | undefined;

  describe("output", function () {
    it("one message per response with msg.parts, so a join node rebuilds the array (zip download)", async function () {
      const ids = generateResponses(sb.state, survey, 250);
      await load({ wires: [["out", "joiner"]] }, [{ id: "joiner", z: "tab", type: "join", mode: "auto", wires: [["joined"]] }, { id: "joined", z: "tab", type: "helper" }]);
      const joined = nextMessage("joined");
      const { out, error } = await run({ topic: "keep" });
      assert.equal(error, undefined);
      assert.equal(out.length, 250);
      assert.deepEqual(out.map((m) => (m.payload as { responseId: string }).responseId), ids);
      const id = out[0].parts!.id;
      out.forEach((m, i) => {
        assert.equal(m.parts!.id, id);
        assert.equal(m.parts!.index, i);
        assert.equal(m.parts!.count, i === 249 ? 250 : undefined);
        assert.equal(m.export!.index, i);
        assert.equal(m.topic, "keep");
      });
      assert.equal(out[249].export!.count, 250);
      assert.equal(out[0].export!.surveyId, survey);
      assert.match(String(out[0].export!.progressId), /^ES_/);
      assert.equal(out[0].export!.fileName, "Customer Satisfaction.zip");
      assert.equal((out[0].qualtrics as { httpStatus: number }).httpStatus, 200);
      assert.equal(typeof (out[0].qualtrics as { requestId: string }).requestId, "string");
      const all = (await joined).payload as Array<{ responseId: string }>;
      assert.deepEqual(all.map((r) => r.responseId), ids);
      assert.deepEqual(Object.keys(out[0].payload as object), ["responseId", "values", "labels", "displayedFields", "displayedValues"]);
    });

    it("an incoming msg.parts stays underneath, as core split does", async function () {
      generateResponses(sb.state, survey, 2);
      await load({});
      const { out } = await run({ parts: { id: "outer", index: 3, count: 5, type: "array" } });
      assert.deepEqual(out[1].parts!.parts, { id: "outer", index: 3, count: 5, type: "array" });
    });

    for (const format of ["json", "ndjson", "csv", "tsv"] as const) {
      for (const compress of [true, false]) {
        it(`one message with all responses: ${format}, ${compress ? "zipped" : "not zipped"}`, async function () {
          const ids = generateResponses(sb.state, survey, 30);
          await load({ format, compress, output: "array" });
          const { out, error } = await run();
          assert.equal(error, undefined);
          assert.equal(out.length, 1);
          const list = out[0].payload as Array<Record<string, unknown>>;
          assert.equal(list.length, 30);
          const idOf = (r: Record<string, unknown>) => (format === "csv" || format === "tsv" ? r.ResponseId : r.responseId);
          assert.deepEqual(list.map(idOf), ids);
          assert.equal(out[0].export!.count, 30);
          assert.equal(out[0].export!.format, format);
          if (format === "csv" || format === "tsv") {
            const cols = out[0].export!.columns as Array<{ name: string; importId?: string }>;
            assert.deepEqual(cols.find((c) => c.name === "Q1"), { name: "Q1", label: "How likely are you to recommend us to a friend or colleague?", importId: "QID1" });
          } else {
            assert.equal(out[0].export!.columns, undefined);
          }
          assert.deepEqual(posts()[0].body, { format, compress });
        });
      }
    }

    it("the file as a Buffer: a zip when compressed, the raw file otherwise", async function () {
      generateResponses(sb.state, survey, 3);
      await load({ output: "buffer" });
      let { out } = await run();
      let buf = out[0].payload as Buffer;
      assert.ok(Buffer.isBuffer(buf));
      assert.equal(buf.readUInt32LE(0), 0x04034b50);
      assert.equal(out[0].export!.zip, true);
      assert.equal(out[0].export!.bytes, buf.length);
      await helper.unload();
      await load({ output: "buffer", compress: false });
      ({ out } = await run());
      buf = out[0].payload as Buffer;
      assert.equal(JSON.parse(buf.toString()).responses.length, 3);
      assert.equal(out[0].export!.zip, false);
    });

    it("the file, saved: written into the directory under a unique name, no partial file left", async function () {
      generateResponses(sb.state, survey, 3);
      const dir = path.join(tmp, "saved");
      await load({ output: "file", directory: dir, format: "csv" });
      const { out, error } = await run();
      assert.equal(error, undefined);
      const file = out[0].payload as string;
      assert.equal(out[0].filename, file);
      assert.equal(path.dirname(file), dir);
      assert.match(path.basename(file), new RegExp(`^${survey}_\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}Z_ES_[A-Za-z0-9]+\\.csv\\.zip$`));
      assert.equal(fs.readFileSync(file).readUInt32LE(0), 0x04034b50);
      assert.equal(out[0].export!.bytes, fs.statSync(file).size);
      const second = await run();
      assert.notEqual(second.out[second.out.length - 1].payload, file, "a second export gets its own file");
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith(".part")), []);
    });

    it("a relative directory is under the Node-RED user directory", async function () {
      helper.settings({ qualtricsExportPollDelay: 2, userDir: tmp } as never);
      await load({ output: "file", directory: "relative-exports", compress: false });
      const { out } = await run();
      assert.equal(path.dirname(out[0].payload as string), path.join(tmp, "relative-exports"));
      assert.match(String(out[0].payload), /\.json$/);
    });

    it("SPSS and XML files can be saved (the sandbox refuses to write them, as Qualtrics would not)", async function () {
      await load({ output: "buffer", format: "spss" });
      const { error } = await run();
      assert.match(String((error as Error).message), /sandbox cannot write spss/);
      assert.equal((posts()[0].body as { format: string }).format, "spss");
    });

    it("an empty export sends no message in per-response mode, and an empty array otherwise", async function () {
      await load({});
      const split = await run();
      assert.equal(split.error, undefined);
      assert.equal(split.out.length, 0);
      await helper.unload();
      await load({ output: "array" });
      const arr = await run();
      assert.deepEqual(arr.out[0].payload, []);
    });
  });

  describe("options", function () {
    it("sends every dialog option with Qualtrics' names", async function () {
      generateResponses(sb.state, survey, 11);
      const filter = surveyFilters(sb.state.surveys.get(survey)!)[0].filterId;
      await load({
        format: "csv", compress: false, output: "array", useLabels: true, exportResponsesInProgress: false, allowContinuation: true,
        startDate: "2020-01-01", startDateType: "str", endDate: "2099-01-01T00:00:00Z", endDateType: "str",
        filterId: filter, filterIdType: "str", questionIds: "QID1, QID2", questionIdsType: "str", embeddedDataIds: "tier", embeddedDataIdsType: "str",
      });
      const { out, error } = await run();
      assert.equal(error, undefined);
      assert.deepEqual(posts()[0].body, {
        format: "csv", compress: false, startDate: "2020-01-01T00:00:00Z", endDate: "2099-01-01T00:00:00Z", filterId: filter,
        useLabels: true, questionIds: ["QID1", "QID2"], embeddedDataIds: ["tier"], allowContinuation: true,
      });
      // the promoters filter: QID1 9 and 10
      assert.deepEqual((out[0].payload as Array<{ Q1: string }>).map((r) => r.Q1), ["9", "10"]);
      assert.equal(typeof out[0].export!.continuationToken, "string");
    });

    it("limit, partial responses, and fields from msg / flow context / env", async function () {
      generateResponses(sb.state, survey, 5);
      const partial = generateResponses(sb.state, survey, 2, { inProgress: true });
      process.env.QTEST_SURVEY = survey;
      await load({ output: "array", limit: 1, exportResponsesInProgress: true, surveyId: "QTEST_SURVEY", surveyIdType: "env", startDate: "since", startDateType: "msg" });
      const { out } = await run({ since: "2020-01-01T00:00:00Z" });
      delete process.env.QTEST_SURVEY;
      assert.deepEqual((out[0].payload as Array<{ responseId: string }>).map((r) => r.responseId), [partial[0]]);
      assert.deepEqual(posts()[0].body, { format: "json", compress: true, startDate: "2020-01-01T00:00:00Z", limit: 1, exportResponsesInProgress: true });
    });

    it("fields left empty come from msg.payload; the dialog wins", async function () {
      generateResponses(sb.state, survey, 2);
      await load({ surveyId: "", output: "array", questionIds: "QID1", questionIdsType: "str" });
      await run({ payload: { surveyId: survey, questionIds: ["QID2"], embeddedDataIds: "a,b", startDate: "2020-01-01", endDate: "2099-01-01", filterId: surveyFilters(sb.state.surveys.get(survey)!)[1].filterId } });
      const body = posts()[0].body as Record<string, unknown>;
      assert.deepEqual(body.questionIds, ["QID1"]);
      assert.deepEqual(body.embeddedDataIds, ["a", "b"]);
      assert.equal(body.startDate, "2020-01-01T00:00:00Z");
      assert.equal(body.endDate, "2099-01-01T00:00:00Z");
      assert.ok(String(posts()[0].path).includes(survey));
    });

    it("a continuation token from msg.payload exports only what came after it", async function () {
      generateResponses(sb.state, survey, 3);
      await load({ output: "array", allowContinuation: true });
      const first = await run();
      const token = first.out[0].export!.continuationToken;
      const later = generateResponses(sb.state, survey, 2);
      const second = await run({ payload: { continuationToken: token } });
      assert.deepEqual((second.out[0].payload as Array<{ responseId: string }>).map((r) => r.responseId), later);
      assert.equal((posts()[1].body as { continuationToken: string }).continuationToken, token);
    });

    it("shows the percentage while Qualtrics prepares the export, then the count", async function () {
      setExportPolls(sb.state, 4);
      generateResponses(sb.state, survey, 7);
      await load({ output: "array" });
      const shown = statusLog("n");
      await run();
      const texts = shown.map((s) => s.text);
      assert.ok(texts.includes("exporting 0%"));
      assert.ok(texts.includes("exporting 25%"));
      assert.ok(texts.includes("exporting 75%"));
      assert.ok(texts.includes("exporting 100%"));
      assert.equal(texts[texts.length - 1], "done: 7");
      assert.ok(texts.indexOf("exporting 25%") < texts.indexOf("exporting 75%"));
    });
  });

  describe("new since the last run", function () {
    it("exports everything first, then only what was recorded since; the bookmark is in the node's context", async function () {
      const first = generateResponses(sb.state, survey, 4);
      await load({ since: "new" });
      const a = await run();
      assert.deepEqual(a.out.map((m) => (m.payload as { responseId: string }).responseId), first);
      const token = bookmark()!.continuationToken;
      assert.equal(typeof token, "string");
      assert.equal(a.out[0].export!.continuationToken, token);
      const b = await run();
      assert.equal(b.out.length, 0, "nothing new");
      const later = generateResponses(sb.state, survey, 3);
      const c = await run();
      assert.deepEqual(c.out.map((m) => (m.payload as { responseId: string }).responseId), later);
      assert.deepEqual(posts().map((p) => Object.keys(p.body as object).sort()), [
        ["allowContinuation", "compress", "format"],
        ["allowContinuation", "compress", "continuationToken", "format"],
        ["allowContinuation", "compress", "continuationToken", "format"],
      ]);
    });

    it("when Qualtrics refuses the saved continuation token: one warning, the export goes on from the bookmark's date, and no response is sent twice", async function () {
      const first = generateResponses(sb.state, survey, 3);
      await load({ since: "new" });
      const a = await run();
      assert.deepEqual(a.out.map((m) => (m.payload as { responseId: string }).responseId), first);
      const since = String(bookmark()!.since);
      assert.deepEqual(Object.keys(bookmark()!.sent as object).sort(), [...first].sort(), "the responses sent near the boundary are remembered");
      // the token is forgotten, as after a restart of the server or when it expires
      exportStore(sb.state).tokens.clear();
      const later = generateResponses(sb.state, survey, 2);
      const warn = (helper.getNode("n") as unknown as { warn: { args: unknown[][] } }).warn;
      const b = await run();
      assert.equal(b.error, undefined);
      assert.deepEqual(b.out.map((m) => (m.payload as { responseId: string }).responseId), later);
      const warnings = warn.args.map((x) => String(x[0])).filter((t) => /continuation token/.test(t));
      assert.equal(warnings.length, 1, warnings.join(" | "));
      assert.match(warnings[0], new RegExp(`^Qualtrics refused the saved continuation token \\(Qualtrics 400[^:]*: continuationToken is not valid for this survey .*\\); exporting again from ${since}, skipping the 3 responses already sent since then$`));
      const bodies = posts().map((p) => p.body as Record<string, unknown>);
      assert.equal(bodies.length, 3);
      assert.equal(typeof bodies[1].continuationToken, "string");
      assert.deepEqual(bodies[2], { format: "json", compress: true, allowContinuation: true, startDate: since });
      // the next run goes on from the new token, without a warning
      const c = await run();
      assert.deepEqual(c.out, []);
      assert.equal(typeof (posts()[3].body as Record<string, unknown>).continuationToken, "string");
      assert.equal(warn.args.filter((x) => /continuation token/.test(String(x[0]))).length, 1);
    });

    it("the same in array mode, and another 400 is an error as before (no fallback)", async function () {
      generateResponses(sb.state, survey, 2);
      await load({ since: "new", output: "array" });
      await run();
      exportStore(sb.state).tokens.clear();
      const later = generateResponses(sb.state, survey, 1);
      const { out } = await run();
      assert.deepEqual((out[0].payload as Array<{ responseId: string }>).map((r) => r.responseId), later);
      sb.faults.set({ rules: [{ match: { method: "POST", path: "/export-responses" }, action: "status", status: 400, times: 1 }] });
      const failed = await run();
      assert.match(String((failed.error as Error).message), /Qualtrics 400/);
      assert.equal(posts().length, 4, "a 400 that is not about the token is not answered by another export");
    });

    it("a response larger than qualtricsExportMaxRecordMB, and a download larger than qualtricsExportMaxDownloadMB, are clear errors; a partial file is removed", async function () {
      helper.settings({ qualtricsExportPollDelay: 2, qualtricsExportMaxRecordMB: 0.01, qualtricsExportMaxDownloadMB: 0.2 } as never);
      const s = sb.state.surveys.get(survey)!;
      const ids = generateResponses(sb.state, survey, 1);
      s.responses.get(ids[0])!.values.QID3_TEXT = "h".repeat(50_000);
      await load({ since: "all", output: "array", compress: false });
      const big = await run();
      assert.match(String((big.error as Error).message), /^export file: response \d+ is larger than 10485 bytes, the limit for one response \(qualtricsExportMaxRecordMB in settings\.js raises it\)/);
      await helper.unload();
      s.responses.get(ids[0])!.values.QID3_TEXT = "small";
      generateResponses(sb.state, survey, 600);
      const dir = path.join(tmp, "capped");
      await load({ since: "all", output: "file", directory: dir, compress: false });
      const file = await run();
      assert.match(String((file.error as Error).message), /^export file: the download is larger than 209715 bytes, the limit for an export file \(qualtricsExportMaxDownloadMB in settings\.js raises it\); it was stopped and nothing of it is kept$/);
      assert.deepEqual(fs.existsSync(dir) ? fs.readdirSync(dir) : [], [], "no partial file left");
    });

    it("a redeploy keeps the bookmark (Node-RED drops the node's context then when no context store is configured)", async function () {
      generateResponses(sb.state, survey, 2);
      await load({ since: "new", output: "array" });
      await run();
      const red = (helper as unknown as { _redNodes: { stopFlows(): Promise<void>; startFlows(): Promise<void> } })._redNodes;
      await red.stopFlows();
      const later = generateResponses(sb.state, survey, 1);
      await red.startFlows();
      const { out } = await run();
      assert.deepEqual((out[0].payload as Array<{ responseId: string }>).map((r) => r.responseId), later);
    });

    it("a start date applies to the first run only", async function () {
      const old = generateResponses(sb.state, survey, 2);
      const s = sb.state.surveys.get(survey)!;
      for (const id of old) s.responses.get(id)!.values.recordedDate = "2020-01-01T00:00:00Z";
      const recent = generateResponses(sb.state, survey, 1);
      await load({ since: "new", output: "array", startDate: "2024-01-01T00:00:00Z", startDateType: "str" });
      const a = await run();
      assert.deepEqual((a.out[0].payload as Array<{ responseId: string }>).map((r) => r.responseId), recent);
      await run();
      assert.equal((posts()[1].body as { startDate?: string }).startDate, undefined);
    });

    it("does not move the bookmark when the export fails or the download breaks: the next run sends them again", async function () {
      const ids = generateResponses(sb.state, survey, 40);
      await load({ since: "new", compress: false });
      failExports(sb.state, survey, 1);
      const failed = await run();
      assert.match(String((failed.error as Error).message), /export failed/);
      assert.equal(bookmark()?.continuationToken, undefined);
      sb.faults.set({ rules: [{ match: { path: "/file" }, action: "malformed", afterHandling: true, times: 1 }] });
      const cut = await run();
      assert.match(String((cut.error as Error).message), /export file: the JSON ended early/);
      assert.ok(cut.out.length > 0 && cut.out.length < 40, "part was sent before the break");
      assert.equal(bookmark()?.continuationToken, undefined);
      const again = await run();
      assert.equal(again.error, undefined);
      assert.deepEqual(again.out.map((m) => (m.payload as { responseId: string }).responseId), ids);
      assert.equal(typeof bookmark()!.continuationToken, "string");
    });

    it("two messages at once run one after the other, so no response is sent twice", async function () {
      const ids = generateResponses(sb.state, survey, 5);
      await load({ since: "new" });
      const out = collect("out") as Msg[];
      helper.getNode("n").receive({});
      helper.getNode("n").receive({});
      await until(() => done.of("n").length === 2, 15_000);
      await sleep(50);
      assert.deepEqual(out.map((m) => (m.payload as { responseId: string }).responseId), ids);
      assert.ok(done.of("n").every((d) => d.error === undefined));
    });

    it("keeps one bookmark per survey", async function () {
      const other = sb.seedIds.surveyIds[1];
      generateResponses(sb.state, survey, 1);
      const o = generateResponses(sb.state, other, 2);
      await load({ since: "new", surveyId: "", output: "array" });
      await run({ payload: { surveyId: survey } });
      const b = await run({ payload: { surveyId: other } });
      assert.deepEqual((b.out[0].payload as Array<{ responseId: string }>).map((r) => r.responseId), o);
      assert.ok(bookmark(survey)!.continuationToken);
      assert.ok(bookmark(other)!.continuationToken);
      assert.notEqual(bookmark(survey)!.continuationToken, bookmark(other)!.continuationToken);
    });

    it("refuses an end date, a limit, and a token in msg.payload", async function () {
      await load({ since: "new", endDate: "2099-01-01", endDateType: "str" });
      assert.match(String(((await run()).error as Error).message), /^End date: cannot be used with "new since last run"/);
      await helper.unload();
      await load({ since: "new", limit: 5 });
      assert.match(String(((await run()).error as Error).message), /^Limit: cannot be combined with allowContinuation/);
      await helper.unload();
      await load({ since: "new" });
      assert.match(String(((await run({ payload: { continuationToken: "x" } })).error as Error).message), /^payload.continuationToken/);
      assert.equal(posts().length, 0);
    });
  });

  describe("errors (each once through done, for a Catch node)", function () {
    it("a failed export: Qualtrics' requestId on msg.qualtrics, a red status", async function () {
      failExports(sb.state, survey, 1);
      await load({});
      const shown = statusLog("n");
      const { error, out } = await run({ payload: "keep" });
      assert.match(String((error as Error).message), /export failed in Qualtrics.*requestId/);
      assert.equal(out.length, 0);
      const d = done.of("n")[0];
      assert.equal(typeof (d.msg.qualtrics as { requestId: string }).requestId, "string");
      assert.equal(shown[shown.length - 1].fill, "red");
    });

    it("an unknown survey: Qualtrics' 404, no polling", async function () {
      await load({ surveyId: "SV_000000000000000" });
      const { error } = await run();
      assert.match(String((error as Error).message), /404/);
      assert.equal((done.of("n")[0].msg.qualtrics as { httpStatus: number }).httpStatus, 404);
      assert.equal(sb.requests.length, 1);
    });

    it("bad input is refused before any request, naming the field", async function () {
      const cases: Array<[Record<string, unknown>, Record<string, unknown>, RegExp]> = [
        [{ surveyId: "" }, {}, /^Survey: is required/],
        [{ surveyId: "CG_1" }, {}, /^Survey: "CG_1" is not a survey ID/],
        [{ format: "spss" }, {}, /^Format: spss files can only be output as a file/],
        [{ output: "file", directory: "" }, {}, /^Directory: is required/],
        [{ startDate: "soon", startDateType: "str" }, {}, /^Start date:/],
        [{ limit: -3, output: "array" }, {}, /^Limit:/],
        [{ questionIds: "Q1", questionIdsType: "str" }, {}, /^Questions \(questionIds\[0\]\):/],
        [{ startDate: "d", startDateType: "msg" }, { d: 5 }, /^Start date: year 1970 is out of range/],
      ];
      for (const [props, msg, message] of cases) {
        await load(props);
        const { error } = await run(msg);
        assert.match(String((error as Error).message), message, JSON.stringify(props));
        await helper.unload();
      }
      assert.equal(sb.requests.length, 0);
    });

    it("no configuration node: an error, no request", async function () {
      await helper.load([N.config, N.export], flow({ qualtrics: "" }), credentials);
      const { error } = await run();
      assert.match(String((error as Error).message), /^Qualtrics:/);
      assert.equal(sb.requests.length, 0);
    });

    it("an export that takes longer than the timeout", async function () {
      setExportPolls(sb.state, 1_000_000);
      await load({ timeout: 0.01 });
      const { error } = await run();
      assert.match(String((error as Error).message), /still not finished after 1 s/);
    });

    it("a damaged zip and a cut-off download are errors with a clear text", async function () {
      generateResponses(sb.state, survey, 20);
      await load({ output: "array" });
      sb.faults.set({ rules: [{ match: { path: "/file" }, action: "malformed", afterHandling: true }] });
      const { error } = await run();
      assert.match(String((error as Error).message), /^export file: the zip is damaged or incomplete; the download may have been cut off/);
    });

    it("503 and 500 on the start are retried (starting an export twice changes no data)", async function () {
      generateResponses(sb.state, survey, 1);
      helper.settings({ qualtricsExportPollDelay: 2, qualtricsConfigRetryDelay: 1 } as never);
      sb.faults.set({ rules: [{ match: { method: "POST", path: "/export-responses" }, action: "status", status: 503, times: 1 }, { match: { method: "POST", path: "/export-responses" }, action: "status", status: 500, times: 1 }] });
      await load({ output: "array" });
      const { error, out } = await run();
      assert.equal(error, undefined);
      assert.equal((out[0].payload as unknown[]).length, 1);
      assert.equal(posts().length, 3);
    });
  });
});
