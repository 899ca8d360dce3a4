// Constant memory in per-response mode. A plain JSON export is served in lockstep: the server
// writes the next batch of responses only once the flow has received nearly all of the batches
// before it, so the export can only complete if the node sends messages while the download is
// still coming in; and at every write the server notes how many responses it has sent that have
// not yet arrived as messages, which is what the node (with the buffers on the way) holds.
// A zip can only be read from its end, so it is saved to a temporary file first; then the file
// inside is inflated only as fast as messages leave, which the test follows at every message.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import type * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import sinon from "sinon";
import { ZipStreamWriter } from "../../sandbox/zip";
import { collect, credentials, FlowNode, helper, http as nr } from "../support/nr-helper";
import { json, write } from "../support/fake-servers";
// the module object itself (not an import's copy of it), so a stub reaches yauzl
import zlibModule = require("node:zlib");
import { until, sleep } from "../support/wait";
import { configNode } from "../support/config-node";
import { useRawServer } from "../support/fixtures";
import { useNodeRuntime } from "../support/node-test";

const SV = "SV_abcdefghijklmno";
const TOTAL = 20_000;
const BATCH = 500;
/** how long the server waits for the flow to catch up before it notes a stall (less than the 5 s body timeout of the test config) */
const PATIENCE_MS = 4_000;

/** `noise` makes the zip large enough that reading ahead of the messages would show */
function response(i: number, noise = ""): string {
  return JSON.stringify({ responseId: `R_${String(i).padStart(15, "0")}`, values: { QID1: i % 11, QID3_TEXT: `answer ${i}${noise}`, recordedDate: "2025-05-01T10:00:00Z" }, labels: {}, displayedFields: ["QID1"], displayedValues: {} });
}

