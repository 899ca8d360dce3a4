import assert from "node:assert/strict";
import sinon from "sinon";
import {
  createEmailDistribution,
  createSmsDistribution,
  DistributionInput,
  emailDistributionBody,
  flatInputOf,
  fromPayload,
  mergeInputs,
  SMS_MIN_TIMEOUT_MS,
  smsDistributionBody,
} from "../../src/distributions";
import { QualtricsApiError } from "../../src/errors";
import { ok } from "../support/fake-servers";
import { failure, useClients, thrownInputError } from "./helpers";
import { useRecordingServer } from "../support/fixtures";
import { LIB, MS as MSG, ML, SV, SMSD } from "../support/ids";

const EMAIL: DistributionInput = {
  fromEmail: "noreply@qualtrics.com",
  fromName: "Qualtrics",
  subject: "Survey Distribution",
  libraryId: LIB,
  messageId: MSG,
  mailingListId: ML,
  surveyId: SV,
  sendDate: "2030-12-04T11:13:35Z",
};

const SMS: DistributionInput = {
  method: "Invite",
  surveyId: "SV_080LO2R7csetMK9",
  sendDate: "2030-06-17T00:36:42Z",
  mailingListId: "CG_bwM2NGGLJ6oftCR",
  name: "Example Survey",
  libraryId: "UR_eDPqMQLv8yQZnIF",
  messageId: "MS_8vlfvwn12wdf6D3",
};

const inputError = thrownInputError;

const email = (over: DistributionInput) => emailDistributionBody({ ...EMAIL, ...over });
const sms = (over: DistributionInput) => smsDistributionBody({ ...SMS, ...over });

