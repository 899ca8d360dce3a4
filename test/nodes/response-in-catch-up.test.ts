// The response trigger's catch-up: every few minutes an export of the responses recorded since the
// last one, and those no webhook brought are emitted, each once, with msg.event.source "catch-up".
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import supertest from "supertest";
import { forgetAllBookmarks } from "../../nodes/lib/bookmark";
import { generateResponses } from "../../sandbox/export-control";
import { collect, credentials, FlowNode, helper, http, TOKEN } from "../support/nr-helper";
import { configNode } from "../support/config-node";
import { useSandbox } from "../support/fixtures";
import { sleep, until } from "../support/wait";
import { noUnhandledRejections, useNodeRuntime } from "../support/node-test";

const N = http.nodes;
const KEY = "catch-up-key";
const PATH = "/qualtrics/catch-up";
type Msg = { payload: Record<string, unknown>; topic: string; event: Record<string, unknown>; qualtrics?: Record<string, unknown> };

describe("qualtrics-response-in: catch-up", function () {
  this.timeout(30_000);
  const sb = useSandbox({ token: TOKEN });
  let survey: string;
  beforeEach(() => {
    survey = sb.seedIds.surveyIds[0];
  });
  useNodeRuntime({ qualtricsExportPollDelay: 2, qualtricsResponseInCatchUpMinSeconds: 1 });
  afterEach(() => forgetAllBookmarks());
  noUnhandledRejections();

  function flow(props: Record<string, unknown>): FlowNode[] {
    return [
      { id: "tab", type: "tab" },
      configNode(sb.apiBase),
      // catch-up every second (the settings' minimum here); no subscription: the sandbox delivers nothing
      { id: "n", z: "tab", type: "qualtrics-response-in", qualtrics: "cfg", surveyId: survey, path: PATH, catchUpMinutes: 0.01, wires: [["out"]], ...props },
      { id: "out", z: "tab", type: "helper" },
    ];
  }
  async function load(props: Record<string, unknown> = {}): Promise<Msg[]> {
    await helper.load([N.config, N.responseIn], flow(props), { ...credentials, n: { sharedKey: KEY } });
    return collect("out") as unknown as Msg[];
  }
  const exports = () => sb.requests.filter((r) => r.method === "POST" && r.path.endsWith("/export-responses"));
  const files = () => sb.requests.filter((r) => r.path.endsWith("/file"));
  const runs = (n: number) => until(() => files().length >= n, 15_000, `${n} catch-up runs`);
  function deliver(responseId: string) {
    const MSG = JSON.stringify({ Status: "Complete", SurveyID: survey, ResponseID: responseId, CompletedDate: "2030-01-01 10:00:00", BrandID: "acme" });
    const HMAC = createHmac("sha512", KEY).update(MSG).digest("hex");
    return supertest(http.app()).post(PATH).type("form").send(new URLSearchParams({ Topic: `acme.surveyengine.completedResponse.${survey}`, MSG, HMAC }).toString());
  }

  it("emits a response no webhook brought, once, with source catch-up; older responses are not its business", async () => {
    // recorded before the trigger was first deployed
    const older = generateResponses(sb.state, survey, 2);
    const s = sb.state.surveys.get(survey)!;
    for (const id of older) s.responses.get(id)!.values.recordedDate = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const out = await load();
    await sleep(50);
    const { responseId, deliveries } = await sb.completeResponse(survey, { QID1: 5 });
    assert.deepEqual(deliveries, [], "no subscription: Qualtrics delivered nothing");
    await until(() => out.length === 1, 15_000, "the caught-up response");
    await runs(files().length + 2);
    assert.equal(out.length, 1, "once, however many runs see it");
    const m = out[0];
    const topic = `surveyengine.completedResponse.${survey}`;
    assert.equal(m.topic, topic);
    assert.equal(m.event.source, "catch-up");
    assert.equal(m.event.responseId, responseId);
    assert.equal(m.event.surveyId, survey);
    assert.deepEqual(m.payload, m.event.fields);
    assert.equal(m.payload.ResponseID, responseId);
    // the first export starts at the deploy, not at the survey's first response
    const first = exports()[0].body as Record<string, unknown>;
    assert.ok(Date.now() - Date.parse(String(first.startDate)) < 60_000, String(first.startDate));
  });

  it("a response brought by the webhook and by catch-up is emitted once", async () => {
    const out = await load();
    const { responseId } = await sb.completeResponse(survey, { QID1: 3 });
    assert.equal((await deliver(responseId)).status, 200);
    await until(() => out.length === 1, 5000, "the webhook's message");
    await runs(files().length + 2);
    // and the other way round: catch-up first, then a late delivery
    const late = await sb.completeResponse(survey, { QID1: 2 });
    await until(() => out.length === 2, 15_000, "the caught-up message");
    assert.equal((await deliver(late.responseId)).status, 200);
    await runs(files().length + 1);
    assert.deepEqual(
      out.map((m) => [m.event.responseId, m.event.source]),
      [
        [responseId, "webhook"],
        [late.responseId, "catch-up"],
      ],
    );
  });

  it("with Fetch the full response, the exported response is the payload, without a second request", async () => {
    const out = await load({ fetchResponse: true });
    const { responseId } = await sb.completeResponse(survey, { QID1: 4 });
    await until(() => out.length === 1, 15_000, "the caught-up response");
    const m = out[0];
    assert.equal(m.event.source, "catch-up");
    assert.equal(m.payload.responseId, responseId);
    assert.equal((m.payload.values as Record<string, unknown>).QID1, 4);
    assert.deepEqual(Object.keys(m.payload), ["responseId", "values", "labels", "displayedFields", "displayedValues"]);
    assert.equal(sb.requests.filter((r) => r.path.includes(`/responses/${responseId}`)).length, 0, "no GET of the response");
  });

  it("without a survey, catch-up is refused at deploy, naming the Survey field", async () => {
    const err = new Promise<string>((resolve) => {
      void helper.load([N.config, N.responseIn], flow({ surveyId: "", topic: "surveyengine.completedResponse.*" }), credentials).then(() => {
        const n = helper.getNode("n") as unknown as { error: { args: unknown[][] } };
        resolve(n.error.args.map((a) => String(a[0])).join(" | "));
      });
    });
    assert.match(await err, /Survey: is required for catch-up/);
    await sleep(1500);
    assert.equal(exports().length, 0);
    assert.equal((await deliver("R_x")).status, 404, "and the trigger serves nothing");
  });
});

