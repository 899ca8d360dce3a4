// Constant memory in per-response mode: a 20,000-response export is served in lockstep. The server
// writes the next batch of responses only once the flow has received nearly all of the batches
// before it, so the export can only complete if the node sends messages while the download is
// still coming in; and at every write the server notes how many responses it has sent that have
// not yet arrived as messages, which is what the node (with the buffers on the way) holds.
import assert from "node:assert/strict";
import type * as http from "node:http";
import { ZipStreamWriter } from "../sandbox/zip";
import { collect, configNode, credentials, FlowNode, helper, http as nr, spyDone, until } from "../support/nr-helper";
import { json, RawServer, startRawServer, write } from "../support/raw-server";

const SV = "SV_abcdefghijklmno";
const TOTAL = 20_000;
const BATCH = 500;
/** how long the server waits for the flow to catch up before it notes a stall (less than the 5 s body timeout of the test config) */
const PATIENCE_MS = 4_000;

function response(i: number): string {
  return JSON.stringify({ responseId: `R_${String(i).padStart(15, "0")}`, values: { QID1: i % 11, QID3_TEXT: `answer ${i}`, recordedDate: "2025-05-01T10:00:00Z" }, labels: {}, displayedFields: ["QID1"], displayedValues: {} });
}

describe("qualtrics-export: constant memory in per-response mode", function () {
  this.timeout(120_000);
  let srv: RawServer;
  let done: ReturnType<typeof spyDone>;
  before(async () => (srv = await startRawServer()));
  after(() => srv.close());
  beforeEach(() => {
    done = spyDone();
    helper.settings({ qualtricsExportPollDelay: 2 } as never);
  });
  afterEach(async () => {
    await helper.unload();
    done.restore();
    helper.settings({});
  });

  for (const zipped of [true, false]) {
    it(`20,000 responses${zipped ? " in a zip" : ""}: messages leave while the download is still coming, and the node never holds them all`, async function () {
      let received: unknown[] = [];
      let writtenResponses = 0;
      let maxAhead = 0;
      let stalled = false;
      let downloadEnded = false;
      let firstMessageBeforeEnd = false;

      async function lockstep(res: http.ServerResponse): Promise<void> {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        const out = async (c: Buffer | string) => {
          if (!(await write(res, c))) throw new Error("client went away");
        };
        const zip = zipped ? new ZipStreamWriter("big.json", (c) => out(c)) : undefined;
        const send = (text: string) => (zip ? zip.write(Buffer.from(text)) : out(text));
        await send('{"responses":[');
        for (let from = 0; from < TOTAL; from += BATCH) {
          // wait until the flow has had all but the last response of the batches so far
          const deadline = Date.now() + PATIENCE_MS;
          while (received.length < from - 1 && !stalled) {
            if (Date.now() > deadline) stalled = true;
            await new Promise((r) => setTimeout(r, 2));
          }
          const items: string[] = [];
          for (let i = from; i < Math.min(TOTAL, from + BATCH); i++) items.push(response(i));
          await send((from === 0 ? "" : ",") + items.join(","));
          writtenResponses = Math.min(TOTAL, from + BATCH);
          maxAhead = Math.max(maxAhead, writtenResponses - received.length);
        }
        await send("]}");
        if (zip) await zip.end();
        downloadEnded = true;
        res.end();
      }

      srv.handle(async (req, res) => {
        if (req.method === "POST") return json(res, 200, { progressId: "ES_big", percentComplete: 0, status: "inProgress" });
        if (req.path.endsWith("/file")) return lockstep(res);
        return json(res, 200, { percentComplete: 100, status: "complete", fileId: "F-big" });
      });

      await helper.load([nr.nodes.config, nr.nodes.export], [
        { id: "tab", type: "tab" },
        configNode(srv.apiBase),
        { id: "n", z: "tab", type: "qualtrics-export", qualtrics: "cfg", surveyId: SV, surveyIdType: "str", format: "json", since: "all", output: "split", compress: zipped, timeout: 1, wires: [["out"]] },
        { id: "out", z: "tab", type: "helper" },
      ] as FlowNode[], credentials);
      received = collect("out");
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
      const last = received[TOTAL - 1] as { payload: { responseId: string }; parts: { index: number; count: number } };
      assert.equal(last.payload.responseId, `R_${String(TOTAL - 1).padStart(15, "0")}`);
      assert.deepEqual([last.parts.index, last.parts.count], [TOTAL - 1, TOTAL]);
    });
  }
});
