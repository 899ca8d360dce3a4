// The distribution follow-ups and the survey node on a real Node-RED (NR_PKG), against the sandbox:
// the two example flows pressed inject by inject as their comments describe (list a seeded survey's
// distributions, the history before and after a response through a recipient's link, a reminder,
// generated links), and a response trigger whose completed responses the survey node makes readable.
import assert from "node:assert/strict";
import { FlowNode, examplesFlows, loadExamples } from "../support/runtime";
import { statusCaptureId, untranslated, withCapture, statusesShown } from "./capture";
import { waitFor } from "../support/wait";
import { useStack } from "./stack";

const CONFIG_ID = "qualtrics-example-config";
const SURVEY_CS = "SV_VE5mzwCiii9FktA";
const SURVEY_PS = "SV_Mal7Ciyb4znodoS";
const NEWSLETTER = "CG_Rmxxb4YgyLCNMji";
const SUPPORT = "CG_gFo2kPPAqnsxmQ5";
const REMINDER_MESSAGE = "MS_SHb8TfshPW0EWLH";
const EXAMPLES = ["Distribution follow-ups - list, history, reminders, links", "Survey - question map and readable responses"];
const SHARED_KEY = "e2e-labelled-responses-key";

type Msg = Record<string, unknown> & { payload?: unknown; qualtrics?: { requestId?: string; httpStatus?: number; cached?: boolean }; error?: { message: string } };

