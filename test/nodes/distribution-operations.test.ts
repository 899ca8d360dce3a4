// The distribution node's operations besides create: the exact requests against the recording server,
// the refusals before any request, list output as an array or per item, and chaining from a create.
import assert from "node:assert/strict";
import { collect, helper, nextError, nextMessage, TOKEN } from "../support/nr-helper";
import { fail, ok, Recorded, Reply } from "../support/fake-servers";
import { okFirst, useRecordingServer } from "../support/fixtures";
import { nodeUnderTest, useNodeRuntime } from "../support/node-test";
import { SV, ML, LIB, MS, EMD } from "../support/ids";

const SENDER = { fromEmail: "care@example.com", fromName: "Customer Care", subject: "A reminder" };

describe("qualtrics-distribution operations", function () {
  const api = useRecordingServer(okFirst);
  const done = useNodeRuntime();
  const { load, run, refused } = nodeUnderTest({
    type: "qualtrics-distribution", sequence: true, apiBase: () => api.apiBase, config: { retries: 0 }, defaults: { channel: "email" },
    requests: () => api.requests, done,
  });
  const twoPages = (first: unknown[], second: unknown[]) => (req: Recorded): Reply =>
    req.query.skipToken === "P2" ? ok({ elements: second, nextPage: null }, { requestId: "rq-2" }) : ok({ elements: first, nextPage: `${api.url}${req.url}${req.url.includes("?") ? "&" : "?"}skipToken=P2` }, { requestId: "rq-1" });

  describe("list", function () {
    it("GET /distributions with the survey, the filters from the dialog and useNewPaginationScheme; every page in one array", async function () {
      await load({
        operation: "list", surveyId: SV, surveyIdType: "str", distributionRequestType: "Reminder", distributionRequestTypeType: "str",
        mailingListId: ML, mailingListIdType: "str", sendStartDate: "2024-01-01", sendStartDateType: "str", sendEndDate: "until", sendEndDateType: "msg",
      });
      api.reply(twoPages([{ id: "EMD_1" }], [{ id: "EMD_2" }]));
      const msg = await run({ until: "2024-06-30T00:00:00.500Z", topic: "kept" });
      assert.deepEqual(msg.payload, [{ id: "EMD_1" }, { id: "EMD_2" }]);
      assert.equal(msg.topic, "kept");
      assert.deepEqual(msg.qualtrics, { requestId: "rq-2", httpStatus: 200 });
      assert.equal(api.requests.length, 2);
      assert.equal(api.requests[0].method, "GET");
      assert.equal(api.requests[0].path, "/API/v3/distributions");
      assert.equal(api.requests[0].headers["x-api-token"], TOKEN);
      assert.deepEqual(api.requests[0].query, {
        surveyId: SV, useNewPaginationScheme: "true", distributionRequestType: "Reminder", mailingListId: ML,
        sendStartDate: "2024-01-01T00:00:00Z", sendEndDate: "2024-06-30T00:00:00Z",
      });
      assert.equal(api.requests[1].query.skipToken, "P2");
      assert.equal(done.of("n").length, 1);
    });

    it("one message per distribution with msg.parts, which a join rebuilds; msg.limit stops early; fields from msg.payload", async function () {
      await load({ operation: "list", output: "split", wires: [["out", "joiner"]] }, [
        { id: "joiner", z: "tab", type: "join", mode: "auto", wires: [["joined"]] },
        { id: "joined", z: "tab", type: "helper" },
      ]);
      api.reply(twoPages([{ id: "EMD_1" }, { id: "EMD_2" }], [{ id: "EMD_3" }, { id: "EMD_4" }]));
      const each = collect("out");
      const joined = nextMessage("joined");
      helper.getNode("n").receive({ payload: { surveyId: SV, distributionRequestType: "Invite" }, limit: 3 });
      const j = await joined;
      assert.deepEqual(j.payload, [{ id: "EMD_1" }, { id: "EMD_2" }, { id: "EMD_3" }]);
      assert.equal(each.length, 3);
      assert.deepEqual(each.map((m) => (m.parts as { index: number }).index), [0, 1, 2]);
      assert.equal((each[2].parts as { count: number }).count, 3);
      assert.equal(api.requests[0].query.distributionRequestType, "Invite");
    });

    const refusals: Array<[string, Record<string, unknown>, Record<string, unknown>, RegExp]> = [
      ["no survey", {}, {}, /^Survey: is required/],
      ["an unknown type", { surveyId: SV, surveyIdType: "str" }, { payload: { distributionRequestType: "Everything" } }, /^Type: must be one of Invite/],
      ["an end before the start", { surveyId: SV, surveyIdType: "str", sendStartDate: "2024-02-01", sendEndDate: "2024-01-01" }, {}, /^Sent before: must be after sendStartDate/],
      ["a bad limit", { surveyId: SV, surveyIdType: "str" }, { limit: -2 }, /^Limit: must be a whole number/],
    ];
    for (const [what, props, msg, expected] of refusals) {
      it(`refuses ${what}, naming the field, with no request`, async function () {
        await load({ operation: "list", ...props });
        assert.match(await refused(msg), expected);
      });
    }
  });

  describe("get", function () {
    it("GET /distributions/{id}?surveyId=; the distribution comes from msg.payload.id after a create", async function () {
      await load({ operation: "get", surveyId: SV, surveyIdType: "str" });
      api.reply(ok({ id: EMD, requestType: "Invite", stats: { sent: 3 } }, { requestId: "rq-get" }));
      const msg = await run({ payload: { id: EMD } });
      assert.equal(api.requests[0].path, `/API/v3/distributions/${EMD}`);
      assert.deepEqual(api.requests[0].query, { surveyId: SV });
      assert.deepEqual(msg.payload, { id: EMD, requestType: "Invite", stats: { sent: 3 } });
      assert.equal((msg.qualtrics as { requestId: string }).requestId, "rq-get");
    });

    it("refuses an SMS distribution ID and a missing survey before any request", async function () {
      await load({ operation: "get", distributionId: "SMSD_123", distributionIdType: "str", surveyId: SV, surveyIdType: "str" });
      assert.match(await refused({}), /^Distribution: "SMSD_123" is not an email distribution ID \(expected EMD_/);
      await helper.unload();
      await load({ operation: "get", distributionId: EMD, distributionIdType: "str" });
      assert.match(await refused({}), /^Survey: is required/);
    });
  });

  describe("reminder and thank-you", function () {
    for (const [operation, path] of [["reminder", "reminders"], ["thankYou", "thankyous"]] as const) {
      it(`${operation}: POST /distributions/{parent}/${path} with header, library message and sendDate; the new ID as id and distributionId`, async function () {
        await load({
          operation, distributionId: "parent", distributionIdType: "msg", fromEmail: SENDER.fromEmail, fromName: SENDER.fromName, subject: SENDER.subject,
          libraryId: LIB, messageId: MS, sendDate: "2030-01-01T08:00:00Z",
        });
        api.reply(ok({ distributionId: "EMD_new0000000000001" }, { requestId: "rq-f" }));
        const msg = await run({ parent: EMD });
        assert.equal(api.requests.length, 1);
        assert.equal(api.requests[0].method, "POST");
        assert.equal(api.requests[0].path, `/API/v3/distributions/${EMD}/${path}`);
        assert.deepEqual(api.requests[0].body, {
          header: { fromEmail: SENDER.fromEmail, fromName: SENDER.fromName, replyToEmail: SENDER.fromEmail, subject: SENDER.subject },
          message: { libraryId: LIB, messageId: MS },
          sendDate: "2030-01-01T08:00:00Z",
        });
        assert.deepEqual(msg.payload, { id: "EMD_new0000000000001", distributionId: "EMD_new0000000000001", parentDistributionId: EMD });
        assert.equal((msg.qualtrics as { requestId: string }).requestId, "rq-f");
      });
    }

    it("chains from a create: msg.payload {id} is the parent, the text comes from the payload", async function () {
      await load({ operation: "reminder", fromEmail: SENDER.fromEmail, fromName: SENDER.fromName, subject: SENDER.subject });
      api.reply(ok({ id: "EMD_keyedById000001" }));
      const msg = await run({ payload: { id: EMD, messageText: "Still time: ${l://SurveyLink}" } });
      assert.equal(api.requests[0].path, `/API/v3/distributions/${EMD}/reminders`);
      assert.deepEqual((api.requests[0].body as { message: unknown }).message, { messageText: "Still time: ${l://SurveyLink}" });
      assert.equal((msg.payload as { id: string }).id, "EMD_keyedById000001");
      assert.equal((msg.payload as { distributionId: string }).distributionId, "EMD_keyedById000001");
    });

    const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
      ["no parent distribution", { ...SENDER, messageText: "x" }, /^Distribution: is required/],
      ["no message", { ...SENDER, distributionId: EMD }, /^Message: is required/],
      ["a bad sender", { ...SENDER, fromEmail: "care-at-example", messageText: "x", distributionId: EMD }, /^From \(header\.fromEmail\): "care-at-example" is not an email address/],
      ["no subject", { fromEmail: SENDER.fromEmail, fromName: "A", messageText: "x", distributionId: EMD }, /^Subject \(header\.subject\): is required/],
    ];
    for (const [what, props, expected] of refusals) {
      it(`refuses ${what}, naming the field, with no request`, async function () {
        await load({ operation: "reminder", ...props });
        assert.match(await refused({}), expected);
      });
    }

    it("reports a 500 as possibly done, once, to a Catch node with msg.qualtrics", async function () {
      await load({ operation: "thankYou", ...SENDER, messageText: "Thanks!", distributionId: EMD });
      api.reply(fail(500, "Internal error", "SERVER_1"));
      const err = nextError("n");
      helper.getNode("n").receive({});
      const e = await err;
      assert.match(e.message, /may have succeeded/);
      assert.equal(api.requests.length, 1);
      assert.deepEqual(e.msg.qualtrics, { requestId: "req-err", httpStatus: 500, errorCode: "SERVER_1", mayHaveSucceeded: true });
    });
  });

  describe("generate links and list links", function () {
    it("generateLinks: the flat CreateDistribution body; the result carries the survey and list for the next node", async function () {
      await load({ operation: "generateLinks", surveyId: SV, mailingListId: ML, expirationDate: "2099-01-31 00:00:00", description: "Spring links", linkType: "Individual" });
      api.reply(ok({ id: "EMD_links0000000001" }));
      const msg = await run({});
      assert.equal(api.requests[0].method, "POST");
      assert.equal(api.requests[0].path, "/API/v3/distributions");
      assert.deepEqual(api.requests[0].body, {
        action: "CreateDistribution", surveyId: SV, mailingListId: ML, linkType: "Individual", description: "Spring links", expirationDate: "2099-01-31T00:00:00Z",
      });
      assert.deepEqual(msg.payload, { id: "EMD_links0000000001", surveyId: SV, mailingListId: ML });
    });

    it("generateLinks with a legacy ML_ mailing list sends the request, as real Qualtrics answered 200 to it (docs/qualtrics-facts.md §13)", async function () {
      const legacy = "ML_4kTq9ZbWm2PxLvA";
      await load({ operation: "generateLinks", surveyId: SV, mailingListId: legacy, linkType: "Individual" });
      api.reply(ok({ id: "EMD_links0000000002" }));
      const msg = await run({});
      assert.equal(api.requests.length, 1);
      assert.equal((api.requests[0].body as { mailingListId: string }).mailingListId, legacy);
      assert.deepEqual(msg.payload, { id: "EMD_links0000000002", surveyId: SV, mailingListId: legacy });
    });

    it("generateLinks refuses one contact, naming the field, with no request", async function () {
      await load({ operation: "generateLinks", surveyId: SV, mailingListId: ML });
      assert.match(await refused({ payload: { contactId: "CID_abc" } }), /^Contact: cannot be used: links are generated for every contact of the mailing list/);
    });

    it("links: GET /distributions/{id}/links?surveyId= from the previous node's payload, every page", async function () {
      await load({ operation: "links" });
      api.reply(twoPages([{ contactId: "CID_1", link: "https://l/1" }], [{ contactId: "CID_2", link: "https://l/2" }]));
      const msg = await run({ payload: { id: "EMD_links0000000001", surveyId: SV, mailingListId: ML } });
      assert.deepEqual((msg.payload as Array<{ link: string }>).map((l) => l.link), ["https://l/1", "https://l/2"]);
      assert.equal(api.requests[0].path, "/API/v3/distributions/EMD_links0000000001/links");
      assert.deepEqual(api.requests[0].query, { surveyId: SV });
    });

    it("links of an invitation: Qualtrics' 500 becomes an error that says why", async function () {
      await load({ operation: "links", distributionId: EMD, surveyId: SV });
      api.reply((req) => (req.path.endsWith("/links") ? fail(500, "Internal server error", "SERVER_1.0") : ok({ id: EMD, requestType: "Invite" })));
      const err = nextError("n");
      helper.getNode("n").receive({});
      const e = await err;
      assert.match(e.message, /is a "Invite" distribution; only generated-links distributions \(GeneratedInvite\) have links/);
      assert.deepEqual(e.msg.qualtrics, { requestId: "req-err", httpStatus: 500, errorCode: "SERVER_1.0", mayHaveSucceeded: false });
      assert.equal(done.of("n").length, 1);
    });
  });

  describe("history", function () {
    it("GET /distributions/{id}/history, every page; the limit stops early", async function () {
      await load({ operation: "history", distributionId: EMD, limit: 2 });
      api.reply(twoPages([{ contactId: "CID_1", status: "SurveyFinished" }], [{ contactId: "CID_2", status: "Success" }, { contactId: "CID_3", status: "Success" }]));
      const msg = await run({});
      assert.deepEqual((msg.payload as Array<{ contactId: string }>).map((h) => h.contactId), ["CID_1", "CID_2"]);
      assert.equal(api.requests[0].path, `/API/v3/distributions/${EMD}/history`);
      assert.deepEqual(api.requests[0].query, {});
    });
  });

  describe("operation from msg.operation", function () {
    it("runs the operation the message names, and refuses an unknown one", async function () {
      await load({ operation: "msg", surveyId: SV, surveyIdType: "str" });
      api.reply(ok({ elements: [], nextPage: null }));
      const msg = await run({ operation: "LIST" });
      assert.deepEqual(msg.payload, []);
      assert.equal(api.requests[0].path, "/API/v3/distributions");
      api.reply(ok({}));
      assert.match(await refused({ operation: "cancel" }), /^msg\.operation: must be one of create, list, get, reminder, thankYou, generateLinks, links, history/);
    });

    it("a node without an operation (a flow from before operations) still creates", async function () {
      await load({ channel: "email", ...SENDER, libraryId: LIB, messageId: MS, mailingListId: ML, surveyId: SV, sendDate: "2030-01-01T00:00:00Z" });
      api.reply(ok({ id: EMD }));
      const msg = await run({});
      assert.equal(api.requests[0].method, "POST");
      assert.equal(api.requests[0].path, "/API/v3/distributions");
      assert.deepEqual((api.requests[0].body as { recipients: unknown }).recipients, { mailingListId: ML });
      assert.deepEqual(msg.payload, { id: EMD });
    });
  });
});
