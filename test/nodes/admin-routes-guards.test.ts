// The config node's editor routes against callers that are not the dialog: a form posted from
// another site (adminAuth off), a node ID of another type, and lookups that would eat the
// account's rate limit. What counts is what Qualtrics (a recording server) receives.
import assert from "node:assert/strict";
import sinon = require("sinon");
import { FlowNode, helper, http, nextMessage, TOKEN } from "../support/nr-helper";
import { ok, Recorded, RecordingServer, startRecordingServer } from "../support/fake-servers";
// eslint-disable-next-line @typescript-eslint/no-require-imports
import paginate = require("../../src/paginate");
import { until } from "../support/wait";
import { configNode } from "../support/config-node";

const N = http.nodes;
const OTHER_SECRET = "other-node-secret-0123456789abcdefghijkl";

type Answer = { status: number; body: Record<string, unknown>; text: string; headers: Record<string, string> };

describe("qualtrics-config admin routes: hostile callers", function () {
  let api: RecordingServer;
  let foreign: RecordingServer;
  before(async () => {
    api = await startRecordingServer();
    foreign = await startRecordingServer();
  });
  after(async () => {
    await api.close();
    await foreign.close();
  });
  afterEach(async () => {
    sinon.restore();
    await helper.unload();
  });

  /** the config node, a flow node using it, and a node of another type that has an apiToken credential */
  async function load(cfg: Record<string, unknown> = {}) {
    const flow: FlowNode[] = [
      { id: "tab", type: "tab" },
      { ...configNode(api.apiBase, cfg), z: "tab" },
      { id: "flow", z: "tab", type: "qualtrics-api", qualtrics: "cfg", method: "GET", url: "/whoami", wires: [["out"]] },
      { id: "out", z: "tab", type: "helper" },
      { id: "other", z: "tab", type: "helper" },
    ];
    await helper.load([N.config, N.api], flow, { cfg: { apiToken: TOKEN }, other: { apiToken: OTHER_SECRET } });
    foreign.reply(ok({ userName: "x" }));
  }

  async function answer(p: PromiseLike<unknown>): Promise<Answer> {
    const r = (await p) as Answer;
    assert.ok(!r.text.includes(TOKEN) && !r.text.includes(OTHER_SECRET), "no secret in an answer");
    return r;
  }

  describe("a form posted from another site (no adminAuth: every caller may write)", function () {
    const body = { dataCenter: "", baseUrl: "", apiToken: "__PWRD__", authType: "token" };
    for (const route of ["/qualtrics-config/cfg/test", "/qualtrics-config/cfg/lookup/surveys"]) {
      for (const [what, type, payload] of [
        ["an HTML form", "application/x-www-form-urlencoded", (b: Record<string, string>) => new URLSearchParams(b).toString()],
        ["a text/plain form", "text/plain", (b: Record<string, string>) => JSON.stringify(b)],
        ["a multipart form", "multipart/form-data; boundary=x", (b: Record<string, string>) => Object.entries(b).map(([k, v]) => `--x\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + "--x--\r\n"],
      ] as const) {
        it(`POST ${route} as ${what}: 415, and the stored token goes nowhere`, async () => {
          await load();
          api.reply(ok({ elements: [], nextPage: null }));
          const r = await answer(
            helper.request().post(route).set("Content-Type", type).set("Origin", "https://evil.example").send(payload({ ...body, baseUrl: foreign.apiBase })),
          );
          assert.equal(r.status, 415, r.text);
          assert.match(String(r.body.message), /application\/json/);
          assert.equal(foreign.requests.length, 0);
          assert.equal(api.requests.length, 0);
        });
      }
    }

    it("the dialog's JSON still works (the control)", async () => {
      await load();
      api.reply(ok({ userId: "UR_0123456789abcde", userName: "jane", brandId: "acme", datacenter: "fra1" }));
      const r = await answer(helper.request().post("/qualtrics-config/cfg/test").send({ ...body, baseUrl: api.apiBase }));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.ok, true, r.text);
      assert.equal(api.requests[0].headers["x-api-token"], TOKEN);
    });
  });

  describe("only qualtrics-config credentials are read", function () {
    for (const route of ["/qualtrics-config/other/test", "/qualtrics-config/other/lookup/surveys", "/qualtrics-config/flow/test"]) {
      it(`POST ${route}: 400 naming the problem, and no request with that node's secret`, async () => {
        await load();
        api.reply(ok({ elements: [], nextPage: null }));
        const r = await answer(helper.request().post(route).send({ dataCenter: "", baseUrl: api.apiBase, apiToken: "__PWRD__" }));
        assert.equal(r.status, 400, r.text);
        assert.match(String(r.body.message), /is not a Qualtrics configuration node/);
        assert.equal(api.requests.length, 0);
      });
    }

    it("an ID that is not deployed has no stored secret: a typed token is needed", async () => {
      await load();
      api.reply(ok({ userName: "jane" }));
      const none = await answer(helper.request().post("/qualtrics-config/new-config/test").send({ dataCenter: "", baseUrl: api.apiBase, apiToken: "__PWRD__" }));
      assert.equal(none.body.ok, false);
      assert.equal(api.requests.length, 0);
    });
  });

  describe("lookups and the account's rate limit", function () {
    const list = ok({ elements: [{ id: "SV_1", name: "One" }], nextPage: null });

    it("refresh: once per user and list within 10 s; the rest get 429 with the wait, and reach Qualtrics never", async () => {
      await load({ rateLimit: 600 });
      api.reply((req: Recorded) => (req.path === "/API/v3/whoami" ? ok({ userName: "flow" }) : list));
      const answers = await Promise.all(Array.from({ length: 40 }, () => answer(helper.request().get("/qualtrics-config/cfg/lookup/surveys?refresh=1"))));
      assert.equal(answers.filter((a) => a.status === 200).length, 1);
      const refused = answers.filter((a) => a.status === 429);
      assert.equal(refused.length, 39);
      for (const a of refused) {
        assert.match(String(a.body.message), /^This list was loaded again from Qualtrics less than 10 s ago; it can be loaded again in \d+ s\.$/);
        assert.ok(Number(a.headers["retry-after"]) >= 1 && Number(a.headers["retry-after"]) <= 10, a.headers["retry-after"]);
      }
      assert.equal(api.requests.length, 1, "one refresh reached Qualtrics");
      // without refresh the cache answers; another list may be refreshed
      assert.equal((await answer(helper.request().get("/qualtrics-config/cfg/lookup/surveys"))).status, 200);
      assert.equal((await answer(helper.request().get("/qualtrics-config/cfg/lookup/libraries?refresh=1"))).status, 200);
      assert.equal(api.requests.length, 2);
      // a flow's request is next in line
      const out = nextMessage("out");
      helper.getNode("flow").receive({});
      await out;
      assert.deepEqual(api.requests.map((r) => r.path), ["/API/v3/surveys", "/API/v3/libraries", "/API/v3/whoami"]);
    });

    it("lookups that miss the cache take a small share: a flow's request queues behind a few at most, and past 50 waiting they are refused", async () => {
      // 60 per minute for the account: the editor's share is 6, so one lookup now and the next in 10 s
      await load({ rateLimit: 60 });
      api.reply((req: Recorded) => (req.path === "/API/v3/whoami" ? ok({ userName: "flow" }) : ok({ elements: [], nextPage: null })));
      const started = sinon.spy(paginate, "pages");
      const dirs = Array.from({ length: 60 }, (_, i) => `POOL_${String(i).padStart(15, "0")}`);
      const answers: Answer[] = [];
      const pending = dirs.map((d) =>
        answer(helper.request().get(`/qualtrics-config/cfg/lookup/mailinglists?directoryId=${d}`)).then((a) => answers.push(a), () => undefined),
      );
      // every lookup has reached the route: it is listing, or it was refused
      await until(() => started.callCount + answers.filter((a) => a.status === 429).length === dirs.length, 10_000, "all lookups to arrive");
      const out = nextMessage("out");
      helper.getNode("flow").receive({});
      await out;
      const flowAt = api.requests.findIndex((r) => r.path === "/API/v3/whoami");
      assert.ok(flowAt >= 0 && flowAt <= 3, `the flow's request came after ${flowAt} lookups`);
      const busy = answers.filter((a) => a.status === 429);
      assert.ok(busy.length >= 5, `${busy.length} refused`);
      for (const a of busy) assert.match(String(a.body.message), /^Too many lists are being loaded from Qualtrics for the editor; try again in 5 s\.$/);
      void Promise.allSettled(pending);
    });
  });
});
