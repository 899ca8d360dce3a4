// qualtrics-config with OAuth client credentials on a real Node-RED, against the sandbox's
// POST /oauth2/token: tokens that live two seconds so a renewal really happens, a token Qualtrics
// stops accepting, Test connection through the Admin API, the warning for a proxied account, and
// the client ID and secret kept out of exports and the log.
import assert from "node:assert/strict";
import { FlowNode } from "../support/runtime";
import { withCapture } from "./capture";
import { sleep } from "../support/wait";
import { sandboxConfig } from "../support/config-node";
import { useStack } from "./stack";

// recognisable values, so any leak shows up in a plain text search
const CLIENT_ID = "E2E-OAUTH-CLIENT-ID-4b1d7e";
const CLIENT_SECRET = "E2E-OAUTH-CLIENT-SECRET-c93a0f58e2";
const TTL_SECONDS = 2;
const CONFIG = "e2e-oauth-config";

type Msg = Record<string, unknown> & { payload?: Record<string, unknown>; qualtrics?: { httpStatus?: number }; error?: { message: string } };

describe(`e2e: OAuth client credentials (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(60_000);
  const { sb, col, nr } = useStack({
    sandbox: { oauthClients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: ["read:users", "read:surveys"] }], oauthTokenTtlSeconds: TTL_SECONDS },
    nodeRed: () => ({ httpNodeRoot: "/", logLevel: "debug" }),
    ready: async () => {
      const mark = nr.mark();
      await nr.deploy(flows(), { [CONFIG]: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
      await nr.waitForLog(/Started flows/, 10_000, mark);
    },
  });

  const tokensIssued = () => [...sb.oauth.tokens.keys()];
  const bearerOf = (i: number) => String(sb.requests[i].headers.authorization ?? "").replace(/^Bearer /, "");

  async function whoami(): Promise<Msg> {
    const before = col.of("e2e-oauth-debug").length;
    await nr.inject("e2e-oauth-inject");
    const all = await col.wait("e2e-oauth-debug", before + 1);
    return all[before].msg as Msg;
  }

  function flows(): FlowNode[] {
    return withCapture(
      [
        { id: "e2e-oauth-tab", type: "tab", label: "e2e OAuth", disabled: false, info: "" },
        { id: "e2e-oauth-inject", type: "inject", z: "e2e-oauth-tab", name: "", props: [{ p: "payload" }], repeat: "", crontab: "", once: false, onceDelay: 0.1, topic: "", payload: "", payloadType: "date", x: 100, y: 100, wires: [["e2e-oauth-api"]] },
        { id: "e2e-oauth-api", type: "qualtrics-api", z: "e2e-oauth-tab", name: "whoami", qualtrics: CONFIG, method: "GET", url: "/whoami", paging: "first", limit: 0, x: 300, y: 100, wires: [["e2e-oauth-debug"]] },
        { id: "e2e-oauth-debug", type: "debug", z: "e2e-oauth-tab", name: "whoami", active: true, tosidebar: true, console: false, tostatus: false, complete: "true", targetType: "full", statusVal: "", statusType: "auto", x: 500, y: 100, wires: [] },
        { id: "e2e-oauth-catch", type: "catch", z: "e2e-oauth-tab", name: "", scope: null, uncaught: false, x: 100, y: 200, wires: [["e2e-oauth-errors"]] },
        { id: "e2e-oauth-errors", type: "debug", z: "e2e-oauth-tab", name: "errors", active: true, tosidebar: true, console: false, tostatus: false, complete: "true", targetType: "full", statusVal: "", statusType: "auto", x: 300, y: 200, wires: [] },
        sandboxConfig({ id: CONFIG, name: "e2e OAuth", authType: "oauth", scopes: "read:users" }),
      ],
      col.url,
    );
  }

  it("gets a token with the configured client and scope and sends it as Bearer", async function () {
    const msg = await whoami();
    assert.equal(msg.payload?.brandId, "sandboxbrand");
    assert.equal(msg.qualtrics?.httpStatus, 200);
    assert.equal(sb.oauth.requests.length, 1);
    assert.equal(sb.oauth.requests[0].status, 200);
    assert.equal(sb.oauth.requests[0].headers.authorization, "Basic " + Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64"));
    assert.equal(new URLSearchParams(sb.oauth.requests[0].rawBody).get("scope"), "read:users");
    assert.equal(sb.requests.length, 1);
    assert.equal(bearerOf(0), tokensIssued()[0]);
    assert.equal(sb.requests[0].headers["x-api-token"], undefined);
  });

  it("renews the token before it runs out: after its lifetime a new one is fetched, and no request is refused", async function () {
    const tokenRequests = sb.oauth.requests.length;
    const apiBefore = sb.requests.length;
    // the token was issued for TTL_SECONDS; after that time it is due for renewal in any case
    await sleep(TTL_SECONDS * 1000 + 200);
    const msg = await whoami();
    assert.equal(msg.payload?.brandId, "sandboxbrand");
    assert.equal(sb.oauth.requests.length, tokenRequests + 1);
    assert.equal(sb.requests.length, apiBefore + 1, "answered the first time: the old token was not sent");
    assert.equal(bearerOf(apiBefore), tokensIssued().at(-1));
    assert.equal(col.of("e2e-oauth-errors").length, 0);
  });

  it("a token Qualtrics stops accepting: 401, one new token, the request again", async function () {
    await whoami(); // a fresh token in the cache
    const tokenRequests = sb.oauth.requests.length;
    const apiBefore = sb.requests.length;
    sb.oauth.revokeAll();
    const msg = await whoami();
    assert.equal(msg.payload?.brandId, "sandboxbrand");
    assert.equal(sb.oauth.requests.length, tokenRequests + 1);
    assert.equal(sb.requests.length, apiBefore + 2, "the refused request and its repetition");
    assert.notEqual(bearerOf(apiBefore), bearerOf(apiBefore + 1));
    assert.equal(col.of("e2e-oauth-errors").length, 0);
  });

  it("Test connection with the dialog's OAuth values, the stored client behind __PWRD__", async function () {
    const r = await nr.request("POST", `qualtrics-config/${CONFIG}/test`, {
      dataCenter: "iad1", baseUrl: sb.apiBase, authType: "oauth", clientId: "__PWRD__", clientSecret: "__PWRD__", scopes: "read:users read:surveys",
    });
    assert.equal(r.status, 200);
    const body = r.json<{ ok: boolean; message?: string; user?: { brandId?: string } }>();
    assert.equal(body.ok, true, body.message);
    assert.equal(body.user?.brandId, "sandboxbrand");
    assert.equal(new URLSearchParams(sb.oauth.requests.at(-1)!.rawBody).get("scope"), "read:users read:surveys");
    const wrong = await nr.request("POST", `qualtrics-config/${CONFIG}/test`, {
      dataCenter: "iad1", baseUrl: sb.apiBase, authType: "oauth", clientId: "__PWRD__", clientSecret: "not-the-secret", scopes: "read:users",
    });
    assert.equal(wrong.json<{ ok: boolean }>().ok, false);
    assert.match(wrong.text, /invalid_client/);
    for (const t of [r.text, wrong.text]) assert.ok(!t.includes(CLIENT_SECRET) && !t.includes(CLIENT_ID));
  });

  it("a proxied account: one warning that names the data center to set", async function () {
    const mark = nr.mark();
    sb.proxy.set({ host: "sjc1.qualtrics.com", dataCenter: "az1" });
    try {
      await whoami();
      await whoami();
      await nr.waitForLog(/Set the data center of this configuration to sjc1/, 5_000, mark);
      await sleep(300);
      const warnings = nr.logSince(mark).split("\n").filter((l) => /\[warn\]/.test(l) && /Request proxied/.test(l));
      assert.equal(warnings.length, 1, warnings.join("\n"));
      assert.match(warnings[0], /\[qualtrics-config:e2e OAuth\] Qualtrics: Request proxied\. For faster response times, use this host instead: sjc1\.qualtrics\.com Set the data center of this configuration to sjc1/);
    } finally {
      sb.proxy.clear();
    }
  });

  it("the client ID, the secret and the tokens are in no export, flows file or log line", async function () {
    const { text } = await nr.getFlows();
    const flowsFile = JSON.stringify(nr.readFlowsFile());
    const sentTokens = sb.requests.map((_r, i) => bearerOf(i)).filter((t) => t !== "");
    assert.ok(sentTokens.length >= 4);
    for (const secret of [CLIENT_ID, CLIENT_SECRET, Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64"), ...sentTokens]) {
      assert.ok(!text.includes(secret), "GET /flows");
      assert.ok(!flowsFile.includes(secret), "flows.json");
      assert.ok(!nr.log.includes(secret), "the log");
      assert.ok(!JSON.stringify(col.captures).includes(secret), "messages");
    }
    const cfg = JSON.parse(text).flows.find((n: FlowNode) => n.id === CONFIG) as FlowNode;
    assert.equal(cfg.authType, "oauth");
    assert.equal(cfg.scopes, "read:users");
    assert.equal(cfg.credentials, undefined);
  });
});
