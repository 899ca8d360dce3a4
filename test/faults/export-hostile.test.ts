// Hostile and broken upstreams against the export node and the response poll (issue 12): a
// continuation token Qualtrics no longer accepts, a response with a huge field, a download larger
// than the limit, an absurd poll interval, and NDJSON lines of many megabytes arriving in small
// pieces. Each must end clearly: nothing lost, nothing sent twice, no crash, no endless exporting.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ExportFileError, ndjsonLines } from "../../src/export-records";
import { generateResponses } from "../../sandbox/export-control";
import { exportStore } from "../../sandbox/routes/export";
import type { SurveyRecord } from "../../sandbox/state";
import { addFigures, countEnds } from "./figures";
import { RIG_CONFIG, Rig, type Unit } from "./rig";
import { sleep, waitFor } from "../support/wait";

const RECORD_MB = 0.05;
const DOWNLOAD_MB = 0.5;
const S_POLL = "SV_hostilePoll00001";
const S_NEW = "SV_hostileNew000001";
const S_FIELD = "SV_hostileField0001";
const S_FILE = "SV_hostileFile00001";
const S_ABSURD = "SV_hostileAbsurd001";

type EndLike = Array<{ id: string; kind: "output" | "error" }>;

describe(`faults: hostile upstream for exports and the response poll (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(120_000);
  let rig: Rig;
  let outDir: string;
  const survey = (id: string): SurveyRecord => rig.sb.state.surveys.get(id)!;
  const startsFor = (sid: string) => rig.sb.requests.filter((r) => r.method === "POST" && r.path.endsWith(`/surveys/${sid}/export-responses`));

  const q = (id: string, props: Record<string, unknown>) => ({ id, name: id, qualtrics: RIG_CONFIG, x: 0, y: 0, ...props }) as unknown as Unit["node"];
  const exportNode = (id: string, sid: string, props: Record<string, unknown>) =>
    q(id, { type: "qualtrics-export", surveyId: sid, surveyIdType: "str", format: "json", since: "all", output: "split", compress: false, allowContinuation: false, timeout: 1, directory: "", ...props });

  before(async function () {
    this.timeout(90_000);
    rig = await Rig.start({
      nodeRed: {
        settings: {
          qualtricsResponsePollMinInterval: 1, qualtricsExportPollDelay: 50, qualtricsConfigRetryDelay: 50,
          qualtricsExportMaxRecordMB: RECORD_MB, qualtricsExportMaxDownloadMB: DOWNLOAD_MB,
        },
        env: { QTEST_HOSTILE_INTERVAL: "2592000" },
      },
    });
    outDir = path.join(rig.nr.userDir, "hostile-exports");
    const template = survey(rig.sb.seedIds.surveyIds[0]);
    for (const id of [S_POLL, S_NEW, S_FIELD, S_FILE, S_ABSURD]) rig.sb.state.surveys.set(id, { ...template, id, responses: new Map() });
  });
  after(async () => {
    await rig?.dispose();
  });

  it("a refused continuation token: the poll and the export go on from the bookmark's date, one warning each, nothing lost or sent twice", async function () {
    await rig.deploy([
      { node: q("h-poll", { type: "qualtrics-response-poll", surveyId: S_POLL, surveyIdType: "str", interval: 1, start: "now" }), idExpr: "msg.event ? msg.event.responseId : 'poll-error'" },
      { node: exportNode("h-new", S_NEW, { since: "new" }), idExpr: "msg.payload && msg.payload.responseId ? msg.payload.responseId : msg.rigId" },
    ]);
    const mark = rig.nr.mark();
    await waitFor("the first poll", () => startsFor(S_POLL).length > 0, 15_000);
    await sleep(1200);
    const pollA = generateResponses(rig.sb.state, S_POLL, 4);
    const newA = generateResponses(rig.sb.state, S_NEW, 4);
    await rig.send("h-new", [{ payload: {} }]);
    await waitFor("the first responses", () => [...pollA].every((id) => rig.endsOf("h-poll", [id]).length) && newA.every((id) => rig.endsOf("h-new", [id]).length), 20_000);

    // Qualtrics forgets every token (as after its restart, or when they expire)
    exportStore(rig.sb.state).tokens.clear();
    const pollB = generateResponses(rig.sb.state, S_POLL, 3);
    const newB = generateResponses(rig.sb.state, S_NEW, 3);
    await rig.send("h-new", [{ payload: {} }]);
    await waitFor("the responses after the refusal", () => pollB.every((id) => rig.endsOf("h-poll", [id]).length) && newB.every((id) => rig.endsOf("h-new", [id]).length), 20_000);
    await rig.send("h-new", [{ payload: {} }]);
    await sleep(2500); // more polls and an export run: a repeat would show now

    const poll = countEnds([...pollA, ...pollB], rig.endsOf("h-poll") as EndLike);
    const exported = countEnds([...newA, ...newB], rig.endsOf("h-new") as EndLike);
    const warnings = rig.nr.logSince(mark).split("\n").filter((l) => /Qualtrics refused the saved continuation token/.test(l));
    const pollErrors = rig.endsOf("h-poll").filter((e) => e.kind === "error").length;
    const exportErrors = rig.endsOf("h-new").filter((e) => e.kind === "error").length;
    addFigures({ area: "faults", what: "qualtrics-response-poll × refused continuation token", faultsTried: 1, faultsSurvived: poll.lost + poll.duplicated + pollErrors === 0 ? 1 : 0, ...poll });
    addFigures({ area: "faults", what: "qualtrics-export new × refused continuation token", faultsTried: 1, faultsSurvived: exported.lost + exported.duplicated + exportErrors === 0 ? 1 : 0, ...exported });
    assert.deepEqual(poll, { sent: 7, delivered: 7, errored: 0, lost: 0, duplicated: 0 });
    assert.deepEqual(exported, { sent: 7, delivered: 7, errored: 0, lost: 0, duplicated: 0 });
    assert.equal(pollErrors + exportErrors, 0, "no failed poll or export");
    assert.equal(warnings.length, 2, warnings.join("\n"));
  });

  it("a response with a huge field, and a download larger than the limit: one clear error each, no partial file left", async function () {
    const big = generateResponses(rig.sb.state, S_FIELD, 3);
    survey(S_FIELD).responses.get(big[1])!.values.QID3_TEXT = "x".repeat(200 * 1024); // four times the limit set for one response, under the one for the download
    generateResponses(rig.sb.state, S_FILE, 1500);
    await rig.deploy([
      { node: exportNode("h-field", S_FIELD, { output: "array" }) },
      { node: exportNode("h-field-split", S_FIELD, { format: "ndjson" }), idExpr: "msg.rigId" },
      { node: exportNode("h-file", S_FILE, { output: "file", directory: outDir }) },
    ]);
    const ids = await rig.send("h-field", [{ payload: {} }]);
    const splitIds = await rig.send("h-field-split", [{ payload: {} }]);
    const fileIds = await rig.send("h-file", [{ payload: {} }]);
    const [field, split, file] = await rig.settleAll([{ unit: "h-field", ids }, { unit: "h-field-split", ids: splitIds }, { unit: "h-file", ids: fileIds }], 30_000);
    const text = (unit: string) => rig.endsOf(unit).find((e) => e.kind === "error")?.text ?? "";
    const fieldOk = /^(?:\w+: )?export file: response 2 is larger than 52428 bytes, the limit for one response \(qualtricsExportMaxRecordMB in settings\.js raises it\)/.test(text("h-field"));
    const splitOk = /^(?:\w+: )?export file: line 2 is larger than 52428 bytes, the limit for one response/.test(text("h-field-split"));
    const fileOk = /^(?:\w+: )?export file: the download is larger than 524288 bytes, the limit for an export file \(qualtricsExportMaxDownloadMB in settings\.js raises it\); it was stopped and nothing of it is kept$/.test(text("h-file"));
    const leftover = fs.existsSync(outDir) ? fs.readdirSync(outDir) : [];
    addFigures({ area: "faults", what: "qualtrics-export × huge field (JSON array)", faultsTried: 1, faultsSurvived: fieldOk ? 1 : 0, ...field });
    addFigures({ area: "faults", what: "qualtrics-export × huge line (NDJSON per message)", faultsTried: 1, faultsSurvived: splitOk ? 1 : 0, ...split });
    addFigures({ area: "faults", what: "qualtrics-export × oversize download (file)", faultsTried: 1, faultsSurvived: fileOk && leftover.length === 0 ? 1 : 0, ...file });
    assert.deepEqual(field, { sent: 1, delivered: 0, errored: 1, lost: 0, duplicated: 0 });
    assert.ok(fieldOk, text("h-field"));
    // the first response went out before the huge one was met; the error ends the message
    assert.equal(split.lost + split.duplicated, 0);
    assert.ok(splitOk, text("h-field-split"));
    assert.deepEqual(file, { sent: 1, delivered: 0, errored: 1, lost: 0, duplicated: 0 });
    assert.ok(fileOk, text("h-file"));
    assert.deepEqual(leftover, [], "no partial file");
  });

  it("an absurd poll interval (30 days, as a number, text or ${ENV}) is refused at deploy and never polls", async function () {
    const mark = rig.nr.mark();
    const tries = [2592000, "2592000", "${QTEST_HOSTILE_INTERVAL}"];
    let survived = 0;
    for (const interval of tries) {
      const before = rig.sb.requests.length;
      await rig.deploy([{ node: q("h-absurd", { type: "qualtrics-response-poll", surveyId: S_ABSURD, surveyIdType: "str", interval, start: "now" }) }]);
      await sleep(1500);
      const started = rig.sb.requests.slice(before).filter((r) => r.path.includes(`/surveys/${S_ABSURD}/`)).length;
      if (started === 0) survived++;
    }
    const refusals = rig.nr.logSince(mark).match(/Interval: 2592000 seconds is more than 24 hours \(86400 seconds\), the longest interval; the node does not poll/g) ?? [];
    const crashed = !rig.nr.running;
    addFigures({ area: "fuzz", what: "qualtrics-response-poll × interval of 30 days (number, text, ${ENV})", fuzzed: tries.length, crashes: crashed ? 1 : 0 });
    addFigures({ area: "faults", what: "qualtrics-response-poll × interval over 24 hours", faultsTried: tries.length, faultsSurvived: Math.min(survived, refusals.length) });
    assert.equal(survived, tries.length, "no export was started");
    assert.equal(refusals.length, tries.length);
    assert.equal(crashed, false);
  });

  it("NDJSON lines of 16 MB arriving in 1 kB pieces: read in one pass; one over the limit is refused as it grows", async function () {
    this.timeout(60_000);
    const line = (n: number) => `{"responseId":"R_huge","values":{"QID1_TEXT":"${"w".repeat(n)}"}}`;
    async function* pieces(text: string, size: number): AsyncGenerator<Buffer> {
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
    }
    let crashes = 0;
    let ok = 0;
    // under the 16 MB default: 16384 pieces; searching each line again from its start for every piece would look at about 137 G characters
    const within = `{"responseId":"R_1"}\n${line(16 * 1024 * 1024 - 100)}\n{"responseId":"R_2"}\n`;
    const got: string[] = [];
    try {
      for await (const r of ndjsonLines(pieces(within, 1024))) got.push((r as { responseId: string }).responseId);
      if (got.join() === "R_1,R_huge,R_2") ok++;
    } catch {
      crashes++;
    }
    // over it: refused before the line is all in memory
    let fed = 0;
    async function* counted(): AsyncGenerator<Buffer> {
      for await (const p of pieces(`${line(20 * 1024 * 1024)}\n`, 1024)) {
        fed += p.length;
        yield p;
      }
    }
    let refused: unknown;
    try {
      for await (const _ of ndjsonLines(counted())) void _;
    } catch (err) {
      refused = err;
    }
    if (refused instanceof ExportFileError && /^export file: line 1 is larger than 16 MB, the limit for one response/.test(refused.message) && fed <= 16 * 1024 * 1024 + 1024) ok++;
    addFigures({ area: "fuzz", what: "NDJSON line of 16 MB in 1 kB pieces, and one of 20 MB", fuzzed: 2, crashes });
    addFigures({ area: "faults", what: "export reader × huge NDJSON lines", faultsTried: 2, faultsSurvived: ok });
    assert.deepEqual(got, ["R_1", "R_huge", "R_2"]);
    assert.ok(refused instanceof ExportFileError, String(refused));
    assert.ok(fed <= 16 * 1024 * 1024 + 1024, `${fed} bytes read before the refusal`);
  });
});
