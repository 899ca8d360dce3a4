// The distribution node's follow-up operations and the survey node in a real editor: fields follow
// the operation, the distributions picker lists the survey's distributions of the kind the operation
// needs, the message picker the category of the follow-up, and the dialogs flag bad input.
import assert from "node:assert/strict";
import { IDS, closePicker, closeTrays, openNode, openPicker, rowVisible, screenshotTray, setTyped, useSession, typeInto, typedInputInfo, validationMessage, waitForError } from "./harness";

declare const RED: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const $: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const FOLLOWUP = "qed-followup";
const SURVEY = "qed-survey";
const PICKER_TYPES = ["qualtrics", "str", "msg", "flow", "global", "env"];

describe(`editor: distribution follow-ups and the survey node (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(120_000);
  let invitation = "";
  let links = "";

  const s = useSession(async () => {
      const sb = s.sb;
      const call = async (path: string, body: unknown) =>
        ((await (await fetch(`${sb.apiBase}${path}`, { method: "POST", headers: { "X-API-TOKEN": sb.token, "content-type": "application/json" }, body: JSON.stringify(body) })).json()) as { result: { id: string } }).result.id;
      invitation = await call("/distributions", {
        message: { libraryId: sb.seedIds.libraryId, messageId: sb.seedIds.messageIds.invite },
        recipients: { mailingListId: sb.seedIds.mailingListIds[0] },
        header: { fromEmail: "care@example.com", fromName: "Care", replyToEmail: "care@example.com", subject: "How did we do?" },
        surveyLink: { surveyId: sb.seedIds.surveyIds[0] },
        sendDate: "2024-03-05T09:00:00Z",
      });
      links = await call("/distributions", { action: "CreateDistribution", surveyId: sb.seedIds.surveyIds[0], mailingListId: sb.seedIds.mailingListIds[1], description: "Spring links" });
      // two more nodes on the dialogs tab, as a user would drop them from the palette
      await s.page.evaluate(
        ([tab, config, survey, followup, surveyNode]: string[]) => {
          RED.nodes.import([
            { id: followup, type: "qualtrics-distribution", z: tab, name: "", qualtrics: config, operation: "reminder", channel: "email", surveyId: survey, surveyIdType: "qualtrics", x: 200, y: 400, wires: [[]] },
            { id: surveyNode, type: "qualtrics-survey", z: tab, name: "", qualtrics: config, operation: "label", surveyId: "", surveyIdType: "str", x: 200, y: 460, wires: [[]] },
          ]);
        },
        [IDS.tab, IDS.config, sb.seedIds.surveyIds[0], FOLLOWUP, SURVEY],
      );
  });

  describe("qualtrics-distribution, follow-up operations", function () {
    before(async function () {
      await openNode(s.page, FOLLOWUP);
    });
    after(async function () {
      await closeTrays(s.page);
    });

    const visible = async (props: string[]) => Object.fromEntries(await Promise.all(props.map(async (p) => [p, await rowVisible(s.page, p)])));
    const ALL = ["channel", "method", "surveyId", "distributionId", "distributionRequestType", "sendStartDate", "sendEndDate", "sendDate",
      "libraryId", "messageId", "messageText", "mailingListId", "contactId", "fromEmail", "subject", "linkType", "expirationDate", "description",
      "embeddedData", "limit", "output"];
    const shownFor = (props: string[]) => Object.fromEntries(ALL.map((p) => [p, props.includes(p)]));

    it("shows the fields of each operation only", async function () {
      const cases: Array<[string, string[]]> = [
        ["reminder", ["distributionId", "sendDate", "libraryId", "messageId", "messageText", "fromEmail", "subject"]],
        ["list", ["surveyId", "distributionRequestType", "mailingListId", "sendStartDate", "sendEndDate", "limit", "output"]],
        ["get", ["distributionId", "surveyId"]],
        ["generateLinks", ["surveyId", "mailingListId", "linkType", "expirationDate", "description"]],
        ["links", ["distributionId", "surveyId", "limit", "output"]],
        ["history", ["distributionId", "limit", "output"]],
      ];
      for (const [op, props] of cases) {
        await s.page.selectOption("#node-input-operation", op);
        assert.deepEqual(await visible(ALL), shownFor(props), op);
        assert.equal(await s.page.evaluate((o: string) => $(".qualtrics-distribution-op-tip-" + o).is(":visible"), op), true, `${op} tip`);
      }
      await s.page.selectOption("#node-input-operation", "create");
      const create = await visible(ALL);
      assert.equal(create.channel, true);
      assert.equal(create.distributionId, false);
      assert.equal(create.limit, false);
      await s.page.selectOption("#node-input-operation", "reminder");
      await screenshotTray(s.page, s.major, "qualtrics-distribution-reminder");
    });

    it("the distribution picker lists the survey's invitations for a reminder, and its link distributions for links", async function () {
      assert.deepEqual((await typedInputInfo(s.page, "#node-input-distributionId")).types, PICKER_TYPES);
      await setTyped(s.page, "#node-input-distributionId", "", "qualtrics");
      let { items } = await openPicker(s.page, "node-input-distributionId");
      await closePicker(s.page);
      assert.deepEqual(items.map((i) => i.value), [invitation]);
      assert.equal(items[0].label, "Invite · 2024-03-05 09:00 · How did we do?");
      await s.page.selectOption("#node-input-operation", "links");
      ({ items } = await openPicker(s.page, "node-input-distributionId"));
      await closePicker(s.page);
      assert.deepEqual(items.map((i) => i.value), [links]);
      // without a fixed survey the picker says what to do
      await setTyped(s.page, "#node-input-surveyId", "survey", "msg");
      const empty = await openPicker(s.page, "node-input-distributionId");
      await closePicker(s.page);
      assert.deepEqual(empty.items, []);
      assert.match(empty.status, /survey/i);
      await setTyped(s.page, "#node-input-surveyId", s.sb.seedIds.surveyIds[0], "qualtrics");
      await s.page.selectOption("#node-input-operation", "reminder");
    });

    it("the message picker lists reminder messages for a reminder and thank-you messages for a thank-you", async function () {
      await setTyped(s.page, "#node-input-libraryId", s.sb.seedIds.libraryId, "qualtrics");
      await setTyped(s.page, "#node-input-messageId", "", "qualtrics");
      let { items } = await openPicker(s.page, "node-input-messageId");
      await closePicker(s.page);
      assert.deepEqual(items.map((i) => i.value), [s.sb.seedIds.messageIds.reminder]);
      await s.page.selectOption("#node-input-operation", "thankYou");
      ({ items } = await openPicker(s.page, "node-input-messageId"));
      await closePicker(s.page);
      assert.deepEqual(items.map((i) => i.value), [s.sb.seedIds.messageIds.thankYou]);
    });

    it("flags an SMS distribution as the parent, and a send window that ends before it starts", async function () {
      await typeInto(s.page, "node-input-distributionId", "SMSD_abc123");
      await waitForError(s.page, "#node-input-distributionId", true);
      assert.match(String(await validationMessage(s.page, FOLLOWUP, "distributionId")), /EMD_/);
      await typeInto(s.page, "node-input-distributionId", invitation);
      await waitForError(s.page, "#node-input-distributionId", false);

      await s.page.selectOption("#node-input-operation", "list");
      await typeInto(s.page, "node-input-sendStartDate", "2024-02-01");
      await typeInto(s.page, "node-input-sendEndDate", "2024-01-01");
      await waitForError(s.page, "#node-input-sendEndDate", true);
      await typeInto(s.page, "node-input-sendEndDate", "2024-03-01");
      await waitForError(s.page, "#node-input-sendEndDate", false);
    });

    it("does not flag the fields of other operations (an SMS mailing-list rule while listing)", async function () {
      await s.page.selectOption("#node-input-operation", "create");
      await s.page.selectOption("#node-input-channel", "sms");
      await setTyped(s.page, "#node-input-method", "Reminder", "str");
      await setTyped(s.page, "#node-input-mailingListId", s.sb.seedIds.mailingListIds[0], "qualtrics");
      await waitForError(s.page, "#node-input-mailingListId", true);
      await s.page.selectOption("#node-input-operation", "list");
      await setTyped(s.page, "#node-input-mailingListId", s.sb.seedIds.mailingListIds[0], "qualtrics");
      await waitForError(s.page, "#node-input-mailingListId", false);
    });
  });

  describe("qualtrics-survey", function () {
    before(async function () {
      await openNode(s.page, SURVEY);
    });
    after(async function () {
      await closeTrays(s.page);
    });

    it("opens with its fields; the rows follow the operation", async function () {
      assert.equal(await s.page.inputValue("#node-input-operation"), "label");
      assert.deepEqual((await typedInputInfo(s.page, "#node-input-surveyId")).types, PICKER_TYPES);
      const rows = async () => ({
        surveyId: await rowVisible(s.page, "surveyId"),
        labelTarget: await rowVisible(s.page, "labelTarget"),
        limit: await rowVisible(s.page, "limit"),
        output: await rowVisible(s.page, "output"),
      });
      assert.deepEqual(await rows(), { surveyId: true, labelTarget: true, limit: false, output: false });
      await screenshotTray(s.page, s.major, "qualtrics-survey");
      await s.page.selectOption("#node-input-operation", "list");
      assert.deepEqual(await rows(), { surveyId: false, labelTarget: false, limit: true, output: true });
      await s.page.selectOption("#node-input-operation", "questions");
      assert.deepEqual(await rows(), { surveyId: true, labelTarget: false, limit: false, output: true });
      await s.page.selectOption("#node-input-operation", "questionMap");
      assert.deepEqual(await rows(), { surveyId: true, labelTarget: false, limit: false, output: false });
    });

    it("lists the two surveys in the picker and flags an ID that is not a survey", async function () {
      await setTyped(s.page, "#node-input-surveyId", "", "qualtrics");
      const { items } = await openPicker(s.page, "node-input-surveyId");
      await closePicker(s.page);
      assert.deepEqual(items.map((i) => i.value).sort(), [...s.sb.seedIds.surveyIds].sort());
      await typeInto(s.page, "node-input-surveyId", "CG_123");
      await waitForError(s.page, "#node-input-surveyId", true);
      await typeInto(s.page, "node-input-surveyId", s.sb.seedIds.surveyIds[0]);
      await waitForError(s.page, "#node-input-surveyId", false);
    });

    it("saves a valid node on Done", async function () {
      await s.page.click("#node-dialog-ok");
      await s.page.waitForFunction(() => document.querySelectorAll(".red-ui-tray").length === 0);
      const n = await s.page.evaluate((id: string) => {
        const node = RED.nodes.node(id);
        return { operation: node.operation, surveyId: node.surveyId, valid: node.valid };
      }, SURVEY);
      assert.deepEqual(n, { operation: "questionMap", surveyId: s.sb.seedIds.surveyIds[0], valid: true });
    });
  });

  describe("the whole session", function () {
    it("had no page errors and no console errors", function () {
      assert.deepEqual(s.errors, []);
    });
  });
});