describe("qualtrics-export: constant memory in per-response mode", function () {
  this.timeout(120_000);
  const srv = useRawServer();
  const done = useNodeRuntime({ qualtricsExportPollDelay: 2 });

  async function runExport(file: (res: http.ServerResponse) => Promise<void>, compress = true): Promise<unknown[]> {
    srv.handle(async (req, res) => {
      if (req.method === "POST") return json(res, 200, { progressId: "ES_big", percentComplete: 0, status: "inProgress" });
      if (req.path.endsWith("/file")) return file(res);
      return json(res, 200, { percentComplete: 100, status: "complete", fileId: "F-big" });
    });
    await helper.load([nr.nodes.config, nr.nodes.export], [
      { id: "tab", type: "tab" },
      configNode(srv.apiBase),
      { id: "n", z: "tab", type: "qualtrics-export", qualtrics: "cfg", surveyId: SV, surveyIdType: "str", format: "json", since: "all", output: "split", compress, timeout: 1, wires: [["out"]] },
      { id: "out", z: "tab", type: "helper" },
    ] as FlowNode[], credentials);
    return collect("out");
  }

  function checkAll(received: unknown[]): void {
    const last = received[TOTAL - 1] as { payload: { responseId: string }; parts: { index: number; count: number } };
    assert.equal(last.payload.responseId, `R_${String(TOTAL - 1).padStart(15, "0")}`);
    assert.deepEqual([last.parts.index, last.parts.count], [TOTAL - 1, TOTAL]);
  }

  it("20,000 responses in a zip: saved to a temporary file, then inflated only as fast as messages leave", async function () {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nrq-export-memory-"));
    const oldTmp = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const inflaters: zlibModule.InflateRaw[] = [];
      const real = zlibModule.createInflateRaw;
      sinon.stub(zlibModule, "createInflateRaw").callsFake((o?: zlibModule.ZlibOptions) => {
        const inflater = real(o);
        inflaters.push(inflater);
        return inflater;
      });
      let zipBytes = 0;
      let compressed = 0;
      let tmpFilesWhileDownloading: string[] = [];
      const received = await runExport(async (res) => {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        const zip = new ZipStreamWriter("big.json", async (c) => {
          zipBytes += c.length;
          if (!(await write(res, c))) throw new Error("client went away");
        });
        await zip.write(Buffer.from('{"responses":['));
        for (let from = 0; from < TOTAL; from += BATCH) {
          const items: string[] = [];
          for (let i = from; i < Math.min(TOTAL, from + BATCH); i++) items.push(response(i, randomBytes(48).toString("hex")));
          await zip.write(Buffer.from((from === 0 ? "" : ",") + items.join(",")));
        }
        await zip.write(Buffer.from("]}"));
        await zip.end();
        // local header, descriptor and central directory are small next to the data
        compressed = zipBytes - 200;
        await sleep(50);
        tmpFilesWhileDownloading = fs.readdirSync(tmp);
        res.end();
      });
      // at every message: how much further the inflating has got than the messages (as a share of the file)
      let maxAhead = 0;
      helper.getNode("out").on("input", () => {
        if (inflaters.length !== 1 || !compressed) return;
        maxAhead = Math.max(maxAhead, inflaters[0].bytesWritten / compressed - received.length / TOTAL);
      });
      helper.getNode("n").receive({ payload: "go" });
      await until(() => done.of("n").length === 1, 110_000, "the export to finish");
      assert.equal(done.of("n")[0].error, undefined);
      await until(() => received.length === TOTAL, 10_000, "every message");
      checkAll(received);

      assert.match(tmpFilesWhileDownloading.join(), /^qualtrics-export-[0-9a-f]+\.zip$/, "the download went to one temporary file");
      assert.ok(compressed > 1_000_000, `the test's premise: a zip large enough to see reading ahead (${compressed} bytes)`);
      assert.ok(maxAhead < 0.15, `the file inside was inflated at most a little ahead of the messages (saw ${Math.round(maxAhead * 100)}% of it)`);
      assert.deepEqual(fs.readdirSync(tmp), [], "the temporary file was deleted");
    } finally {
      sinon.restore();
      if (oldTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = oldTmp;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("20,000 responses, not zipped: messages leave while the download is still coming, and the node never holds them all", async function () {
    let received: unknown[] = [];
    let writtenResponses = 0;
    let maxAhead = 0;
    let stalled = false;
    let downloadEnded = false;
    let firstMessageBeforeEnd = false;

    received = await runExport(async (res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const send = async (text: string) => {
        if (!(await write(res, text))) throw new Error("client went away");
      };
      await send('{"responses":[');
      for (let from = 0; from < TOTAL; from += BATCH) {
        // wait until the flow has had all but the last response of the batches so far
        const deadline = Date.now() + PATIENCE_MS;
        while (received.length < from - 1 && !stalled) {
          if (Date.now() > deadline) stalled = true;
          await sleep(2);
        }
        const items: string[] = [];
        for (let i = from; i < Math.min(TOTAL, from + BATCH); i++) items.push(response(i));
        await send((from === 0 ? "" : ",") + items.join(","));
        writtenResponses = Math.min(TOTAL, from + BATCH);
        maxAhead = Math.max(maxAhead, writtenResponses - received.length);
      }
      await send("]}");
      downloadEnded = true;
      res.end();
    }, false);
    helper.getNode("out").on("input", () => {
      if (!downloadEnded) firstMessageBeforeEnd = true;
    });
    helper.getNode("n").receive({ payload: "go" });
    await until(() => done.of("n").length === 1, 110_000, "the export to finish");
    assert.equal(stalled, false, "the node held messages back until more of the download arrived than it needed");
    assert.equal(done.of("n")[0].error, undefined);
    await until(() => received.length === TOTAL, 10_000, "every message");

    assert.ok(firstMessageBeforeEnd, "the first messages arrived before the download ended");
    assert.ok(maxAhead <= 2 * BATCH, `at most two batches were in flight at once (saw ${maxAhead} of ${TOTAL})`);
    checkAll(received);
  });
});
