import assert from "node:assert/strict";
import { QualtricsApiError, QualtricsInputError } from "../../src/errors";
import {
  ExportFailedError,
  downloadExport,
  exportBody,
  exportedResponses,
  exportProgress,
  ExportFileError,
  isContinuationRefused,
  nextPollDelay,
  safeFileName,
  startExport,
} from "../../src/export";
import { PollTimeoutError } from "../../src/poll";
import { zipOneFile } from "../../sandbox/zip";
import { json, write } from "../support/fake-servers";
import { failure, TOKEN, useClients } from "./helpers";
import { sleep } from "../support/wait";
import { useRawServer } from "../support/fixtures";

const SV = "SV_abcdefghijklmno";

async function all(gen: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

describe("response export (docs/qualtrics-facts.md §7.2-§7.4)", function () {
  const srv = useRawServer();
  const clients = useClients();

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

  describe("what real Qualtrics answers (docs/qualtrics-facts.md §13, fixtures of our own)", function () {
    it("progress that stays at percentComplete 0.0 until it jumps to complete, a fileId ending in -def, and the download's file name with +", async function () {
      const fileId = "5c0f9e52-8d1a-4a7b-9c3e-0b6d2f4e7a91-def";
      const zip = zipOneFile("Garden Club Feedback.json", Buffer.from('{"responses":[{"responseId":"R_a1"}]}'));
      const envelope = (result: unknown, id: string) => ({ result, meta: { requestId: id, httpStatus: "200 - OK" } });
      srv.handle((req, res, i) => {
        const send = (o: unknown) => void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(o));
        if (req.method === "POST") return send(envelope({ progressId: "ES_q7PzV2kLr0TnB4c", percentComplete: 0.0, status: "inProgress" }, "r-0"));
        if (req.path.endsWith("/file")) return void res.writeHead(200, { "content-type": "application/zip", "content-disposition": "attachment; filename=Garden+Club+Feedback.zip" }).end(zip);
        if (i < 6) return send(envelope({ percentComplete: 0.0, status: "inProgress" }, `r-${i}`));
        send(envelope({ fileId, percentComplete: 100.0, status: "complete" }, `r-${i}`));
      });
      const client = clients.make(srv.apiBase);
      const started = await startExport(client, SV, exportBody({ format: "json" }));
      const seen = (await all(exportProgress(client, started, { initialDelayMs: 1, maxDelayMs: 2 }))) as Array<{ percentComplete: number; status: string; fileId?: string }>;
      assert.deepEqual(seen.map((p) => p.percentComplete), [0, 0, 0, 0, 0, 100]);
      assert.equal(seen[5].fileId, fileId);
      const dl = await downloadExport(client, SV, fileId);
      assert.equal(srv.requests[srv.requests.length - 1].path, `/API/v3/surveys/${SV}/export-responses/${fileId}/file`);
      assert.equal(dl.fileName, "Garden Club Feedback.zip");
      assert.deepEqual(await all(exportedResponses(dl.chunks, "json")), [{ responseId: "R_a1" }]);
    });
  });

  describe("a refused continuation token", function () {
    const api = (statusCode: number, errorMessage: string, errorCode?: string) => new QualtricsApiError({ method: "POST", path: "/surveys/SV_1/export-responses", statusCode, errorMessage, errorCode });
    it("is recognised in the wordings a server may use, and only for a 4xx about the token", function () {
      for (const text of ["continuationToken is not valid for this survey", "Invalid continuation token", "The continuation token has expired.", "continuation_token: expired", "Continuation-Token invalid"]) {
        assert.equal(isContinuationRefused(api(400, text)), true, text);
      }
      assert.equal(isContinuationRefused(api(400, "Invalid request", "CONTINUATION_TOKEN_EXPIRED")), true);
      assert.equal(isContinuationRefused(api(404, "continuation token not found")), true);
      assert.equal(isContinuationRefused(api(400, "format is required")), false);
      assert.equal(isContinuationRefused(api(500, "continuation token store unavailable")), false);
      assert.equal(isContinuationRefused(api(401, "continuation token: unauthorized")), false);
      assert.equal(isContinuationRefused(api(429, "too many continuation token requests")), false);
      assert.equal(isContinuationRefused(new QualtricsInputError("continuationToken", "is not valid")), false);
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

    it("a download larger than the limit stops with a clear error, by its Content-Length before reading or as it arrives", async function () {
      const body = Buffer.alloc(300_000, 0x61);
      for (const declare of [true, false]) {
        srv.handle(async (_req, res) => {
          res.writeHead(200, declare ? { "content-length": String(body.length) } : {});
          for (let at = 0; at < body.length; at += 10_000) await write(res, body.subarray(at, at + 10_000));
          res.end();
        });
        let got = 0;
        const err = await failure(
          (async () => {
            const dl = await downloadExport(clients.make(srv.apiBase), SV, "F-1", { maxBytes: 50_000, limitHint: "set it higher there" });
            for await (const c of dl.chunks) got += c.length;
          })(),
        );
        assert.ok(err instanceof ExportFileError, String(err));
        assert.equal(err.message, "export file: the download is larger than 50000 bytes, the limit for an export file (set it higher there); it was stopped and nothing of it is kept");
        assert.ok(got <= 50_000, `${got} bytes came out`);
        assert.equal(srv.requests.length, 1, "not retried");
      }
      // within the limit it is read whole
      srv.handle((_req, res) => void res.writeHead(200).end(body));
      const dl = await downloadExport(clients.make(srv.apiBase), SV, "F-1", { maxBytes: body.length });
      let n = 0;
      for await (const c of dl.chunks) n += c.length;
      assert.equal(n, body.length);
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

    it("takes Qualtrics' unquoted file name with + for spaces (docs/qualtrics-facts.md §13)", function () {
      assert.equal(safeFileName("attachment; filename=Garden+Club+Feedback.zip"), "Garden Club Feedback.zip");
      assert.equal(safeFileName("attachment; filename=C%2B%2B+Course+%C3%BC.zip"), "C++ Course ü.zip");
      assert.equal(safeFileName("attachment; filename=2206071.zip"), "2206071.zip");
      assert.equal(safeFileName("attachment; filename=100%+sure.zip"), "100% sure.zip");
      assert.equal(safeFileName('attachment; filename="quoted+stays.zip"'), "quoted+stays.zip");
    });
  });
});
