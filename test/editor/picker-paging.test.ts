// The survey picker on an account with many surveys, in a real editor: the first page of names,
// "Show more" for the next, and a search on the server that finds a survey the first page lacks.
import assert from "node:assert/strict";
import { IDS, closePicker, openNode, openPicker, useSession, waitFor } from "./harness";

declare const RED: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const $: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const SURVEY = "qed-paged-survey";
const MANY = 180;

describe(`editor: pickers page and search on the server (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(120_000);

  const s = useSession(async () => {
    const surveys = s.sb.state.surveys;
    const template = surveys.get(s.sb.seedIds.surveyIds[0])!;
    for (let n = 1; n <= MANY; n++) {
      const id = `SV_paged${String(n).padStart(10, "0")}`;
      surveys.set(id, { ...template, id, name: `Paged survey ${String(n).padStart(3, "0")}`, responses: new Map() });
    }
    await s.page.evaluate(
      ([tab, config, node]: string[]) => {
        RED.nodes.import([{ id: node, type: "qualtrics-survey", z: tab, name: "", qualtrics: config, operation: "label", surveyId: "", surveyIdType: "qualtrics", x: 200, y: 520, wires: [[]] }]);
      },
      [IDS.tab, IDS.config, SURVEY],
    );
    await openNode(s.page, SURVEY);
  });

  const shown = () => s.page.evaluate(() => $(".qualtrics-picker:visible .qualtrics-picker-list a").length as number);

  it("shows the first 50 of 182 surveys, and 50 more on \"Show more\"", async function () {
    const listed = () => s.sb.requests.filter((r) => r.path === "/API/v3/surveys").length;
    const before = listed();
    const first = await openPicker(s.page, "node-input-surveyId");
    assert.equal(first.items.length, 50);
    assert.equal(listed() - before, 1, "one page of the account's surveys was read");
    assert.match(first.status, /first 50/);
    const more = s.page.locator(".qualtrics-picker:visible button.qualtrics-picker-more");
    await more.click();
    await waitFor("100 surveys shown", async () => (await shown()) === 100);
    await closePicker(s.page);
  });

  it("typing a name the first page lacks finds it on the server", async function () {
    await openPicker(s.page, "node-input-surveyId");
    const filter = s.page.locator(".qualtrics-picker:visible .qualtrics-picker-top input[type=text]");
    await filter.pressSequentially("paged SURVEY 17");
    await waitFor("the ten matches of 'Paged survey 17'", async () => (await shown()) === 10);
    const labels = await s.page.evaluate(() => $(".qualtrics-picker:visible .qualtrics-picker-list a > span:first-child").toArray().map((e: Element) => e.textContent));
    assert.deepEqual(labels, Array.from({ length: 10 }, (_, i) => `Paged survey 17${i}`));
    const status = await s.page.evaluate(() => $(".qualtrics-picker:visible .qualtrics-picker-status").text() as string);
    assert.match(status, /10 found/);
    await closePicker(s.page);
  });
});