describe("distributions (docs/qualtrics-facts.md §5.2, §5.6)", function () {
  it("knows which flat input fills a place of the body, and nothing else", () => {
    assert.equal(flatInputOf("header.fromEmail"), "fromEmail");
    assert.equal(flatInputOf("surveyLink.type"), "linkType");
    assert.equal(flatInputOf("recipients.mailingListId"), "mailingListId");
    for (const other of ["header", "embeddedData.tier", "header.constructor", "header.__proto__", "fromEmail", "sendDate"]) {
      assert.equal(flatInputOf(other), undefined, other);
    }
  });

  describe("email body", function () {
    it("has the official shape", function () {
      assert.deepEqual(emailDistributionBody({ ...EMAIL, replyToEmail: "reply@qualtrics.com", expirationDate: "2031-09-13T00:00:00Z" }), {
        header: { fromEmail: "noreply@qualtrics.com", fromName: "Qualtrics", replyToEmail: "reply@qualtrics.com", subject: "Survey Distribution" },
        message: { libraryId: LIB, messageId: MSG },
        recipients: { mailingListId: ML },
        surveyLink: { surveyId: SV, type: "Individual", expirationDate: "2031-09-13T00:00:00Z" },
        sendDate: "2030-12-04T11:13:35Z",
      });
    });

    it("replyToEmail defaults to fromEmail; type defaults to Individual", function () {
      const b = email({});
      assert.equal(b.header.replyToEmail, "noreply@qualtrics.com");
      assert.equal(b.surveyLink.type, "Individual");
      assert.equal(email({ linkType: "" }).surveyLink.type, "Individual");
      assert.equal("expirationDate" in b.surveyLink, false);
      assert.equal("embeddedData" in b, false);
    });

    it("sendDate defaults to now, without milliseconds", function () {
      const clock = sinon.useFakeTimers({ now: Date.UTC(2030, 0, 2, 3, 4, 5, 678), toFake: ["Date"] });
      try {
        assert.equal(email({ sendDate: undefined }).sendDate, "2030-01-02T03:04:05Z");
        assert.equal(email({ sendDate: "" }).sendDate, "2030-01-02T03:04:05Z");
      } finally {
        clock.restore();
      }
    });

    it("dates are normalised to ISO Z without milliseconds", function () {
      const b = email({ sendDate: "2030-12-04 11:13:35", expirationDate: Date.UTC(2031, 0, 1, 0, 0, 0, 500) });
      assert.equal(b.sendDate, "2030-12-04T11:13:35Z");
      assert.equal(b.surveyLink.expirationDate, "2031-01-01T00:00:00Z");
    });

    it("linkType takes Individual, Multiple or Anonymous", function () {
      assert.equal(email({ linkType: "Multiple" }).surveyLink.type, "Multiple");
      assert.equal(email({ linkType: "anonymous" }).surveyLink.type, "Anonymous");
      inputError(() => email({ linkType: "Public" }), "surveyLink.type", /Individual, Multiple, Anonymous/);
    });

    it("embeddedData is sent as strings", function () {
      assert.deepEqual(email({ embeddedData: { tier: 3, vip: true } }).embeddedData, { tier: "3", vip: "true" });
      inputError(() => email({ embeddedData: { k: "v".repeat(1025) } }), "embeddedData.k");
    });

    it("header fields are required and checked", function () {
      inputError(() => email({ fromEmail: undefined }), "header.fromEmail", /is required/);
      inputError(() => email({ fromEmail: "noreply" }), "header.fromEmail", /not an email/);
      inputError(() => email({ fromName: "" }), "header.fromName", /is required/);
      inputError(() => email({ subject: undefined }), "header.subject", /is required/);
      inputError(() => email({ replyToEmail: "nobody" }), "header.replyToEmail", /not an email/);
    });

    describe("message: exactly one of a library message or messageText", function () {
      it("both is refused", function () {
        inputError(() => email({ messageText: "Hello" }), "message", /not both/);
      });
      it("libraryId without messageId is refused", function () {
        inputError(() => email({ messageId: undefined }), "message.messageId", /required/);
      });
      it("messageId without libraryId is refused", function () {
        inputError(() => email({ libraryId: undefined }), "message.libraryId", /required/);
      });
      it("neither is refused", function () {
        inputError(() => email({ libraryId: undefined, messageId: undefined }), "message", /required/);
      });
      it("messageText alone is used", function () {
        assert.deepEqual(email({ libraryId: undefined, messageId: undefined, messageText: "Take our survey" }).message, { messageText: "Take our survey" });
      });
      it("a group library (GR_) is accepted; a wrong prefix is refused", function () {
        assert.equal(email({ libraryId: "GR_8jjjgh5XPTwmjit" }).message.libraryId, "GR_8jjjgh5XPTwmjit");
        inputError(() => email({ libraryId: "SV_1" }), "message.libraryId");
        inputError(() => email({ messageId: "UR_1" }), "message.messageId");
      });
    });

    describe("recipients", function () {
      it("exactly one of mailingListId and transactionBatchId", function () {
        inputError(() => email({ transactionBatchId: "BT_123" }), "recipients", /not both/);
        inputError(() => email({ mailingListId: undefined }), "recipients", /required/);
        assert.deepEqual(email({ mailingListId: undefined, transactionBatchId: "BT_123" }).recipients, { transactionBatchId: "BT_123" });
      });

      it("a batch ID of any PREFIX_ shape (BT_ is UNCONFIRMED, §4.7), never a transaction ID; a single transaction is for SMS only", function () {
        assert.deepEqual(email({ mailingListId: undefined, transactionBatchId: "TB_0A1b2C3d4E5f6G7" }).recipients, { transactionBatchId: "TB_0A1b2C3d4E5f6G7" });
        inputError(() => email({ mailingListId: undefined, transactionBatchId: "CTR_0A1b2C3d4E5f6G7" }), "recipients.transactionBatchId", /not a transaction batch ID/);
        inputError(() => email({ mailingListId: undefined, transactionBatchId: "BT 1" }), "recipients.transactionBatchId");
        inputError(() => email({ transactionId: "CTR_0A1b2C3d4E5f6G7" }), "recipients.transactionId", /SMS only/);
        assert.equal(fromPayload({ recipients: { transactionId: "CTR_1" } }).transactionId, "CTR_1");
      });

      it("contactId only together with mailingListId", function () {
        assert.deepEqual(email({ contactId: "CID_012345678901234" }).recipients, { mailingListId: ML, contactId: "CID_012345678901234" });
        assert.deepEqual(email({ contactId: "CGC_GiMUyLkGpEZsVF3" }).recipients, { mailingListId: ML, contactId: "CGC_GiMUyLkGpEZsVF3" });
        inputError(() => email({ mailingListId: undefined, transactionBatchId: "BT_1", contactId: "CID_1" }), "recipients.contactId", /mailingListId/);
        inputError(() => email({ contactId: "SV_1" }), "recipients.contactId");
      });

      it("a mailing list ID is CG_, or a legacy ML_ one as real answers show (§13); another kind of ID is refused", function () {
        assert.equal(email({ mailingListId: "ML_4kTq9ZbWm2PxLvA" }).recipients.mailingListId, "ML_4kTq9ZbWm2PxLvA");
        inputError(() => email({ mailingListId: "SV_4kTq9ZbWm2PxLvA" }), "recipients.mailingListId", /it looks like a survey ID/);
      });

      it("a contact can be a mailing list member's MLRP_ lookup ID (§13)", function () {
        assert.equal(email({ mailingListId: "ML_4kTq9ZbWm2PxLvA", contactId: "MLRP_9zYxWvUt8sRqPo1" }).recipients.contactId, "MLRP_9zYxWvUt8sRqPo1");
      });
    });

    it("surveyId is required and must be SV_", function () {
      inputError(() => email({ surveyId: undefined }), "surveyLink.surveyId", /is required/);
      inputError(() => email({ surveyId: "EMD_1" }), "surveyLink.surveyId", /survey ID/);
    });

    it("expirationDate must be after sendDate", function () {
      inputError(() => email({ expirationDate: "2030-12-04T11:13:35Z" }), "surveyLink.expirationDate", /after sendDate/);
      inputError(() => email({ expirationDate: "2030-12-01" }), "surveyLink.expirationDate", /after sendDate/);
      assert.equal(email({ expirationDate: "2030-12-04T11:13:36Z" }).surveyLink.expirationDate, "2030-12-04T11:13:36Z");
      inputError(() => email({ sendDate: undefined, expirationDate: "2020-01-01" }), "surveyLink.expirationDate", /after sendDate/);
      inputError(() => email({ expirationDate: "2031-02-30" }), "surveyLink.expirationDate", /not a real date/);
      inputError(() => email({ sendDate: "soon" }), "sendDate");
    });

    it("messageText is limited to 10,000 characters", function () {
      const base = { libraryId: undefined, messageId: undefined };
      assert.equal(email({ ...base, messageText: "x".repeat(10_000) }).message.messageText?.length, 10_000);
      inputError(() => email({ ...base, messageText: "x".repeat(10_001) }), "message.messageText", /10,000/);
    });
  });

  describe("SMS body", function () {
    it("has the official shape", function () {
      assert.deepEqual(smsDistributionBody(SMS), {
        method: "Invite",
        surveyId: "SV_080LO2R7csetMK9",
        sendDate: "2030-06-17T00:36:42Z",
        name: "Example Survey",
        recipients: { mailingListId: "CG_bwM2NGGLJ6oftCR" },
        message: { libraryId: "UR_eDPqMQLv8yQZnIF", messageId: "MS_8vlfvwn12wdf6D3" },
      });
    });

    it("method is Invite, Interactive, Reminder or ThankYou", function () {
      assert.equal(sms({ method: "interactive" }).method, "Interactive");
      assert.equal(sms({ method: "thankyou", mailingListId: undefined, parentDistributionId: SMSD }).method, "ThankYou");
      inputError(() => sms({ method: "Email" }), "method", /Invite, Interactive, Reminder, ThankYou/);
      inputError(() => sms({ method: undefined }), "method", /is required/);
    });

    it("mailingListId is required for Invite and Interactive", function () {
      for (const method of ["Invite", "Interactive"]) {
        inputError(() => sms({ method, mailingListId: undefined }), "recipients.mailingListId", /required/);
      }
    });

    it("an Invite may go to a batch or one transaction, with or without the list (UNCONFIRMED whether the list is needed, §5.6)", function () {
      assert.deepEqual(sms({ transactionBatchId: "BT_0A1b2C3d4E5f6G7" }).recipients, { mailingListId: "CG_bwM2NGGLJ6oftCR", transactionBatchId: "BT_0A1b2C3d4E5f6G7" });
      assert.deepEqual(sms({ mailingListId: undefined, transactionId: "CTR_0A1b2C3d4E5f6G7" }).recipients, { transactionId: "CTR_0A1b2C3d4E5f6G7" });
      inputError(() => sms({ transactionBatchId: "BT_0A1b2C3d4E5f6G7", transactionId: "CTR_0A1b2C3d4E5f6G7" }), "recipients", /only one of/);
      inputError(() => sms({ contactId: "CID_012345678901234", transactionId: "CTR_0A1b2C3d4E5f6G7" }), "recipients", /only one of/);
      inputError(() => sms({ transactionId: "BT_0A1b2C3d4E5f6G7" }), "recipients.transactionId", /expected CTR_/);
      inputError(() => sms({ method: "Reminder", mailingListId: undefined, parentDistributionId: SMSD, transactionBatchId: "BT_1" }), "recipients.transactionBatchId", /not allowed/);
    });

    it("mailingListId is refused for Reminder and ThankYou", function () {
      for (const method of ["Reminder", "ThankYou"]) {
        inputError(() => sms({ method, parentDistributionId: SMSD }), "recipients.mailingListId", /not allowed/);
      }
    });

    it("parentDistributionId is required for Reminder and ThankYou", function () {
      for (const method of ["Reminder", "ThankYou"]) {
        inputError(() => sms({ method, mailingListId: undefined }), "parentDistributionId", /required/);
        const b = sms({ method, mailingListId: undefined, parentDistributionId: SMSD });
        assert.equal(b.parentDistributionId, SMSD);
        assert.deepEqual(b.recipients, {});
      }
    });

    it("parentDistributionId is refused otherwise, and must be an SMSD_ ID", function () {
      for (const method of ["Invite", "Interactive"]) {
        inputError(() => sms({ method, parentDistributionId: SMSD }), "parentDistributionId", /only for Reminder and ThankYou/);
      }
      inputError(() => sms({ method: "Reminder", mailingListId: undefined, parentDistributionId: "EMD_4OQ4N84KC82cfaV" }), "parentDistributionId");
    });

    it("a message is required except for Interactive", function () {
      const none = { libraryId: undefined, messageId: undefined };
      inputError(() => sms({ ...none }), "message", /required/);
      inputError(() => sms({ ...none, method: "Reminder", mailingListId: undefined, parentDistributionId: SMSD }), "message", /required/);
      const interactive = sms({ ...none, method: "Interactive" });
      assert.equal("message" in interactive, false);
    });

    it("a message is one of a library message or messageText", function () {
      inputError(() => sms({ messageText: "Hi" }), "message", /not both/);
      inputError(() => sms({ messageId: undefined }), "message.messageId");
      assert.deepEqual(sms({ libraryId: undefined, messageId: undefined, messageText: "Take our survey: ${l://SurveyLink}" }).message, {
        messageText: "Take our survey: ${l://SurveyLink}",
      });
    });

    it("name is at most 100 characters, with a default", function () {
      assert.equal(sms({ name: "n".repeat(100) }).name.length, 100);
      inputError(() => sms({ name: "n".repeat(101) }), "name", /100/);
      assert.equal(sms({ name: undefined }).name, "Invite 2030-06-17T00:36:42Z");
    });

    it("messageText is at most 10,000 characters", function () {
      const base = { libraryId: undefined, messageId: undefined };
      assert.equal(sms({ ...base, messageText: "x".repeat(10_000) }).message?.messageText?.length, 10_000);
      inputError(() => sms({ ...base, messageText: "x".repeat(10_001) }), "message.messageText", /10,000/);
    });

    it("surveyId is required", function () {
      inputError(() => sms({ surveyId: undefined }), "surveyId", /is required/);
      inputError(() => sms({ surveyId: "CG_1" }), "surveyId");
    });

    it("an individual contact, sample or batch can be added", function () {
      assert.deepEqual(sms({ contactId: "CID_1", sampleId: "SMP_1" }).recipients, { mailingListId: "CG_bwM2NGGLJ6oftCR", contactId: "CID_1", sampleId: "SMP_1" });
      inputError(() => sms({ contactId: "bob" }), "recipients.contactId");
    });

    it("sendDate defaults to now, without milliseconds", function () {
      const clock = sinon.useFakeTimers({ now: Date.UTC(2030, 0, 2, 3, 4, 5, 999), toFake: ["Date"] });
      try {
        assert.equal(sms({ sendDate: undefined }).sendDate, "2030-01-02T03:04:05Z");
      } finally {
        clock.restore();
      }
    });
  });

  describe("fromPayload and mergeInputs", function () {
    it("reads the nested Qualtrics email shape", function () {
      const body = {
        message: { libraryId: LIB, messageId: MSG },
        recipients: { mailingListId: ML, contactId: "CID_012345678901234" },
        header: { fromName: "Qualtrics", replyToEmail: "noreply@qualtrics.com", fromEmail: "noreply@qualtrics.com", subject: "Survey Distribution" },
        surveyLink: { surveyId: SV, expirationDate: "2039-09-13T00:00:00Z", type: "Individual" },
        sendDate: "2038-12-04T11:13:35Z",
        embeddedData: { a: "1" },
      };
      const input = fromPayload(body);
      assert.deepEqual(input, {
        fromEmail: "noreply@qualtrics.com",
        fromName: "Qualtrics",
        replyToEmail: "noreply@qualtrics.com",
        subject: "Survey Distribution",
        libraryId: LIB,
        messageId: MSG,
        mailingListId: ML,
        contactId: "CID_012345678901234",
        surveyId: SV,
        expirationDate: "2039-09-13T00:00:00Z",
        linkType: "Individual",
        sendDate: "2038-12-04T11:13:35Z",
        embeddedData: { a: "1" },
      });
      // the body it builds is the body it was given
      assert.deepEqual(emailDistributionBody(input), body);
    });

    it("reads the nested SMS shape and flat input", function () {
      const body = {
        surveyId: "SV_080LO2R7csetMK9",
        method: "Invite",
        sendDate: "2030-06-17T00:36:42Z",
        recipients: { mailingListId: "CG_bwM2NGGLJ6oftCR" },
        name: "Example Survey",
        message: { libraryId: "UR_eDPqMQLv8yQZnIF", messageId: "MS_8vlfvwn12wdf6D3" },
      };
      assert.deepEqual(smsDistributionBody(fromPayload(body)), body);
      assert.deepEqual(fromPayload({ surveyId: SV, mailingListId: ML, unknown: 1 }), { surveyId: SV, mailingListId: ML });
    });

    it("anything but an object gives no input", function () {
      assert.deepEqual(fromPayload("text"), {});
      assert.deepEqual(fromPayload(null), {});
      assert.deepEqual(fromPayload([{ surveyId: SV }]), {});
    });

    it("mergeInputs: values from the dialog win; empty dialog values do not", function () {
      const merged = mergeInputs(
        { surveyId: "SV_fromMsg", subject: "from msg", fromName: "Msg", mailingListId: "CG_msg" },
        { surveyId: "SV_fromDialog", subject: "", fromName: undefined, libraryId: LIB },
      );
      assert.deepEqual(merged, { surveyId: "SV_fromDialog", subject: "from msg", fromName: "Msg", mailingListId: "CG_msg", libraryId: LIB });
    });
  });

  describe("requests", function () {
    const api = useRecordingServer();
    const clients = useClients();

    it("email: POST /distributions with the body", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ id: "EMD_4OQ4N84KC82cfaV" }));
      const body = emailDistributionBody(EMAIL);
      const res = await createEmailDistribution(client, body);
      assert.deepEqual(res.result, { id: "EMD_4OQ4N84KC82cfaV" });
      assert.equal(api.requests[0].method, "POST");
      assert.equal(api.requests[0].path, "/API/v3/distributions");
      assert.deepEqual(api.requests[0].body, body);
    });

    it("SMS: POST /distributions/sms with the body", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ id: "SMSD_gKFVORSKSkaMtSE", requestStatus: "Scheduled" }));
      const body = smsDistributionBody(SMS);
      await createSmsDistribution(client, body);
      assert.equal(api.requests[0].method, "POST");
      assert.equal(api.requests[0].path, "/API/v3/distributions/sms");
      assert.deepEqual(api.requests[0].body, body);
    });

    it("SMS requests wait at least 20 s, longer than the client's short timeout", async function () {
      assert.ok(SMS_MIN_TIMEOUT_MS >= 20_000);
      const client = clients.make(api.apiBase, { timeoutMs: 100, retry: { retries: 0 } });
      api.reply({ ...ok({ id: "SMSD_1" }), delayMs: 600 });
      const res = await createSmsDistribution(client, smsDistributionBody(SMS));
      assert.deepEqual(res.result, { id: "SMSD_1" });
      const res2 = await createSmsDistribution(client, smsDistributionBody(SMS), 50);
      assert.deepEqual(res2.result, { id: "SMSD_1" }, "an explicit shorter timeout is raised to the minimum");
      // the same slow answer to an email distribution times out with the client's 100 ms
      const err = await failure<QualtricsApiError>(createEmailDistribution(client, emailDistributionBody(EMAIL)));
      assert.match(err.message, /no answer within 100 ms/);
      assert.equal(err.mayHaveSucceeded, true);
    });
  });
});
