// The "distributions" picker lookup of the config node's editor endpoints (nodes/lib/admin-routes.ts,
// nodes/lib/distribution-lookup.ts): a survey's email distributions, newest first.
import assert from "node:assert/strict";
import { credentials, helper, nodes, TOKEN } from "../support/nr-helper";
import { ok, Recorded, RecordingServer, Reply, startRecordingServer } from "../support/fake-servers";
import { configNode } from "../support/config-node";

const SV = "SV_0123456789abcde";
const TYPED = "typed-token-0123456789abcdefghijklmnopqrstu";

describe("qualtrics-config admin routes: distributions lookup", function () {
  let api: RecordingServer;
  before(async () => (api = await startRecordingServer()));
  after(() => api.close());
  beforeEach(async () => {
    api.reply(ok({ elements: [], nextPage: null }));
    await helper.load([nodes.config], [{ id: "tab", type: "tab" }, { ...configNode(api.apiBase), z: "tab" }], credentials);
  });
  afterEach(() => helper.unload());

  async function send(req: unknown): Promise<{ status: number; body: unknown; text: string }> {
    const res = await (req as Promise<{ status: number; body: unknown; text: string }>);
    assert.ok(!res.text.includes(TOKEN) && !res.text.includes(TYPED), "no token in an answer");
    return res;
  }
  const get = (path: string) => send(helper.request().get(path));
  const post = (path: string, body: Record<string, unknown>) => send(helper.request().post(path).send(body));

  const elements = [
    { id: "EMD_old", requestType: "Invite", sendDate: "2024-01-01T09:00:00.000Z", headers: { subject: "First wave" } },
    { id: "EMD_links", requestType: "GeneratedInvite", sendDate: "2024-03-05T10:30:00Z", headers: { subject: null }, description: "Spring links" },
    { id: "EMD_new", requestType: "Reminder", sendDate: "2024-02-01T08:15:00Z", headers: { subject: "Reminder" } },
    { requestType: "Invite", sendDate: "2024-04-01T00:00:00Z" },
  ];
  const twoPages = (req: Recorded): Reply =>
    req.query.skipToken === "P2" ? ok({ elements: elements.slice(2), nextPage: null }) : ok({ elements: elements.slice(0, 2), nextPage: `${api.url}${req.url}&skipToken=P2` });

  it("GET: every page of GET /distributions?surveyId=, newest first, labelled by type, time and subject", async function () {
    api.reply(twoPages);
    const res = await get(`/qualtrics-config/cfg/lookup/distributions?surveyId=${SV}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, [
      { value: "EMD_links", label: "GeneratedInvite · 2024-03-05 10:30 · Spring links" },
      { value: "EMD_new", label: "Reminder · 2024-02-01 08:15 · Reminder" },
      { value: "EMD_old", label: "Invite · 2024-01-01 09:00 · First wave" },
    ]);
    assert.equal(api.requests.length, 2);
    assert.equal(api.requests[0].path, "/API/v3/distributions");
    assert.deepEqual(api.requests[0].query, { surveyId: SV, useNewPaginationScheme: "true" });
    assert.equal(api.requests[0].headers["x-api-token"], TOKEN);
  });

  it("passes a distributionRequestType on, and keeps one cache entry per survey and type", async function () {
    api.reply(ok({ elements: [elements[0]], nextPage: null }));
    await get(`/qualtrics-config/cfg/lookup/distributions?surveyId=${SV}&distributionRequestType=Invite`);
    await get(`/qualtrics-config/cfg/lookup/distributions?surveyId=${SV}&distributionRequestType=Invite`);
    assert.equal(api.requests.length, 1);
    assert.equal(api.requests[0].query.distributionRequestType, "Invite");
    await get(`/qualtrics-config/cfg/lookup/distributions?surveyId=${SV}&distributionRequestType=GeneratedInvite`);
    await get("/qualtrics-config/cfg/lookup/distributions?surveyId=SV_other0000000000");
    assert.equal(api.requests.length, 3);
  });

  it("POST: with the dialog's values", async function () {
    api.reply(ok({ elements: [elements[2]], nextPage: null }));
    const res = await post(`/qualtrics-config/cfg/lookup/distributions`, { dataCenter: "", baseUrl: api.apiBase, apiToken: TYPED, surveyId: SV });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, [{ value: "EMD_new", label: "Reminder · 2024-02-01 08:15 · Reminder" }]);
    assert.equal(api.requests[0].headers["x-api-token"], TYPED);
  });

  for (const [what, tail] of [
    ["no survey", "distributions"],
    ["a survey ID of the wrong kind", "distributions?surveyId=CG_123"],
    ["an unknown type", `distributions?surveyId=${SV}&distributionRequestType=Everything`],
  ]) {
    it(`400 with a message for ${what}, and no request`, async function () {
      const res = await get(`/qualtrics-config/cfg/lookup/${tail}`);
      assert.equal(res.status, 400, res.text);
      assert.match(String((res.body as { message: string }).message), /surveyId|distributionRequestType/);
      assert.equal(api.requests.length, 0);
    });
  }
});
