// The mailing list and response nodes in a real editor, as a user drops them from the palette: their
// typed inputs (the contact fields' "not set" unsubscribed choice among them), rows that follow the
// operation, and flagged input, with the message the field's tooltip shows; the directory, list and
// survey picked by name (the screenshots in docs/screenshots/ show these dialogs).
import assert from "node:assert/strict";
import {
  IDS, closeTrays, openNode, pickByName, rowVisible, screenshotTray, setTyped, typeInto, typedInputInfo, useSession, validationMessage, waitForError,
} from "./harness";

declare const RED: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const $: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const LIST = "qed-mailing-list";
const RESPONSE = "qed-response";
const STR_TYPES = ["str", "msg", "flow", "global", "env", "jsonata"];
const JSON_TYPES = ["json", "msg", "flow", "global", "jsonata"];

describe(`editor: mailing list and response nodes (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(120_000);

  const s = useSession(async () => {
    await s.page.evaluate(
      ([tab, config, list, response]: string[]) => {
        RED.nodes.import(
          // what the palette gives a new node: the defaults of its definition
          [
            { id: list, type: "qualtrics-mailing-list", y: 640 },
            { id: response, type: "qualtrics-response", y: 700 },
          ].map((n) => {
            const defaults = RED.nodes.getType(n.type).defaults;
            const props: Record<string, unknown> = {};
            for (const k of Object.keys(defaults)) props[k] = defaults[k].value;
            return { ...props, ...n, z: tab, qualtrics: config, x: 200, wires: [[]] };
          }),
        );
      },
      [IDS.tab, IDS.config, LIST, RESPONSE],
    );
  });

  const visible = async (props: readonly string[]) => Object.fromEntries(await Promise.all(props.map(async (p) => [p, await rowVisible(s.page, p)])));
  const shownFor = (all: readonly string[], shown: readonly string[]) => Object.fromEntries(all.map((p) => [p, shown.includes(p)]));

  describe("qualtrics-mailing-list", function () {
    before(async () => openNode(s.page, LIST));
    after(async () => closeTrays(s.page));

    it("opens with the contact fields as typed inputs, unsubscribed 'not set'", async function () {
      assert.equal(await s.page.inputValue("#node-input-operation"), "lists");
      for (const f of ["contactId", "listName", "firstName", "lastName", "email", "phone", "extRef", "language"]) {
        assert.deepEqual((await typedInputInfo(s.page, `#node-input-${f}`)).types, STR_TYPES, f);
      }
      const ed = await typedInputInfo(s.page, "#node-input-embeddedData");
      assert.deepEqual([ed.type, ed.types], ["json", JSON_TYPES]);
      const unsub = await typedInputInfo(s.page, "#node-input-unsubscribed");
      assert.deepEqual([unsub.type, unsub.types], ["none", ["none", "bool", "msg", "flow", "global"]]);
      const noneLabel = await s.page.evaluate(() => $("#node-input-unsubscribed").next(".red-ui-typedInput-container").find(".red-ui-typedInput-type-label").text().trim());
      assert.equal(noneLabel, "not set");
      assert.equal(await s.page.getAttribute("#node-input-language", "placeholder"), "e.g. EN, DE (empty: from msg.payload)");
    });

    it("shows the rows of the chosen operation", async function () {
      const ALL = ["directoryId", "mailingListId", "contactId", "listName", "email", "unsubscribed", "limit", "output", "waitForImport", "importTimeout"];
      const cases: Array<[string, string[]]> = [
        ["lists", ["directoryId", "limit", "output"]],
        ["create", ["directoryId", "listName"]],
        ["addMember", ["directoryId", "mailingListId", "email", "unsubscribed"]],
        ["updateMember", ["directoryId", "mailingListId", "contactId", "email", "unsubscribed"]],
        ["import", ["directoryId", "mailingListId", "waitForImport", "importTimeout"]],
        ["msg", ALL],
      ];
      for (const [op, shown] of cases) {
        await s.page.selectOption("#node-input-operation", op);
        assert.deepEqual(await visible(ALL), shownFor(ALL, shown), op);
        assert.equal(await s.page.evaluate(() => $(".qualtrics-ml-msg").is(":visible")), op === "msg", `${op}: the msg.operation tip`);
      }
    });

    it("flags a bad email and a list name over 200 characters only where the operation uses them", async function () {
      await s.page.selectOption("#node-input-operation", "addMember");
      await typeInto(s.page, "node-input-email", "not-an-email");
      await waitForError(s.page, "#node-input-email", true);
      assert.match(String(await validationMessage(s.page, LIST, "email")), /^Email: /);
      await s.page.selectOption("#node-input-operation", "lists");
      await setTyped(s.page, "#node-input-email", "not-an-email", "str");
      await waitForError(s.page, "#node-input-email", false);
      await setTyped(s.page, "#node-input-email", "", "str");

      await s.page.selectOption("#node-input-operation", "create");
      await typeInto(s.page, "node-input-listName", "x".repeat(201));
      await waitForError(s.page, "#node-input-listName", true);
      await typeInto(s.page, "node-input-listName", "Spring panel");
      await waitForError(s.page, "#node-input-listName", false);
    });

    it("takes a fixed unsubscribed value and goes back to 'not set'", async function () {
      await s.page.selectOption("#node-input-operation", "updateMember");
      await setTyped(s.page, "#node-input-unsubscribed", "true", "bool");
      await waitForError(s.page, "#node-input-unsubscribed", false);
      assert.equal(await s.page.inputValue("#node-input-unsubscribedType"), "bool");
      await setTyped(s.page, "#node-input-unsubscribed", "", "none");
      assert.equal(await s.page.inputValue("#node-input-unsubscribedType"), "none");
      await waitForError(s.page, "#node-input-unsubscribed", false);
    });

    it("picks the directory, then a mailing list of it, by name, and shows the names under the fields", async function () {
      await s.page.selectOption("#node-input-operation", "addMember");
      const dirs = await pickByName(s.page, "directoryId", s.sb.seedIds.directoryId);
      assert.deepEqual(dirs.offered, [["Default Directory", s.sb.seedIds.directoryId]]);
      // the lists of the chosen directory
      const [newsletter, support] = s.sb.seedIds.mailingListIds;
      const lists = await pickByName(s.page, "mailingListId", support);
      assert.deepEqual(lists.offered, [["Newsletter Subscribers", newsletter], ["Support Customers Q1", support]]);
      assert.deepEqual(lists.picked, { type: "qualtrics", value: support });
      assert.equal(await s.page.textContent("#node-input-directoryId-name"), "Default Directory");
      await screenshotTray(s.page, s.major, "qualtrics-mailing-list");
    });
  });

  describe("qualtrics-response", function () {
    before(async () => openNode(s.page, RESPONSE));
    after(async () => closeTrays(s.page));

    it("opens with its typed inputs and the yes/no/payload choices", async function () {
      assert.equal(await s.page.inputValue("#node-input-operation"), "get");
      assert.deepEqual((await typedInputInfo(s.page, "#node-input-responseId")).types, STR_TYPES);
      for (const f of ["values", "embeddedData"]) {
        const t = await typedInputInfo(s.page, `#node-input-${f}`);
        assert.deepEqual([t.type, t.types], ["json", JSON_TYPES], f);
      }
      for (const f of ["resetRecordedDate", "decrementQuotas"]) {
        const options = await s.page.evaluate((sel: string) => $(sel + " option").map((_i: number, o: any) => o.value + "=" + o.textContent).get(), `#node-input-${f}`); // eslint-disable-line @typescript-eslint/no-explicit-any
        assert.deepEqual(options, ["=from msg.payload (else not sent)", "false=No", "true=Yes"], f);
      }
      assert.equal(await s.page.isChecked("#node-input-ignoreMissing"), true);
    });

    it("shows the rows of the chosen operation", async function () {
      const ALL = ["surveyId", "responseId", "values", "embeddedData", "resetRecordedDate", "decrementQuotas", "ignoreMissing"];
      const cases: Array<[string, string[]]> = [
        ["get", ["surveyId", "responseId"]],
        ["create", ["surveyId", "values"]],
        ["update", ["surveyId", "responseId", "embeddedData", "resetRecordedDate"]],
        ["delete", ["surveyId", "responseId", "decrementQuotas"]],
        ["bulkUpdate", ["surveyId", "ignoreMissing"]],
        ["msg", ALL],
      ];
      for (const [op, shown] of cases) {
        await s.page.selectOption("#node-input-operation", op);
        assert.deepEqual(await visible(ALL), shownFor(ALL, shown), op);
        assert.equal(await s.page.evaluate(() => $(".qualtrics-response-msg").is(":visible")), op === "msg", `${op}: the msg.operation tip`);
      }
    });

    it("flags answers that are not a JSON object, with the field's name, only for create", async function () {
      await s.page.selectOption("#node-input-operation", "create");
      await setTyped(s.page, "#node-input-values", "{QID1: 1", "json");
      await waitForError(s.page, "#node-input-values", true);
      assert.match(String(await validationMessage(s.page, RESPONSE, "values")), /: not valid JSON$/);
      await setTyped(s.page, "#node-input-values", "[1, 2]", "json");
      await waitForError(s.page, "#node-input-values", true);
      assert.match(String(await validationMessage(s.page, RESPONSE, "values")), /: must be a JSON object$/);
      await s.page.selectOption("#node-input-operation", "get");
      await setTyped(s.page, "#node-input-values", "[1, 2]", "json");
      await waitForError(s.page, "#node-input-values", false);
      await s.page.selectOption("#node-input-operation", "create");
      await setTyped(s.page, "#node-input-values", '{"QID1": 1, "QID2": ["a"]}', "json");
      await waitForError(s.page, "#node-input-values", false);
    });

    it("picks the survey by name and shows it under the field", async function () {
      await s.page.selectOption("#node-input-operation", "update");
      const [satisfaction, support] = s.sb.seedIds.surveyIds;
      const surveys = await pickByName(s.page, "surveyId", satisfaction);
      assert.deepEqual(surveys.offered, [["Customer Satisfaction", satisfaction], ["Post-Support Feedback", support]]);
      assert.deepEqual(surveys.picked, { type: "qualtrics", value: satisfaction });
      await screenshotTray(s.page, s.major, "qualtrics-response");
    });
  });

  describe("the whole session", function () {
    it("had no page errors and no console errors", function () {
      assert.deepEqual(s.errors, []);
    });
  });
});
