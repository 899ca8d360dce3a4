// The config node's editor endpoints (nodes/lib/admin-routes.ts) through the helper's admin app:
// "Test connection" and the picker lookups, against a recording Qualtrics stand-in on 127.0.0.1.
import assert from "node:assert/strict";
import sinon = require("sinon");
import { credentials, helper, nodes, TOKEN } from "../support/nr-helper";
import { fail, ok, Recorded, RecordingServer, Reply, startRecordingServer } from "../support/fake-servers";
// eslint-disable-next-line @typescript-eslint/no-require-imports
import users = require("../../src/users");
import { configNode } from "../support/config-node";
import { DIR } from "../support/ids";

const TYPED = "typed-token-0123456789abcdefghijklmnopqrstu";
const LIB = "UR_0123456789abcde";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Red = any;
type Supertest = ReturnType<typeof helper.request>;

/** "METHOD permission" for every request that went through RED.auth.needsPermission */
const guarded: string[] = [];
/** the permission each route was registered with */
const declared: string[] = [];

/** the config module with RED.auth.needsPermission wrapped (docs/node-red-facts.md §4.1 item 2) */
const configWithPermissionSpy = (RED: Red) => {
  const original = RED.auth.needsPermission;
  RED.auth.needsPermission = (permission: string) => {
    declared.push(permission);
    const mw = original(permission);
    return (req: { method: string }, res: unknown, next: () => void) => {
      guarded.push(`${req.method} ${permission}`);
      return mw(req, res, next);
    };
  };
  try {
    return nodes.config(RED);
  } finally {
    RED.auth.needsPermission = original;
  }
};

