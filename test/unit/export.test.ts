import assert from "node:assert/strict";
import { QualtricsApiError, QualtricsInputError } from "../../src/errors";
import {
  ExportFailedError,
  downloadExport,
  exportBody,
  exportedResponses,
  exportProgress,
  nextPollDelay,
  safeFileName,
  startExport,
} from "../../src/export";
import { PollTimeoutError } from "../../src/poll";
import { zipOneFile } from "../sandbox/zip";
import { json, RawServer, startRawServer, write } from "../support/raw-server";
import { ClientPool, failure, sleep, TOKEN } from "./helpers";

const SV = "SV_abcdefghijklmno";

async function all(gen: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

describe("response export (qualtrics-api.md §7.2-§7.4)", function () {
  let srv: RawServer;
  const clients = new ClientPool();
  before(async () => (srv = await startRawServer()));
  after(() => srv.close());
  afterEach(() => clients.closeAll());

  describe("the start body (§7.2)", function () {
    it("sends the documented options with Qualtrics' names; compress defaults to true", function () {
      assert.deepEqual(exportBody({ format: "json" }), { format: "json", compress: true });
      assert.deepEqual(
        exportBody({
          format: "CSV",
          compress: "false",
          startDate: "2025-05-01",
          endDate: Date.UTC(2025, 5, 1, 12),
          limit: "250",
          filterId: "FT_abc123",
          useLabels: true,
          questionIds: "QID1, QID3",
          embeddedDataIds: ["tier", "region"],
          exportResponsesInProgress: false,
        }),
        {
          format: "csv",
          compress: false,
          startDate: "2025-05-01T00:00:00Z",
          endDate: "2025-06-01T12:00:00Z",
          limit: 250,
          filterId: "FT_abc123",
          useLabels: true,
          questionIds: ["QID1", "QID3"],
          embeddedDataIds: ["tier", "region"],
          exportResponsesInProgress: false,
        },
      );
      // a limit of 0 means all: not sent
      assert.equal(exportBody({ format: "ndjson", limit: 0 }).limit, undefined);
      assert.deepEqual(exportBody({ format: "json", allowContinuation: true, startDate: "2025-01-01T00:00:00Z" }), { format: "json", compress: true, startDate: "2025-01-01T00:00:00Z", allowContinuation: true });
      assert.deepEqual(exportBody({ format: "tsv", continuationToken: " tok " }), { format: "tsv", compress: true, continuationToken: "tok", allowContinuation: true });
    });

    it("refuses bad options before any request, naming the field", function () {
      const field = (o: Record<string, unknown>) => {
        try {
          exportBody({ format: "json", ...o });
        } catch (err) {
          assert.ok(err instanceof QualtricsInputError, String(err));
          return err.field;
        }
        assert.fail(`accepted ${JSON.stringify(o)}`);
      };
      assert.equal(field({ format: "pdf" }), "format");
      assert.equal(field({ format: undefined }), "format");
      assert.equal(field({ startDate: "yesterday" }), "startDate");
      assert.equal(field({ startDate: "2025-05-02", endDate: "2025-05-01" }), "endDate");
      assert.equal(field({ limit: -1 }), "limit");
      assert.equal(field({ limit: 1.5 }), "limit");
      assert.equal(field({ filterId: "a/b" }), "filterId");
      assert.equal(field({ useLabels: "yes" }), "useLabels");
      assert.equal(field({ questionIds: ["QID1", "Q2"] }), "questionIds[1]");
      assert.equal(field({ questionIds: 5 }), "questionIds");
      assert.equal(field({ embeddedDataIds: [1] }), "embeddedDataIds[0]");
      assert.equal(field({ exportResponsesInProgress: 1 }), "exportResponsesInProgress");
      assert.equal(field({ compress: "zip" }), "compress");
      assert.equal(field({ continuationToken: "t", startDate: "2025-01-01" }), "startDate");
      assert.equal(field({ continuationToken: "t", limit: 5 }), "limit");
      assert.equal(field({ continuationToken: "t", allowContinuation: false }), "allowContinuation");
      assert.equal(field({ allowContinuation: true, limit: 5 }), "limit");
    });
  });

  describe("start and progress", function () {
    it("POSTs the body and polls until status says complete, yielding each progress", async function () {
      srv.handle((req, res, i) => {
        if (req.method === "POST") return json(res, 200, { progressId: "ES_1", percentComplete: 0, status: "inProgress" });
        if (i < 3) return json(res, 200, { percentComplete: i * 40, status: "inProgress" });
        return json(res, 200, { percentComplete: 100, status: "complete", fileId: "F-1", continuationToken: "next" });
      });
      const client = clients.make(srv.apiBase);
      const started = await startExport(client, SV, exportBody({ format: "json", allowContinuation: true }));
      assert.equal(started.progressId, "ES_1");
      const seen = await all(exportProgress(client, started, { initialDelayMs: 1 }));
      assert.deepEqual(
        seen.map((p) => (p as { percentComplete: number; status: string }).percentComplete),
        [40, 80, 100],
      );
      assert.deepEqual(seen[2], { status: "complete", percentComplete: 100, fileId: "F-1", continuationToken: "next", requestId: "req-200" });
      assert.equal(srv.requests[0].path, `/API/v3/surveys/${SV}/export-responses`);
      assert.deepEqual(srv.requests[0].body, { format: "json", compress: true, allowContinuation: true });
      assert.equal(srv.requests[0].headers["x-api-token"], TOKEN);
      assert.ok(srv.requests.slice(1).every((r) => r.method === "GET" && r.path === `/API/v3/surveys/${SV}/export-responses/ES_1`));
    });

    it("never polls without a progressId", async function () {
      srv.handle((_req, res) => json(res, 200, { progressId: null, status: "inProgress" }));
      const err = await failure(startExport(clients.make(srv.apiBase), SV, exportBody({ format: "json" })));
      assert.ok(err instanceof QualtricsApiError);
      assert.match(err.message, /no progressId/);
      assert.equal(srv.requests.length, 1);
    });

    it("checks the survey ID before any request", async function () {
      srv.handle((_req, res) => json(res, 200, {}));
      const err = await failure(startExport(clients.make(srv.apiBase), "CG_1", exportBody({ format: "json" })));
      assert.ok(err instanceof QualtricsInputError);
      assert.equal(srv.requests.length, 0);
    });

    it("stops on status failed, although percentComplete says 100, with the requestId (§7.3)", async function () {
      srv.handle((_req, res) => json(res, 200, { fileId: null, percentComplete: 100, status: "failed" }, { requestId: "req-failed" }));
      const err = await failure(all(exportProgress(clients.make(srv.apiBase), { surveyId: SV, progressId: "ES_1" }, { initialDelayMs: 1 })));
      assert.ok(err instanceof ExportFailedError);
      assert.equal(err.requestId, "req-failed");
      assert.match(err.message, /export failed.*requestId req-failed/);
      assert.equal(srv.requests.length, 1);
    });

    it("stops at a 404 (§7.3) without retrying it", async function () {
      srv.handle((_req, res) => json(res, 404, "Export not found"));
      const err = await failure(all(exportProgress(clients.make(srv.apiBase), { surveyId: SV, progressId: "ES_gone" }, { initialDelayMs: 1 })));
      assert.equal((err as QualtricsApiError).statusCode, 404);
      assert.equal(srv.requests.length, 1);
    });

    it("gives up after the overall timeout and says it may still finish", async function () {
      srv.handle((_req, res) => json(res, 200, { percentComplete: 10, status: "inProgress" }));
      const err = await failure(all(exportProgress(clients.make(srv.apiBase), { surveyId: SV, progressId: "ES_1" }, { initialDelayMs: 5, timeoutMs: 60 })));
      assert.ok(err instanceof PollTimeoutError);
      assert.match(err.message, /export ES_1 was still not finished/);
    });

    it("a complete export without a fileId is an error", async function () {
      srv.handle((_req, res) => json(res, 200, { percentComplete: 100, status: "complete" }));
      const err = await failure(all(exportProgress(clients.make(srv.apiBase), { surveyId: SV, progressId: "ES_1" }, { initialDelayMs: 1 })));
      assert.match(err.message, /no fileId/);
    });

    it("waits 1 s, then 1.5 times longer each time, up to 5 s (§7.3)", function () {
      const delays = [1000];
      for (let i = 0; i < 6; i++) delays.push(nextPollDelay(delays[delays.length - 1], 5000));
      assert.deepEqual(delays, [1000, 1500, 2250, 3375, 5000, 5000, 5000]);
    });

    it("an abort ends the polling", async function () {
      srv.handle((_req, res) => json(res, 200, { percentComplete: 10, status: "inProgress" }));
      const ac = new AbortController();
      const p = all(exportProgress(clients.make(srv.apiBase), { surveyId: SV, progressId: "ES_1" }, { initialDelayMs: 20, signal: ac.signal }));
      await sleep(50);
      ac.abort(new Error("stop now"));
      assert.match((await failure(p)).message, /stop now/);
    });
  });

  describe("download (client.stream)", function () {
    it("streams the file with the token, and gives Qualtrics' file name without any directory", async function () {
      const zip = zipOneFile("Survey.json", Buffer.from(JSON.stringify({ responses: [{ responseId: "R_1" }, { responseId: "R_2" }] })));
      srv.handle((_req, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-disposition": 'attachment; filename="../../etc/Survey.zip"', "x-request-id": "dl-1" });
        res.end(zip);
      });
      const dl = await downloadExport(clients.make(srv.apiBase), SV, "F-1");
      assert.equal(dl.fileName, "Survey.zip");
      assert.equal(dl.requestId, "dl-1");
      assert.deepEqual(await all(exportedResponses(dl.chunks, "json")), [{ responseId: "R_1" }, { responseId: "R_2" }]);
      assert.equal(srv.requests[0].path, `/API/v3/surveys/${SV}/export-responses/F-1/file`);
      assert.equal(srv.requests[0].headers["x-api-token"], TOKEN);
    });

    it("reads a zip or a plain file alike, whatever compress asked for", async function () {
      const text = '{"responses":[{"responseId":"R_9"}]}';
      for (const body of [Buffer.from(text), zipOneFile("x.json", Buffer.from(text))]) {
        srv.handle((_req, res) => void res.writeHead(200).end(body));
        const dl = await downloadExport(clients.make(srv.apiBase), SV, "F-1");
        assert.deepEqual(await all(exportedResponses(dl.chunks, "json")), [{ responseId: "R_9" }]);
      }
      srv.handle((_req, res) => void res.writeHead(200).end(""));
      const empty = await downloadExport(clients.make(srv.apiBase), SV, "F-1");
      assert.match((await failure(all(exportedResponses(empty.chunks, "json")))).message, /no "responses" array/);
    });

    it("retries 503 and 429 before the body starts, and throws 404 with Qualtrics' message and requestId", async function () {
      srv.handle((_req, res, i) => {
        if (i === 0) {
          json(res, 503, "busy");
          return;
        }
        if (i === 1) {
          res.writeHead(429, { "retry-after": "0", "content-type": "application/json" });
          res.end("{}");
          return;
        }
        res.writeHead(200);
        res.end('{"responses":[]}');
      });
      const dl = await downloadExport(clients.make(srv.apiBase), SV, "F-1");
      assert.deepEqual(await all(exportedResponses(dl.chunks, "json")), []);
      assert.equal(srv.requests.length, 3);

      srv.handle((_req, res) => json(res, 404, "File not found"));
      const err = await failure(downloadExport(clients.make(srv.apiBase), SV, "F-x"));
      assert.ok(err instanceof QualtricsApiError);
      assert.equal(err.statusCode, 404);
      assert.equal(err.requestId, "req-404");
      assert.match(err.message, /File not found/);
      assert.equal(srv.requests.length, 1);
    });

    it("asks for a new token once on 401 when the client can get one", async function () {
      let renewed = 0;
      srv.handle((req, res) => {
        if (req.headers["x-api-token"] === "new") res.writeHead(200).end('{"responses":[]}');
        else json(res, 401, "expired");
      });
      let token = "old";
      const client = clients.make(srv.apiBase, { auth: () => ({ "X-API-TOKEN": token }), onUnauthorized: () => ((token = "new"), renewed++, true) });
      const dl = await downloadExport(client, SV, "F-1");
      await all(dl.chunks);
      assert.equal(renewed, 1);
      assert.equal(srv.requests.length, 2);
    });

    it("a connection that breaks off halfway is an error that says how far it got (no retry: part was used)", async function () {
      srv.handle(async (_req, res) => {
        res.writeHead(200, { "content-length": "100000" });
        await write(res, Buffer.alloc(5000, 32));
        res.destroy();
      });
      const dl = await downloadExport(clients.make(srv.apiBase), SV, "F-1");
      const err = await failure(all(dl.chunks));
      assert.ok(err instanceof QualtricsApiError);
      assert.match(err.message, /download broke off after 5000 bytes/);
      assert.equal(srv.requests.length, 1);
    });

    it("a body that stalls longer than the timeout fails instead of hanging", async function () {
      srv.handle(async (_req, res) => {
        res.writeHead(200);
        await write(res, "{");
        // nothing more, and the connection stays open
      });
      const dl = await downloadExport(clients.make(srv.apiBase, { timeoutMs: 150 }), SV, "F-1");
      const err = await failure(all(dl.chunks));
      assert.match(err.message, /download broke off after 1 bytes/);
    });

    it("holds a limiter slot only until the headers: another request runs while a download is open", async function () {
      srv.handle(async (req, res) => {
        if (req.path.endsWith("/file")) {
          res.writeHead(200);
          await write(res, '{"responses":[');
          return; // left open
        }
        json(res, 200, { ok: true });
      });
      const client = clients.make(srv.apiBase, { maxConcurrent: 1 });
      const dl = await downloadExport(client, SV, "F-1");
      const other = await client.request({ method: "GET", path: "/whoami" });
      assert.equal(other.statusCode, 200);
      await dl.chunks.return(undefined);
    });

    it("the caller's signal ends a download in progress", async function () {
      srv.handle(async (_req, res) => {
        res.writeHead(200);
        await write(res, '{"responses":[{"responseId":"R_1"},');
      });
      const ac = new AbortController();
      const dl = await downloadExport(clients.make(srv.apiBase), SV, "F-1", ac.signal);
      const it = exportedResponses(dl.chunks, "json");
      assert.deepEqual((await it.next()).value, { responseId: "R_1" });
      setTimeout(() => ac.abort(new Error("node closed")), 20);
      assert.match((await failure(it.next())).message, /node closed/);
    });

    it("closing the client ends an open download after its grace period", async function () {
      srv.handle(async (_req, res) => {
        res.writeHead(200);
        await write(res, "{");
      });
      const client = clients.make(srv.apiBase);
      const dl = await downloadExport(client, SV, "F-1");
      const reading = all(dl.chunks).then(() => "ended", (e: Error) => e.message);
      await client.close(10);
      assert.match(await reading, /download broke off/);
    });

    it("file names from Content-Disposition are made safe", function () {
      assert.equal(safeFileName('attachment; filename="Customer Satisfaction.zip"'), "Customer Satisfaction.zip");
      assert.equal(safeFileName("attachment; filename*=UTF-8''Umfrage%20%C3%BC.zip"), "Umfrage ü.zip");
      assert.equal(safeFileName('attachment; filename="..\\\\..\\\\x.zip"'), "x.zip");
      assert.equal(safeFileName('attachment; filename=".."'), undefined);
      assert.equal(safeFileName("attachment"), undefined);
      assert.equal(safeFileName(undefined), undefined);
      assert.equal(safeFileName('attachment; filename="a\u0000b.zip"'), "ab.zip");
    });
  });
});
