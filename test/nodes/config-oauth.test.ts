// qualtrics-config with OAuth client credentials (docs/qualtrics-facts.md §1.4) against the sandbox: a
// contact node driven by a Bearer token, renewal after a 401, errors without secrets, Test connection
// and the pickers with OAuth values from the dialog, and the data center a proxy notice names (§1.2).
import assert from "node:assert/strict";
import { startSandbox, type Sandbox } from "../../sandbox";
import { FlowNode, helper, http, nextMessage, spyDone, statusLog } from "../support/nr-helper";
import { ok, startRecordingServer } from "../support/fake-servers";
import { until } from "../support/wait";
import { configNode } from "../support/config-node";

const N = http.nodes;
const CLIENT_ID = "NR-OAUTH-CLIENT-ID-31f0c2";
const CLIENT_SECRET = "NR-OAUTH-CLIENT-SECRET-9a7e44d1b6";
const OTHER_ID = "NR-OAUTH-OTHER-ID-77";
const OTHER_SECRET = "NR-OAUTH-OTHER-SECRET-58c1";
const API_TOKEN = "NR-API-TOKEN-0123456789abcdefghijklmnopq";

type Spy = { getCalls(): { thisValue: unknown; args: unknown[] }[] };
type ConfigNode = { warn: Spy; error: Spy; accountSecret(): string; client(): { request(o: { method: string; path: string }): Promise<unknown> } };

