// The export node and the polling trigger on a real Node-RED against the sandbox: an N-response
// survey exported in every output mode, the polling trigger sending each new response exactly once
// across a restart of Node-RED on the same user directory (with a file-backed context store), and
// this two example flows doing what their comments say.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { generateResponses } from "../../sandbox/export-control";
import { FlowNode, examplesFlows, loadExamples } from "../support/runtime";
import { untranslated, withCapture } from "./capture";
import { sleep, waitFor } from "../support/wait";
import { sandboxConfig } from "../support/config-node";
import { useStack } from "./stack";

const TOKEN = "e2e-export-token-000000000000000000000000";
const CONFIG = sandboxConfig({ id: "e2e-config" });
const N = 400;

type Msg = Record<string, unknown> & { payload?: unknown; export?: Record<string, unknown>; parts?: Record<string, unknown>; event?: Record<string, unknown> };

function debugNode(id: string, z: string): FlowNode {
  return { id, type: "debug", z, name: id, active: true, tosidebar: false, console: false, tostatus: false, complete: "true", targetType: "full", statusVal: "", statusType: "auto", x: 600, y: 100, wires: [] };
}

describe(`e2e: response export and polling trigger (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(120_000);
  let survey: string;
  let deployMark = 0;
  const { sb, col, nr } = useStack({
    sandbox: { token: TOKEN },
    nodeRed: () => ({
      settings: {
        contextStorage: { default: { module: "localfilesystem" } },
        qualtricsExportPollDelay: 20,
        qualtricsResponsePollMinInterval: 1,
      },
    }),
    ready: async () => {
      survey = sb.seedIds.surveyIds[1];
      deployMark = nr.mark();
    },
  });

  describe(`an export of ${N} responses in each output mode`, function () {
    const Z = "e2e-export-tab";
    let ids: string[] = [];
    const exportNode = (id: string, props: Record<string, unknown>, wires: string[][]): FlowNode => ({
      id, type: "qualtrics-export", z: Z, name: id, qualtrics: "e2e-config", surveyId: survey, surveyIdType: "str", format: "json", since: "all",
      output: "split", directory: "", startDate: "", startDateType: "str", endDate: "", endDateType: "str", limit: "", filterId: "", filterIdType: "str",
      questionIds: "", questionIdsType: "str", embeddedDataIds: "", embeddedDataIdsType: "str", useLabels: false, exportResponsesInProgress: false,
      compress: true, allowContinuation: false, timeout: 5, x: 300, y: 100, wires, ...props,
    });
    const inject = (id: string, target: string): FlowNode => ({ id, type: "inject", z: Z, name: id, props: [{ p: "payload" }], repeat: "", crontab: "", once: false, onceDelay: 0.1, topic: "", payload: "", payloadType: "date", x: 100, y: 100, wires: [[target]] });

    before(async function () {
      ids = generateResponses(sb.state, survey, N);
      const flows: FlowNode[] = [
        { id: Z, type: "tab", label: "e2e export", disabled: false, info: "" },
        inject("inj-split", "exp-split"),
        exportNode("exp-split", {}, [["dbg-split", "join"]]),
        { id: "join", type: "join", z: Z, name: "", mode: "auto", build: "object", property: "payload", propertyType: "msg", key: "topic", joiner: "\\n", joinerType: "str", accumulate: false, timeout: "", count: "", reduceRight: false, x: 450, y: 140, wires: [["dbg-joined"]] },
        debugNode("dbg-split", Z),
        debugNode("dbg-joined", Z),
        inject("inj-array-csv", "exp-array-csv"),
        exportNode("exp-array-csv", { output: "array", format: "csv", compress: false }, [["dbg-array-csv"]]),
        debugNode("dbg-array-csv", Z),
        inject("inj-array-ndjson", "exp-array-ndjson"),
        exportNode("exp-array-ndjson", { output: "array", format: "ndjson" }, [["dbg-array-ndjson"]]),
        debugNode("dbg-array-ndjson", Z),
        inject("inj-buffer", "exp-buffer"),
        exportNode("exp-buffer", { output: "buffer", compress: false, format: "tsv" }, [["dbg-buffer"]]),
        debugNode("dbg-buffer", Z),
        inject("inj-file", "exp-file"),
        exportNode("exp-file", { output: "file", directory: "exports" }, [["dbg-file"]]),
        debugNode("dbg-file", Z),
        CONFIG,
      ];
      await nr.deploy(withCapture(flows, col.url), { "e2e-config": { apiToken: TOKEN } });
      await nr.waitForLog(/Started flows/, 10_000, deployMark);
    });

    it("one message per response, which a join node turns back into the whole export", async function () {
      await nr.inject("inj-split");
      const joined = (await col.wait("dbg-joined", 1, 60_000))[0].msg;
      assert.deepEqual((joined.payload as Array<{ responseId: string }>).map((r) => r.responseId), ids);
      const each = await col.wait("dbg-split", N, 60_000);
      const last = each.map((c) => c.msg as Msg).find((m) => m.parts?.count !== undefined)!;
      assert.equal(last.parts!.count, N);
      assert.equal(last.export!.count, N);
      assert.equal(last.export!.fileName, "Post-Support Feedback.zip");
    });

    it("one message with all rows of a CSV, keyed by column name", async function () {
      await nr.inject("inj-array-csv");
      const msg = (await col.wait("dbg-array-csv", 1, 60_000))[0].msg as Msg;
      const rows = msg.payload as Array<Record<string, string>>;
      assert.deepEqual(rows.map((r) => r.ResponseId), ids);
      assert.equal(msg.export!.count, N);
      assert.ok((msg.export!.columns as Array<{ importId?: string }>).some((c) => c.importId === "QID1"));
    });

    it("one message with all responses of a zipped NDJSON", async function () {
      await nr.inject("inj-array-ndjson");
      const msg = (await col.wait("dbg-array-ndjson", 1, 60_000))[0].msg as Msg;
      assert.deepEqual((msg.payload as Array<{ responseId: string }>).map((r) => r.responseId), ids);
    });

    it("the file as a Buffer", async function () {
      await nr.inject("inj-buffer");
      const msg = (await col.wait("dbg-buffer", 1, 60_000))[0].msg as Msg;
      const buf = Buffer.from((msg.payload as { type: string; data: number[] }).data);
      const lines = buf.toString("utf8").trim().split("\r\n");
      assert.equal(lines.length, 3 + N, "three header rows and one row per response");
      assert.equal(msg.export!.zip, false);
    });

    it("the file, saved under the user directory", async function () {
      await nr.inject("inj-file");
      const msg = (await col.wait("dbg-file", 1, 60_000))[0].msg as Msg;
      const file = msg.payload as string;
      assert.equal(path.dirname(file), path.join(nr.userDir, "exports"));
      assert.equal(fs.readFileSync(file).readUInt32LE(0), 0x04034b50, "a zip");
      assert.equal(msg.export!.bytes, fs.statSync(file).size);
    });

    it("showed the progress on the status, translated", function () {
      const shown = col.captures.filter((c) => c.debug === `status:${Z}`).map((c) => String((c.msg.status as { text?: string }).text ?? ""));
      assert.ok(shown.some((t) => /^exporting \d+%$/.test(t)), shown.join(" | "));
      assert.ok(shown.includes(`done: ${N}`));
      assert.deepEqual(untranslated(shown.filter(Boolean)), []);
    });
  });

  describe("the polling trigger across a restart of Node-RED", function () {
    const Z = "e2e-poll-tab";
    const received = () => col.of("dbg-poll").map((c) => (c.msg as Msg).payload as { responseId: string });
    const polls = () => sb.requests.filter((r) => r.path.endsWith("/file") && r.path.includes(survey)).length;

    it("sends every new response exactly once, before and after the restart, and keeps its bookmark in the context file", async function () {
      const before = polls();
      await nr.deploy(withCapture([
        { id: Z, type: "tab", label: "e2e poll", disabled: false, info: "" },
        { id: "poll", type: "qualtrics-response-poll", z: Z, name: "poll", qualtrics: "e2e-config", surveyId: survey, surveyIdType: "str", interval: 1, start: "now", startDate: "", x: 150, y: 100, wires: [["dbg-poll"]] },
        debugNode("dbg-poll", Z),
        CONFIG,
      ], col.url), { "e2e-config": { apiToken: TOKEN } });
      await waitFor("the first poll", () => polls() > before, 20_000);
      assert.equal(received().length, 0, "the responses from before the deploy are not sent");

      const first = generateResponses(sb.state, survey, 5);
      await waitFor("the first five", () => received().length >= 5, 20_000);
      await nr.stop();
      const whileDown = generateResponses(sb.state, survey, 4);
      const { responseId } = await sb.completeResponse(survey);
      const contextDir = path.join(nr.userDir, "context");
      assert.ok(fs.existsSync(contextDir), "a context directory in the user directory");
      await nr.restart();
      await waitFor("the responses recorded while Node-RED was down", () => received().length >= 10, 30_000);
      const after = generateResponses(sb.state, survey, 2);
      await waitFor("two more", () => received().length >= 12, 20_000);
      // a few more polls with nothing new
      const settled = polls();
      await waitFor("two more polls", () => polls() >= settled + 2, 20_000);
      await sleep(300);
      assert.deepEqual(received().map((r) => r.responseId), [...first, ...whileDown, responseId, ...after]);
      const event = (col.of("dbg-poll")[5].msg as Msg).event!;
      assert.equal(event.topic, `surveyengine.completedResponse.${survey}`);
      assert.equal(event.responseId, whileDown[0]);
    });
  });

  describe("the example flows of this issue", function () {
    const examples = () => loadExamples().filter((e) => e.label.startsWith("Export - ") || e.label.startsWith("Response poll - "));
    const only = async (debugId: string) => (await col.wait(debugId, 1, 30_000))[0].msg as Msg;
    const SV = "SV_VE5mzwCiii9FktA";
    let mark = 0;
    let deployedAt = 0;

    before(async function () {
      assert.equal(examples().length, 2);
      col.clear();
      mark = nr.mark();
      deployedAt = Date.now();
      await nr.deploy(withCapture(examplesFlows(examples()), col.url), { "qualtrics-example-config": { apiToken: TOKEN } });
      await nr.waitForLog(/Started flows/, 10_000, mark);
    });

    it("Export: all responses one by one and joined, CSV rows, only new ones, the saved file, and the Catch node", async function () {
      const ids = generateResponses(sb.state, SV, 7);
      const id = (s: string) => `qex-export-${s}`;
      await nr.inject(id("inject-split"));
      assert.deepEqual(((await only(id("debug-joined"))).payload as Array<{ responseId: string }>).map((r) => r.responseId), ids);
      assert.equal((await col.wait(id("debug-response"), 7)).length, 7);
      await nr.inject(id("inject-csv"));
      const csv = await only(id("debug-csv"));
      assert.equal((csv.payload as Array<{ Q2: string }>)[0].Q2, "Very dissatisfied", "choice texts");
      await nr.inject(id("inject-new"));
      assert.equal(((await only(id("debug-new"))).payload as unknown[]).length, 7);
      const later = generateResponses(sb.state, SV, 2);
      await nr.inject(id("inject-new"));
      const second = (await col.wait(id("debug-new"), 2))[1].msg as Msg;
      assert.deepEqual((second.payload as Array<{ responseId: string }>).map((r) => r.responseId), later);
      await nr.inject(id("inject-file"));
      const file = (await only(id("debug-file"))).payload as string;
      assert.ok(fs.existsSync(file) && file.startsWith(path.join(nr.userDir, "exports")));
      await nr.inject(id("inject-missing"));
      const caught = await only(id("debug-catch"));
      assert.match(String((caught.error as { message: string }).message), /404/);
      assert.equal(col.of(id("debug-missing")).length, 0);
    });

    it("Response poll: a completed response reaches the debug node, a low score the detractor branch", async function () {
      const id = (s: string) => `qex-poll-${s}`;
      await waitFor("the example's first poll", () => sb.requests.some((r) => r.method === "POST" && r.path.includes(SV) && r.at >= deployedAt), 20_000);
      const { responseId } = await sb.completeResponse(SV, { QID1: 2 });
      // the responses the export example generated are new to the poll as well; this one is looked for
      const mine = (c: { msg: Record<string, unknown> }) => JSON.stringify(c.msg.payload).includes(responseId);
      const msg = (await waitFor("the completed response", () => col.of(id("debug-response")).find(mine), 40_000)).msg as Msg;
      assert.equal(msg.event!.responseId, responseId);
      const detractor = (await waitFor("its detractor message", () => col.of(id("debug-detractor")).find(mine), 10_000)).msg as Msg;
      assert.match(String(detractor.payload), new RegExp(`^Detractor \\(2\\): ${responseId} completed \\d{4}-`));
      assert.equal(col.of(id("debug-catch")).length, 0);
    });

    it("log: no errors or warnings from these flows", function () {
      assert.deepEqual(nr.problems(mark), []);
    });
  });
});