describe(`e2e: distribution follow-ups and the survey node (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(60_000);
  const { sb, col, nr } = useStack({
    nodeRed: () => ({ httpNodeRoot: "/" }),
    ready: async () => {
      const mine = loadExamples().filter((e) => EXAMPLES.includes(e.label));
      assert.equal(mine.length, EXAMPLES.length, "both example files are there");
      deployMark = nr.mark();
      await nr.deploy(withCapture([...examplesFlows(mine), ...labellingTab()], col.url), {
        [CONFIG_ID]: { apiToken: sb.token },
        "e2e-label-trigger": { sharedKey: SHARED_KEY },
      });
      await waitFor("the trigger's event subscription", () => sb.state.subscriptions.size === 1, 15_000);
      await nr.waitForLog(/Started flows/, 5_000, deployMark);
    },
  });
  let deployMark = 0;

  const requests = (method: string, path: RegExp) => sb.requests.filter((r) => r.method === method && path.test(r.path));
  /** the n-th message (1-based) that reached a debug node */
  const nth = async (debugId: string, n = 1) => (await col.wait(debugId, n))[n - 1].msg as Msg;

  /** a tab of our own: completed responses of Customer Satisfaction, labelled */
  function labellingTab(): FlowNode[] {
    return [
      { id: "e2e-label-tab", type: "tab", label: "e2e readable responses", disabled: false, info: "" },
      {
        id: "e2e-label-trigger", type: "qualtrics-response-in", z: "e2e-label-tab", name: "completed responses", qualtrics: CONFIG_ID,
        surveyId: SURVEY_CS, topic: "", path: "/e2e/labelled", autoRegister: true, publicBaseUrl: nr.url.replace(/\/$/, ""),
        fetchResponse: true, dedupeSeconds: 600, maxBodyKb: 256, x: 150, y: 100, wires: [["e2e-label-survey"]],
      },
      {
        id: "e2e-label-survey", type: "qualtrics-survey", z: "e2e-label-tab", name: "", qualtrics: CONFIG_ID, operation: "label",
        surveyId: "", surveyIdType: "str", limit: 1000, output: "array", labelTarget: "labelled", x: 380, y: 100, wires: [["e2e-label-debug"]],
      },
      { id: "e2e-label-debug", type: "debug", z: "e2e-label-tab", name: "labelled", active: true, tosidebar: true, console: false, tostatus: false, complete: "true", targetType: "full", statusVal: "", statusType: "auto", x: 600, y: 100, wires: [] },
    ];
  }

  it("deploys both examples and the labelling tab without errors or warnings", async function () {
    const { flows } = await nr.getFlows();
    for (const label of EXAMPLES) assert.ok(flows.some((n) => n.type === "tab" && n.label === label), label);
    assert.deepEqual(nr.problems(deployMark), []);
  });

  describe("Distribution follow-ups", function () {
    const id = (s: string) => `qex-followups-${s}`;
    let invitation = "";

    it("send the invitation: an EMD_ ID, kept in the flow context", async function () {
      await nr.inject(id("inject-invite"));
      const msg = await nth(id("debug-invite"));
      invitation = (msg.payload as { id: string }).id;
      assert.match(invitation, /^EMD_/);
      const d = sb.state.distributions.get(invitation);
      assert.equal(d?.surveyId, SURVEY_CS);
      assert.equal(d?.recipients.mailingListId, NEWSLETTER);
    });

    it("list the survey's invitations: GET /distributions?surveyId= filtered to invitations, the new one among them", async function () {
      await nr.inject(id("inject-list"));
      const msg = await nth(id("debug-list"));
      const list = msg.payload as Array<{ id: string; requestType: string; stats: { sent: number } }>;
      assert.deepEqual(list.map((d) => d.id), [invitation]);
      assert.equal(list[0].requestType, "Invite");
      assert.equal(list[0].stats.sent, 15);
      const [req] = requests("GET", /\/API\/v3\/distributions$/);
      assert.deepEqual(req.query, { surveyId: SURVEY_CS, useNewPaginationScheme: "true", distributionRequestType: "Invite" });
      assert.equal(msg.qualtrics?.httpStatus, 200);
    });

    it("who has not finished?: the history of every recipient, and after a response through one link, the other 14", async function () {
      await nr.inject(id("inject-history"));
      const history = (await nth(id("debug-history"))).payload as Array<{ contactId: string; status: string; surveyLink: string; responseCompletedAt: string | null }>;
      assert.equal(history.length, 15);
      assert.ok(history.every((h) => h.status === "Success" && h.responseCompletedAt === null));
      assert.equal(((await nth(id("debug-not-finished"))).payload as string[]).length, 15);
      assert.equal(requests("GET", new RegExp(`/distributions/${invitation}/history$`)).length, 1);

      // the third recipient opens the link from the history and submits the survey
      const qdl = new URL(history[2].surveyLink).searchParams.get("Q_DL") ?? "";
      const [, distributionId, recipientId] = /^(EMD_[A-Za-z0-9]+)_SV_[A-Za-z0-9]+_(.+)$/.exec(qdl) ?? [];
      assert.equal(distributionId, invitation);
      const { responseId } = await sb.completeResponse(SURVEY_CS, undefined, { distributionId, recipientId });

      await nr.inject(id("inject-history"));
      const after = (await nth(id("debug-history"), 2)).payload as Array<{ contactId: string; status: string; responseId: string | null }>;
      const finished = after.filter((h) => h.status === "SurveyFinished");
      assert.deepEqual(finished.map((h) => [h.contactId, h.responseId]), [[history[2].contactId, responseId]]);
      const notFinished = (await nth(id("debug-not-finished"), 2)).payload as string[];
      assert.equal(notFinished.length, 14);
      assert.ok(!notFinished.includes(history[2].contactId));
    });

    it("remind them: POST /distributions/{invitation}/reminders with the reminder message; it goes to the 14", async function () {
      await nr.inject(id("inject-remind"));
      const msg = await nth(id("debug-remind"));
      const p = msg.payload as { id: string; distributionId: string; parentDistributionId: string };
      assert.match(p.id, /^EMD_/);
      assert.equal(p.distributionId, p.id);
      assert.equal(p.parentDistributionId, invitation);
      const [post] = requests("POST", new RegExp(`/distributions/${invitation}/reminders$`));
      const body = post.body as { header: Record<string, string>; message: Record<string, string>; sendDate: string };
      assert.deepEqual(body.message, { libraryId: "UR_MfnLF3XZBzwWhZ1", messageId: REMINDER_MESSAGE });
      assert.equal(body.header.subject, "A reminder: how did we do?");
      assert.match(body.sendDate, /Z$/);
      const reminder = sb.state.distributions.get(p.id);
      assert.equal(reminder?.requestType, "Reminder");
      const reminded = await (await fetch(`${sb.apiBase}/distributions/${p.id}/history`, { headers: { "X-API-TOKEN": sb.token } })).json() as { result: { elements: unknown[] } };
      assert.equal(reminded.result.elements.length, 14);
    });

    it("generate links for Support Customers Q1: one personal link per contact, read by the next node", async function () {
      await nr.inject(id("inject-links"));
      const msg = await nth(id("debug-links"));
      const links = msg.payload as Array<{ contactId: string; link: string; status: string; email: string }>;
      assert.equal(links.length, 15);
      assert.ok(links.every((l) => l.link.includes(`/jfe/form/${SURVEY_PS}?Q_DL=`) && l.status === "Email not sent"));
      const [post] = requests("POST", /\/API\/v3\/distributions$/).filter((r) => (r.body as { action?: string }).action === "CreateDistribution");
      assert.deepEqual(post.body, {
        action: "CreateDistribution", surveyId: SURVEY_PS, mailingListId: SUPPORT, linkType: "Individual",
        description: "Post-support links", expirationDate: "2099-12-31T00:00:00Z",
      });
      const generated = [...sb.state.distributions.values()].find((d) => d.requestType === "GeneratedInvite");
      assert.ok(generated);
      assert.equal(requests("GET", new RegExp(`/distributions/${generated.id}/links$`))[0].query.surveyId, SURVEY_PS);
    });

    it("nothing reached the Catch node", function () {
      assert.equal(col.of(id("debug-catch")).length, 0);
    });
  });

  describe("Survey - question map and readable responses", function () {
    const id = (s: string) => `qex-survey-${s}`;

    it("list surveys: the two seeded surveys", async function () {
      await nr.inject(id("inject-list"));
      const msg = await nth(id("debug-list"));
      assert.deepEqual((msg.payload as Array<{ id: string }>).map((s) => s.id).sort(), [SURVEY_CS, SURVEY_PS].sort());
    });

    it("question map: the question texts without HTML, and the answer labels", async function () {
      await nr.inject(id("inject-map"));
      const msg = await nth(id("debug-map"));
      assert.deepEqual(msg.payload, {
        QID1: "How likely are you to recommend us to a friend or colleague?",
        QID2: "Overall, how satisfied are you with our service?",
        QID3: "What could we do better?",
      });
      assert.equal((msg.choices as Record<string, Record<string, string>>).QID2["5"], "Very satisfied");
      assert.equal(requests("GET", new RegExp(`/survey-definitions/${SURVEY_CS}$`)).length, 1);
    });

    it("label a response: the example's response with question texts and labels, from the kept definition", async function () {
      await nr.inject(id("inject-label"));
      const msg = await nth(id("debug-label"));
      assert.deepEqual(msg.labelled, {
        "How likely are you to recommend us to a friend or colleague?": "3",
        "Overall, how satisfied are you with our service?": "Dissatisfied",
        "What could we do better?": "Please answer the phone faster.",
      });
      assert.equal(msg.qualtrics?.cached, true);
      assert.equal(requests("GET", new RegExp(`/survey-definitions/${SURVEY_CS}$`)).length, 1, "the definition was kept");
    });

    it("a completed sandbox response, through the real webhook and the response trigger, labelled", async function () {
      const { responseId, deliveries } = await sb.completeResponse(SURVEY_CS, { QID1: 10, QID2: 5, QID3_TEXT: "Nothing, keep it up" });
      assert.deepEqual(deliveries.map((d) => d.status), [200]);
      // (the response of the history test above reached the trigger as well)
      const msg = await waitFor("the labelled response", () => col.of("e2e-label-debug").map((c) => c.msg as Msg).find((m) => (m.payload as { responseId?: string }).responseId === responseId));
      assert.deepEqual(msg.labelled, {
        "How likely are you to recommend us to a friend or colleague?": "10",
        "Overall, how satisfied are you with our service?": "Very satisfied",
        "What could we do better?": "Nothing, keep it up",
      });
    });

    it("nothing reached the Catch node", function () {
      assert.equal(col.of(id("debug-catch")).length, 0);
    });
  });

  describe("the log and the status", function () {
    it("shows no errors or warnings", function () {
      assert.deepEqual(nr.problems(deployMark), []);
    });

    it("every status the two nodes showed is translated text", function () {
      const shown = statusesShown(col);
      for (const t of ["qualtrics-distribution", "qualtrics-survey"]) assert.ok(shown.some((x) => x.startsWith(t + ":")), `no status seen from ${t}`);
      assert.deepEqual(untranslated(shown), []);
      assert.ok(col.of(statusCaptureId("qex-followups")).length > 0);
    });
  });
});