describe("qualtrics-config with OAuth", function () {
  let sb: Sandbox;
  let done: ReturnType<typeof spyDone>;
  before(async () => {
    sb = await startSandbox({ oauthClients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, { clientId: OTHER_ID, clientSecret: OTHER_SECRET }] });
  });
  after(() => sb.close());
  beforeEach(() => {
    sb.reset();
    done = spyDone();
  });
  afterEach(async () => {
    await helper.unload();
    done.restore();
  });

  const dir = () => sb.seedIds.directoryId;
  const cid = () => sb.seedIds.contactIds[0];
  const apiRequests = () => sb.requests;

  function flow(cfg: Record<string, unknown> = {}): FlowNode[] {
    return [
      { id: "tab", type: "tab" },
      configNode(sb.apiBase, { name: "oauth", retries: 1, authType: "oauth", scopes: "read:directory_contacts read:users", ...cfg }),
      { id: "n", z: "tab", type: "qualtrics-contact", qualtrics: "cfg", operation: "get", directoryId: dir(), directoryIdType: "str", contactId: cid(), contactIdType: "str", wires: [["out"]] },
      { id: "out", z: "tab", type: "helper" },
    ];
  }

  const oauthCreds = { cfg: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } };
  const load = (cfg: Record<string, unknown> = {}, creds: Record<string, Record<string, string>> = oauthCreds) => helper.load([N.config, N.contact], flow(cfg), creds);

  async function get(): Promise<Record<string, unknown>> {
    const got = nextMessage("out");
    helper.getNode("n").receive({ payload: null });
    return got;
  }

  /** the error the contact node reports through done(err) for its next message */
  async function failedGet(): Promise<string> {
    const before = done.of("n").length;
    helper.getNode("n").receive({ payload: null });
    await until(() => done.of("n").length > before, 5000, "done() of the contact node");
    const e = done.of("n")[before].error;
    assert.ok(e instanceof Error, "done(err)");
    return e.message;
  }

  /** nothing a user or log can see carries a secret */
  function assertNoSecrets(texts: string[]): void {
    for (const t of texts) for (const s of [CLIENT_ID, CLIENT_SECRET, OTHER_SECRET, ...sb.oauth.tokens.keys()]) assert.ok(!t.includes(s), `a secret in "${t}"`);
  }

  function spoken(node: unknown): string[] {
    const n = node as { warn: Spy; error: Spy; log: Spy };
    return [n.warn, n.error, n.log].flatMap((s) => s.getCalls().flatMap((c) => c.args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === "string" ? a : JSON.stringify(a)))));
  }

  describe("at run time", function () {
    it("gets a token once with the configured client and scopes, then sends it as Bearer", async () => {
      await load();
      const msg = await get();
      assert.equal((msg.payload as { contactId: string }).contactId, cid());
      await get();
      assert.equal(sb.oauth.requests.length, 1, "one token for both messages");
      const tokenReq = sb.oauth.requests[0];
      assert.equal(tokenReq.headers.authorization, "Basic " + Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64"));
      assert.equal(new URLSearchParams(tokenReq.rawBody).get("scope"), "read:directory_contacts read:users");
      const [token] = [...sb.oauth.tokens.keys()];
      for (const r of apiRequests()) {
        assert.equal(r.path, `/API/v3/directories/${dir()}/contacts/${cid()}`);
        assert.equal(r.headers.authorization, `Bearer ${token}`);
        assert.equal(r.headers["x-api-token"], undefined);
      }
      assertNoSecrets([JSON.stringify(msg), ...spoken(helper.getNode("cfg")), ...spoken(helper.getNode("n"))]);
    });

    it("empty scopes ask for the default set", async () => {
      await load({ scopes: "" });
      await get();
      assert.match(new URLSearchParams(sb.oauth.requests[0].rawBody).get("scope") ?? "", /^read:users read:directories read:directory_contacts write:directory_contacts /);
    });

    it("a token Qualtrics stops accepting is replaced once and the message still succeeds", async () => {
      await load();
      await get();
      sb.oauth.revokeAll();
      const msg = await get();
      assert.equal((msg.payload as { contactId: string }).contactId, cid());
      assert.equal(sb.oauth.requests.length, 2);
      assert.deepEqual(apiRequests().map((r) => r.headers.authorization === `Bearer ${[...sb.oauth.tokens.keys()][0]}`), [false, false, true]);
      assert.equal(done.of("n").filter((d) => d.error).length, 0);
    });

    it("a token that keeps being refused is an error after one renewal", async () => {
      await load();
      await get();
      sb.faults.set({ rules: [{ match: { path: "/contacts/" }, action: "status", status: 401 }] });
      const message = await failedGet();
      assert.match(message, /^Qualtrics 401/);
      assert.match(message, /after 2 attempts/);
      assert.equal(sb.oauth.requests.length, 2);
      assertNoSecrets([message]);
    });

    it("a wrong client secret: the token endpoint's error on the node, no API request, no secret anywhere", async () => {
      await load({}, { cfg: { clientId: CLIENT_ID, clientSecret: OTHER_SECRET } });
      const status = statusLog("n");
      const message = await failedGet();
      assert.match(message, /^Qualtrics 401: Client authentication failed - check the client ID and client secret \(errorCode invalid_client, POST \/oauth2\/token\)/);
      assert.equal(apiRequests().length, 0);
      assertNoSecrets([message, ...status.map((s) => String(s.text)), ...spoken(helper.getNode("cfg")), ...spoken(helper.getNode("n"))]);
    });

    it("a scope the client may not have is the token endpoint's error", async () => {
      const limited = await startSandbox({ oauthClients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: ["read:users"] }] });
      try {
        await helper.load([N.config, N.contact], flow({ baseUrl: limited.apiBase, scopes: "read:users write:surveys" }), oauthCreds);
        assert.match(await failedGet(), /invalid_scope.*write:surveys|write:surveys.*check that the OAuth client is allowed every scope/);
      } finally {
        await limited.close();
      }
    });

    for (const [missing, creds] of [
      ["Client ID", { clientSecret: CLIENT_SECRET }],
      ["Client secret", { clientId: CLIENT_ID, apiToken: API_TOKEN }],
    ] as const) {
      it(`no ${missing}: an error naming it, before any request`, async () => {
        await load({}, { cfg: creds as Record<string, string> });
        assert.equal(await failedGet(), `${missing}: is not set in the Qualtrics configuration node`);
        assert.equal(sb.oauth.requests.length + apiRequests().length, 0);
      });
    }

    it("a scope list that cannot be right is reported when the node starts", async () => {
      await load({ scopes: 'read:users "all"' });
      const errors = (helper.getNode("cfg") as unknown as ConfigNode).error.getCalls().map((c) => String(c.args[0]));
      assert.ok(errors.some((e) => /^Scopes: /.test(e)), errors.join("\n"));
    });

    it("without authType (flows from before OAuth) the API token is used, even when OAuth credentials are stored", async () => {
      const sandboxToken = sb.token;
      await load({ authType: undefined }, { cfg: { apiToken: sandboxToken, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
      await get();
      assert.equal(apiRequests()[0].headers["x-api-token"], sandboxToken);
      assert.equal(apiRequests()[0].headers.authorization, undefined);
      assert.equal(sb.oauth.requests.length, 0);
    });

    it("accountSecret (webhook fingerprints) is the client secret with OAuth and stays the same across renewals", async () => {
      await load();
      const cfg = helper.getNode("cfg") as unknown as ConfigNode;
      assert.equal(cfg.accountSecret(), CLIENT_SECRET);
      await get();
      sb.oauth.revokeAll();
      await get();
      assert.equal(sb.oauth.requests.length, 2);
      assert.equal(cfg.accountSecret(), CLIENT_SECRET);
      await helper.unload();
      await load({ authType: "token" }, { cfg: { apiToken: API_TOKEN, clientSecret: CLIENT_SECRET } });
      assert.equal((helper.getNode("cfg") as unknown as ConfigNode).accountSecret(), API_TOKEN);
    });
  });

  describe("a proxied account (meta.notice)", function () {
    it("the config node warns once, naming the data center to set", async () => {
      sb.proxy.set({ host: "sjc1.qualtrics.com", dataCenter: "az1" });
      await load();
      await get();
      await get();
      const cfg = helper.getNode("cfg") as unknown as ConfigNode;
      const warnings = cfg.warn.getCalls().filter((c) => c.thisValue === cfg).map((c) => String(c.args[0]));
      assert.deepEqual(warnings, [
        "Qualtrics: Request proxied. For faster response times, use this host instead: sjc1.qualtrics.com Set the data center of this configuration to sjc1 for faster requests.",
      ]);
    });

    it("a notice that names no host is passed on as it is", async () => {
      const api = await startRecordingServer();
      try {
        api.reply(ok({ contactId: cid() }, { notice: "Request proxied", requestId: "rq-1" }));
        const f = flow({ baseUrl: api.apiBase, authType: "token" });
        await helper.load([N.config, N.contact], f, { cfg: { apiToken: API_TOKEN } });
        const msg = await get();
        assert.deepEqual(msg.qualtrics, { requestId: "rq-1", httpStatus: 200, notice: "Request proxied" });
        const cfg = helper.getNode("cfg") as unknown as ConfigNode;
        assert.deepEqual(cfg.warn.getCalls().filter((c) => c.thisValue === cfg).map((c) => c.args[0]), ["Qualtrics: Request proxied"]);
      } finally {
        await helper.unload();
        await api.close();
      }
    });
  });

  describe("Test connection and pickers with OAuth values from the dialog", function () {
    type Body = { ok: boolean; message?: string; user?: Record<string, unknown>; notice?: string; suggestedDataCenter?: string; otherDataCenter?: string };

    async function test(body: Record<string, unknown>): Promise<Body> {
      const res = await helper.request().post("/qualtrics-config/cfg/test").send(body);
      assertNoSecrets([res.text]);
      assert.equal(res.status, 200);
      return res.body as Body;
    }

    const dialog = (extra: Record<string, unknown> = {}) => ({ dataCenter: "", baseUrl: sb.apiBase, authType: "oauth", clientId: "__PWRD__", clientSecret: "__PWRD__", scopes: "read:users", ...extra });

    it("uses the stored client behind __PWRD__ and the dialog's scopes", async () => {
      await load();
      const body = await test(dialog());
      assert.equal(body.ok, true, body.message);
      assert.equal(body.user?.brandId, "sandboxbrand");
      assert.equal(sb.oauth.requests.length, 1);
      assert.equal(sb.oauth.requests[0].headers.authorization, "Basic " + Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64"));
      assert.equal(new URLSearchParams(sb.oauth.requests[0].rawBody).get("scope"), "read:users");
      assert.equal(apiRequests()[0].path, "/API/v3/whoami");
      assert.match(String(apiRequests()[0].headers.authorization), /^Bearer /);
    });

    it("a client typed in the dialog wins over the stored one; an API token configuration is not asked for it", async () => {
      await load({ authType: "token" }, { cfg: { apiToken: sb.token } });
      const body = await test(dialog({ clientId: OTHER_ID, clientSecret: OTHER_SECRET }));
      assert.equal(body.ok, true, body.message);
      assert.equal(sb.oauth.requests[0].headers.authorization, "Basic " + Buffer.from(`${OTHER_ID}:${OTHER_SECRET}`).toString("base64"));
      const byToken = await test({ dataCenter: "", baseUrl: sb.apiBase, authType: "token", apiToken: "__PWRD__" });
      assert.equal(byToken.ok, true, byToken.message);
      assert.equal(apiRequests()[1].headers["x-api-token"], sb.token);
      assert.equal(sb.oauth.requests.length, 1);
    });

    it("${ENV} in the dialog's client ID and secret", async () => {
      await load({}, {});
      process.env.NRQ_TEST_CLIENT_ID = CLIENT_ID;
      process.env.NRQ_TEST_CLIENT_SECRET = CLIENT_SECRET;
      try {
        const body = await test(dialog({ clientId: "${NRQ_TEST_CLIENT_ID}", clientSecret: "${NRQ_TEST_CLIENT_SECRET}" }));
        assert.equal(body.ok, true, body.message);
      } finally {
        delete process.env.NRQ_TEST_CLIENT_ID;
        delete process.env.NRQ_TEST_CLIENT_SECRET;
      }
    });

    it("no client ID or secret, typed or stored: says so without a request", async () => {
      await load({}, { cfg: { clientId: CLIENT_ID } });
      const body = await test(dialog());
      assert.equal(body.ok, false);
      assert.match(String(body.message), /No OAuth client ID and secret/);
      assert.equal(sb.oauth.requests.length + apiRequests().length, 0);
    });

    it("a wrong secret: the token endpoint's error, no secret in the answer", async () => {
      await load();
      const body = await test(dialog({ clientSecret: OTHER_SECRET }));
      assert.equal(body.ok, false);
      assert.match(String(body.message), /invalid_client/);
      assert.match(String(body.message), /POST \/oauth2\/token/);
    });

    it("bad scopes in the dialog are named before any request", async () => {
      await load();
      const body = await test(dialog({ scopes: 'read:users "x"' }));
      assert.equal(body.ok, false);
      assert.match(String(body.message), /^Scopes: /);
      assert.equal(sb.oauth.requests.length, 0);
    });

    it("a proxied account: the notice and the data center to use (the notice beats whoami's legacy az1)", async () => {
      sb.proxy.set({ host: "sjc1.qualtrics.com", dataCenter: "az1" });
      await load();
      const body = await test(dialog());
      assert.equal(body.ok, true, body.message);
      assert.equal(body.notice, "Request proxied. For faster response times, use this host instead: sjc1.qualtrics.com");
      assert.equal(body.user?.datacenter, "az1");
      assert.equal(body.suggestedDataCenter, "sjc1");
    });

    it("the pickers' POST lookups take the same OAuth values", async () => {
      await load();
      const res = await helper.request().post("/qualtrics-config/cfg/lookup/directories").send(dialog({ scopes: "read:directories" }));
      assertNoSecrets([res.text]);
      assert.equal(res.status, 200, res.text);
      assert.ok((res.body as Array<{ value: string }>).some((d) => d.value === dir()));
      assert.equal(new URLSearchParams(sb.oauth.requests[0].rawBody).get("scope"), "read:directories");
    });
  });
});
