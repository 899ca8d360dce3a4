import assert from "node:assert/strict";
import { ApiResponse, arr, assertError, call, elements, listAll, obj, Obj, result } from "./test-helpers";
import { useSandbox } from "../support/fixtures";

type Mutation = (body: Obj) => void;

describe("sandbox: email distributions (§5.2–§5.5)", () => {
  const sb = useSandbox();

  function validBody(): Obj {
    return {
      message: { libraryId: sb.seedIds.libraryId, messageId: sb.seedIds.messageIds.invite },
      recipients: { mailingListId: sb.seedIds.mailingListIds[0] },
      header: { fromName: "Qualtrics", replyToEmail: "noreply@example.com", fromEmail: "noreply@example.com", subject: "Survey Distribution" },
      surveyLink: { surveyId: sb.seedIds.surveyIds[0], expirationDate: "2030-09-13T00:00:00Z", type: "Individual" },
      sendDate: "2030-12-04T11:13:35Z",
    };
  }
  const part = (body: Obj, key: string): Obj => obj(body[key], key);
  function create(mutate: Mutation = () => undefined): Promise<ApiResponse> {
    const body = validBody();
    mutate(body);
    return call(sb, "POST", "/distributions", { body });
  }
  async function createId(mutate: Mutation = () => undefined): Promise<string> {
    const id = String(result(await create(mutate)).id);
    assert.match(id, /^EMD_[A-Za-z0-9]{15}$/);
    return id;
  }
  const surveyId = (): string => sb.seedIds.surveyIds[0];
  const getDist = async (id: string): Promise<Obj> => result(await call(sb, "GET", `/distributions/${id}?surveyId=${surveyId()}`));

  describe("create: a valid request", () => {
    it("returns {id: EMD_…} and stores the distribution", async () => {
      const r = await create();
      const res = result(r);
      assert.deepEqual(Object.keys(res), ["id"]);
      const d = await getDist(String(res.id));
      assert.equal(d.id, res.id);
      assert.equal(d.requestType, "Invite");
      assert.equal(d.sendDate, "2030-12-04T11:13:35Z");
      assert.deepEqual(d.headers, { fromName: "Qualtrics", replyToEmail: "noreply@example.com", fromEmail: "noreply@example.com", subject: "Survey Distribution" });
      assert.equal(obj(d.recipients).mailingListId, sb.seedIds.mailingListIds[0]);
      assert.equal(obj(d.message).messageType, "Library");
      assert.equal(obj(d.surveyLink).surveyId, surveyId());
    });

    it("accepts inline messageText; GET shows it, the list does not (§5.4)", async () => {
      const id = await createId((b) => {
        b.message = { messageText: "<p>Hi ${m://FirstName}: ${l://SurveyLink}</p>" };
      });
      const d = await getDist(id);
      assert.equal(obj(d.message).messageType, "Inline");
      assert.match(String(obj(d.message).messageText), /SurveyLink/);
      const listed = elements(await call(sb, "GET", `/distributions?surveyId=${surveyId()}`)).find((e) => e.id === id);
      assert.ok(listed);
      assert.ok(!("messageText" in obj(listed.message)));
    });

    it("refuses a transactionBatchId the account does not hold (batches: transactions.test.ts)", async () => {
      assertError(await create((b) => {
        b.recipients = { transactionBatchId: "BT_abcdefghijklmno" };
      }), 400, /^recipients\.transactionBatchId: transaction batch BT_abcdefghijklmno does not exist/);
    });

    it("accepts contactId together with mailingListId, as CID_ or CGC_", async () => {
      const cid = sb.seedIds.contactIds[0];
      await createId((b) => {
        part(b, "recipients").contactId = cid;
      });
      const lookup = sb.state.directories.get(sb.seedIds.directoryId)?.mailingLists.get(sb.seedIds.mailingListIds[0])?.members.get(cid)?.contactLookupId;
      assert.ok(lookup);
      await createId((b) => {
        part(b, "recipients").contactId = lookup;
      });
    });

    it("accepts every surveyLink.type, ISO dates with offsets or fractions, and no sendDate", async () => {
      for (const type of ["Individual", "Multiple", "Anonymous"]) await createId((b) => { part(b, "surveyLink").type = type; });
      await createId((b) => { b.sendDate = "2030-12-04T11:13:35+02:00"; });
      await createId((b) => { b.sendDate = "2030-12-04T11:13:35.250Z"; });
      const id = await createId((b) => { delete b.sendDate; delete part(b, "surveyLink").type; });
      const d = await getDist(id);
      assert.match(String(d.sendDate), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.equal(obj(d.surveyLink).linkType, "Individual");
    });

    it("stores embeddedData", async () => {
      const id = await createId((b) => { b.embeddedData = { campaign: "spring" }; });
      assert.deepEqual((await getDist(id)).embeddedData, { campaign: "spring" });
    });
  });

  describe("create: every §5.2 rule answers 400 naming the field", () => {
    const cases: Array<[string, Mutation, RegExp]> = [
      ["an empty body", (b) => { Object.keys(b).forEach((k) => delete b[k]); }, /^message is required/],
      ["message is required", (b) => { delete b.message; }, /^message is required/],
      ["message must be an object", (b) => { b.message = "hello"; }, /^message must be a JSON object/],
      ["not both libraryId+messageId and messageText", (b) => { part(b, "message").messageText = "hi"; }, /^message: give either message\.libraryId \+ message\.messageId or message\.messageText, not both/],
      ["one of libraryId+messageId or messageText", (b) => { b.message = {}; }, /^message needs message\.libraryId \+ message\.messageId, or message\.messageText/],
      ["messageId needs libraryId", (b) => { delete part(b, "message").libraryId; }, /^message\.libraryId is required/],
      ["libraryId needs messageId", (b) => { delete part(b, "message").messageId; }, /^message\.messageId is required/],
      ["messageText must not be empty", (b) => { b.message = { messageText: " " }; }, /^message\.messageText must not be empty/],
      ["recipients is required", (b) => { delete b.recipients; }, /^recipients is required/],
      ["not both mailingListId and transactionBatchId", (b) => { part(b, "recipients").transactionBatchId = "BT_x"; }, /^recipients: give either recipients\.mailingListId or recipients\.transactionBatchId, not both/],
      ["one of mailingListId or transactionBatchId", (b) => { b.recipients = {}; }, /^recipients\.mailingListId or recipients\.transactionBatchId is required/],
      ["contactId only with mailingListId", (b) => { b.recipients = { transactionBatchId: "BT_x", contactId: sb.seedIds.contactIds[0] }; }, /^recipients\.contactId is only allowed together with recipients\.mailingListId/],
      ["header is required", (b) => { delete b.header; }, /^header is required/],
      ["header.fromEmail is required", (b) => { delete part(b, "header").fromEmail; }, /^header\.fromEmail is required/],
      ["header.fromName is required", (b) => { delete part(b, "header").fromName; }, /^header\.fromName is required/],
      ["header.replyToEmail is required", (b) => { delete part(b, "header").replyToEmail; }, /^header\.replyToEmail is required/],
      ["header.subject is required", (b) => { part(b, "header").subject = ""; }, /^header\.subject must not be empty/],
      ["header.fromEmail must be an address", (b) => { part(b, "header").fromEmail = "noreply"; }, /^header\.fromEmail must be a valid email address/],
      ["header.replyToEmail must be an address", (b) => { part(b, "header").replyToEmail = "x@"; }, /^header\.replyToEmail must be a valid email address/],
      ["surveyLink is required", (b) => { delete b.surveyLink; }, /^surveyLink is required/],
      ["surveyLink.surveyId is required", (b) => { delete part(b, "surveyLink").surveyId; }, /^surveyLink\.surveyId is required/],
      ["surveyLink.surveyId must exist", (b) => { part(b, "surveyLink").surveyId = "SV_unknown000000000"; }, /^surveyLink\.surveyId: survey SV_unknown000000000 does not exist/],
      ["surveyLink.type must be Individual|Multiple|Anonymous", (b) => { part(b, "surveyLink").type = "Personal"; }, /^surveyLink\.type must be one of Individual, Multiple, Anonymous/],
      ["surveyLink.expirationDate must be ISO 8601", (b) => { part(b, "surveyLink").expirationDate = "13/09/2030"; }, /^surveyLink\.expirationDate must be an ISO 8601/],
      ["sendDate must be ISO 8601 (not MySQL style)", (b) => { b.sendDate = "2030-12-04 11:13:35"; }, /^sendDate must be an ISO 8601/],
      ["sendDate must be a date", (b) => { b.sendDate = "tomorrow"; }, /^sendDate must be an ISO 8601/],
      ["sendDate needs a zone", (b) => { b.sendDate = "2030-12-04T11:13:35"; }, /^sendDate must be an ISO 8601/],
      ["mailing list must exist", (b) => { part(b, "recipients").mailingListId = "CG_unknown000000000"; }, /^recipients\.mailingListId: mailing list CG_unknown000000000 does not exist/],
      ["mailing list must be in recipients.directoryId", (b) => { part(b, "recipients").directoryId = "POOL_other000000000"; }, /^recipients\.mailingListId: mailing list .* does not exist/],
      ["contactId must be in the list", (b) => { part(b, "recipients").contactId = sb.seedIds.contactIds[24]; }, /^recipients\.contactId: contact CID_\w+ is not in mailing list/],
      ["library must exist", (b) => { part(b, "message").libraryId = "UR_unknown000000000"; }, /^message\.libraryId: library UR_unknown000000000 does not exist/],
      ["library message must exist", (b) => { part(b, "message").messageId = "MS_unknown000000000"; }, /^message\.messageId: message MS_unknown000000000 does not exist/],
      ["library message must be an invite", (b) => { part(b, "message").messageId = sb.seedIds.messageIds.reminder; }, /^message\.messageId: message MS_\w+ has category "reminder", expected "invite"/],
      ["embeddedData must be an object", (b) => { b.embeddedData = ["x"]; }, /^embeddedData must be a JSON object/],
      ["embeddedData values must be strings", (b) => { b.embeddedData = { deep: { x: 1 } }; }, /^embeddedData\.deep must be a string/],
      ["action must be CreateDistribution", (b) => { b.action = "SendNow"; }, /^action must be "CreateDistribution"/],
    ];
    for (const [name, mutate, message] of cases) {
      it(name, async () => {
        assertError(await create(mutate), 400, message);
        assert.equal(sb.state.distributions.size, 0, "nothing stored");
      });
    }

    it("a body that is not a JSON object", async () => {
      assertError(await call(sb, "POST", "/distributions", { body: [1] }), 400, /^Request body must be a JSON object/);
    });
  });

  describe("list, get, delete (§5.4)", () => {
    it("GET /distributions needs surveyId", async () => {
      assertError(await call(sb, "GET", "/distributions"), 400, /^surveyId is required/);
    });

    it("GET /distributions answers 404 for an unknown survey", async () => {
      assertError(await call(sb, "GET", "/distributions?surveyId=SV_unknown000000000"), 404);
    });

    it("lists the survey's distributions only, with the §5.4 fields, and pages", async () => {
      const a = await createId();
      const b = await createId();
      await createId((x) => { part(x, "surveyLink").surveyId = sb.seedIds.surveyIds[1]; });
      const { items, pages } = await listAll(sb, `/distributions?surveyId=${surveyId()}&pageSize=1`);
      assert.deepEqual(items.map((i) => i.id), [a, b]);
      assert.equal(pages, 2);
      for (const k of ["id", "parentDistributionId", "ownerId", "organizationId", "requestStatus", "requestType", "sendDate", "createdDate", "modifiedDate", "headers", "recipients", "message", "surveyLink", "stats"]) {
        assert.ok(k in items[0], k);
      }
      assert.ok(!("header" in items[0]), "responses say headers (plural)");
      const offset = elements(await call(sb, "GET", `/distributions?surveyId=${surveyId()}&offset=1`));
      assert.deepEqual(offset.map((i) => i.id), [b]);
      assertError(await call(sb, "GET", `/distributions?surveyId=${surveyId()}&offset=-2`), 400, /^offset/);
    });

    it("filters by distributionRequestType, mailingListId and send dates", async () => {
      const invite = await createId();
      const other = await createId((b) => { part(b, "recipients").mailingListId = sb.seedIds.mailingListIds[1]; b.sendDate = "2031-06-01T00:00:00Z"; });
      const list = async (q: string): Promise<unknown[]> => elements(await call(sb, "GET", `/distributions?surveyId=${surveyId()}&${q}`)).map((e) => e.id);
      assert.deepEqual(await list("distributionRequestType=Invite"), [invite, other]);
      assert.deepEqual(await list("distributionRequestType=Reminder"), []);
      assert.deepEqual(await list(`mailingListId=${sb.seedIds.mailingListIds[1]}`), [other]);
      assert.deepEqual(await list("sendStartDate=2031-01-01T00:00:00Z"), [other]);
      assert.deepEqual(await list("sendEndDate=2031-01-01T00:00:00Z"), [invite]);
      assertError(await call(sb, "GET", `/distributions?surveyId=${surveyId()}&distributionRequestType=Bulk`), 400, /^distributionRequestType must be one of/);
      assertError(await call(sb, "GET", `/distributions?surveyId=${surveyId()}&sendStartDate=yesterday`), 400, /^sendStartDate must be an ISO 8601/);
    });

    it("GET one needs surveyId and the right survey", async () => {
      const id = await createId();
      assertError(await call(sb, "GET", `/distributions/${id}`), 400, /^surveyId is required/);
      assertError(await call(sb, "GET", `/distributions/${id}?surveyId=${sb.seedIds.surveyIds[1]}`), 404);
      assertError(await call(sb, "GET", `/distributions/EMD_unknown00000000?surveyId=${surveyId()}`), 404);
    });

    it("counts responses completed through the distribution in stats", async () => {
      const id = await createId((b) => { b.sendDate = "2020-01-01T00:00:00Z"; });
      const d0 = await getDist(id);
      assert.equal(d0.requestStatus, "Done");
      assert.equal(obj(d0.stats).sent, 15);
      assert.equal(obj(d0.stats).finished, 0);
      await sb.completeResponse(surveyId(), undefined, { distributionId: id, recipientId: "CGC_x" });
      assert.equal(obj((await getDist(id)).stats).finished, 1);
    });

    it("a future sendDate is Pending", async () => {
      assert.equal((await getDist(await createId())).requestStatus, "Pending");
    });

    it("DELETE is meta-only and removes it; unknown → 404", async () => {
      const id = await createId();
      const del = await call(sb, "DELETE", `/distributions/${id}`);
      assert.deepEqual(Object.keys(obj(del.json)), ["meta"]);
      assertError(await call(sb, "GET", `/distributions/${id}?surveyId=${surveyId()}`), 404);
      assertError(await call(sb, "DELETE", `/distributions/${id}`), 404);
    });
  });

  describe("reminders and thank-yous (§5.5)", () => {
    const followUp = (message: Obj): Obj => ({
      header: { fromName: "Q", replyToEmail: "noreply@example.com", fromEmail: "noreply@example.com", subject: "Reminder" },
      message,
      sendDate: "2030-12-10T09:00:00Z",
    });

    it("POST …/reminders returns {distributionId: EMD_…} linked to the parent", async () => {
      const parent = await createId();
      const res = result(await call(sb, "POST", `/distributions/${parent}/reminders`, { body: followUp({ libraryId: sb.seedIds.libraryId, messageId: sb.seedIds.messageIds.reminder }) }));
      assert.deepEqual(Object.keys(res), ["distributionId"]);
      const d = await getDist(String(res.distributionId));
      assert.equal(d.parentDistributionId, parent);
      assert.equal(d.requestType, "Reminder");
    });

    it("POST …/thankyous needs a thankYou message", async () => {
      const parent = await createId();
      const ok = result(await call(sb, "POST", `/distributions/${parent}/thankyous`, { body: followUp({ libraryId: sb.seedIds.libraryId, messageId: sb.seedIds.messageIds.thankYou }) }));
      assert.equal((await getDist(String(ok.distributionId))).requestType, "ThankYou");
      assertError(await call(sb, "POST", `/distributions/${parent}/thankyous`, { body: followUp({ libraryId: sb.seedIds.libraryId, messageId: sb.seedIds.messageIds.invite }) }), 400, /expected "thankYou"/);
    });

    it("validates header and message like create", async () => {
      const parent = await createId();
      const body = followUp({ messageText: "Reminder!" });
      delete obj(body.header).subject;
      assertError(await call(sb, "POST", `/distributions/${parent}/reminders`, { body }), 400, /^header\.subject is required/);
      assertError(await call(sb, "POST", `/distributions/${parent}/reminders`, { body: followUp({}) }), 400, /^message needs/);
      assertError(await call(sb, "POST", `/distributions/${parent}/reminders`, { body: followUp({ libraryId: sb.seedIds.libraryId, messageId: sb.seedIds.messageIds.invite }) }), 400, /expected "reminder"/);
    });

    it("needs an existing Invite parent", async () => {
      assertError(await call(sb, "POST", "/distributions/EMD_unknown00000000/reminders", { body: followUp({ messageText: "x" }) }), 404);
      const links = String(result(await call(sb, "POST", "/distributions", { body: { action: "CreateDistribution", surveyId: surveyId(), mailingListId: sb.seedIds.mailingListIds[0] } })).id);
      assertError(await call(sb, "POST", `/distributions/${links}/reminders`, { body: followUp({ messageText: "x" }) }), 400, /need an Invite distribution/);
    });
  });

  describe("generated links (§5.3)", () => {
    const linksBody = (): Obj => ({
      surveyId: surveyId(), linkType: "Individual", description: "distribution 2019-06-24 00:00:00",
      action: "CreateDistribution", expirationDate: "2030-09-13T06:00:00Z", mailingListId: sb.seedIds.mailingListIds[0],
    });

    it("the flat action:CreateDistribution body returns {id: EMD_…} of type GeneratedInvite", async () => {
      const res = result(await call(sb, "POST", "/distributions", { body: linksBody() }));
      assert.match(String(res.id), /^EMD_[A-Za-z0-9]{15}$/);
      const d = await getDist(String(res.id));
      assert.equal(d.requestType, "GeneratedInvite");
      assert.equal(d.requestStatus, "Generated");
    });

    it("accepts expirationDate as ISO or YYYY-MM-DD HH:MM:SS and refuses others", async () => {
      const b = linksBody();
      b.expirationDate = "2030-01-21 00:00:00";
      assert.equal((await call(sb, "POST", "/distributions", { body: b })).status, 200);
      b.expirationDate = "21.01.2030";
      assertError(await call(sb, "POST", "/distributions", { body: b }), 400, /^expirationDate must be ISO 8601/);
    });

    const rules: Array<[string, Mutation, RegExp]> = [
      ["surveyId is required", (b) => { delete b.surveyId; }, /^surveyId is required/],
      ["surveyId must exist", (b) => { b.surveyId = "SV_unknown000000000"; }, /^surveyId: survey SV_unknown000000000 does not exist/],
      ["mailingListId is required", (b) => { delete b.mailingListId; }, /^mailingListId is required/],
      ["mailingListId must exist", (b) => { b.mailingListId = "CG_unknown000000000"; }, /^mailingListId: mailing list CG_unknown000000000 does not exist/],
      ["linkType must be known", (b) => { b.linkType = "Group"; }, /^linkType must be one of/],
      ["description must be a string", (b) => { b.description = 7; }, /^description must be a string/],
    ];
    for (const [name, mutate, message] of rules) {
      it(`links: ${name}`, async () => {
        const b = linksBody();
        mutate(b);
        assertError(await call(sb, "POST", "/distributions", { body: b }), 400, message);
      });
    }

    it("GET …/links?surveyId= lists one link per list member, then pages", async () => {
      const id = String(result(await call(sb, "POST", "/distributions", { body: linksBody() })).id);
      assertError(await call(sb, "GET", `/distributions/${id}/links`), 400, /^surveyId is required/);
      const { items } = await listAll(sb, `/distributions/${id}/links?surveyId=${surveyId()}&pageSize=10`);
      assert.equal(items.length, 15);
      for (const k of ["contactId", "transactionId", "link", "exceededContactFrequency", "linkExpiration", "status", "lastName", "firstName", "externalDataReference", "email", "unsubscribed"]) {
        assert.ok(k in items[0], k);
      }
      assert.equal(items[0].status, "Email not sent");
      assert.equal(items[0].linkExpiration, "2030-09-13T06:00:00Z");
      const link = String(items[0].link);
      assert.ok(link.startsWith(`${sb.url}/jfe/form/${surveyId()}?Q_DL=${id}_`), link);
      const page = await fetch(link);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Customer Satisfaction/);
    });

    it("GET …/links on a normal email distribution answers 500 (as observed)", async () => {
      const id = await createId();
      assertError(await call(sb, "GET", `/distributions/${id}/links?surveyId=${surveyId()}`), 500);
    });
  });

  it("reset() forgets created distributions", async () => {
    await createId();
    sb.reset();
    const r = await call(sb, "GET", `/distributions?surveyId=${surveyId()}`);
    assert.deepEqual(arr(result(r).elements), []);
  });
});
