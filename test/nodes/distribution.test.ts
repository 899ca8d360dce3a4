import assert from "node:assert/strict";
import { TOKEN } from "../support/nr-helper";
import { ok } from "../support/fake-servers";
import { useRecordingServer } from "../support/fixtures";
import { nodeUnderTest, useNodeRuntime } from "../support/node-test";
import { SV, ML, LIB, MS as MSGID, SMSD } from "../support/ids";

/** a valid email distribution as flat fields */
const EMAIL = {
  fromEmail: "noreply@example.com",
  fromName: "Example",
  replyToEmail: "reply@example.com",
  subject: "Survey Distribution",
  libraryId: LIB,
  messageId: MSGID,
  mailingListId: ML,
  surveyId: SV,
  sendDate: "2030-12-04T11:13:35Z",
};

describe("qualtrics-distribution", function () {
  const api = useRecordingServer();
  const done = useNodeRuntime();
  const { load, run, refused } = nodeUnderTest({ type: "qualtrics-distribution", apiBase: () => api.apiBase, defaults: { channel: "email" }, requests: () => api.requests });

  describe("email", function () {
    it("sends the body exactly as Qualtrics documents it, from the dialog's fields", async () => {
      const props: Record<string, unknown> = { expirationDate: "2031-01-01T00:00:00Z", linkType: "Individual" };
      for (const [k, v] of Object.entries(EMAIL)) props[k] = v;
      await load(props);
      api.reply(ok({ id: "EMD_4OQ4N84KC82cfaV" }, { requestId: "rq-email" }));
      const msg = await run({ topic: "kept" });
      assert.equal(api.requests.length, 1);
      const r = api.requests[0];
      assert.equal(r.method, "POST");
      assert.equal(r.path, "/API/v3/distributions");
      assert.equal(r.headers["x-api-token"], TOKEN);
      assert.match(String(r.headers["content-type"]), /^application\/json/);
      assert.deepEqual(r.body, {
        header: { fromEmail: "noreply@example.com", fromName: "Example", replyToEmail: "reply@example.com", subject: "Survey Distribution" },
        message: { libraryId: LIB, messageId: MSGID },
        recipients: { mailingListId: ML },
        surveyLink: { surveyId: SV, type: "Individual", expirationDate: "2031-01-01T00:00:00Z" },
        sendDate: "2030-12-04T11:13:35Z",
      });
      assert.deepEqual(msg.payload, { id: "EMD_4OQ4N84KC82cfaV" });
      assert.deepEqual(msg.qualtrics, { requestId: "rq-email", httpStatus: 200 });
      assert.equal(msg.topic, "kept");
      assert.equal(done.of("n").length, 1);
    });

    it("reads the nested Qualtrics shape from msg.payload; the dialog wins over it", async () => {
      await load({ subject: "From the dialog" });
      api.reply(ok({ id: "EMD_1" }));
      await run({
        payload: {
          header: { fromEmail: "a@example.com", fromName: "A", subject: "From the payload" },
          message: { messageText: "Hello ${l://SurveyLink}" },
          recipients: { mailingListId: ML, contactId: "CID_abc123" },
          surveyLink: { surveyId: SV, type: "Multiple" },
          sendDate: "2030-01-02T03:04:05Z",
          embeddedData: { campaign: "spring", wave: 2 },
        },
      });
      assert.deepEqual(api.requests[0].body, {
        header: { fromEmail: "a@example.com", fromName: "A", replyToEmail: "a@example.com", subject: "From the dialog" },
        message: { messageText: "Hello ${l://SurveyLink}" },
        recipients: { mailingListId: ML, contactId: "CID_abc123" },
        surveyLink: { surveyId: SV, type: "Multiple" },
        sendDate: "2030-01-02T03:04:05Z",
        embeddedData: { campaign: "spring", wave: "2" },
      });
    });

    it("sends to a transaction batch, and defaults sendDate to now without milliseconds", async () => {
      await load({});
      api.reply(ok({ id: "EMD_2" }));
      const before = Date.now();
      await run({ payload: { ...EMAIL, mailingListId: undefined, transactionBatchId: "BT_abc", sendDate: undefined } });
      const body = api.requests[0].body as { recipients: unknown; sendDate: string };
      assert.deepEqual(body.recipients, { transactionBatchId: "BT_abc" });
      assert.match(body.sendDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.ok(Math.abs(Date.parse(body.sendDate) - before) < 5000);
    });

    const dates: Array<[string, unknown, string]> = [
      ["an ISO string with an offset and milliseconds", "2030-06-01T12:30:45.678+02:00", "2030-06-01T10:30:45Z"],
      ["a date-time without a zone (read as UTC)", "2030-06-01 12:30:45", "2030-06-01T12:30:45Z"],
      ["epoch milliseconds", Date.UTC(2030, 5, 1, 8, 0, 0, 999), "2030-06-01T08:00:00Z"],
      ["a Date object", new Date(Date.UTC(2030, 5, 1, 23, 59, 58, 1)), "2030-06-01T23:59:58Z"],
    ];
    for (const [what, value, expected] of dates) {
      it(`takes sendDate from ${what} (msg typedInput) and sends ISO UTC without millis`, async () => {
        await load({ sendDate: "schedule.at", sendDateType: "msg" });
        api.reply(ok({ id: "EMD_3" }));
        await run({ schedule: { at: value }, payload: { ...EMAIL, sendDate: "2099-01-01T00:00:00Z" } });
        assert.equal((api.requests[0].body as { sendDate: string }).sendDate, expected);
      });
    }

    it("takes the channel from msg.channel when the node says so", async () => {
      await load({ channel: "msg" });
      api.reply(ok({ id: SMSD }));
      await run({ channel: "SMS", payload: { method: "Invite", surveyId: SV, mailingListId: ML, messageText: "Hi", sendDate: EMAIL.sendDate } });
      assert.equal(api.requests[0].path, "/API/v3/distributions/sms");
      api.reply(ok({}));
      assert.match(await refused({ channel: "fax", payload: EMAIL }), /^msg\.channel: must be one of email, sms/);
    });

    const violations: Array<[string, Record<string, unknown>, RegExp]> = [
      ["no fromEmail", { fromEmail: undefined }, /^From \(header\.fromEmail\): is required/],
      ["a bad fromEmail", { fromEmail: "noreply" }, /^From \(header\.fromEmail\): "noreply" is not an email address/],
      ["no fromName", { fromName: "" }, /^From name \(header\.fromName\): is required/],
      ["no subject", { subject: undefined }, /^Subject \(header\.subject\): is required/],
      ["a bad replyToEmail", { replyToEmail: "x@" }, /^Reply to \(header\.replyToEmail\): /],
      ["no message", { libraryId: undefined, messageId: undefined }, /^Message: is required/],
      ["a library message and messageText", { messageText: "Hi" }, /^Message: give either/],
      ["libraryId without messageId", { messageId: undefined }, /^Message \(message\.messageId\): is required with message\.libraryId/],
      ["messageId without libraryId", { libraryId: undefined }, /^Library \(message\.libraryId\): is required with message\.messageId/],
      ["a messageId that is not MS_", { messageId: "EMD_1" }, /^Message \(message\.messageId\): "EMD_1" is not a message ID/],
      ["no recipients", { mailingListId: undefined }, /^Recipients: is required/],
      ["a mailing list and a transaction batch", { transactionBatchId: "BT_1" }, /^Recipients: give either mailingListId or transactionBatchId/],
      ["a contactId without a mailing list", { mailingListId: undefined, transactionBatchId: "BT_1", contactId: "CID_1" }, /^Contact \(recipients\.contactId\): can only be used together/],
      ["a contactId that is not one", { contactId: "SV_1" }, /^Contact \(recipients\.contactId\): /],
      ["a mailingListId that is not CG_", { mailingListId: "POOL_1" }, /^Mailing list \(recipients\.mailingListId\): /],
      ["no surveyId", { surveyId: undefined }, /^Survey \(surveyLink\.surveyId\): is required/],
      ["a surveyId that is not SV_", { surveyId: "SV-1" }, /^Survey \(surveyLink\.surveyId\): /],
      ["an unknown link type", { linkType: "Personal" }, /^Link type \(surveyLink\.type\): must be one of Individual, Multiple, Anonymous/],
      ["an expiration before the send date", { expirationDate: "2030-12-01T00:00:00Z" }, /^Link expires \(surveyLink\.expirationDate\): must be after sendDate/],
      ["an expiration that is not a date", { expirationDate: "next week" }, /^Link expires \(surveyLink\.expirationDate\): /],
      ["a sendDate that is not a date", { sendDate: "tomorrow" }, /^Send at: "tomorrow" is not an ISO 8601 date/],
      ["a sendDate that does not exist", { sendDate: "2030-02-30" }, /^Send at: "2030-02-30" is not a real date/],
      ["a sendDate of the wrong type", { sendDate: true }, /^Send at: must be an ISO 8601 string, epoch milliseconds or a Date/],
      ["embeddedData that is an array", { embeddedData: ["a"] }, /^Embedded data: must be an object/],
      ["an embeddedData value over 1024 characters", { embeddedData: { long: "x".repeat(1025) } }, /^Embedded data \(embeddedData\.long\): values are limited to 1024/],
    ];
    for (const [what, change, re] of violations) {
      it(`refuses ${what}, naming the field, with no request`, async () => {
        await load({});
        api.reply(ok({ id: "EMD_x" }));
        assert.match(await refused({ payload: { ...EMAIL, ...change } }), re);
        assert.equal(done.of("n").length, 1);
      });
    }

    it("sends from the dialog's fields when msg.payload is no object (an inject's timestamp)", async () => {
      await load({ ...EMAIL });
      api.reply(ok({ id: "EMD_fromInject" }));
      const msg = await run({ payload: 1767225600000 });
      assert.deepEqual(msg.payload, { id: "EMD_fromInject" });
      assert.deepEqual((api.requests[0].body as { header: unknown }).header, {
        fromEmail: EMAIL.fromEmail, fromName: EMAIL.fromName, replyToEmail: EMAIL.replyToEmail, subject: EMAIL.subject,
      });
    });

    it("names a field neither the dialog nor a payload of another kind gives by its label", async () => {
      const { fromEmail: _unset, ...rest } = EMAIL;
      await load({ ...rest });
      api.reply(ok({ id: "EMD_x" }));
      assert.match(await refused({ payload: "send it" }), /^From \(header\.fromEmail\): is required/);
    });
  });

  describe("sms", function () {
    const base = { surveyId: SV, sendDate: "2030-06-17T00:36:42Z" };
    const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
      [
        "Invite",
        { ...base, method: "Invite", mailingListId: ML, libraryId: LIB, messageId: MSGID, name: "Example Survey" },
        { surveyId: SV, method: "Invite", sendDate: base.sendDate, recipients: { mailingListId: ML }, name: "Example Survey", message: { libraryId: LIB, messageId: MSGID } },
      ],
      [
        "Interactive",
        { ...base, method: "interactive", mailingListId: ML, contactId: "CID_abc" },
        { surveyId: SV, method: "Interactive", sendDate: base.sendDate, recipients: { mailingListId: ML, contactId: "CID_abc" }, name: `Interactive ${base.sendDate}` },
      ],
      [
        "Reminder",
        { ...base, method: "Reminder", parentDistributionId: SMSD, messageText: "Reminder: ${l://SurveyLink}" },
        { surveyId: SV, method: "Reminder", sendDate: base.sendDate, recipients: {}, parentDistributionId: SMSD, name: `Reminder ${base.sendDate}`, message: { messageText: "Reminder: ${l://SurveyLink}" } },
      ],
      [
        "ThankYou",
        { ...base, method: "ThankYou", parentDistributionId: SMSD, libraryId: LIB, messageId: MSGID, name: "Thanks" },
        { surveyId: SV, method: "ThankYou", sendDate: base.sendDate, recipients: {}, parentDistributionId: SMSD, name: "Thanks", message: { libraryId: LIB, messageId: MSGID } },
      ],
    ];
    for (const [method, payload, expected] of cases) {
      it(`sends the ${method} body to /distributions/sms`, async () => {
        await load({ channel: "sms" });
        api.reply(ok({ id: SMSD, requestStatus: "Scheduled" }));
        const msg = await run({ payload });
        assert.deepEqual(msg.payload, { id: SMSD, requestStatus: "Scheduled" });
        assert.equal(api.requests.length, 1);
        const r = api.requests[0];
        assert.equal(r.method, "POST");
        assert.equal(r.path, "/API/v3/distributions/sms");
        assert.equal(r.headers["x-api-token"], TOKEN);
        assert.deepEqual(r.body, expected);
      });
    }

    it("takes the name from the dialog's smsName and every field from typedInputs", async () => {
      await load({ channel: "sms", method: "Invite", smsName: "batch", smsNameType: "msg", surveyId: SV, mailingListId: ML, messageText: "Hi", sendDate: base.sendDate });
      api.reply(ok({ id: SMSD }));
      const msg = await run({ batch: "Spring wave" });
      assert.deepEqual(api.requests[0].body, { surveyId: SV, method: "Invite", sendDate: base.sendDate, recipients: { mailingListId: ML }, name: "Spring wave", message: { messageText: "Hi" } });
      assert.deepEqual(msg.payload, { id: SMSD });
    });

    const violations: Array<[string, Record<string, unknown>, RegExp]> = [
      ["no method", { method: undefined }, /^SMS type: is required/],
      ["an unknown method", { method: "Broadcast" }, /^SMS type: must be one of Invite, Interactive, Reminder, ThankYou/],
      ["an Invite without a mailing list", { mailingListId: undefined }, /^Mailing list \(recipients\.mailingListId\): is required for Invite/],
      ["a Reminder with a mailing list", { method: "Reminder", parentDistributionId: SMSD }, /^Mailing list \(recipients\.mailingListId\): is not allowed for Reminder/],
      ["a ThankYou without a parent", { method: "ThankYou", mailingListId: undefined }, /^Parent: is required for ThankYou/],
      ["an Invite with a parent", { parentDistributionId: SMSD }, /^Parent: is only for Reminder and ThankYou/],
      ["a parent that is not an SMS distribution", { method: "Reminder", mailingListId: undefined, parentDistributionId: "EMD_1" }, /^Parent: "EMD_1" is not an SMS distribution ID/],
      ["an Invite without a message", { messageText: undefined }, /^Message: is required/],
      ["messageText over 10,000 characters", { messageText: "x".repeat(10_001) }, /^Text \(message\.messageText\): is limited to 10,000/],
      ["a name over 100 characters", { name: "n".repeat(101) }, /^name: is limited to 100/],
      ["no surveyId", { surveyId: undefined }, /^Survey: is required/],
      ["a sendDate before 2000", { sendDate: "1999-12-31T23:59:59Z" }, /^Send at: year 1999 is out of range/],
    ];
    for (const [what, change, re] of violations) {
      it(`refuses ${what}, naming the field, with no request`, async () => {
        await load({ channel: "sms" });
        api.reply(ok({ id: SMSD }));
        const payload = { ...base, method: "Invite", mailingListId: ML, messageText: "Hi", ...change };
        assert.match(await refused({ payload }), re);
      });
    }
  });
});