describe("qualtrics-config admin routes", function () {
  let api: RecordingServer;
  before(async () => (api = await startRecordingServer()));
  after(() => api.close());
  afterEach(async () => {
    sinon.restore();
    await helper.unload();
  });

  function flow(extra: Record<string, unknown> = {}) {
    return [{ id: "tab", type: "tab" }, { ...configNode(api.apiBase, extra), z: "tab" }];
  }

  async function load(creds: Record<string, unknown> = credentials, extra: Record<string, unknown> = {}) {
    guarded.length = 0;
    declared.length = 0;
    await helper.load([configWithPermissionSpy], flow(extra), creds);
  }

  /** every answer is checked for both secrets before anything else */
  async function send(req: Supertest | ReturnType<Supertest["get"]>): Promise<{ status: number; body: unknown; text: string }> {
    const res = await (req as unknown as Promise<{ status: number; body: unknown; text: string }>);
    assert.ok(!res.text.includes(TOKEN), "the stored token must never be in a response");
    assert.ok(!res.text.includes(TYPED), "a typed token must never be in a response");
    return res;
  }

  function post(path: string, body: Record<string, unknown>) {
    return send(helper.request().post(path).send(body));
  }

  function get(path: string) {
    return send(helper.request().get(path));
  }

  const dialog = (extra: Record<string, unknown> = {}) => ({ dataCenter: "", baseUrl: api.apiBase, apiToken: "__PWRD__", ...extra });

  const whoamiResult = { userId: "UR_0123456789abcde", userName: "jane@example.com#acme", firstName: "Jane", lastName: "Doe", brandId: "acme", datacenter: "fra1", email: "jane@example.com" };

  describe("POST /qualtrics-config/:id/test", function () {
    it("reports the user, brand and data center, with the stored token behind __PWRD__", async () => {
      await load();
      api.reply(ok(whoamiResult));
      const res = await post("/qualtrics-config/cfg/test", dialog());
      assert.equal(res.status, 200);
      const body = res.body as Record<string, unknown>;
      assert.equal(body.ok, true);
      assert.deepEqual(body.user, { userName: "jane@example.com#acme", firstName: "Jane", lastName: "Doe", brandId: "acme", datacenter: "fra1" });
      assert.equal(api.requests.length, 1);
      assert.equal(api.requests[0].path, "/API/v3/whoami");
      assert.equal(api.requests[0].headers["x-api-token"], TOKEN);
      assert.ok(guarded.includes("POST qualtrics-config.write"));
    });

    it("uses a token typed in the dialog instead of the stored one", async () => {
      await load();
      api.reply(ok(whoamiResult));
      const res = await post("/qualtrics-config/cfg/test", dialog({ apiToken: TYPED }));
      assert.equal((res.body as { ok: boolean }).ok, true);
      assert.equal(api.requests[0].headers["x-api-token"], TYPED);
    });

    it("passes on meta.notice (a proxied request)", async () => {
      await load();
      const notice = "Request proxied. For faster response times, use this host instead: sjc1.qualtrics.com";
      api.reply(ok({ ...whoamiResult, datacenter: "az1" }, { notice }));
      const res = await post("/qualtrics-config/cfg/test", dialog());
      const body = res.body as Record<string, unknown>;
      assert.equal(body.ok, true);
      assert.equal(body.notice, notice);
    });

    it("reports the data center Qualtrics names when it differs from the configured one", async () => {
      await load();
      // a data-center configuration cannot reach 127.0.0.1, so the client is given one after it was built
      const real = users.whoami;
      sinon.stub(users, "whoami").callsFake((client, signal) => {
        (client.base as { dataCenter?: string }).dataCenter = "iad1";
        return real(client, signal);
      });
      api.reply(ok(whoamiResult));
      const res = await post("/qualtrics-config/cfg/test", dialog());
      const body = res.body as Record<string, unknown>;
      assert.equal(body.ok, true);
      assert.equal(body.otherDataCenter, "fra1");
    });

    it("reports a failure with Qualtrics' message", async () => {
      await load();
      api.reply(fail(401, "Invalid API token", "AUTH_1"));
      const res = await post("/qualtrics-config/cfg/test", dialog({ apiToken: TYPED }));
      assert.equal(res.status, 200);
      const body = res.body as Record<string, unknown>;
      assert.equal(body.ok, false);
      assert.match(String(body.message), /Invalid API token/);
      assert.match(String(body.message), /401/);
    });

    it("says so when there is no token at all", async () => {
      await load({});
      api.reply(ok(whoamiResult));
      const res = await post("/qualtrics-config/cfg/test", dialog());
      const body = res.body as Record<string, unknown>;
      assert.equal(body.ok, false);
      assert.match(String(body.message), /noToken|token/i);
      assert.equal(api.requests.length, 0);
    });

    it("reports a bad data center without calling anything", async () => {
      await load();
      const res = await post("/qualtrics-config/cfg/test", { dataCenter: "not a dc!", baseUrl: "", apiToken: TYPED });
      const body = res.body as Record<string, unknown>;
      assert.equal(body.ok, false);
      assert.match(String(body.message), /dataCenter/);
      assert.equal(api.requests.length, 0);
    });

    it("resolves ${ENV} values of the dialog without echoing them", async () => {
      await load();
      process.env.QUALTRICS_ADMIN_TEST_TOKEN = TYPED;
      process.env.QUALTRICS_ADMIN_TEST_DC = "secret value!";
      try {
        api.reply(ok(whoamiResult));
        const good = await post("/qualtrics-config/cfg/test", dialog({ apiToken: "${QUALTRICS_ADMIN_TEST_TOKEN}" }));
        assert.equal((good.body as { ok: boolean }).ok, true);
        assert.equal(api.requests[0].headers["x-api-token"], TYPED);
        const bad = await post("/qualtrics-config/cfg/test", { dataCenter: "${QUALTRICS_ADMIN_TEST_DC}", baseUrl: "", apiToken: TYPED });
        assert.equal((bad.body as { ok: boolean }).ok, false);
        assert.ok(!bad.text.includes("secret value"));
        assert.match(bad.text, /QUALTRICS_ADMIN_TEST_DC/);
      } finally {
        delete process.env.QUALTRICS_ADMIN_TEST_TOKEN;
        delete process.env.QUALTRICS_ADMIN_TEST_DC;
      }
    });
  });

  describe("lookups", function () {
    /** two pages: the first names the second by an absolute nextPage URL */
    function twoPages(first: Record<string, unknown>[], second: Record<string, unknown>[]): (req: Recorded) => Reply {
      return (req) => {
        if (req.query.skipToken === "page2") return ok({ elements: second, nextPage: null });
        const sep = req.url.includes("?") ? "&" : "?";
        return ok({ elements: first, nextPage: `${api.url}${req.url}${sep}skipToken=page2` });
      };
    }

    const cases: Array<{
      kind: string;
      query: string;
      path: string;
      pages: [Record<string, unknown>[], Record<string, unknown>[]];
      expected: Array<Record<string, unknown>>;
      upstreamQuery?: Record<string, string>;
    }> = [
      {
        kind: "directories",
        query: "",
        path: "/API/v3/directories",
        pages: [[{ directoryId: "POOL_b", name: "Second", contactCount: 4 }], [{ directoryId: "POOL_a", name: "First" }]],
        expected: [
          { value: "POOL_a", label: "First" },
          { value: "POOL_b", label: "Second" },
        ],
      },
      {
        kind: "mailinglists",
        query: `directoryId=${DIR}`,
        path: `/API/v3/directories/${DIR}/mailinglists`,
        pages: [[{ mailingListId: "CG_1", name: "Alpha", contactCount: 12, ownerId: "UR_x" }], [{ mailingListId: "CG_2", name: "Beta", contactCount: 0 }]],
        expected: [
          { value: "CG_1", label: "Alpha", contactCount: 12 },
          { value: "CG_2", label: "Beta", contactCount: 0 },
        ],
      },
      {
        kind: "surveys",
        query: "",
        path: "/API/v3/surveys",
        pages: [[{ id: "SV_1", name: "NPS", ownerId: "UR_x", isActive: true }], [{ id: "SV_2", name: "CSAT" }, { name: "no id, left out" }]],
        expected: [
          { value: "SV_2", label: "CSAT" },
          { value: "SV_1", label: "NPS" },
        ],
      },
      {
        kind: "libraries",
        query: "",
        path: "/API/v3/libraries",
        pages: [[{ libraryId: "UR_1", libraryName: "Mine" }], [{ libraryId: "GR_1", libraryName: "Group" }, { libraryId: "GR_2" }]],
        expected: [
          { value: "GR_2", label: "GR_2" },
          { value: "GR_1", label: "Group" },
          { value: "UR_1", label: "Mine" },
        ],
      },
      {
        kind: "messages",
        query: `libraryId=${LIB}&category=reminder`,
        path: `/API/v3/libraries/${LIB}/messages`,
        pages: [[{ id: "MS_1", description: "Reminder one", category: "reminder" }], [{ id: "MS_2", description: "Reminder two", category: "reminder" }]],
        expected: [
          { value: "MS_1", label: "Reminder one" },
          { value: "MS_2", label: "Reminder two" },
        ],
        upstreamQuery: { category: "reminder" },
      },
    ];

    for (const c of cases) {
      it(`GET ${c.kind}: the deployed client, every page, mapped`, async () => {
        await load();
        api.reply(twoPages(...c.pages));
        const res = await get(`/qualtrics-config/cfg/lookup/${c.kind}?${c.query}`);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body, c.expected);
        assert.equal(api.requests.length, 2);
        for (const r of api.requests) {
          assert.equal(r.method, "GET");
          assert.equal(r.path, c.path);
          assert.equal(r.headers["x-api-token"], TOKEN);
          for (const [k, v] of Object.entries(c.upstreamQuery ?? {})) assert.equal(r.query[k], v);
        }
        assert.equal(api.requests[1].query.skipToken, "page2");
        assert.deepEqual(guarded, ["GET qualtrics-config.read"]);
      });

      it(`POST ${c.kind}: the dialog's values, every page, mapped`, async () => {
        await load();
        api.reply(twoPages(...c.pages));
        const res = await post(`/qualtrics-config/cfg/lookup/${c.kind}?${c.query}`, dialog({ apiToken: TYPED }));
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body, c.expected);
        assert.equal(api.requests.length, 2);
        for (const r of api.requests) {
          assert.equal(r.path, c.path);
          assert.equal(r.headers["x-api-token"], TYPED);
          for (const [k, v] of Object.entries(c.upstreamQuery ?? {})) assert.equal(r.query[k], v);
        }
        assert.equal(api.requests[1].query.skipToken, "page2");
        assert.deepEqual(guarded, ["POST qualtrics-config.write"]);
      });
    }

    it("registers the routes with qualtrics-config.read and .write only", async () => {
      await load();
      assert.deepEqual([...new Set(declared)].sort(), ["qualtrics-config.read", "qualtrics-config.write"]);
    });

    it("POST takes the lookup parameters from the body too", async () => {
      await load();
      api.reply(ok({ elements: [{ id: "MS_9", description: "SMS" }], nextPage: null }));
      const res = await post("/qualtrics-config/cfg/lookup/messages", dialog({ libraryId: "GR_0123456789abcde", category: "smsInvite" }));
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, [{ value: "MS_9", label: "SMS" }]);
      assert.equal(api.requests[0].path, "/API/v3/libraries/GR_0123456789abcde/messages");
      assert.equal(api.requests[0].query.category, "smsInvite");
    });

    it("POST with __PWRD__ uses the stored token", async () => {
      await load();
      api.reply(ok({ elements: [], nextPage: null }));
      const res = await post("/qualtrics-config/cfg/lookup/surveys", dialog());
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, []);
      assert.equal(api.requests[0].headers["x-api-token"], TOKEN);
    });

    it("POST works for a config that is not deployed yet, with a typed token", async () => {
      await load();
      api.reply(ok({ elements: [{ id: "SV_1", name: "S" }], nextPage: null }));
      const res = await post("/qualtrics-config/new-config/lookup/surveys", dialog({ apiToken: TYPED }));
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, [{ value: "SV_1", label: "S" }]);
      assert.equal(api.requests[0].headers["x-api-token"], TYPED);
    });

    it("POST without any token answers 400 with a message and calls nothing", async () => {
      await load();
      api.reply(ok({ elements: [], nextPage: null }));
      const res = await post("/qualtrics-config/new-config/lookup/surveys", dialog());
      assert.equal(res.status, 400);
      assert.equal(typeof (res.body as { message: unknown }).message, "string");
      assert.equal(api.requests.length, 0);
    });

    it("GET for a config that is not deployed answers 404 with a message", async () => {
      await load();
      const res = await get("/qualtrics-config/not-deployed/lookup/surveys");
      assert.equal(res.status, 404);
      assert.equal(typeof (res.body as { message: unknown }).message, "string");
      assert.equal(api.requests.length, 0);
    });

    it("GET answers from a short cache, and again from Qualtrics with refresh=true", async () => {
      await load();
      api.reply(ok({ elements: [{ id: "SV_1", name: "One" }], nextPage: null }));
      const first = await get("/qualtrics-config/cfg/lookup/surveys");
      const second = await get("/qualtrics-config/cfg/lookup/surveys");
      assert.deepEqual(second.body, first.body);
      assert.equal(api.requests.length, 1);
      // other parameters are another entry
      await get(`/qualtrics-config/cfg/lookup/mailinglists?directoryId=${DIR}`);
      assert.equal(api.requests.length, 2);
      await get("/qualtrics-config/cfg/lookup/surveys?refresh=true");
      assert.equal(api.requests.length, 3);
    });

    it("POST is never cached", async () => {
      await load();
      api.reply(ok({ elements: [{ id: "SV_1", name: "One" }], nextPage: null }));
      await post("/qualtrics-config/cfg/lookup/surveys", dialog());
      await post("/qualtrics-config/cfg/lookup/surveys", dialog());
      assert.equal(api.requests.length, 2);
    });

    it("a Qualtrics failure is a 502 with its message, and is not cached", async () => {
      await load();
      api.reply(fail(403, "Not allowed to list libraries", "AUTH_403"), ok({ elements: [{ libraryId: "UR_1", libraryName: "Mine" }], nextPage: null }));
      const res = await get("/qualtrics-config/cfg/lookup/libraries");
      assert.equal(res.status, 502);
      assert.match(String((res.body as { message: string }).message), /Not allowed to list libraries/);
      const again = await get("/qualtrics-config/cfg/lookup/libraries");
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, [{ value: "UR_1", label: "Mine" }]);
    });

    const bad: Array<[string, string]> = [
      ["an unknown kind", "contacts"],
      ["a kind that is not a word", "..%2F..%2Fflows"],
      ["mailing lists without a directory", "mailinglists"],
      ["mailing lists of something that is not a directory", "mailinglists?directoryId=CG_123"],
      ["a directory ID with a path in it", "mailinglists?directoryId=POOL_1%2F..%2Fusers"],
      ["messages without a library", "messages?category=invite"],
      ["messages of something that is not a library", "messages?libraryId=SV_123"],
      ["an unknown message category", `messages?libraryId=${LIB}&category=everything`],
    ];
    for (const [what, tail] of bad) {
      it(`400 with a message for ${what} (GET and POST)`, async () => {
        await load();
        api.reply(ok({ elements: [], nextPage: null }));
        const g = await get(`/qualtrics-config/cfg/lookup/${tail}`);
        const p = await post(`/qualtrics-config/cfg/lookup/${tail}`, dialog({ apiToken: TYPED }));
        for (const res of [g, p]) {
          assert.equal(res.status, 400, `${what}: ${res.status} ${res.text}`);
          const message = (res.body as { message?: unknown }).message;
          assert.equal(typeof message, "string");
          assert.ok((message as string).length > 5);
        }
        assert.equal(api.requests.length, 0);
      });
    }

    it("names the expected prefix when an ID is wrong", async () => {
      await load();
      const res = await get("/qualtrics-config/cfg/lookup/mailinglists?directoryId=CG_123");
      assert.match(String((res.body as { message: string }).message), /POOL_/);
    });
  });
});
