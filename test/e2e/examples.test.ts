// Every example flow (examples/*.json) on a real Node-RED, pointed at the sandbox the way `npm start`
// does it (QUALTRICS_BASE_URL, QUALTRICS_PUBLIC_URL, credentials through the Admin API): it deploys
// without errors or warnings, and each inject node does what the example's comment says.
//
// Results are observed three ways: what reached each debug node (capture.ts: a function + http
// request fragment posts every message to a collector in this process), the sandbox's recorded
// requests and state, and the Node-RED log.
import assert from "node:assert/strict";
import { readPublicationUrl } from "../../src/publication-url";
import { examplesFlows, loadExamples } from "../support/runtime";
import { untranslated, withCapture, statusesShown } from "./capture";
import { waitFor, sleep } from "../support/wait";
import { useStack } from "./stack";

const CONFIG_ID = "qualtrics-example-config";
const SHARED_KEY = "demo-shared-key-for-the-examples";
const DIRECTORY = "POOL_i2nB6gG17IbvuSp";
const SURVEY_CS = "SV_VE5mzwCiii9FktA";
const NON_CONFIG_TYPES = ["qualtrics-contact", "qualtrics-distribution", "qualtrics-api", "qualtrics-response-in", "qualtrics-invite"];

type Msg = Record<string, unknown> & { payload?: unknown; qualtrics?: { requestId?: string; httpStatus?: number }; error?: { message: string } };

