import assert from "node:assert/strict";
import { createFollowUp, followUpBody, followUpResult, generateLinks, generateLinksBody } from "../../src/distribution-followups";
import { QualtricsApiError, QualtricsInputError } from "../../src/errors";
import { fail, ok } from "../support/fake-servers";
import { failure, useClients } from "./helpers";
import { okFirst, useRecordingServer } from "../support/fixtures";
import { SV, ML, LIB, MS, EMD } from "../support/ids";

const HEADER = { fromEmail: "noreply@example.com", fromName: "Example", subject: "Reminder" };

async function inputError(p: () => unknown, field: string, problem?: RegExp): Promise<void> {
  const e = await failure<QualtricsInputError>(p);
  assert.ok(e instanceof QualtricsInputError, e.message);
  assert.equal(e.field, field);
  if (problem) assert.match(e.message, problem);
}

describe("distribution follow-ups and generated links (docs/qualtrics-facts.md §5.3, §5.5)", function () {
  const api = useRecordingServer(okFirst);
  const clients = useClients();

  describe("followUpBody", function () {
    it("builds header, library message and sendDate as §5.5 documents; reply-to defaults to the sender", function () {
      const body = followUpBody({ ...HEADER, libraryId: LIB, messageId: MS, sendDate: "2030-02-01T09:00:00.123Z" });
      assert.deepEqual(body, {
        header: { fromEmail: "noreply@example.com", fromName: "Example", replyToEmail: "noreply@example.com", subject: "Reminder" },
        message: { libraryId: LIB, messageId: MS },
        sendDate: "2030-02-01T09:00:00Z",
      });
    });

    it("takes an inline text instead of a library message, and defaults sendDate to now without milliseconds", function () {
      const before = Date.now();
      const body = followUpBody({ ...HEADER, replyToEmail: "reply@example.com", messageText: "Hi ${m://FirstName}" });
      assert.deepEqual(body.message, { messageText: "Hi ${m://FirstName}" });
      assert.equal(body.header.replyToEmail, "reply@example.com");
      assert.match(body.sendDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.ok(Date.parse(body.sendDate) >= Math.floor(before / 1000) * 1000);
    });

    it("leaves the recipients out: they are the parent's", function () {
      const body = followUpBody({ ...HEADER, messageText: "x", mailingListId: ML, contactId: "CID_1" });
      assert.deepEqual(Object.keys(body).sort(), ["header", "message", "sendDate"]);
    });

    const refusals: Array<[string, Record<string, unknown>, string, RegExp?]> = [
      ["no sender", { fromName: "A", subject: "S", messageText: "x" }, "header.fromEmail", /required/],
      ["a bad sender", { ...HEADER, fromEmail: "nobody", messageText: "x" }, "header.fromEmail", /not an email/],
      ["no sender name", { fromEmail: "a@example.com", subject: "S", messageText: "x" }, "header.fromName"],
      ["no subject", { fromEmail: "a@example.com", fromName: "A", messageText: "x" }, "header.subject"],
      ["a bad reply-to", { ...HEADER, replyToEmail: "x@", messageText: "x" }, "header.replyToEmail"],
      ["no message", { ...HEADER }, "message", /required/],
      ["a text and a library message", { ...HEADER, messageText: "x", libraryId: LIB, messageId: MS }, "message", /not both/],
      ["a library without a message", { ...HEADER, libraryId: LIB }, "message.messageId"],
      ["a message ID of the wrong kind", { ...HEADER, libraryId: LIB, messageId: "CG_1" }, "message.messageId", /MS_/],
      ["a bad send date", { ...HEADER, messageText: "x", sendDate: "next week" }, "sendDate"],
    ];
    for (const [what, input, field, problem] of refusals) {
      it(`refuses ${what}, naming ${field}`, async () => inputError(() => followUpBody(input), field, problem));
    }
  });

  describe("createFollowUp", function () {
    for (const [kind, path] of [["reminder", "reminders"], ["thankYou", "thankyous"]] as const) {
      it(`${kind}: POST /distributions/{parent}/${path}, and the result under id and distributionId`, async function () {
        const client = clients.make(api.apiBase);
        api.reply(ok({ distributionId: "EMD_new0000000000001" }, { requestId: "rq-1" }));
        const body = followUpBody({ ...HEADER, libraryId: LIB, messageId: MS, sendDate: "2030-01-01T00:00:00Z" });
        const res = await createFollowUp(client, kind, EMD, body);
        assert.equal(api.requests.length, 1);
        assert.equal(api.requests[0].method, "POST");
        assert.equal(api.requests[0].path, `/API/v3/distributions/${EMD}/${path}`);
        assert.deepEqual(api.requests[0].body, body);
        assert.deepEqual(res.result, { id: "EMD_new0000000000001", distributionId: "EMD_new0000000000001", parentDistributionId: EMD });
        assert.equal(res.requestId, "rq-1");
      });
    }

    it("accepts a result keyed id as well (UNCONFIRMED §5.5)", function () {
      assert.deepEqual(followUpResult({ id: "EMD_x" }, EMD), { id: "EMD_x", distributionId: "EMD_x", parentDistributionId: EMD });
      assert.deepEqual(followUpResult(undefined, EMD), { parentDistributionId: EMD });
    });

    it("refuses a parent that is not an email distribution, before any request", async function () {
      const client = clients.make(api.apiBase);
      const body = followUpBody({ ...HEADER, messageText: "x" });
      await inputError(() => createFollowUp(client, "reminder", "SMSD_123", body), "distributionId", /EMD_/);
      await inputError(() => createFollowUp(client, "reminder", "", body), "distributionId", /required/);
      assert.equal(api.requests.length, 0);
    });

    it("does not retry a 500 (the reminder may have been scheduled) and says so", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(500, "Internal error", "SERVER_1"));
      const e = await failure<QualtricsApiError>(() => createFollowUp(client, "reminder", EMD, followUpBody({ ...HEADER, messageText: "x" })));
      assert.ok(e instanceof QualtricsApiError);
      assert.equal(e.mayHaveSucceeded, true);
      assert.equal(api.requests.length, 1);
    });
  });

  describe("generateLinksBody and generateLinks", function () {
    it("sends the flat CreateDistribution body of §5.3, Individual by default, with a description", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ id: "EMD_HqyMlaZufKzJvMc" }));
      const body = generateLinksBody({ surveyId: SV, mailingListId: ML, expirationDate: "2099-09-13 06:00:00", description: "spring links" });
      assert.deepEqual(body, {
        action: "CreateDistribution", surveyId: SV, mailingListId: ML, linkType: "Individual", description: "spring links", expirationDate: "2099-09-13T06:00:00Z",
      });
      const res = await generateLinks(client, body);
      assert.equal(api.requests[0].method, "POST");
      assert.equal(api.requests[0].path, "/API/v3/distributions");
      assert.deepEqual(api.requests[0].body, body);
      assert.deepEqual(res.result, { id: "EMD_HqyMlaZufKzJvMc", surveyId: SV, mailingListId: ML });
    });

    it("names the links distribution when no description is given, and leaves out an empty expiration", function () {
      const body = generateLinksBody({ surveyId: SV, mailingListId: ML, linkType: "multiple" });
      assert.match(body.description, /^Node-RED links \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      assert.equal(body.linkType, "Multiple");
      assert.equal("expirationDate" in body, false);
    });

    const refusals: Array<[string, Record<string, unknown>, string, RegExp?]> = [
      ["no survey", { mailingListId: ML }, "surveyId", /required/],
      ["no mailing list", { surveyId: SV }, "mailingListId", /required/],
      ["a mailing list of the wrong kind", { surveyId: SV, mailingListId: "POOL_1" }, "mailingListId", /CG_/],
      ["a single contact", { surveyId: SV, mailingListId: ML, contactId: "CID_1" }, "contactId", /every contact of the mailing list/],
      ["a transaction batch", { surveyId: SV, mailingListId: ML, transactionBatchId: "BT_1" }, "transactionBatchId"],
      ["an unknown link type", { surveyId: SV, mailingListId: ML, linkType: "Everyone" }, "linkType"],
      ["an expiration in the past", { surveyId: SV, mailingListId: ML, expirationDate: "2020-01-01T00:00:00Z" }, "expirationDate", /future/],
      ["a date that does not exist", { surveyId: SV, mailingListId: ML, expirationDate: "2099-02-30" }, "expirationDate"],
      ["a description that is not text", { surveyId: SV, mailingListId: ML, description: { a: 1 } }, "description"],
    ];
    for (const [what, input, field, problem] of refusals) {
      it(`refuses ${what}, naming ${field}`, async () => inputError(() => generateLinksBody(input), field, problem));
    }
  });
});
