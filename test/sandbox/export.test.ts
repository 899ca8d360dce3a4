import assert from "node:assert/strict";
import * as zlib from "node:zlib";
import { failExports, generateResponses, setExportPolls } from "../../sandbox/export-control";
import { surveyFilters } from "../../sandbox/routes/export";
import { assertError, call, obj, result } from "./test-helpers";
import { useSandbox } from "../support/fixtures";

/** the entry of a one-file zip (sizes from the central directory) */
function unzipOne(zip: Buffer): { name: string; data: Buffer } {
  const cd = zip.indexOf(Buffer.from("PK\x01\x02", "latin1"));
  assert.ok(cd > 0, "a central directory");
  const compressed = zip.readUInt32LE(cd + 20);
  const nameLength = zip.readUInt16LE(26);
  const extra = zip.readUInt16LE(28);
  const name = zip.subarray(30, 30 + nameLength).toString("utf8");
  const start = 30 + nameLength + extra;
  const method = zip.readUInt16LE(8);
  const raw = zip.subarray(start, start + compressed);
  const data = method === 8 ? zlib.inflateRawSync(raw) : raw;
  assert.equal(zlib.crc32(data), zip.readUInt32LE(cd + 16), "the CRC-32 matches");
  return { name, data };
}

describe("sandbox: response exports (docs/qualtrics-facts.md §7.1-§7.4)", function () {
  const sb = useSandbox();
  let survey: string;
  beforeEach(() => {
    survey = sb.seedIds.surveyIds[0];
  });

  async function start(body: Record<string, unknown>, sid = survey): Promise<string> {
    const r = result(await call(sb, "POST", `/surveys/${sid}/export-responses`, { body }));
    assert.match(String(r.progressId), /^ES_[A-Za-z0-9]{15}$/);
    assert.equal(r.status, "inProgress");
    assert.equal(r.percentComplete, 0);
    return String(r.progressId);
  }

  async function finish(progressId: string, sid = survey): Promise<Record<string, unknown>> {
    for (let i = 0; i < 20; i++) {
      const r = result(await call(sb, "GET", `/surveys/${sid}/export-responses/${progressId}`));
      if (r.status !== "inProgress") return r;
    }
    assert.fail("the export never finished");
  }

  async function file(fileId: unknown, sid = survey): Promise<{ bytes: Buffer; headers: Headers }> {
    const res = await fetch(`${sb.apiBase}/surveys/${sid}/export-responses/${String(fileId)}/file`, { headers: { "X-API-TOKEN": sb.token } });
    assert.equal(res.status, 200);
    return { bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
  }

  async function exportJson(body: Record<string, unknown>): Promise<{ responses: Array<{ responseId: string; values: Record<string, unknown> }>; done: Record<string, unknown> }> {
    const done = await finish(await start({ format: "json", compress: false, ...body }));
    assert.equal(done.status, "complete");
    const { bytes } = await file(done.fileId);
    return { responses: JSON.parse(bytes.toString("utf8")).responses, done };
  }

  it("needs a few polls: inProgress with a rising percentage, then complete with a fileId", async function () {
    generateResponses(sb.state, survey, 3);
    const id = await start({ format: "json" });
    const seen: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 3; i++) seen.push(result(await call(sb, "GET", `/surveys/${survey}/export-responses/${id}`)));
    assert.deepEqual(seen.map((s) => s.status), ["inProgress", "inProgress", "complete"]);
    assert.ok((seen[0].percentComplete as number) < (seen[1].percentComplete as number));
    assert.equal(seen[2].percentComplete, 100);
    assert.match(String(seen[2].fileId), /^[0-9a-f-]{36}-def$/);
    assert.equal(seen[2].continuationToken, undefined, "no token unless asked for");
  });

  it("a compressed export is a zip holding one file named after the survey; the download is named after it too", async function () {
    generateResponses(sb.state, survey, 5);
    const done = await finish(await start({ format: "json" }));
    const { bytes, headers } = await file(done.fileId);
    assert.equal(bytes.readUInt32LE(0), 0x04034b50);
    assert.equal(headers.get("content-type"), "application/octet-stream");
    assert.equal(headers.get("content-disposition"), 'attachment; filename="Customer Satisfaction.zip"');
    const entry = unzipOne(bytes);
    assert.equal(entry.name, "Customer Satisfaction.json");
    const parsed = JSON.parse(entry.data.toString("utf8"));
    assert.equal(parsed.responses.length, 5);
  });

  it("JSON responses have the §6.5 shape; NDJSON has one per line; compress \"false\" as a string works too", async function () {
    const ids = generateResponses(sb.state, survey, 4);
    const { responses } = await exportJson({});
    assert.deepEqual(responses.map((r) => r.responseId), ids);
    assert.deepEqual(Object.keys(responses[0]), ["responseId", "values", "labels", "displayedFields", "displayedValues"]);
    assert.equal(responses[0].values.finished, 1);
    const done = await finish(await start({ format: "ndjson", compress: "false" }));
    const { bytes, headers } = await file(done.fileId);
    assert.equal(headers.get("content-type"), "application/x-ndjson");
    const lines = bytes.toString("utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.responseId), ids);
  });

  it("CSV and TSV have three header rows (names, texts, ImportIds) and useLabels gives choice texts", async function () {
    generateResponses(sb.state, survey, 2);
    for (const [format, sep] of [["csv", ","], ["tsv", "\t"]] as const) {
      const done = await finish(await start({ format, compress: false, useLabels: true }));
      const text = (await file(done.fileId)).bytes.toString("utf8");
      assert.equal(text.charCodeAt(0), 0xfeff, "a byte order mark");
      const rows = text.slice(1).trim().split("\r\n");
      assert.equal(rows.length, 5);
      assert.match(rows[0], new RegExp(`^StartDate${sep}EndDate${sep}`));
      assert.match(rows[1], /Start Date/);
      assert.match(rows[2], /ImportId/);
      assert.match(rows[2], /QID1/);
      // QID2 of the first generated response is choice "1": "Very dissatisfied"
      assert.match(rows[3], /Very dissatisfied/);
    }
    const codes = await finish(await start({ format: "csv", compress: false }));
    assert.doesNotMatch((await file(codes.fileId)).bytes.toString("utf8"), /Very dissatisfied/);
  });

  it("a continuation token brings only responses recorded after the export that issued it", async function () {
    const first = generateResponses(sb.state, survey, 3);
    const a = await exportJson({ allowContinuation: true });
    assert.deepEqual(a.responses.map((r) => r.responseId), first);
    assert.equal(typeof a.done.continuationToken, "string");
    const b0 = await exportJson({ continuationToken: a.done.continuationToken });
    assert.deepEqual(b0.responses, [], "nothing new yet");
    const second = generateResponses(sb.state, survey, 2);
    const { responseId } = await sb.completeResponse(survey);
    const b = await exportJson({ continuationToken: b0.done.continuationToken });
    assert.deepEqual(b.responses.map((r) => r.responseId), [...second, responseId]);
    // an older token still means "after that export"
    const again = await exportJson({ continuationToken: a.done.continuationToken });
    assert.deepEqual(again.responses.map((r) => r.responseId), [...second, responseId]);
  });

  it("responses recorded while an export runs go into the next one, not lost", async function () {
    generateResponses(sb.state, survey, 2);
    const id = await start({ format: "json", compress: false, allowContinuation: true });
    const during = generateResponses(sb.state, survey, 1);
    const done = await finish(id);
    assert.equal(JSON.parse((await file(done.fileId)).bytes.toString()).responses.length, 2);
    const next = await exportJson({ continuationToken: done.continuationToken });
    assert.deepEqual(next.responses.map((r) => r.responseId), during);
  });

  it("refuses an unknown continuation token, or one of another survey", async function () {
    assertError(await call(sb, "POST", `/surveys/${survey}/export-responses`, { body: { format: "json", continuationToken: "nope" } }), 400, /continuationToken/);
    const a = await exportJson({ allowContinuation: true });
    const other = sb.seedIds.surveyIds[1];
    assertError(await call(sb, "POST", `/surveys/${other}/export-responses`, { body: { format: "json", continuationToken: a.done.continuationToken } }), 400, /continuationToken/);
  });

  it("startDate (inclusive) and endDate (exclusive) filter on recordedDate; limit caps the count", async function () {
    const ids = generateResponses(sb.state, survey, 3);
    const s = sb.state.surveys.get(survey)!;
    ["2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z"].forEach((d, i) => (s.responses.get(ids[i])!.values.recordedDate = d));
    const mid = await exportJson({ startDate: "2025-02-01T00:00:00Z", endDate: "2025-03-01T00:00:00Z" });
    assert.deepEqual(mid.responses.map((r) => r.responseId), [ids[1]]);
    const two = await exportJson({ limit: 2 });
    assert.deepEqual(two.responses.map((r) => r.responseId), ids.slice(0, 2));
  });

  it("lists saved filters, and filterId exports only the responses the filter matches", async function () {
    const list = result(await call(sb, "GET", `/surveys/${survey}/filters`));
    const elements = list.elements as Array<{ filterId: string; filterName: string }>;
    assert.equal(elements.length, 2);
    assert.deepEqual(elements.map((e) => e.filterId), surveyFilters(sb.state.surveys.get(survey)!).map((f) => f.filterId));
    generateResponses(sb.state, survey, 11); // QID1 = 0..10
    const promoters = await exportJson({ filterId: elements[0].filterId });
    assert.deepEqual(promoters.responses.map((r) => r.values.QID1), [9, 10]);
    assertError(await call(sb, "POST", `/surveys/${survey}/export-responses`, { body: { format: "json", filterId: "FT_nope" } }), 400, /filterId/);
  });

  it("questionIds and embeddedDataIds choose columns", async function () {
    generateResponses(sb.state, survey, 1);
    const s = sb.state.surveys.get(survey)!;
    const r = [...s.responses.values()][0];
    Object.assign(r.values, { tier: "gold", region: "north" });
    const { responses } = await exportJson({ questionIds: ["QID1"], embeddedDataIds: ["tier"] });
    const v = responses[0].values;
    assert.equal(v.QID1, 0);
    assert.equal("QID2" in v, false);
    assert.equal(v.tier, "gold");
    assert.equal("region" in v, false);
    assert.equal(v.recordedDate !== undefined, true, "metadata stays");
    assertError(await call(sb, "POST", `/surveys/${survey}/export-responses`, { body: { format: "json", questionIds: ["QID99"] } }), 400, /QID99/);
  });

  it("exportResponsesInProgress exports the partial responses instead of the completed ones", async function () {
    const done = generateResponses(sb.state, survey, 2);
    const partial = generateResponses(sb.state, survey, 1, { inProgress: true });
    assert.deepEqual((await exportJson({})).responses.map((r) => r.responseId), done);
    assert.deepEqual((await exportJson({ exportResponsesInProgress: true })).responses.map((r) => r.responseId), partial);
  });

  it("an export can be made to fail: status failed with percentComplete 100 and no fileId (§7.3)", async function () {
    failExports(sb.state, survey, 1);
    const done = await finish(await start({ format: "json" }));
    assert.deepEqual(done, { fileId: null, percentComplete: 100, status: "failed" });
    assert.equal((await finish(await start({ format: "json" }))).status, "complete", "only the next one fails");
  });

  it("the number of polls can be set", async function () {
    setExportPolls(sb.state, 1);
    const id = await start({ format: "json" });
    assert.equal(result(await call(sb, "GET", `/surveys/${survey}/export-responses/${id}`)).status, "complete");
  });

  it("answers 404 for an unknown progress ID, file ID or survey, and 400 for bad bodies", async function () {
    assertError(await call(sb, "GET", `/surveys/${survey}/export-responses/ES_unknown`), 404);
    assertError(await call(sb, "GET", `/surveys/${survey}/export-responses/nope/file`), 404);
    assertError(await call(sb, "POST", `/surveys/SV_nope/export-responses`, { body: { format: "json" } }), 404);
    const bad: Array<[Record<string, unknown> | string, RegExp]> = [
      [{}, /format/],
      [{ format: "pdf" }, /format/],
      [{ format: "spss" }, /sandbox cannot write spss/],
      [{ format: "json", compress: "maybe" }, /compress/],
      [{ format: "json", startDate: "soon" }, /startDate/],
      [{ format: "json", startDate: "2025-02-01T00:00:00Z", endDate: "2025-01-01T00:00:00Z" }, /endDate/],
      [{ format: "json", limit: 0 }, /limit/],
      [{ format: "json", useLabel: true }, /Unrecognized field: useLabel/],
      [{ format: "json", questionIds: "QID1" }, /questionIds/],
    ];
    for (const [body, message] of bad) assertError(await call(sb, "POST", `/surveys/${survey}/export-responses`, { body }), 400, message);
    // a progress ID of another survey is not found there
    const id = await start({ format: "json" });
    assertError(await call(sb, "GET", `/surveys/${sb.seedIds.surveyIds[1]}/export-responses/${id}`), 404);
  });

  it("needs the token for every export call", async function () {
    assertError(await call(sb, "POST", `/surveys/${survey}/export-responses`, { body: { format: "json" }, token: null }), 401);
    const done = await finish(await start({ format: "json" }));
    const res = await fetch(`${sb.apiBase}/surveys/${survey}/export-responses/${String(done.fileId)}/file`);
    assert.equal(res.status, 401);
  });

  it("a malformed fault cuts the file download in half", async function () {
    generateResponses(sb.state, survey, 50);
    const done = await finish(await start({ format: "json", compress: false }));
    const whole = (await file(done.fileId)).bytes;
    sb.faults.set({ rules: [{ match: { path: "/file" }, action: "malformed", afterHandling: true, times: 1 }] });
    const cut = (await file(done.fileId)).bytes;
    assert.equal(cut.length, Math.floor(whole.length / 2));
  });

  describe("control endpoints", function () {
    it("POST /__sandbox/surveys/:id/responses/generate stores completed responses with varied answers", async function () {
      const res = await fetch(`${sb.url}/__sandbox/surveys/${survey}/responses/generate`, { method: "POST", body: JSON.stringify({ count: 12 }) });
      assert.equal(res.status, 200);
      const body = obj(await res.json());
      assert.equal(body.count, 12);
      const ids = body.responseIds as string[];
      assert.equal(new Set(ids).size, 12);
      const s = sb.state.surveys.get(survey)!;
      assert.deepEqual([...new Set(ids.map((id) => s.responses.get(id)!.values.QID1))].length, 11, "QID1 runs through 0-10");
      assert.equal(s.responses.get(ids[0])!.values.QID3_TEXT, "Generated answer 1");
      const partial = await fetch(`${sb.url}/__sandbox/surveys/${survey}/responses/generate`, { method: "POST", body: JSON.stringify({ count: 1, inProgress: true }) });
      const pid = (obj(await partial.json()).responseIds as string[])[0];
      assert.equal(s.responses.get(pid)!.values.finished, 0);
    });

    it("generate refuses a bad count or an unknown survey; fail makes the next export fail", async function () {
      const post = (path: string, body: unknown) => fetch(`${sb.url}${path}`, { method: "POST", body: JSON.stringify(body) });
      assert.equal((await post(`/__sandbox/surveys/${survey}/responses/generate`, { count: 0 })).status, 400);
      assert.equal((await post(`/__sandbox/surveys/${survey}/responses/generate`, { count: "5" })).status, 400);
      assert.equal((await post(`/__sandbox/surveys/SV_nope/responses/generate`, { count: 1 })).status, 404);
      assert.equal((await fetch(`${sb.url}/__sandbox/surveys/${survey}/responses/generate`, { method: "POST", body: "{" })).status, 400);
      assert.equal((await post(`/__sandbox/surveys/${survey}/exports/fail`, { times: 1 })).status, 200);
      assert.equal((await finish(await start({ format: "json" }))).status, "failed");
      assert.equal((await post(`/__sandbox/surveys/${survey}/exports/fail`, { times: -1 })).status, 400);
    });

    it("a reset forgets exports, tokens and pending failures", async function () {
      failExports(sb.state, survey, 5);
      const id = await start({ format: "json", allowContinuation: true });
      sb.reset();
      assertError(await call(sb, "GET", `/surveys/${survey}/export-responses/${id}`), 404);
      assert.equal((await finish(await start({ format: "json" }))).status, "complete");
    });
  });
});