describe(`e2e: example flows (${process.env.NR_PKG || "node-red"}, httpNodeRoot "/")`, function () {
  this.timeout(60_000);
  let deployMark = 0;
  const { sb, col, nr } = useStack({
    nodeRed: (_sb, port) => ({ httpNodeRoot: "/", env: { QUALTRICS_PUBLIC_URL: `http://127.0.0.1:${port}` } }),
    ready: async () => {
      deployMark = nr.mark();
      await nr.deploy(withCapture(examplesFlows(), col.url), {
        [CONFIG_ID]: { apiToken: sb.token },
        "qex-response-trigger": { sharedKey: SHARED_KEY },
      });
      await waitFor("the example's event subscription", () => sb.state.subscriptions.size === 1, 15_000);
      await nr.waitForLog(/qex-response-trigger|completed responses/, 5_000, deployMark).catch(() => undefined);
    },
  });

  const requests = (method: string, path: RegExp) => sb.requests.filter((r) => r.method === method && path.test(r.path));
  const only = async (debugId: string) => (await col.wait(debugId, 1))[0].msg as Msg;

  describe("the files", function () {
    it("each starts with a Comment node, uses core nodes and ours only, and shares one config node without credentials", function () {
      const core = new Set(["comment", "inject", "debug", "change", "switch", "join", "catch", "split", "function"]);
      for (const ex of loadExamples()) {
        const flowNodes = ex.nodes.filter((n) => n.z);
        assert.equal(flowNodes[0].type, "comment", `${ex.label}: the first node is not a comment`);
        assert.ok(String(flowNodes[0].info ?? "").length > 50, `${ex.label}: the comment does not explain much`);
        for (const n of flowNodes) assert.ok(core.has(n.type) || n.type.startsWith("qualtrics-"), `${ex.label}: ${n.type}`);
        const configs = ex.nodes.filter((n) => n.type === "qualtrics-config");
        assert.equal(configs.length, 1, ex.label);
        assert.equal(configs[0].id, CONFIG_ID);
        assert.equal(configs[0].dataCenter, "iad1");
        assert.equal(configs[0].baseUrl, "${QUALTRICS_BASE_URL}");
        assert.equal(JSON.stringify(ex.nodes).includes("credentials"), false, `${ex.label} carries credentials`);
        assert.equal(JSON.stringify(ex.nodes).includes(sb.token), false, `${ex.label} carries the sandbox token`);
        for (const n of flowNodes.filter((x) => x.type.startsWith("qualtrics-"))) assert.equal(n.qualtrics, CONFIG_ID, `${ex.label}: ${n.id}`);
      }
    });

    it("every palette node type appears in an example, and one example handles errors with a Catch node", function () {
      const all = loadExamples().flatMap((e) => e.nodes);
      for (const t of NON_CONFIG_TYPES) assert.ok(all.some((n) => n.type === t), `no example uses ${t}`);
      assert.ok(all.some((n) => n.type === "catch"));
    });
  });

  describe("deploy", function () {
    it("deploys every example, each on its own tab, without errors or warnings in the log", async function () {
      const { flows } = await nr.getFlows();
      for (const ex of loadExamples()) {
        assert.ok(flows.some((n) => n.type === "tab" && n.id === ex.tab && n.label === ex.label), ex.label);
      }
      assert.equal(flows.filter((n) => n.id === CONFIG_ID).length, 1);
      await nr.waitForLog(/Started flows/, 5_000, deployMark);
      await sleep(500);
      assert.deepEqual(nr.problems(deployMark), []);
    });
  });

  describe("Contacts - list, create, update, delete", function () {
    const id = (s: string) => `qex-contacts-${s}`;

    it("list 5 contacts: one message with an array of five contacts and msg.qualtrics", async function () {
      await nr.inject(id("inject-list"));
      const msg = await only(id("debug-list"));
      assert.ok(Array.isArray(msg.payload));
      const list = msg.payload as Array<{ contactId: string; firstName: string }>;
      assert.equal(list.length, 5);
      assert.deepEqual(list.map((c) => c.contactId), sb.seedIds.contactIds.slice(0, 5));
      assert.equal(msg.qualtrics?.httpStatus, 200);
      assert.equal(typeof msg.qualtrics?.requestId, "string");
    });

    it("list one message per contact: the join node rebuilds the list from msg.parts", async function () {
      const before = requests("GET", /\/contacts$/).length;
      await nr.inject(id("inject-split"));
      const msg = await only(id("debug-join"));
      const list = msg.payload as Array<{ contactId: string }>;
      assert.deepEqual(list.map((c) => c.contactId), sb.seedIds.contactIds.slice(0, 8));
      // page size 3: three pages for eight contacts
      assert.equal(requests("GET", /\/contacts$/).length - before, 3);
    });

    it("create, update, get, delete: Jane Example is created with the payload's fields, updated, read back and deleted", async function () {
      await nr.inject(id("inject-create"));
      const created = await only(id("debug-create"));
      const cid = (created.payload as { id: string }).id;
      assert.match(cid, /^CID_/);
      const updated = await only(id("debug-update"));
      assert.equal((updated.payload as { contactId: string }).contactId, cid);
      const got = await only(id("debug-get"));
      const contact = got.payload as { phone: string; embeddedData: Record<string, string>; firstName: string; email: string };
      assert.equal(contact.firstName, "Jane");
      assert.equal(contact.email, "jane.example@example.com");
      assert.equal(contact.phone, "+15550109999");
      assert.equal(contact.embeddedData.customerTier, "platinum");
      const deleted = await only(id("debug-delete"));
      assert.equal((deleted.payload as { contactId: string }).contactId, cid);

      const [post] = requests("POST", new RegExp(`/directories/${DIRECTORY}/contacts$`));
      assert.deepEqual(post.body, {
        firstName: "Jane", lastName: "Example", email: "jane.example@example.com", language: "EN", extRef: "CRM-9001",
        embeddedData: { customerTier: "gold" },
      });
      const [put] = requests("PUT", new RegExp(`/contacts/${cid}$`));
      assert.deepEqual(put.body, { phone: "+15550109999", embeddedData: { customerTier: "platinum" } });
      assert.equal(requests("DELETE", new RegExp(`/contacts/${cid}$`)).length, 1);
      assert.equal(sb.state.directories.get(DIRECTORY)?.contacts.has(cid), false);
    });

    it("get a contact that does not exist: the Catch node gets Qualtrics' 404 with msg.qualtrics", async function () {
      await nr.inject(id("inject-missing"));
      const msg = await only(id("debug-catch"));
      assert.match(String(msg.error?.message), /404/);
      assert.equal(msg.qualtrics?.httpStatus, 404);
      assert.equal(typeof msg.qualtrics?.requestId, "string");
      assert.equal(col.of(id("debug-missing")).length, 0);
      assert.equal(col.of(id("debug-catch")).length, 1);
    });

    it("search by email: POST .../contacts/search with the email filter; the result carries contactId and extRef", async function () {
      await nr.inject(id("inject-search"));
      const msg = await only(id("debug-search"));
      const found = msg.payload as Array<{ contactId: string; extRef: string; email: string }>;
      assert.equal(found.length, 1);
      assert.equal(found[0].email, "amelia.hart@example.com");
      assert.equal(found[0].contactId, sb.seedIds.contactIds[0]);
      assert.equal(found[0].extRef, "CRM-1001");
      const search = requests("POST", /\/contacts\/search$/).at(-1);
      assert.deepEqual(search?.body, { filter: { filterType: "email", comparison: "eq", value: "amelia.hart@example.com" } });
    });

    it("create or update by email: the first click creates Sam Upsert, the second updates the same contact", async function () {
      await nr.inject(id("inject-upsert"));
      const [first] = await col.wait(id("debug-upsert"), 1);
      await nr.inject(id("inject-upsert"));
      const both = await col.wait(id("debug-upsert"), 2);
      const a = first.msg.payload as { created: boolean; contactId: string };
      const b = both[1].msg.payload as { created: boolean; contactId: string };
      assert.equal(a.created, true);
      assert.equal(b.created, false);
      assert.equal(b.contactId, a.contactId);
      const contacts = [...(sb.state.directories.get(DIRECTORY)?.contacts.values() ?? [])].filter((c) => c.email === "sam.upsert@example.com");
      assert.equal(contacts.length, 1, "one contact, not two");
      assert.equal(requests("PUT", new RegExp(`/contacts/${a.contactId}$`)).length, 1);
    });
  });

  describe("Distribution - email and SMS", function () {
    const id = (s: string) => `qex-distribution-${s}`;

    it("e-mail invitation: POST /distributions with the library message, the mailing list and the survey link", async function () {
      await nr.inject(id("inject-email"));
      const msg = await only(id("debug-email"));
      const emd = (msg.payload as { id: string }).id;
      assert.match(emd, /^EMD_/);
      const body = requests("POST", /\/distributions$/)[0].body as Record<string, Record<string, unknown>>;
      assert.deepEqual(body.header, { fromEmail: "surveys@example.com", fromName: "Customer Care", replyToEmail: "surveys@example.com", subject: "How did we do?" });
      assert.deepEqual(body.message, { libraryId: "UR_MfnLF3XZBzwWhZ1", messageId: "MS_cv4HBQqQnSHDjSv" });
      assert.deepEqual(body.recipients, { mailingListId: "CG_Rmxxb4YgyLCNMji" });
      assert.equal(body.surveyLink.surveyId, SURVEY_CS);
      assert.equal(body.surveyLink.type, "Individual");
      assert.equal(sb.state.distributions.get(emd)?.surveyId, SURVEY_CS);
    });

    it("e-mail one contact: the survey, text and recipients come from msg.payload, the sender from the node", async function () {
      const before = requests("POST", /\/distributions$/).length;
      await nr.inject(id("inject-email-payload"));
      const msg = await only(id("debug-email-payload"));
      assert.match((msg.payload as { id: string }).id, /^EMD_/);
      const all = requests("POST", /\/distributions$/);
      assert.equal(all.length, before + 1);
      const body = all[all.length - 1].body as Record<string, Record<string, unknown>>;
      assert.equal(body.header.subject, "A quick question for you");
      assert.equal(body.header.fromName, "Customer Care");
      assert.deepEqual(body.recipients, { mailingListId: "CG_Rmxxb4YgyLCNMji", contactId: "CID_MusDeRuPBGyD4Wj" });
      assert.match(String(body.message.messageText), /^Hello \$\{m:\/\/FirstName\}/);
      assert.deepEqual(body.embeddedData, { source: "node-red" });
    });

    it("SMS invitation, then a reminder whose parent is the invitation", async function () {
      await nr.inject(id("inject-sms"));
      const invite = await only(id("debug-sms"));
      const smsd = (invite.payload as { id: string }).id;
      assert.match(smsd, /^SMSD_/);
      const reminder = await only(id("debug-sms-reminder"));
      assert.match((reminder.payload as { id: string }).id, /^SMSD_/);
      const [first, second] = requests("POST", /\/distributions\/sms$/).map((r) => r.body as Record<string, unknown>);
      assert.equal(first.method, "Invite");
      assert.deepEqual(first.recipients, { mailingListId: "CG_gFo2kPPAqnsxmQ5" });
      assert.deepEqual(first.message, { libraryId: "UR_MfnLF3XZBzwWhZ1", messageId: "MS_2ftYyhdab0NwZXZ" });
      assert.equal(second.method, "Reminder");
      assert.equal(second.parentDistributionId, smsd);
      assert.equal((second.recipients as Record<string, unknown> | undefined)?.mailingListId, undefined);
      assert.equal(sb.state.smsDistributions.size, 2);
    });

    it("nothing reached the Catch node", function () {
      assert.equal(col.of(id("debug-catch")).length, 0);
    });
  });

  describe("Invite - ticket closed, survey the customer", function () {
    const id = (s: string) => `qex-invite-${s}`;

    it("ticket closed: the customer is created on the list, the ticket recorded as a transaction and the invitation sent to its batch", async function () {
      await nr.inject(id("inject-ticket"));
      const msg = (await col.wait(id("debug"), 1))[0].msg as Msg;
      const p = msg.payload as Record<string, string>;
      assert.match(p.contactId, /^CID_/);
      assert.equal(p.mailingListId, "CG_Rmxxb4YgyLCNMji");
      assert.match(p.distributionId, /^EMD_/);
      assert.equal((msg.qualtrics as { httpStatus: number }).httpStatus, 200);
      const dir = sb.state.directories.get(DIRECTORY)!;
      assert.equal(dir.contacts.get(p.contactId)?.email, "alex.customer@example.com");
      assert.deepEqual(dir.transactions.get(p.transactionId)?.data, { id: "T-1001", topic: "billing", agent: "Kim", channel: "phone" });
      assert.deepEqual(dir.transactionBatches.get(p.transactionBatchId)?.transactionIds, [p.transactionId]);
      assert.deepEqual(sb.state.distributions.get(p.distributionId)?.reached, [{ contactId: p.contactId, transactionId: p.transactionId }]);
    });

    it("the same ticket again: nothing sent, the first result with skipped duplicate; another ticket within 7 days: skipped quiet", async function () {
      const first = (await col.wait(id("debug"), 1))[0].msg as Msg;
      const emails = sb.state.distributions.size;
      await nr.inject(id("inject-again"));
      const again = (await col.wait(id("debug"), 2))[1].msg as Msg;
      assert.deepEqual(again.payload, { ...(first.payload as object), skipped: "duplicate" });
      await nr.inject(id("inject-other"));
      const other = (await col.wait(id("debug"), 3))[2].msg as Msg;
      assert.equal((other.payload as { skipped: string }).skipped, "quiet");
      assert.equal((other.payload as { contactId: string }).contactId, (first.payload as { contactId: string }).contactId);
      assert.equal(sb.state.distributions.size, emails);
    });

    it("nothing reached the Catch node", function () {
      assert.equal(col.of(id("debug-catch")).length, 0);
    });
  });

  describe("API call - any endpoint", function () {
    const id = (s: string) => `qex-api-${s}`;

    it("who am I: GET /whoami", async function () {
      await nr.inject(id("inject-whoami"));
      const msg = await only(id("debug-whoami"));
      assert.equal((msg.payload as { userId: string }).userId, sb.state.user.userId);
      assert.equal(msg.statusCode, 200);
      assert.equal(requests("GET", /\/whoami$/)[0].headers["x-api-token"], sb.token);
    });

    it("every survey: GET /surveys, all pages, one array", async function () {
      await nr.inject(id("inject-surveys"));
      const msg = await only(id("debug-surveys"));
      assert.deepEqual((msg.payload as Array<{ id: string }>).map((s) => s.id).sort(), [...sb.seedIds.surveyIds].sort());
    });

    it("create a mailing list from msg: msg.method, msg.url and msg.payload; the switch routes status 200", async function () {
      await nr.inject(id("inject-create-list"));
      const msg = await only(id("debug-created"));
      const cg = (msg.payload as { id: string }).id;
      assert.match(cg, /^CG_/);
      assert.equal(sb.state.directories.get(DIRECTORY)?.mailingLists.get(cg)?.name, "Created by Node-RED");
      assert.equal(col.of(id("debug-other")).length, 0);
    });

    it("a path that does not exist: the Catch node gets the 404", async function () {
      await nr.inject(id("inject-missing"));
      const msg = await only(id("debug-catch"));
      assert.match(String(msg.error?.message), /404/);
      assert.equal(msg.qualtrics?.httpStatus, 404);
      assert.equal(col.of(id("debug-missing")).length, 0);
    });
  });

  describe("Response trigger - fetch the full response", function () {
    const id = (s: string) => `qex-response-${s}`;

    it("registered one subscription for the survey at QUALTRICS_PUBLIC_URL + /qualtrics/responses, with the shared key", function () {
      const subs = [...sb.state.subscriptions.values()];
      assert.equal(subs.length, 1);
      assert.equal(subs[0].topics, `surveyengine.completedResponse.${SURVEY_CS}`);
      // the trigger's mark follows the path as one more segment
      assert.equal(readPublicationUrl(subs[0].publicationUrl)?.route, `${nr.nodeUrl}/qualtrics/responses`);
      assert.equal(subs[0].sharedKey, SHARED_KEY);
    });

    it("a completed response with a low score: the full response, then the detractor branch", async function () {
      const { responseId, deliveries } = await sb.completeResponse(SURVEY_CS, { QID1: 3 });
      assert.deepEqual(deliveries.map((d) => d.status), [200]);
      const full = await only(id("debug-response"));
      const payload = full.payload as { responseId: string; values: Record<string, unknown> };
      assert.equal(payload.responseId, responseId);
      assert.equal(payload.values.QID1, 3);
      assert.equal((full.event as { responseId: string }).responseId, responseId);
      assert.equal((full.event as { source: string }).source, "webhook", "catch-up is on; the webhook came first");
      assert.equal(full.topic, `surveyengine.completedResponse.${SURVEY_CS}`);
      const detractor = await only(id("debug-detractor"));
      assert.equal(detractor.payload, "Detractor (3): Faster delivery would be great.");
      assert.equal(col.of(id("debug-promoter")).length, 0);
    });

    it("a completed response with the default score 9: the promoter branch", async function () {
      const { responseId } = await sb.completeResponse(SURVEY_CS);
      const [promoter] = await col.wait(id("debug-promoter"), 1);
      assert.equal(promoter.msg.payload, `Promoter (9) - response ${responseId}`);
      // the comment says these debug nodes write to the Node-RED log as well
      await nr.waitForLog(new RegExp(`\\[debug:promoter\\][\\s\\S]*Promoter \\(9\\) - response ${responseId}`), 5_000);
      assert.equal(col.of(id("debug-catch")).length, 0);
    });
  });

  describe("the log", function () {
    it("shows no errors or warnings (the errors the examples cause on purpose are handled by Catch nodes)", function () {
      assert.deepEqual(nr.problems(deployMark), []);
    });

    it("every status our nodes showed is translated text (no message key, no __placeholder__)", function () {
      const shown = statusesShown(col);
      for (const t of NON_CONFIG_TYPES) assert.ok(shown.some((x) => x.startsWith(t + ":")), `no status seen from ${t}`);
      assert.deepEqual(untranslated(shown), []);
    });
  });
});
