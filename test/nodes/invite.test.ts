// The invite node against the sandbox: every step and the requests it takes, the records that
// answer a repeat without a second invitation, the quiet period, SMS, and input refused before any
// request with the dialog's labels.
import assert from "node:assert/strict";
import { useSandbox } from "../support/fixtures";
import { helper } from "../support/nr-helper";
import { until } from "../support/wait";
import { nodeUnderTest, noUnhandledRejections, sandboxToken, useNodeRuntime } from "../support/node-test";
import { added, calls, counts, inviteDefaults, reachedSince, ticket, useUserDir } from "../support/invite";

describe("qualtrics-invite", function () {
  const sb = useSandbox();
  const done = useNodeRuntime();
  useUserDir();
  noUnhandledRejections();
  const { load, run, refused } = nodeUnderTest({
    type: "qualtrics-invite", apiBase: () => sb.apiBase, credentials: sandboxToken(sb), defaults: () => inviteDefaults(sb),
    requests: () => sb.requests, done,
  });
  const ids = () => sb.seedIds;

  describe("a new person", function () {
    it("takes five requests: search, create on the list, transaction, batch, email to the batch; the person gets one invitation", async () => {
      await load();
      const before = counts(sb);
      const emails = new Set(sb.state.distributions.keys());
      const msg = await run({ ...ticket(1, "T-100"), topic: "kept" });
      assert.deepEqual(calls(sb), [
        "POST /directories/POOL/contacts/search",
        "POST /directories/POOL/mailinglists/CG/contacts",
        "POST /directories/POOL/transactions",
        "POST /directories/POOL/transactionbatches",
        "POST /distributions",
      ]);
      const p = msg.payload as Record<string, unknown>;
      assert.match(String(p.contactId), /^CID_/);
      assert.match(String(p.transactionId), /^CTR_/);
      assert.match(String(p.transactionBatchId), /^BT_/);
      assert.match(String(p.distributionId), /^EMD_/);
      assert.equal(p.mailingListId, ids().mailingListIds[0]);
      assert.equal(p.channel, "email");
      assert.equal(p.skipped, undefined);
      assert.equal(msg.topic, "kept");
      assert.equal((msg.qualtrics as { httpStatus: number }).httpStatus, 200);
      assert.deepEqual(added(sb, before), { contacts: 1, transactions: 1, emails: 1, sms: 0 });
      assert.deepEqual(reachedSince(sb, emails), [p.contactId]);

      const contact = sb.state.directories.get(ids().directoryId)!.contacts.get(String(p.contactId))!;
      assert.equal(contact.email, "person1@example.com");
      assert.equal(contact.firstName, "P1");
      assert.ok(sb.state.directories.get(ids().directoryId)!.mailingLists.get(ids().mailingListIds[0])!.members.has(String(p.contactId)));
      const tx = sb.state.directories.get(ids().directoryId)!.transactions.get(String(p.transactionId))!;
      assert.deepEqual(tx.data, { id: "T-100", topic: "billing", agent: "Kim" });
      assert.equal(tx.contactId, p.contactId);
      const body = sb.requests[4].body as Record<string, unknown>;
      assert.deepEqual(body.recipients, { transactionBatchId: p.transactionBatchId });
      assert.deepEqual(body.header, { fromEmail: "care@example.com", fromName: "Customer Care", replyToEmail: "care@example.com", subject: "How did we do?" });
      assert.deepEqual(body.message, { libraryId: ids().libraryId, messageId: ids().messageIds.invite });
      assert.deepEqual(body.surveyLink, { surveyId: ids().surveyIds[0], type: "Individual" });
      await until(() => done.of("n").length === 1, 2000, "done()");
    });

    it("without a mailing list: created in the directory, the transaction carries no list", async () => {
      await load({ mailingListId: "" });
      const msg = await run(ticket(2, "T-2"));
      assert.deepEqual(calls(sb).slice(0, 2), ["POST /directories/POOL/contacts/search", "POST /directories/POOL/contacts"]);
      const p = msg.payload as Record<string, unknown>;
      assert.equal(p.mailingListId, null);
      assert.equal(sb.state.directories.get(ids().directoryId)!.transactions.get(String(p.transactionId))!.mailingListId, null);
    });
  });

  describe("a known person", function () {
    it("is checked on the list once, then takes four requests; a changed field is written", async () => {
      await load();
      const seeded = sb.state.directories.get(ids().directoryId)!.contacts.get(ids().contactIds[0])!;
      const person = { email: seeded.email, firstName: seeded.firstName ?? undefined };
      let msg = await run({ payload: { ...person, transaction: { id: "K-1" } } });
      assert.equal((msg.payload as { contactId: string }).contactId, seeded.contactId);
      const first = calls(sb);
      assert.equal(first[0], "POST /directories/POOL/contacts/search");
      assert.ok(!first.some((c) => c.startsWith("PUT ")), "an unchanged contact is not written");
      const from = sb.requests.length;
      msg = await run({ payload: { ...person, transaction: { id: "K-2" } } });
      assert.deepEqual(calls(sb, from), [
        "POST /directories/POOL/contacts/search",
        "POST /directories/POOL/transactions",
        "POST /directories/POOL/transactionbatches",
        "POST /distributions",
      ]);
      const from2 = sb.requests.length;
      await run({ payload: { ...person, lastName: "Newname", transaction: { id: "K-3" } } });
      assert.deepEqual(calls(sb, from2).slice(0, 2), ["POST /directories/POOL/contacts/search", "PUT /directories/POOL/contacts/CID"]);
      assert.equal(sb.state.directories.get(ids().directoryId)!.contacts.get(seeded.contactId)!.lastName, "Newname");
    });
  });

  describe("never twice", function () {
    it("a repeat of a sent invitation (same survey, person, transaction ID) answers with its result and sends nothing", async () => {
      await load();
      const first = await run(ticket(3, "T-3"));
      const before = counts(sb);
      const from = sb.requests.length;
      const again = await run(ticket(3, "T-3"));
      assert.deepEqual(again.payload, { ...(first.payload as object), skipped: "duplicate" });
      assert.equal(sb.requests.length, from, "no request for a duplicate");
      assert.deepEqual(added(sb, before), { contacts: 0, transactions: 0, emails: 0, sms: 0 });
      // another ticket of the same person is another invitation
      const other = await run(ticket(3, "T-4"));
      assert.equal((other.payload as { skipped?: string }).skipped, undefined);
      assert.notEqual((other.payload as { distributionId: string }).distributionId, (first.payload as { distributionId: string }).distributionId);
    });

    it("without a transaction ID, the message's own ID is the invitation: a resent message is a duplicate", async () => {
      await load();
      const msg = { _msgid: "m-1", payload: { email: "nomsg@example.com", transaction: { topic: "delivery" } } };
      const first = await run(structuredClone(msg));
      const again = await run(structuredClone(msg));
      assert.equal((again.payload as { skipped: string }).skipped, "duplicate");
      assert.equal((again.payload as { distributionId: string }).distributionId, (first.payload as { distributionId: string }).distributionId);
      const other = await run({ ...structuredClone(msg), _msgid: "m-2" });
      assert.equal((other.payload as { skipped?: string }).skipped, undefined);
    });

    it("two deliveries of one invitation at once send it once", async () => {
      await load();
      const before = counts(sb);
      const out: Record<string, unknown>[] = [];
      const both = new Promise<void>((resolve) => {
        const n = helper.getNode("out");
        n.on("input", (m: Record<string, unknown>) => {
          out.push(m);
          if (out.length === 2) resolve();
        });
      });
      const node = helper.getNode("n");
      node.receive(ticket(4, "T-5"));
      node.receive(ticket(4, "T-5"));
      await both;
      assert.deepEqual(out.map((m) => (m.payload as { skipped?: string }).skipped).sort(), ["duplicate", undefined].sort());
      assert.deepEqual(added(sb, before), { contacts: 1, transactions: 1, emails: 1, sms: 0 });
    });
  });

  describe("quiet days", function () {
    it("a person invited to the survey within the period is found and not asked again; a repeat is still a duplicate", async () => {
      await load({ quietDays: 14 });
      const first = await run(ticket(5, "T-10"));
      const before = counts(sb);
      const from = sb.requests.length;
      const quiet = await run(ticket(5, "T-11"));
      assert.deepEqual(quiet.payload, {
        contactId: (first.payload as { contactId: string }).contactId, mailingListId: ids().mailingListIds[0],
        transactionId: null, transactionBatchId: null, distributionId: null, channel: "email", skipped: "quiet",
      });
      assert.deepEqual(calls(sb, from), ["POST /directories/POOL/contacts/search"]);
      assert.deepEqual(added(sb, before), { contacts: 0, transactions: 0, emails: 0, sms: 0 });
      const repeat = await run(ticket(5, "T-10"));
      assert.equal((repeat.payload as { skipped: string }).skipped, "duplicate");
    });

    it("is kept per survey", async () => {
      await load({ quietDays: 14, surveyId: "", surveyIdType: "str" });
      const first = await run({ payload: { ...(ticket(8, "T-30").payload as object), surveyId: ids().surveyIds[0] } });
      const other = await run({ payload: { ...(ticket(8, "T-31").payload as object), surveyId: ids().surveyIds[1] } });
      assert.equal((other.payload as { skipped?: string }).skipped, undefined);
      assert.equal((other.payload as { contactId: string }).contactId, (first.payload as { contactId: string }).contactId);
      const quiet = await run({ payload: { ...(ticket(8, "T-32").payload as object), surveyId: ids().surveyIds[1] } });
      assert.equal((quiet.payload as { skipped?: string }).skipped, "quiet");
    });

    it("a person whose invitation failed before anything was sent is not held quiet", async () => {
      await load({ quietDays: 14 });
      sb.faults.set({ rules: [{ match: { method: "POST", path: "/transactionbatches" }, action: "status", status: 400, times: 1 }] });
      await refused(ticket(6, "T-20")).catch(() => undefined);
      const ok = await run(ticket(6, "T-21"));
      assert.equal((ok.payload as { skipped?: string }).skipped, undefined);
    });
  });

  describe("SMS", function () {
    it("sends an SMS Invite to the batch with the list and the library's SMS message", async () => {
      await load({ channel: "sms", messageId: ids().messageIds.smsInvite });
      const before = counts(sb);
      const msg = await run({ payload: { phone: "+15551230001", email: "sms1@example.com", transaction: { id: "S-1" } } });
      const p = msg.payload as Record<string, unknown>;
      assert.match(String(p.distributionId), /^SMSD_/);
      assert.equal(p.channel, "sms");
      const req = sb.requests.find((r) => r.path.endsWith("/distributions/sms"))!;
      const body = req.body as Record<string, unknown>;
      assert.equal(body.method, "Invite");
      assert.deepEqual(body.recipients, { mailingListId: ids().mailingListIds[0], transactionBatchId: p.transactionBatchId });
      assert.deepEqual(body.message, { libraryId: ids().libraryId, messageId: ids().messageIds.smsInvite });
      assert.deepEqual(added(sb, before), { contacts: 1, transactions: 1, emails: 0, sms: 1 });
    });

    it("matches by phone when the dialog says so", async () => {
      await load({ channel: "sms", matchKey: "phone", messageId: ids().messageIds.smsInvite });
      const a = await run({ payload: { phone: "+15551230002", transaction: { id: "S-2" } } });
      const b = await run({ payload: { phone: "+15551230002", transaction: { id: "S-2" } } });
      assert.equal((b.payload as { skipped: string }).skipped, "duplicate");
      assert.equal((b.payload as { contactId: string }).contactId, (a.payload as { contactId: string }).contactId);
    });
  });

  describe("input refused before any request, named as the dialog does", function () {
    const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, RegExp]> = [
      ["no email to match by", {}, { payload: { firstName: "A", transaction: { id: "1" } } }, /^payload\.email: is required: the person is matched by email/],
      ["no survey", { surveyId: "" }, ticket(7, "1"), /^Survey: is required/],
      ["no directory", { directoryId: "" }, ticket(7, "1"), /^Directory: is required/],
      ["a bad sender", { fromEmail: "care" }, ticket(7, "1"), /^From: "care" is not an email address/],
      ["no subject", { subject: "" }, ticket(7, "1"), /^Subject: is required/],
      ["a library message and a text", { messageText: "Hi" }, ticket(7, "1"), /^Text: give either/],
      ["no transaction", {}, { payload: { email: "a@example.com" } }, /^Transaction: is required/],
      ["a transaction that is not text values", {}, { payload: { email: "a@example.com", transaction: { nested: { a: 1 } } } }, /^Transaction \(transaction\.nested\): must be a string, number or boolean/],
      ["a link expiring before it is sent", { expirationDate: "2020-01-01T00:00:00Z", expirationDateType: "str" }, ticket(7, "1"), /^Link expires: must be after sendDate/],
      ["a payload that is not an object", {}, { payload: "hello" }, /^payload: must be an object/],
      ["a survey ID of another kind", { surveyId: "CG_1234" }, ticket(7, "1"), /^Survey: "CG_1234" is not a survey ID/],
    ];
    for (const [what, props, msg, expected] of cases) {
      it(what, async () => {
        await load(props);
        assert.match(await refused(msg), expected);
      });
    }
  });
});
