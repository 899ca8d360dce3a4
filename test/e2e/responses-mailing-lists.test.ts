// The response and mailing-list examples on a real Node-RED, pointed at the sandbox the way `npm start`
// does it: they deploy without errors or warnings, and each inject node does what the example's
// comment says (observed at the debug nodes, in the sandbox's requests and state, and in the status texts).
import assert from "node:assert/strict";
import { examplesFlows, loadExamples } from "../support/runtime";
import { statusCaptureId, untranslated, withCapture } from "./capture";
import { sleep } from "../support/wait";
import { useStack } from "./stack";

const CONFIG_ID = "qualtrics-example-config";
const SURVEY = "SV_VE5mzwCiii9FktA";
const DIRECTORY = "POOL_i2nB6gG17IbvuSp";
const NEWSLETTER = "CG_Rmxxb4YgyLCNMji";
const MINE = ["Responses - create, update, bulk update, delete", "Mailing lists - import, members, opt-outs"];

type Msg = Record<string, unknown> & { payload?: unknown; qualtrics?: { requestId?: string; httpStatus?: number; idempotencyKey?: string }; error?: { message: string } };

describe(`e2e: response and mailing-list examples (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(60_000);
  const { sb, col, nr } = useStack({
    nodeRed: () => ({ httpNodeRoot: "/" }),
    ready: async () => {
      deployMark = nr.mark();
      const examples = loadExamples().filter((e) => MINE.includes(e.label));
      assert.equal(examples.length, 2, "both example files are there");
      await nr.deploy(withCapture(examplesFlows(examples), col.url), { [CONFIG_ID]: { apiToken: sb.token } });
      await nr.waitForLog(/Started flows/, 10_000, deployMark);
    },
  });
  let deployMark = 0;

  const requests = (method: string, path: RegExp) => sb.requests.filter((r) => r.method === method && path.test(r.path));
  const only = async (debugId: string) => (await col.wait(debugId, 1))[0].msg as Msg;

  it("deploys both examples without errors or warnings; they use the shared config node and the sandbox IDs", async function () {
    await sleep(300);
    assert.deepEqual(nr.problems(deployMark), []);
    const all = loadExamples().filter((e) => MINE.includes(e.label)).flatMap((e) => e.nodes);
    assert.ok(all.some((n) => n.type === "qualtrics-response"));
    assert.ok(all.some((n) => n.type === "qualtrics-mailing-list"));
    for (const n of all.filter((x) => x.type.startsWith("qualtrics-") && x.type !== "qualtrics-config")) assert.equal(n.qualtrics, CONFIG_ID);
  });

  describe("Responses - create, update, bulk update, delete", function () {
    const id = (s: string) => `qex-responses-${s}`;

    it("create, update, get, delete: one response created with an Idempotency-Key, updated, read back and deleted", async function () {
      await nr.inject(id("inject-crud"));
      const created = await only(id("debug-create"));
      const rid = (created.payload as { responseId: string }).responseId;
      assert.match(rid, /^R_/);
      const [post] = requests("POST", new RegExp(`/surveys/${SURVEY}/responses$`));
      assert.deepEqual(post.body, { values: { QID1: 9, QID2: 5, QID3_TEXT: "Quick and friendly." } });
      assert.match(post.headers["idempotency-key"], /^[0-9a-f-]{36}$/);
      assert.equal(created.qualtrics?.idempotencyKey, post.headers["idempotency-key"]);

      const updated = await only(id("debug-update"));
      assert.deepEqual(updated.payload, { responseId: rid, surveyId: SURVEY, embeddedData: { followedUp: "yes" } });
      const [put] = requests("PUT", new RegExp(`/responses/${rid}$`));
      assert.deepEqual(put.body, { surveyId: SURVEY, embeddedData: { followedUp: "yes" } });

      const got = await only(id("debug-get"));
      const values = (got.payload as { values: Record<string, unknown> }).values;
      assert.equal(values.followedUp, "yes");
      assert.equal(values.QID3_TEXT, "Quick and friendly.");

      const deleted = await only(id("debug-delete"));
      assert.deepEqual(deleted.payload, { responseId: rid, surveyId: SURVEY });
      const [del] = requests("DELETE", new RegExp(`/responses/${rid}$`));
      assert.deepEqual(del.query, { decrementQuotas: "true" });
      assert.deepEqual(del.body, { decrementQuotas: true });
      assert.equal(sb.state.surveys.get(SURVEY)!.responses.has(rid), false);
    });

    it("create, then bulk update: the new response gets the embedded data through update-responses", async function () {
      await nr.inject(id("inject-bulk"));
      const msg = await only(id("debug-bulk"));
      const p = msg.payload as { surveyId: string; updates: number; chunks: Array<{ count: number; jobId: string }> };
      assert.equal(p.updates, 1);
      assert.equal(p.chunks.length, 1);
      assert.match(p.chunks[0].jobId, /^PGR_/);
      const [bulk] = requests("POST", new RegExp(`/surveys/${SURVEY}/update-responses$`));
      const body = bulk.body as { updates: Array<{ responseId: string; embeddedData: Record<string, string> }>; ignoreMissingResponses: boolean };
      assert.equal(body.ignoreMissingResponses, true);
      assert.deepEqual(body.updates[0].embeddedData, { segment: "detractor" });
      assert.equal(sb.state.surveys.get(SURVEY)!.responses.get(body.updates[0].responseId)!.values.segment, "detractor");
    });

    it("get a response that does not exist: the Catch node gets Qualtrics' 404 with msg.qualtrics", async function () {
      await nr.inject(id("inject-missing"));
      const msg = await only(id("debug-catch"));
      assert.match(String(msg.error?.message), /404/);
      assert.equal(msg.qualtrics?.httpStatus, 404);
      assert.equal(col.of(id("debug-missing")).length, 0);
    });
  });

  describe("Mailing lists - import, members, opt-outs", function () {
    const id = (s: string) => `qex-mailing-lists-${s}`;

    it("list mailing lists: the lists with their contact counts, includeCount=true asked for", async function () {
      await nr.inject(id("inject-lists"));
      const msg = await only(id("debug-lists"));
      const lists = msg.payload as Array<{ mailingListId: string; contactCount: number }>;
      assert.deepEqual(lists.map((l) => l.mailingListId), [NEWSLETTER, "CG_gFo2kPPAqnsxmQ5"]);
      assert.equal(lists[0].contactCount, 15);
      assert.equal(requests("GET", new RegExp(`/directories/${DIRECTORY}/mailinglists$`))[0].query.includeCount, "true");
    });

    it("create a list and import contacts: the summary after polling the status endpoint, then the members rebuilt by the join", async function () {
      await nr.inject(id("inject-import"));
      const summary = await only(id("debug-import"));
      const s = summary.payload as Record<string, unknown>;
      assert.match(String(s.importId), /^PGR_/);
      assert.equal(s.status, "complete");
      assert.equal(s.percentComplete, 100);
      assert.equal(s.added, 3);
      assert.equal(s.updated, 0);
      assert.equal(s.failed, 0);
      assert.deepEqual(s.invalidEmails, []);
      assert.equal(s.transactionsCreated, 2);
      const ml = String(summary.mailingListId);
      assert.match(ml, /^CG_/);
      assert.equal(requests("GET", /\/transactioncontacts\/PGR_\w+$/).length, 2);
      assert.equal(requests("GET", /\/summary$/).length, 0);

      const members = await only(id("debug-members"));
      assert.deepEqual((members.payload as Array<{ email: string }>).map((m) => m.email).sort(), ["ada.import@example.com", "ben.import@example.com", "cleo.import@example.com"]);

      const statuses = (await col.wait(statusCaptureId("qex-mailing-lists"), 1)).map((c) => String((c.msg as { status?: { text?: string } }).status?.text ?? ""));
      assert.ok(statuses.some((t) => /^importing \d+%$/.test(t)), JSON.stringify(statuses));
      assert.deepEqual(untranslated(statuses), []);
    });

    it("add a member: the contact's id and contactLookupId", async function () {
      await nr.inject(id("inject-add"));
      const msg = await only(id("debug-add"));
      const p = msg.payload as { id: string; contactLookupId: string };
      assert.match(p.id, /^CID_/);
      assert.match(p.contactLookupId, /^CGC_/);
      assert.ok(sb.state.directories.get(DIRECTORY)!.mailingLists.get(NEWSLETTER)!.members.has(p.id));
    });

    it("opt-outs and bounces: three lists from the three endpoints", async function () {
      await nr.inject(id("inject-reach"));
      const optedOut = (await only(id("debug-opted-out"))).payload as Array<{ contactId: string }>;
      const dirOptedOut = (await only(id("debug-directory-opted-out"))).payload as Array<{ contactId: string }>;
      const bounced = (await only(id("debug-bounced"))).payload as Array<{ contactId: string; bounceDate: string }>;
      const dir = sb.state.directories.get(DIRECTORY)!;
      assert.deepEqual(dirOptedOut.map((c) => c.contactId), [...dir.contacts.values()].filter((c) => c.unsubscribed).map((c) => c.contactId));
      const members = [...dir.mailingLists.get(NEWSLETTER)!.members.keys()];
      assert.deepEqual(optedOut.map((c) => c.contactId), members.filter((c) => dir.contacts.get(c)!.unsubscribed));
      assert.deepEqual(bounced.map((c) => c.contactId), [members[2]]);
    });

    it("delete a list that does not exist: the Catch node gets the 404", async function () {
      await nr.inject(id("inject-missing"));
      const msg = await only(id("debug-catch"));
      assert.match(String(msg.error?.message), /Mailing list not found/);
      assert.equal(msg.qualtrics?.httpStatus, 404);
      assert.equal(col.of(id("debug-missing")).length, 0);
    });
  });
});
