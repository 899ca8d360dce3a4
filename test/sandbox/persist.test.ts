// The stateFile option: a second sandbox on the same file is the same account (what `npm start`
// relies on: the poll and export bookmarks in .userdir stay valid across restarts).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../../sandbox";
import { MAX_TOKENS } from "../../sandbox/routes/export";
import { call, result } from "./test-helpers";

describe("sandbox: the account kept in a state file", function () {
  let dir: string;
  let file: string;
  let sb: Sandbox | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nrq-sandbox-state-"));
    file = path.join(dir, "state.json");
  });
  afterEach(async () => {
    await sb?.close();
    sb = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** the response IDs an export brings, and its continuation token */
  async function exported(s: Sandbox, survey: string, body: Record<string, unknown>): Promise<{ ids: string[]; token: string }> {
    const { progressId } = result(await call(s, "POST", `/surveys/${survey}/export-responses`, { body: { format: "json", compress: false, ...body } }));
    let progress: Record<string, unknown> = {};
    while (progress.status !== "complete") progress = result(await call(s, "GET", `/surveys/${survey}/export-responses/${String(progressId)}`));
    const fileText = (await call(s, "GET", `/surveys/${survey}/export-responses/${String(progress.fileId)}/file`)).text;
    const ids = (JSON.parse(fileText) as { responses: Array<{ responseId: string }> }).responses.map((r) => r.responseId);
    return { ids, token: String(progress.continuationToken) };
  }

  it("keeps contacts, responses, subscriptions and continuation tokens across a close and a start", async function () {
    sb = await startSandbox({ stateFile: file });
    const survey = sb.seedIds.surveyIds[0];
    const contact = result(await call(sb, "POST", `/directories/${sb.seedIds.directoryId}/contacts`, { body: { firstName: "Kept", email: "kept@example.com" } }));
    await call(sb, "POST", "/eventsubscriptions", { body: { topics: "surveyengine.completedResponse.*", publicationUrl: "http://127.0.0.1:1/hook" } });
    await sb.completeResponse(survey);
    const first = await exported(sb, survey, { allowContinuation: true });
    await sb.close();

    sb = await startSandbox({ stateFile: file });
    const got = await call(sb, "GET", `/directories/${sb.seedIds.directoryId}/contacts/${String(contact.id)}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(sb.state.subscriptions.size, 1);
    const nothingNew = await exported(sb, survey, { continuationToken: first.token });
    assert.deepEqual(nothingNew.ids, [], "the token still means 'after the first export'");
    const { responseId } = await sb.completeResponse(survey);
    assert.deepEqual((await exported(sb, survey, { continuationToken: first.token })).ids, [responseId]);
  });

  it("writes shortly after a change, without waiting for close (a killed start keeps it)", async function () {
    sb = await startSandbox({ stateFile: file });
    await call(sb, "POST", `/directories/${sb.seedIds.directoryId}/contacts`, { body: { firstName: "Early", email: "early@example.com" } });
    const until = Date.now() + 5000;
    while (!(fs.existsSync(file) && fs.readFileSync(file, "utf8").includes("early@example.com"))) {
      assert.ok(Date.now() < until, "the state file was not written");
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it("keeps the latest MAX_TOKENS continuation tokens, so a long-running poll does not grow the file for ever", async function () {
    sb = await startSandbox({ stateFile: file });
    const survey = sb.seedIds.surveyIds[0];
    const start = async (body: Record<string, unknown>) => call(sb!, "POST", `/surveys/${survey}/export-responses`, { body: { format: "json", ...body } });
    const first = await exported(sb, survey, { allowContinuation: true });
    for (let i = 0; i < MAX_TOKENS; i++) assert.equal((await start({ allowContinuation: true })).status, 200);
    assert.equal((await start({ continuationToken: first.token })).status, 400, "the oldest token is forgotten");
    const latest = await exported(sb, survey, { allowContinuation: true });
    assert.equal((await start({ continuationToken: latest.token })).status, 200);
  });

  it("starts from the demo data, with a log line, when the file is damaged", async function () {
    fs.writeFileSync(file, "{ not json");
    const lines: string[] = [];
    sb = await startSandbox({ stateFile: file, log: (l) => lines.push(l) });
    assert.equal(sb.state.surveys.size, sb.seedIds.surveyIds.length);
    assert.ok(lines.some((l) => l.includes("ignoring") && l.includes(file)), lines.join("\n"));
  });
});
