// Every edit dialog in a real editor: it opens with its fields and typed inputs, its pickers fill
// from the sandbox (the seeded IDs), invalid input is flagged, and fields follow the chosen
// operation / channel / method. A screenshot of each dialog goes to build/screenshots/ (docs/screenshots/ with UPDATE_SCREENSHOTS=1).
import assert from "node:assert/strict";
import { IDS, choose, closePicker, closeTrays, hasError, isVisible, openConfig, openNode, openPicker, rowVisible, screenshotTray, setTyped, useSession, typeInto, typedInputInfo, validationMessage, waitForError } from "./harness";

declare const RED: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const $: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const localStorage: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const getComputedStyle: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const STR_TYPES = ["str", "msg", "flow", "global", "env", "jsonata"];
const PICKER_TYPES = ["qualtrics", "str", "msg", "flow", "global", "env"];

describe(`editor: edit dialogs (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(120_000);

  const s = useSession();

  const value = (sel: string) => s.page.inputValue(sel);
  /** a select's options as value=text, as the user sees them */
  const options = (sel: string): Promise<string[]> =>
    s.page.evaluate((q: string) => $(q + " option").map((_i: number, o: any) => o.value + "=" + o.textContent).get(), sel); // eslint-disable-line @typescript-eslint/no-explicit-any

  /** the placeholders of typed inputs, as the user sees them in the visible text box */
  const placeholders = (props: string[]): Promise<Record<string, string>> =>
    s.page.evaluate(
      (list: string[]) => Object.fromEntries(list.map((p) => [p, String($(`#node-input-${p} + .red-ui-typedInput-container input.red-ui-typedInput-input`).attr("placeholder") ?? "")])),
      props,
    );

  /** the sender fields' placeholders, in a dialog's wording for "empty means" (`says`) */
  const SENDER = ["fromEmail", "fromName", "subject", "replyToEmail"];
  const fromPayload = (says: string) => ({
    fromEmail: `noreply@example.com (${says} msg.payload.fromEmail)`,
    fromName: `${says} msg.payload.fromName`,
    subject: `${says} msg.payload.subject`,
    replyToEmail: `${says} the sender`,
  });

  async function assertFields(ids: string[]): Promise<void> {
    const missing = await s.page.evaluate((list: string[]) => list.filter((id) => $("#" + id).length !== 1), ids);
    assert.deepEqual(missing, [], "fields missing from the dialog");
  }

  // ------------------------------------------------------------------------------------ contact
  describe("qualtrics-contact", function () {
    before(async function () {
      await openNode(s.page, IDS.contact);
    });
    after(async function () {
      await closeTrays(s.page);
    });

    it("opens with its fields and typed inputs", async function () {
      await assertFields([
        "node-input-name", "node-input-qualtrics", "node-input-operation", "node-input-directoryId", "node-input-contactId",
        "node-input-firstName", "node-input-lastName", "node-input-email", "node-input-phone", "node-input-extRef",
        "node-input-language", "node-input-embeddedData", "node-input-unsubscribed", "node-input-limit", "node-input-pageSize",
        "node-input-output",
      ]);
      assert.equal(await value("#node-input-qualtrics"), IDS.config);
      assert.equal(await value("#node-input-operation"), "get");
      const dir = await typedInputInfo(s.page, "#node-input-directoryId");
      assert.deepEqual(dir, { type: "qualtrics", types: PICKER_TYPES, value: s.sb.seedIds.directoryId, container: true });
      const contact = await typedInputInfo(s.page, "#node-input-contactId");
      // a saved custom ID stays one; the contact search is offered first (issue 15)
      assert.deepEqual(contact, { type: "str", types: ["qualtrics", ...STR_TYPES], value: s.sb.seedIds.contactIds[0], container: true });
      for (const f of ["firstName", "lastName", "email", "phone", "extRef", "language"]) {
        assert.deepEqual((await typedInputInfo(s.page, `#node-input-${f}`)).types, STR_TYPES, f);
      }
      const ed = await typedInputInfo(s.page, "#node-input-embeddedData");
      assert.equal(ed.type, "json");
      assert.deepEqual(ed.types, ["json", "msg", "flow", "global", "jsonata"]);
      const unsub = await typedInputInfo(s.page, "#node-input-unsubscribed");
      assert.equal(unsub.type, "none");
      assert.deepEqual(unsub.types, ["none", "bool", "msg", "flow", "global"]);
      assert.equal(await hasError(s.page, "#node-input-directoryId"), false);
      assert.equal(await hasError(s.page, "#node-input-contactId"), false);
    });

    it("lists the sandbox's directory in the directory picker", async function () {
      const { items, status } = await openPicker(s.page, "node-input-directoryId");
      assert.deepEqual(
        items.map((i) => [i.label, i.value]),
        [["Default Directory", s.sb.seedIds.directoryId]],
      );
      assert.match(status, /1 found/);
      await screenshotTray(s.page, s.major, "qualtrics-contact", { keepFocus: true });
      await choose(s.page, s.sb.seedIds.directoryId);
      const dir = await typedInputInfo(s.page, "#node-input-directoryId");
      assert.equal(dir.type, "qualtrics");
      assert.equal(dir.value, s.sb.seedIds.directoryId);
    });

    it("flags a contact ID of another kind or of no ID shape, and accepts a good one", async function () {
      // a prefix no document lists would pass (docs/qualtrics-facts.md §4.8: a hint, not a gate); a lookup ID is another kind
      await typeInto(s.page, "node-input-contactId", "cid 123");
      await waitForError(s.page, "#node-input-contactId", true);
      await typeInto(s.page, "node-input-contactId", "CGC_123");
      await waitForError(s.page, "#node-input-contactId", true);
      assert.equal(await s.page.locator("#node-input-contactId + .red-ui-typedInput-container.input-error").count(), 1);
      assert.match(String(await validationMessage(s.page, IDS.contact, "contactId")), /CID_/);
      await typeInto(s.page, "node-input-contactId", s.sb.seedIds.contactIds[1]);
      await waitForError(s.page, "#node-input-contactId", false);
      // a message property is never checked as an ID
      await setTyped(s.page, "#node-input-contactId", "payload.id", "msg");
      await waitForError(s.page, "#node-input-contactId", false);
    });

    it("flags a directory that is not a POOL_ ID", async function () {
      await typeInto(s.page, "node-input-directoryId", "GR_notADirectory");
      await waitForError(s.page, "#node-input-directoryId", true);
      await setTyped(s.page, "#node-input-directoryId", s.sb.seedIds.directoryId, "qualtrics");
      await waitForError(s.page, "#node-input-directoryId", false);
    });

    it("offers the operations, search fields and upsert keys of the node's specification, by their names", async function () {
      assert.deepEqual(await options("#node-input-operation"), [
        "list=List contacts", "search=Search contacts", "get=Get a contact", "create=Create a contact", "update=Update a contact",
        "upsert=Create or update a contact", "delete=Delete a contact", "recordTransaction=Record a transaction",
        "createBatch=Create a transaction batch", "addToBatch=Add to a transaction batch", "listTransactions=List a contact's transactions",
        "msg=From msg.operation",
      ]);
      assert.deepEqual(await options("#node-input-searchField"), ["email=Email", "extRef=External ref.", "phone=Phone", "lastName=Last name", "firstName=First name"]);
      assert.deepEqual(await options("#node-input-upsertKey"), ["email=Email", "extRef=External ref.", "phone=Phone"]);
      // the saved choices are selected, not the first option
      assert.equal(await value("#node-input-operation"), "get");
      assert.equal(await value("#node-input-searchField"), "email");
    });

    it("shows the fields of the chosen operation", async function () {
      const shown = async () => ({
        contactId: await rowVisible(s.page, "contactId"),
        fields: await rowVisible(s.page, "email"),
        list: await rowVisible(s.page, "limit"),
        output: await rowVisible(s.page, "output"),
      });
      await s.page.selectOption("#node-input-operation", "list");
      assert.deepEqual(await shown(), { contactId: false, fields: false, list: true, output: true });
      await s.page.selectOption("#node-input-operation", "create");
      assert.deepEqual(await shown(), { contactId: false, fields: true, list: false, output: false });
      await s.page.selectOption("#node-input-operation", "update");
      assert.deepEqual(await shown(), { contactId: true, fields: true, list: false, output: false });
      await s.page.selectOption("#node-input-operation", "delete");
      assert.deepEqual(await shown(), { contactId: true, fields: false, list: false, output: false });
      await s.page.selectOption("#node-input-operation", "msg");
      assert.deepEqual(await shown(), { contactId: true, fields: true, list: true, output: true });
    });

    it("flags a bad email, bad embedded data and a page size out of range", async function () {
      await s.page.selectOption("#node-input-operation", "create");
      await typeInto(s.page, "node-input-email", "not-an-email");
      await waitForError(s.page, "#node-input-email", true);
      await typeInto(s.page, "node-input-email", "jane@example.com");
      await waitForError(s.page, "#node-input-email", false);

      await setTyped(s.page, "#node-input-embeddedData", "[1, 2]", "json");
      await waitForError(s.page, "#node-input-embeddedData", true);
      assert.match(String(await validationMessage(s.page, IDS.contact, "embeddedData")), /JSON object/);
      await setTyped(s.page, "#node-input-embeddedData", '{"tier": "gold"}', "json");
      await waitForError(s.page, "#node-input-embeddedData", false);

      await s.page.selectOption("#node-input-operation", "list");
      await s.page.fill("#node-input-pageSize", "5000");
      await s.page.dispatchEvent("#node-input-pageSize", "change");
      await waitForError(s.page, "#node-input-pageSize", true);
      await s.page.fill("#node-input-pageSize", "100");
      await s.page.dispatchEvent("#node-input-pageSize", "change");
      await waitForError(s.page, "#node-input-pageSize", false);
    });

    it("leaves the node unchanged on Cancel", async function () {
      await closeTrays(s.page);
      const n = await s.page.evaluate((id: string) => {
        const node = RED.nodes.node(id);
        return { changed: !!node.changed, operation: node.operation, contactId: node.contactId };
      }, IDS.contact);
      assert.deepEqual(n, { changed: false, operation: "get", contactId: s.sb.seedIds.contactIds[0] });
    });
  });

  // ------------------------------------------------------------------------------- distribution
  describe("qualtrics-distribution", function () {
    before(async function () {
      await openNode(s.page, IDS.distribution);
    });
    after(async function () {
      await closeTrays(s.page);
    });

    it("opens with its fields and typed inputs", async function () {
      await assertFields([
        "node-input-name", "node-input-qualtrics", "node-input-channel", "node-input-method", "node-input-surveyId",
        "node-input-sendDate", "node-input-smsName", "node-input-parentDistributionId", "node-input-libraryId",
        "node-input-messageId", "node-input-messageText", "node-input-mailingListId", "node-input-contactId",
        "node-input-transactionBatchId", "node-input-sampleId", "node-input-fromEmail", "node-input-fromName",
        "node-input-replyToEmail", "node-input-subject", "node-input-linkType", "node-input-expirationDate",
        "node-input-embeddedData",
      ]);
      assert.equal(await value("#node-input-qualtrics"), IDS.config);
      assert.equal(await value("#node-input-channel"), "email");
      for (const [f, v] of [
        ["surveyId", s.sb.seedIds.surveyIds[0]],
        ["libraryId", s.sb.seedIds.libraryId],
        ["messageId", s.sb.seedIds.messageIds.invite],
        ["mailingListId", s.sb.seedIds.mailingListIds[0]],
      ]) {
        assert.deepEqual(await typedInputInfo(s.page, `#node-input-${f}`), { type: "qualtrics", types: PICKER_TYPES, value: v, container: true }, f);
      }
      for (const f of ["sendDate", "messageText", "contactId", "transactionBatchId", "fromEmail", "fromName", "replyToEmail", "subject", "expirationDate", "smsName", "parentDistributionId", "sampleId"]) {
        assert.deepEqual((await typedInputInfo(s.page, `#node-input-${f}`)).types, STR_TYPES, f);
      }
      const link = await typedInputInfo(s.page, "#node-input-linkType");
      assert.deepEqual([link.type, link.value], ["str", "Individual"]);
      const method = await typedInputInfo(s.page, "#node-input-method");
      assert.deepEqual([method.type, method.value], ["str", "Invite"]);
      assert.equal(await isVisible(s.page, "#node-input-qualtrics"), true);
      await screenshotTray(s.page, s.major, "qualtrics-distribution");
    });

    it("says that an empty sender, sender name and subject are taken from msg.payload, as the other fields say it", async function () {
      assert.deepEqual(await placeholders(SENDER), fromPayload("empty:"));
    });

    it("offers the operations and channels of the node's specification, by their names, with the saved ones selected", async function () {
      assert.deepEqual(await options("#node-input-operation"), [
        "create=Send a survey (create)", "list=List a survey's distributions", "get=Get a distribution", "reminder=Email reminder",
        "thankYou=Email thank-you", "generateLinks=Generate individual links", "links=List a distribution's links",
        "history=Distribution history", "msg=From msg.operation",
      ]);
      assert.deepEqual(await options("#node-input-channel"), ["email=Email", "sms=SMS", "msg=From msg.channel"]);
      assert.equal(await value("#node-input-operation"), "create");
      assert.equal(await value("#node-input-channel"), "email");
    });

    it("lists the sandbox's two surveys in the survey picker", async function () {
      const { items } = await openPicker(s.page, "node-input-surveyId");
      await closePicker(s.page);
      assert.deepEqual(
        items.map((i) => [i.label, i.value]).sort(),
        [["Customer Satisfaction", s.sb.seedIds.surveyIds[0]], ["Post-Support Feedback", s.sb.seedIds.surveyIds[1]]].sort(),
      );
    });

    it("lists the user's and the group's library in the library picker", async function () {
      const { items } = await openPicker(s.page, "node-input-libraryId");
      await closePicker(s.page);
      const values = items.map((i) => i.value);
      assert.ok(values.includes(s.sb.seedIds.libraryId), values.join(", "));
      assert.ok(values.some((v) => v.startsWith("GR_")), values.join(", "));
      assert.equal(items.length, 2);
    });

    it("lists both mailing lists, with their sizes", async function () {
      const { items } = await openPicker(s.page, "node-input-mailingListId");
      await closePicker(s.page);
      assert.deepEqual(items.map((i) => i.value).sort(), [...s.sb.seedIds.mailingListIds].sort());
      for (const i of items) assert.match(i.detail, /15 contacts/);
    });

    it("lists the library's messages of the channel's category", async function () {
      const { invite, reminder, thankYou, smsInvite } = s.sb.seedIds.messageIds;
      let { items } = await openPicker(s.page, "node-input-messageId");
      await closePicker(s.page);
      assert.deepEqual(items.map((i) => i.value), [invite], "email: invitations only");

      await s.page.selectOption("#node-input-channel", "sms");
      ({ items } = await openPicker(s.page, "node-input-messageId"));
      await closePicker(s.page);
      assert.deepEqual(items.map((i) => i.value), [smsInvite], "sms: SMS invitations only");
      for (const other of [reminder, thankYou]) assert.ok(!items.some((i) => i.value === other));

      // without a fixed library the picker says what to do instead of asking Qualtrics
      await s.page.selectOption("#node-input-channel", "email");
      await setTyped(s.page, "#node-input-libraryId", "library", "msg");
      const empty = await openPicker(s.page, "node-input-messageId");
      await closePicker(s.page);
      assert.deepEqual(empty.items, []);
      assert.match(empty.status, /library/i);
      await setTyped(s.page, "#node-input-libraryId", s.sb.seedIds.libraryId, "qualtrics");
    });

    it("flags a text together with a library message, and a list together with a batch", async function () {
      await typeInto(s.page, "node-input-messageText", "Hello, please answer our survey");
      await waitForError(s.page, "#node-input-messageText", true);
      assert.match(String(await validationMessage(s.page, IDS.distribution, "messageText")), /either a library message or a text, not both/);
      await setTyped(s.page, "#node-input-messageText", "");
      await waitForError(s.page, "#node-input-messageText", false);

      await typeInto(s.page, "node-input-transactionBatchId", "BT_123");
      await waitForError(s.page, "#node-input-transactionBatchId", true);
      await setTyped(s.page, "#node-input-transactionBatchId", "");
      await waitForError(s.page, "#node-input-transactionBatchId", false);
    });

    it("flags bad IDs, emails and dates", async function () {
      for (const [f, bad, good] of [
        // an ID of another known kind, or of no ID shape (an unlisted prefix would pass: §4.8)
        ["surveyId", "CG_123", s.sb.seedIds.surveyIds[1]],
        ["fromEmail", "surveys.example.com", "surveys@example.com"],
        ["sendDate", "2024-02-30", "2030-02-28T09:00:00Z"],
        ["contactId", "POOL_1", "CID_abc123"],
        ["contactId", "xyz-1", "MLRP_abc123"],
      ]) {
        await typeInto(s.page, `node-input-${f}`, bad);
        await waitForError(s.page, `#node-input-${f}`, true);
        await typeInto(s.page, `node-input-${f}`, good);
        await waitForError(s.page, `#node-input-${f}`, false);
      }
      // an expiry before the send date
      await typeInto(s.page, "node-input-expirationDate", "2030-01-01T00:00:00Z");
      await waitForError(s.page, "#node-input-expirationDate", true);
      assert.match(String(await validationMessage(s.page, IDS.distribution, "expirationDate")), /after the send date/);
      await typeInto(s.page, "node-input-expirationDate", "2030-03-31T00:00:00Z");
      await waitForError(s.page, "#node-input-expirationDate", false);
      for (const f of ["contactId", "sendDate", "expirationDate"]) await setTyped(s.page, `#node-input-${f}`, "");
    });

    it("shows the email fields for email, the SMS fields for SMS, both for msg.channel", async function () {
      const shown = async () => ({
        method: await rowVisible(s.page, "method"),
        smsName: await rowVisible(s.page, "smsName"),
        parent: await rowVisible(s.page, "parentDistributionId"),
        sample: await rowVisible(s.page, "sampleId"),
        fromEmail: await rowVisible(s.page, "fromEmail"),
        linkType: await rowVisible(s.page, "linkType"),
        mailingList: await rowVisible(s.page, "mailingListId"),
      });
      await s.page.selectOption("#node-input-channel", "email");
      assert.deepEqual(await shown(), { method: false, smsName: false, parent: false, sample: false, fromEmail: true, linkType: true, mailingList: true });
      await s.page.selectOption("#node-input-channel", "sms");
      assert.deepEqual(await shown(), { method: true, smsName: true, parent: false, sample: true, fromEmail: false, linkType: false, mailingList: true });
      // a reminder goes to the parent distribution's recipients
      await setTyped(s.page, "#node-input-method", "Reminder", "str");
      assert.deepEqual(await shown(), { method: true, smsName: true, parent: true, sample: true, fromEmail: false, linkType: false, mailingList: false });
      await setTyped(s.page, "#node-input-method", "Invite", "str");
      assert.equal(await rowVisible(s.page, "mailingListId"), true);
      await s.page.selectOption("#node-input-channel", "msg");
      assert.deepEqual(await shown(), { method: true, smsName: true, parent: true, sample: true, fromEmail: true, linkType: true, mailingList: true });
      assert.equal(await isVisible(s.page, ".qualtrics-distribution-msg"), true);
    });

    it("flags an SMS reminder with a mailing list, and a parent distribution for an invitation", async function () {
      await s.page.selectOption("#node-input-channel", "sms");
      await setTyped(s.page, "#node-input-method", "Reminder", "str");
      await waitForError(s.page, "#node-input-mailingListId", true);
      assert.match(String(await validationMessage(s.page, IDS.distribution, "mailingListId")), /not allowed for a reminder or thank-you/);
      // with the method from msg the dialog cannot know, so nothing is flagged
      await setTyped(s.page, "#node-input-method", "method", "msg");
      await waitForError(s.page, "#node-input-mailingListId", false);

      // a parent typed for a reminder, then the method changed to an invitation
      await setTyped(s.page, "#node-input-method", "Reminder", "str");
      await typeInto(s.page, "node-input-parentDistributionId", "SMSD_abc123");
      await waitForError(s.page, "#node-input-parentDistributionId", false);
      await setTyped(s.page, "#node-input-method", "Invite", "str");
      await waitForError(s.page, "#node-input-parentDistributionId", true);
      assert.match(String(await validationMessage(s.page, IDS.distribution, "parentDistributionId")), /only for a reminder or thank-you/);
      await setTyped(s.page, "#node-input-method", "ThankYou", "str");
      await waitForError(s.page, "#node-input-parentDistributionId", false);
    });

    it("drops the hidden mailing list of an SMS thank-you on Done, leaving a valid node", async function () {
      // still sms + ThankYou with the mailing list of the deployed node and a parent distribution
      await s.page.click("#node-dialog-ok");
      await s.page.waitForFunction(() => document.querySelectorAll(".red-ui-tray").length === 0);
      const n = await s.page.evaluate((id: string) => {
        const node = RED.nodes.node(id);
        return { channel: node.channel, method: node.method, mailingListId: node.mailingListId, parent: node.parentDistributionId, valid: node.valid, changed: !!node.changed };
      }, IDS.distribution);
      assert.deepEqual(n, { channel: "sms", method: "ThankYou", mailingListId: "", parent: "SMSD_abc123", valid: true, changed: true });
      // put the deployed state back for the other suites in this session
      await s.page.evaluate(() => RED.actions.invoke("core:undo"));
      const back = await s.page.evaluate((id: string) => RED.nodes.node(id).channel, IDS.distribution);
      assert.equal(back, "email");
    });
  });

  // ---------------------------------------------------------------------------------------- api
  describe("qualtrics-invite", function () {
    before(async function () {
      await openNode(s.page, IDS.invite);
    });
    after(async function () {
      await closeTrays(s.page);
    });

    it("opens with its fields, the account's pickers and typed inputs", async function () {
      await assertFields([
        "node-input-name", "node-input-qualtrics", "node-input-directoryId", "node-input-matchKey", "node-input-mailingListId",
        "node-input-transaction", "node-input-surveyId", "node-input-channel", "node-input-libraryId", "node-input-messageId",
        "node-input-messageText", "node-input-fromEmail", "node-input-fromName", "node-input-replyToEmail", "node-input-subject",
        "node-input-linkType", "node-input-expirationDate", "node-input-sendDate", "node-input-quietDays",
      ]);
      for (const [f, v] of [
        ["directoryId", s.sb.seedIds.directoryId],
        ["mailingListId", s.sb.seedIds.mailingListIds[0]],
        ["surveyId", s.sb.seedIds.surveyIds[0]],
        ["libraryId", s.sb.seedIds.libraryId],
        ["messageId", s.sb.seedIds.messageIds.invite],
      ]) {
        assert.deepEqual(await typedInputInfo(s.page, `#node-input-${f}`), { type: "qualtrics", types: PICKER_TYPES, value: v, container: true }, f);
      }
      const tx = await typedInputInfo(s.page, "#node-input-transaction");
      assert.deepEqual([tx.type, tx.value], ["msg", "payload.transaction"]);
      assert.equal(await value("#node-input-matchKey"), "email");
      assert.equal(await value("#node-input-quietDays"), "7");
      await screenshotTray(s.page, s.major, "qualtrics-invite");
    });

    it("says that an empty sender, sender name and subject are taken from msg.payload, as the other fields say it", async function () {
      assert.deepEqual(await placeholders(SENDER), fromPayload("empty ="));
    });

    it("lists the directory's mailing lists and the library's invitations of the channel", async function () {
      const lists = await openPicker(s.page, "node-input-mailingListId");
      await closePicker(s.page);
      assert.deepEqual(lists.items.map((i) => i.value).sort(), [...s.sb.seedIds.mailingListIds].sort());
      let { items } = await openPicker(s.page, "node-input-messageId");
      await closePicker(s.page);
      assert.deepEqual(items.map((i) => i.value), [s.sb.seedIds.messageIds.invite]);
      await s.page.selectOption("#node-input-channel", "sms");
      ({ items } = await openPicker(s.page, "node-input-messageId"));
      await closePicker(s.page);
      assert.deepEqual(items.map((i) => i.value), [s.sb.seedIds.messageIds.smsInvite]);
      assert.equal(await rowVisible(s.page, "fromEmail"), false, "SMS has no sender");
      await s.page.selectOption("#node-input-channel", "email");
      assert.equal(await rowVisible(s.page, "fromEmail"), true);
    });

    it("flags a bad sender and quiet days out of range", async function () {
      await typeInto(s.page, "node-input-fromEmail", "care");
      assert.match(String(await validationMessage(s.page, IDS.invite, "fromEmail")), /^From: /);
      await typeInto(s.page, "node-input-fromEmail", "care@example.com");
      assert.equal(await validationMessage(s.page, IDS.invite, "fromEmail"), true);
      assert.equal(await validationMessage(s.page, IDS.invite, "quietDays"), true);
      await s.page.fill("#node-input-quietDays", "-1");
      assert.match(String(await validationMessage(s.page, IDS.invite, "quietDays")), /^Quiet days: /);
      await s.page.fill("#node-input-quietDays", "7");
    });
  });

  describe("qualtrics-api", function () {
    before(async function () {
      await openNode(s.page, IDS.api);
    });
    after(async function () {
      await closeTrays(s.page);
    });

    it("opens with its fields", async function () {
      await assertFields(["node-input-name", "node-input-qualtrics", "node-input-method", "node-input-url", "node-input-paging", "node-input-limit"]);
      assert.equal(await value("#node-input-qualtrics"), IDS.config);
      assert.equal(await value("#node-input-method"), "GET");
      assert.equal(await value("#node-input-url"), "/surveys");
      assert.equal(await value("#node-input-paging"), "all");
      assert.equal(await value("#node-input-limit"), "0");
      assert.equal(await isVisible(s.page, "#node-input-limit"), true);
      await screenshotTray(s.page, s.major, "qualtrics-api");
    });

    it("flags a path with a placeholder or spaces, and a full URL outside /API/v3", async function () {
      // (a full URL on another host that ends in /API/v3/... is refused at run time, not here)
      for (const bad of ["/surveys/{surveyId}", "/surveys/SV 1", "https://example.com/other/whoami", "ftp://example.com/API/v3/whoami"]) {
        await s.page.fill("#node-input-url", bad);
        await s.page.dispatchEvent("#node-input-url", "change");
        await waitForError(s.page, "#node-input-url", true);
      }
      await s.page.fill("#node-input-url", "/surveys/SV_123/responses");
      await s.page.dispatchEvent("#node-input-url", "change");
      await waitForError(s.page, "#node-input-url", false);
    });

    it("shows paging for reads and the limit for all pages only", async function () {
      await s.page.selectOption("#node-input-method", "POST");
      assert.deepEqual([await rowVisible(s.page, "paging"), await rowVisible(s.page, "limit")], [false, false]);
      await s.page.selectOption("#node-input-method", "GET");
      await s.page.selectOption("#node-input-paging", "first");
      assert.deepEqual([await rowVisible(s.page, "paging"), await rowVisible(s.page, "limit")], [true, false]);
      await s.page.selectOption("#node-input-paging", "all");
      assert.deepEqual([await rowVisible(s.page, "paging"), await rowVisible(s.page, "limit")], [true, true]);
      await s.page.fill("#node-input-limit", "-1");
      await s.page.dispatchEvent("#node-input-limit", "change");
      await waitForError(s.page, "#node-input-limit", true);
      await s.page.fill("#node-input-limit", "50");
      await s.page.dispatchEvent("#node-input-limit", "change");
      await waitForError(s.page, "#node-input-limit", false);
    });
  });

  // -------------------------------------------------------------------------------- response-in
  describe("qualtrics-response-in", function () {
    before(async function () {
      await openNode(s.page, IDS.responseIn);
    });
    after(async function () {
      await closeTrays(s.page);
    });

    it("opens with its fields", async function () {
      await assertFields([
        "node-input-name", "node-input-qualtrics", "node-input-surveyId", "node-input-topic", "node-input-path",
        "node-input-sharedKey", "node-input-autoRegister", "node-input-publicBaseUrl", "node-input-fetchResponse",
        "node-input-dedupeSeconds", "node-input-maxBodyKb", "node-input-qualtrics-webhook-url",
      ]);
      assert.equal(await value("#node-input-qualtrics"), IDS.config);
      const survey = await typedInputInfo(s.page, "#node-input-surveyId");
      assert.deepEqual(survey, { type: "qualtrics", types: ["qualtrics"], value: s.sb.seedIds.surveyIds[0], container: true });
      assert.equal(await value("#node-input-path"), "/qualtrics/responses");
      assert.equal(await s.page.getAttribute("#node-input-sharedKey", "type"), "password");
      assert.equal(await s.page.isChecked("#node-input-autoRegister"), false);
      assert.equal(await s.page.isChecked("#node-input-fetchResponse"), true);
      assert.equal(await rowVisible(s.page, "publicBaseUrl"), false);
      assert.equal(await s.page.getAttribute("#node-input-topic", "placeholder"), `surveyengine.completedResponse.${s.sb.seedIds.surveyIds[0]}`);
      assert.match(await s.page.textContent("#node-input-qualtrics-webhook-url") ?? "", /\/qualtrics\/responses$/);
      // no shared key yet: the warning shows
      assert.equal(await isVisible(s.page, ".qualtrics-response-nokey"), true);
      await screenshotTray(s.page, s.major, "qualtrics-response-in");
    });

    it("labels the trigger on the workspace as the other nodes are labelled: what it does, a colon, the survey", async function () {
      const survey = s.sb.state.surveys.get(s.sb.seedIds.surveyIds[0])!;
      const labels = await s.page.evaluate(
        ([id, sid, name]: string[]) => {
          const node = RED.nodes.node(id);
          const label = (extra: object) => node._def.label.call(Object.assign(Object.create(node), extra));
          return [label({ names: {} }), label({ names: { surveyId: { id: sid, name } } })];
        },
        [IDS.responseIn, survey.id, survey.name],
      );
      assert.deepEqual(labels, [`new response: ${survey.id}`, `new response: ${survey.name}`]);
    });

    it("lists the two surveys in the survey picker, and the topic follows the choice", async function () {
      const { items } = await openPicker(s.page, "node-input-surveyId");
      assert.deepEqual(items.map((i) => i.value).sort(), [...s.sb.seedIds.surveyIds].sort());
      await choose(s.page, s.sb.seedIds.surveyIds[1]);
      assert.equal((await typedInputInfo(s.page, "#node-input-surveyId")).value, s.sb.seedIds.surveyIds[1]);
      await s.page.waitForFunction(
        (sid: string) => $("#node-input-topic").attr("placeholder") === `surveyengine.completedResponse.${sid}`,
        s.sb.seedIds.surveyIds[1],
      );
    });

    it("flags a bad survey ID and a bad path", async function () {
      await typeInto(s.page, "node-input-surveyId", "SV-not-an-id");
      await waitForError(s.page, "#node-input-surveyId", true);
      await typeInto(s.page, "node-input-surveyId", s.sb.seedIds.surveyIds[0]);
      await waitForError(s.page, "#node-input-surveyId", false);

      await s.page.fill("#node-input-path", "bad path!");
      await s.page.dispatchEvent("#node-input-path", "change");
      await waitForError(s.page, "#node-input-path", true);
      await s.page.fill("#node-input-path", "/hooks/qualtrics");
      await s.page.dispatchEvent("#node-input-path", "change");
      await waitForError(s.page, "#node-input-path", false);
      assert.match(await s.page.textContent("#node-input-qualtrics-webhook-url") ?? "", /\/hooks\/qualtrics$/);
    });

    it("asks for a public address when registering automatically and shows the webhook URL", async function () {
      await s.page.check("#node-input-autoRegister");
      assert.equal(await rowVisible(s.page, "publicBaseUrl"), true);
      await waitForError(s.page, "#node-input-publicBaseUrl", true);
      assert.match(String(await validationMessage(s.page, IDS.responseIn, "publicBaseUrl")), /needed to register/);
      await s.page.fill("#node-input-publicBaseUrl", "https://nodered.example.com/");
      await s.page.dispatchEvent("#node-input-publicBaseUrl", "change");
      await waitForError(s.page, "#node-input-publicBaseUrl", false);
      assert.equal(await s.page.textContent("#node-input-qualtrics-webhook-url"), "https://nodered.example.com/hooks/qualtrics");
      await s.page.fill("#node-input-publicBaseUrl", "https://user:pw@nodered.example.com");
      await s.page.dispatchEvent("#node-input-publicBaseUrl", "change");
      await waitForError(s.page, "#node-input-publicBaseUrl", true);
      assert.match(String(await validationMessage(s.page, IDS.responseIn, "publicBaseUrl")), /^Public URL: must not contain a user name or password$/);
      await s.page.uncheck("#node-input-autoRegister");
      assert.equal(await rowVisible(s.page, "publicBaseUrl"), false);
      await waitForError(s.page, "#node-input-publicBaseUrl", false);
    });

    it("hides the no-key warning once a shared key is typed", async function () {
      await s.page.fill("#node-input-sharedKey", "a-long-shared-secret");
      await s.page.dispatchEvent("#node-input-sharedKey", "keyup");
      assert.equal(await isVisible(s.page, ".qualtrics-response-nokey"), false);
    });
  });

  // ----------------------------------------------------------------------------- configuration
  describe("qualtrics-config", function () {
    before(async function () {
      await openConfig(s.page, IDS.config);
    });
    after(async function () {
      await closeTrays(s.page);
    });

    it("opens with its fields, the stored token hidden and the advanced settings open", async function () {
      await assertFields([
        "node-config-input-name", "node-config-input-dataCenter", "node-config-input-apiToken", "node-config-qualtrics-test",
        "node-config-input-baseUrl", "node-config-input-timeout", "node-config-input-retries", "node-config-input-rateLimit",
        "node-config-input-maxConcurrent",
      ]);
      assert.equal(await value("#node-config-input-name"), "Sandbox");
      assert.equal(await value("#node-config-input-dataCenter"), "iad1");
      assert.equal(await s.page.getAttribute("#node-config-input-apiToken", "type"), "password");
      // the editor never gets the token, only a placeholder
      assert.equal(await value("#node-config-input-apiToken"), "__PWRD__");
      // a base URL is set, so the advanced section is open
      assert.equal(await isVisible(s.page, "#node-config-input-baseUrl"), true);
      assert.equal(await value("#node-config-input-baseUrl"), s.sb.apiBase);
      assert.deepEqual(
        [await value("#node-config-input-timeout"), await value("#node-config-input-retries"), await value("#node-config-input-rateLimit"), await value("#node-config-input-maxConcurrent")],
        ["30", "4", "3000", "10"],
      );
    });

    it("folds the advanced settings", async function () {
      await s.page.click("#node-config-qualtrics-advanced-toggle");
      assert.equal(await isVisible(s.page, "#node-config-input-baseUrl"), false);
      await s.page.click("#node-config-qualtrics-advanced-toggle");
      assert.equal(await isVisible(s.page, "#node-config-input-baseUrl"), true);
    });

    it("has every label on one line, its icon beside its text, with the token's and the OAuth rows, in English and German", async function () {
      /** the visible row labels of the open tray that take more than one line */
      const wrapped = (page = s.page) =>
        page.evaluate(() =>
          $(".red-ui-tray")
            .last()
            .find(".form-row > label:visible")
            .toArray()
            .filter((l: any) => l.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(l).lineHeight)) // eslint-disable-line @typescript-eslint/no-explicit-any
            .map((l: unknown) => $(l).text().trim()),
        );
      assert.ok(await isVisible(s.page, "#node-config-input-baseUrl"), "the advanced settings are open");
      assert.deepEqual(await wrapped(), [], "token");
      await s.page.selectOption("#node-config-input-authType", "oauth");
      assert.equal(await isVisible(s.page, "#node-config-input-clientSecret"), true);
      assert.deepEqual(await wrapped(), [], "OAuth");
      await s.page.selectOption("#node-config-input-authType", "token");

      // the same dialog with the editor in German (the language chosen in its settings)
      const context = await s.browser.newContext({ viewport: { width: 1280, height: 1500 } });
      try {
        await context.addInitScript(() => localStorage.setItem("editor-language", "de"));
        const page = await context.newPage();
        await page.goto(s.nr.url);
        await page.waitForFunction((id: string) => !!RED.nodes.node(id), IDS.config, { timeout: 30_000 });
        await openConfig(page, IDS.config);
        assert.equal(await page.textContent("label[for='node-config-input-authType']"), " Anmeldung");
        assert.deepEqual(await wrapped(page), [], "token (de)");
        await page.selectOption("#node-config-input-authType", "oauth");
        assert.deepEqual(await wrapped(page), [], "OAuth (de)");
      } finally {
        await context.close();
      }
    });

    it("flags a bad base URL, a bad data center and numbers out of range", async function () {
      const set = async (id: string, v: string) => {
        await s.page.fill(`#node-config-input-${id}`, v);
        await s.page.dispatchEvent(`#node-config-input-${id}`, "change");
      };
      for (const bad of ["ftp://example.com/API/v3", "http://127.0.0.1:9/other", "http://user:pw@example.com/API/v3"]) {
        await set("baseUrl", bad);
        await waitForError(s.page, "#node-config-input-baseUrl", true);
      }
      await set("baseUrl", s.sb.apiBase);
      await waitForError(s.page, "#node-config-input-baseUrl", false);
      // the data center only counts without a base URL
      await set("dataCenter", "not a data center!");
      await waitForError(s.page, "#node-config-input-dataCenter", false);
      await set("baseUrl", "");
      await waitForError(s.page, "#node-config-input-dataCenter", true);
      for (const good of ["fra1", "myorg.fra1.qualtrics.com", "https://sjc1.qualtrics.com/Q/MyProjectsSection", "${QUALTRICS_DC}"]) {
        await set("dataCenter", good);
        await waitForError(s.page, "#node-config-input-dataCenter", false);
      }
      for (const [f, bad, good] of [["timeout", "0", "30"], ["retries", "11", "4"], ["rateLimit", "1.5", "3000"], ["maxConcurrent", "abc", "10"]]) {
        await set(f, bad);
        await waitForError(s.page, `#node-config-input-${f}`, true);
        await set(f, good);
        await waitForError(s.page, `#node-config-input-${f}`, false);
      }
      // the message names the field, as every dialog's does
      const timeout = await s.page.evaluate((id: string) => {
        const node = RED.nodes.node(id);
        return node._def.defaults.timeout.validate.call(node, "0", {});
      }, IDS.config);
      assert.match(String(timeout), /^Timeout: /);
    });
  });

  // (a suite's own tests run before its child suites, so this check is a child suite of its own, last)
  describe("the whole session", function () {
    it("had no page errors and no console errors", function () {
      assert.deepEqual(s.errors, []);
    });
  });
});
