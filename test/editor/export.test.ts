// The export node and the polling trigger in a real editor: their typed inputs and pickers (surveys,
// and the chosen survey's saved filters), rows that follow the options, and flagged input.
import assert from "node:assert/strict";
import { surveyFilters } from "../../sandbox/routes/export";
import { IDS, closePicker, closeTrays, openNode, openPicker, pickByName, rowVisible, screenshotTray, setTyped, useSession, typeInto, typedInputInfo, waitForError } from "./harness";

declare const RED: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const $: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const EXPORT = "qed-export";
const POLL = "qed-poll";
const PICKER_TYPES = ["qualtrics", "str", "msg", "flow", "global", "env", "jsonata"];
const STR_TYPES = ["str", "msg", "flow", "global", "env", "jsonata"];

describe(`editor: export node and polling trigger (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(120_000);

  /** types into a plain text field, as a user does */
  async function fill(prop: string, text: string): Promise<void> {
    const box = s.page.locator(`#node-input-${prop}`);
    await box.fill(text);
    await box.press("Tab");
  }

  const s = useSession(async () => {
      // two more nodes on the dialogs tab, as a user would drop them from the palette
      await s.page.evaluate(
        ([tab, config, exportId, pollId]: string[]) => {
          RED.nodes.import([
            // what the palette gives a new node: the defaults of its definition
            ...[
              { id: exportId, type: "qualtrics-export", y: 520 },
              { id: pollId, type: "qualtrics-response-poll", y: 580 },
            ].map((n) => {
              const defaults = RED.nodes.getType(n.type).defaults;
              const props: Record<string, unknown> = {};
              for (const k of Object.keys(defaults)) props[k] = defaults[k].value;
              return { ...props, ...n, z: tab, qualtrics: config, x: 200, wires: [[]] };
            }),
          ]);
        },
        [IDS.tab, IDS.config, EXPORT, POLL],
      );
  });

  describe("qualtrics-export", function () {
    before(async () => openNode(s.page, EXPORT));
    after(async () => closeTrays(s.page));

    it("opens with its defaults, typed inputs and the survey picker", async function () {
      assert.equal(await s.page.inputValue("#node-input-format"), "json");
      assert.equal(await s.page.inputValue("#node-input-since"), "all");
      assert.equal(await s.page.inputValue("#node-input-output"), "split");
      assert.equal(await s.page.isChecked("#node-input-compress"), true);
      assert.equal(await s.page.inputValue("#node-input-timeout"), "10");
      assert.deepEqual((await typedInputInfo(s.page, "#node-input-surveyId")).types, PICKER_TYPES);
      assert.deepEqual((await typedInputInfo(s.page, "#node-input-filterId")).types, PICKER_TYPES);
      for (const f of ["startDate", "endDate", "questionIds", "embeddedDataIds"]) assert.deepEqual((await typedInputInfo(s.page, `#node-input-${f}`)).types, STR_TYPES, f);
      await setTyped(s.page, "#node-input-surveyId", "", "qualtrics");
      const { items } = await openPicker(s.page, "node-input-surveyId");
      await closePicker(s.page);
      assert.deepEqual(items.map((i) => i.value).sort(), [...s.sb.seedIds.surveyIds].sort());
    });

    it("the filter picker lists the chosen survey's saved filters, and asks for a survey first", async function () {
      await setTyped(s.page, "#node-input-filterId", "", "qualtrics");
      let got = await openPicker(s.page, "node-input-filterId");
      await closePicker(s.page);
      assert.deepEqual(got.items, []);
      assert.match(got.status, /survey/i);
      const survey = s.sb.seedIds.surveyIds[0];
      await setTyped(s.page, "#node-input-surveyId", survey, "qualtrics");
      got = await openPicker(s.page, "node-input-filterId");
      await closePicker(s.page);
      const expected = surveyFilters(s.sb.state.surveys.get(survey)!).map((f) => f.filterId).sort();
      assert.deepEqual(got.items.map((i) => i.value).sort(), expected);
    });

    it("rows follow the mode and the output", async function () {
      const rows = async () => ({
        endDate: await rowVisible(s.page, "endDate"),
        limit: await rowVisible(s.page, "limit"),
        allowContinuation: await rowVisible(s.page, "allowContinuation"),
        directory: await rowVisible(s.page, "directory"),
      });
      assert.deepEqual(await rows(), { endDate: true, limit: true, allowContinuation: true, directory: false });
      await s.page.selectOption("#node-input-since", "new");
      await s.page.selectOption("#node-input-output", "file");
      assert.deepEqual(await rows(), { endDate: false, limit: false, allowContinuation: false, directory: true });
      assert.equal(await s.page.evaluate(() => $(".qualtrics-export-new").is(":visible")), true, "the tip about the bookmark");
      await screenshotTray(s.page, s.major, "qualtrics-export");
      await s.page.selectOption("#node-input-since", "all");
      await s.page.selectOption("#node-input-output", "split");
    });

    it("flags a survey that is not one, a bad date, a question that is not a QID, SPSS per response, a file without a directory", async function () {
      await typeInto(s.page, "node-input-surveyId", "CG_123");
      await waitForError(s.page, "#node-input-surveyId", true);
      await typeInto(s.page, "node-input-surveyId", s.sb.seedIds.surveyIds[0]);
      await waitForError(s.page, "#node-input-surveyId", false);
      await setTyped(s.page, "#node-input-startDate", "next week", "str");
      await waitForError(s.page, "#node-input-startDate", true);
      await setTyped(s.page, "#node-input-startDate", "2025-05-01T00:00:00Z", "str");
      await waitForError(s.page, "#node-input-startDate", false);
      await setTyped(s.page, "#node-input-questionIds", "QID1, Q2", "str");
      await waitForError(s.page, "#node-input-questionIds", true);
      await setTyped(s.page, "#node-input-questionIds", "QID1, QID2", "str");
      await waitForError(s.page, "#node-input-questionIds", false);
      await s.page.selectOption("#node-input-format", "spss");
      await waitForError(s.page, "#node-input-format", true);
      await s.page.selectOption("#node-input-output", "file");
      await waitForError(s.page, "#node-input-format", false);
      await waitForError(s.page, "#node-input-directory", true);
      await fill("directory", "exports");
      await waitForError(s.page, "#node-input-directory", false);
    });
  });

  describe("qualtrics-response-poll", function () {
    before(async () => openNode(s.page, POLL));
    after(async () => closeTrays(s.page));

    it("opens with its defaults: a survey (picker, text, env), every 60 seconds, from now", async function () {
      assert.deepEqual((await typedInputInfo(s.page, "#node-input-surveyId")).types, ["qualtrics", "str", "env"]);
      assert.equal(await s.page.inputValue("#node-input-interval"), "60");
      assert.equal(await s.page.inputValue("#node-input-start"), "now");
      assert.equal(await rowVisible(s.page, "startDate"), false);
      await s.page.selectOption("#node-input-start", "date");
      assert.equal(await rowVisible(s.page, "startDate"), true);
    });

    it("flags a missing survey, an interval under 10 seconds and a missing start date", async function () {
      await waitForError(s.page, "#node-input-surveyId", true);
      await setTyped(s.page, "#node-input-surveyId", s.sb.seedIds.surveyIds[0], "qualtrics");
      await waitForError(s.page, "#node-input-surveyId", false);
      await fill("interval", "5");
      await waitForError(s.page, "#node-input-interval", true);
      await fill("interval", "30");
      await waitForError(s.page, "#node-input-interval", false);
      await waitForError(s.page, "#node-input-startDate", true);
      await fill("startDate", "2025-05-01T00:00:00Z");
      await waitForError(s.page, "#node-input-startDate", false);
    });

    it("picks the survey by name and shows it under the field", async function () {
      const [satisfaction, support] = s.sb.seedIds.surveyIds;
      await setTyped(s.page, "#node-input-surveyId", "", "qualtrics");
      const surveys = await pickByName(s.page, "surveyId", support);
      assert.deepEqual(surveys.offered, [["Customer Satisfaction", satisfaction], ["Post-Support Feedback", support]]);
      assert.deepEqual(surveys.picked, { type: "qualtrics", value: support });
      await waitForError(s.page, "#node-input-surveyId", false);
      await screenshotTray(s.page, s.major, "qualtrics-response-poll");
    });
  });

  it("no page errors", function () {
    assert.deepEqual(s.errors, []);
  });
});
