// The "filters" picker lookup of the config node's editor endpoints (nodes/lib/admin-routes.ts): the
// saved response filters of a survey, for the export node's filterId (docs/qualtrics-facts.md §7.1).
import assert from "node:assert/strict";
import { startSandbox, type Sandbox } from "../../sandbox";
import { surveyFilters } from "../../sandbox/routes/export";
import { credentials, helper, nodes, TOKEN } from "../support/nr-helper";
import { ok, RecordingServer, startRecordingServer } from "../support/fake-servers";
import { configNode } from "../support/config-node";

describe("qualtrics-config admin routes: filters lookup", function () {
  let sb: Sandbox;
  let api: RecordingServer;
  before(async () => {
    sb = await startSandbox({ token: TOKEN });
    api = await startRecordingServer();
  });
  after(async () => {
    await sb.close();
    await api.close();
  });
  afterEach(() => helper.unload());
  const load = (base: string) => helper.load([nodes.config], [{ id: "tab", type: "tab" }, { ...configNode(base), z: "tab" }], credentials);

  it("GET lists a survey's saved filters from GET /surveys/{id}/filters, by name", async function () {
    await load(sb.apiBase);
    const survey = sb.seedIds.surveyIds[0];
    const res = await helper.request().get(`/qualtrics-config/cfg/lookup/filters?surveyId=${survey}`);
    assert.equal(res.status, 200, res.text);
    const expected = surveyFilters(sb.state.surveys.get(survey)!).map((f) => ({ value: f.filterId, label: f.filterName }));
    assert.deepEqual(res.body, expected.sort((a, b) => a.label.localeCompare(b.label)));
    assert.equal(sb.requests[sb.requests.length - 1].path, `/API/v3/surveys/${survey}/filters`);
  });

  it("POST (undeployed dialog values) works the same, and id/name elements are taken too", async function () {
    await load(api.apiBase);
    api.reply(ok({ elements: [{ id: "FT_b", name: "Beta" }, { filterId: "FT_a", filterName: "Alpha" }, { name: "no id" }], nextPage: null }));
    const res = await helper.request().post("/qualtrics-config/cfg/lookup/filters").send({ surveyId: "SV_0123456789abcde", baseUrl: api.apiBase, apiToken: "__PWRD__" });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, [{ value: "FT_a", label: "Alpha" }, { value: "FT_b", label: "Beta" }]);
  });

  it("needs a survey ID, checked before any request", async function () {
    await load(api.apiBase);
    api.reply(ok({ elements: [], nextPage: null }));
    for (const q of ["", "?surveyId=CG_1"]) {
      const res = await helper.request().get(`/qualtrics-config/cfg/lookup/filters${q}`);
      assert.equal(res.status, 400);
      assert.match(String(res.body.message), /surveyId/);
    }
    assert.equal(api.requests.length, 0);
  });
});
