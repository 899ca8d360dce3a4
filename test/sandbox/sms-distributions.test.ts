import assert from "node:assert/strict";
import { ApiResponse, assertError, call, elements, listAll, obj, Obj, result } from "./test-helpers";
import { useSandbox } from "../support/fixtures";

type Mutation = (body: Obj) => void;

describe("sandbox: SMS distributions (§5.6)", () => {
  const sb = useSandbox();

  const invite = (): Obj => ({
    surveyId: sb.seedIds.surveyIds[0],
    method: "Invite",
    sendDate: "2030-06-17T00:36:42Z",
    recipients: { mailingListId: sb.seedIds.mailingListIds[0] },
    name: "Example Survey",
    message: { libraryId: sb.seedIds.libraryId, messageId: sb.seedIds.messageIds.smsInvite },
  });
  const send = (body: Obj): Promise<ApiResponse> => call(sb, "POST", "/distributions/sms", { body });
  function variant(base: Obj, mutate: Mutation): Obj {
    const b = JSON.parse(JSON.stringify(base)) as Obj;
    mutate(b);
    return b;
  }
  async function createInvite(): Promise<string> {
    return String(result(await send(invite())).id);
  }
  const followUp = (parent: string, method = "Reminder"): Obj => ({
    surveyId: sb.seedIds.surveyIds[0], method, name: "Nudge", parentDistributionId: parent, message: { messageText: "Still time: ${l://SurveyURL}" },
  });

  describe("valid requests", () => {
    it("an Invite returns the §5.6 result with SMSD_ id and requestStatus Scheduled", async () => {
      const res = result(await send(invite()));
      assert.match(String(res.id), /^SMSD_[A-Za-z0-9]{15}$/);
      assert.equal(res.requestStatus, "Scheduled");
      assert.equal(res.requestType, "Invite");
      assert.equal(res.surveyId, sb.seedIds.surveyIds[0]);
      assert.equal(res.name, "Example Survey");
      assert.equal(res.sendDate, "2030-06-17T00:36:42Z");
      for (const k of ["ownerId", "organizationId", "recipients", "message", "stats"]) assert.ok(k in res, k);
      const rec = obj(res.recipients);
      for (const k of ["mailingListId", "transactionBatchId", "transactionId", "contactId", "libraryId", "sampleId"]) assert.ok(k in rec, k);
      assert.equal(rec.mailingListId, sb.seedIds.mailingListIds[0]);
      assert.deepEqual(obj(res.message), { libraryId: sb.seedIds.libraryId, messageId: sb.seedIds.messageIds.smsInvite, messageText: null });
      assert.deepEqual(Object.keys(obj(res.stats)).sort(), ["credits", "failed", "finished", "segments", "sent", "started"]);
    });

    it("an Interactive needs no message", async () => {
      const res = result(await send(variant(invite(), (b) => { b.method = "Interactive"; delete b.message; })));
      assert.equal(res.requestType, "Interactive");
    });

    it("a Reminder and a ThankYou point at an SMSD_ invite, without a mailing list", async () => {
      const parent = await createInvite();
      for (const method of ["Reminder", "ThankYou"]) {
        const res = result(await send(followUp(parent, method)));
        assert.equal(res.requestType, method);
        assert.equal(res.parentDistributionId, parent);
      }
    });

    it("accepts messageText up to 10,000 chars and a name of 100 chars", async () => {
      const ok = variant(invite(), (b) => { b.message = { messageText: "x".repeat(10_000) }; b.name = "n".repeat(100); });
      assert.equal((await send(ok)).status, 200);
    });

    it("accepts a recipients.contactId in the list (CID_)", async () => {
      const res = result(await send(variant(invite(), (b) => { obj(b.recipients).contactId = sb.seedIds.contactIds[0]; })));
      assert.equal(obj(res.recipients).contactId, sb.seedIds.contactIds[0]);
    });
  });

  describe("every §5.6 rule answers 400 naming the field", () => {
    const cases: Array<[string, () => Obj | Promise<Obj>, RegExp]> = [
      ["method is required", () => variant(invite(), (b) => { delete b.method; }), /^method is required/],
      ["method must be Invite|Interactive|Reminder|ThankYou", () => variant(invite(), (b) => { b.method = "Blast"; }), /^method must be one of Invite, Interactive, Reminder, ThankYou/],
      ["method casing matters", () => variant(invite(), (b) => { b.method = "Thankyou"; }), /^method must be one of/],
      ["surveyId is required", () => variant(invite(), (b) => { delete b.surveyId; }), /^surveyId is required/],
      ["surveyId must exist", () => variant(invite(), (b) => { b.surveyId = "SV_unknown000000000"; }), /^surveyId: survey SV_unknown000000000 does not exist/],
      ["name is required", () => variant(invite(), (b) => { delete b.name; }), /^name is required/],
      ["name ≤ 100 chars", () => variant(invite(), (b) => { b.name = "n".repeat(101); }), /^name must be at most 100 characters/],
      ["sendDate must be ISO 8601", () => variant(invite(), (b) => { b.sendDate = "17.06.2030"; }), /^sendDate must be an ISO 8601/],
      ["recipients.mailingListId required for Invite", () => variant(invite(), (b) => { b.recipients = {}; }), /^recipients\.mailingListId is required for method Invite/],
      ["recipients.mailingListId required for Interactive", () => variant(invite(), (b) => { b.method = "Interactive"; delete b.recipients; }), /^recipients\.mailingListId is required for method Interactive/],
      ["recipients must be an object", () => variant(invite(), (b) => { b.recipients = "CG_x"; }), /^recipients must be a JSON object/],
      ["recipients.transactionBatchId must be a string", () => variant(invite(), (b) => { obj(b.recipients).transactionBatchId = 5; }), /^recipients\.transactionBatchId must be a string/],
      ["mailing list must exist", () => variant(invite(), (b) => { b.recipients = { mailingListId: "CG_unknown000000000" }; }), /^recipients\.mailingListId: mailing list CG_unknown000000000 does not exist/],
      ["contactId must be in the list", () => variant(invite(), (b) => { obj(b.recipients).contactId = sb.seedIds.contactIds[24]; }), /^recipients\.contactId: contact .* is not in mailing list/],
      ["recipients.mailingListId refused for Reminder", async () => variant(followUp(await createInvite()), (b) => { b.recipients = { mailingListId: sb.seedIds.mailingListIds[0] }; }), /^recipients\.mailingListId is not allowed for method Reminder/],
      ["recipients.mailingListId refused for ThankYou", async () => variant(followUp(await createInvite(), "ThankYou"), (b) => { b.recipients = { mailingListId: sb.seedIds.mailingListIds[0] }; }), /^recipients\.mailingListId is not allowed for method ThankYou/],
      ["parentDistributionId refused for Invite", async () => variant(invite(), (b) => { b.parentDistributionId = "SMSD_abc"; }), /^parentDistributionId is only allowed for method Reminder or ThankYou/],
      ["parentDistributionId refused for Interactive", async () => variant(invite(), (b) => { b.method = "Interactive"; b.parentDistributionId = "SMSD_abc"; }), /^parentDistributionId is only allowed/],
      ["parentDistributionId required for Reminder", () => variant(followUp("x"), (b) => { delete b.parentDistributionId; }), /^parentDistributionId is required for method Reminder/],
      ["parentDistributionId required for ThankYou", () => variant(followUp("x", "ThankYou"), (b) => { delete b.parentDistributionId; }), /^parentDistributionId is required for method ThankYou/],
      ["parentDistributionId must be an existing SMSD_", () => followUp("SMSD_unknown0000000"), /^parentDistributionId: SMS distribution SMSD_unknown0000000 does not exist/],
      ["parentDistributionId must not be an email distribution", () => followUp("EMD_unknown00000000"), /^parentDistributionId: SMS distribution EMD_unknown00000000 does not exist/],
      ["message required for Invite", () => variant(invite(), (b) => { delete b.message; }), /^message is required for method Invite/],
      ["message required for Reminder", async () => variant(followUp(await createInvite()), (b) => { delete b.message; }), /^message is required for method Reminder/],
      ["message required for ThankYou", async () => variant(followUp(await createInvite(), "ThankYou"), (b) => { delete b.message; }), /^message is required for method ThankYou/],
      ["message: not both messageText and library message", () => variant(invite(), (b) => { obj(b.message).messageText = "hi"; }), /^message: give either/],
      ["message: one of messageText or library message", () => variant(invite(), (b) => { b.message = {}; }), /^message needs/],
      ["message.messageId needed with libraryId", () => variant(invite(), (b) => { delete obj(b.message).messageId; }), /^message\.messageId is required/],
      ["messageText ≤ 10,000 chars", () => variant(invite(), (b) => { b.message = { messageText: "x".repeat(10_001) }; }), /^message\.messageText must be at most 10000 characters/],
      ["library message must exist", () => variant(invite(), (b) => { obj(b.message).messageId = "MS_unknown000000000"; }), /^message\.messageId: message MS_unknown000000000 does not exist/],
    ];
    for (const [name, build, message] of cases) {
      it(name, async () => {
        const body = await build();
        const before = sb.state.smsDistributions.size;
        assertError(await send(body), 400, message);
        assert.equal(sb.state.smsDistributions.size, before, "nothing stored");
      });
    }
  });

  describe("list, get, delete", () => {
    it("GET /distributions/sms lists (optionally by surveyId) and pages", async () => {
      const a = await createInvite();
      const b = await createInvite();
      const other = String(result(await send(variant(invite(), (x) => { x.surveyId = sb.seedIds.surveyIds[1]; }))).id);
      const { items, pages } = await listAll(sb, "/distributions/sms?pageSize=2");
      assert.deepEqual(items.map((i) => i.id), [a, b, other]);
      assert.equal(pages, 2);
      const filtered = elements(await call(sb, "GET", `/distributions/sms?surveyId=${sb.seedIds.surveyIds[1]}`));
      assert.deepEqual(filtered.map((i) => i.id), [other]);
    });

    it("GET one, DELETE (meta-only), then 404", async () => {
      const id = await createInvite();
      assert.equal(result(await call(sb, "GET", `/distributions/sms/${id}`)).id, id);
      const del = await call(sb, "DELETE", `/distributions/sms/${id}`);
      assert.deepEqual(Object.keys(obj(del.json)), ["meta"]);
      assertError(await call(sb, "GET", `/distributions/sms/${id}`), 404, /SMS distribution not found/);
      assertError(await call(sb, "DELETE", `/distributions/sms/${id}`), 404);
    });
  });
});
