import assert from "node:assert/strict";
import { OAUTH_TOKEN_PATH } from "../../sandbox/oauth";
import { startSandbox } from "../../sandbox/server";
import { assertError, call, obj, result } from "./test-helpers";
import { Sandbox } from "../../sandbox/types";
import { useSandbox } from "../support/fixtures";

const CLIENT = { clientId: "sandbox-client", clientSecret: "sandbox-secret-0123456789" };
const LIMITED = { clientId: "limited", clientSecret: "limited-secret", scopes: ["read:users", "read:surveys"] };

function basic(id: string, secret: string): string {
  return "Basic " + Buffer.from(`${id}:${secret}`, "utf8").toString("base64");
}

interface TokenAnswer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

async function tokenRequest(sb: Sandbox, opts: { auth?: string | null; body?: string; contentType?: string; method?: string } = {}): Promise<TokenAnswer> {
  const headers: Record<string, string> = {};
  const auth = opts.auth === undefined ? basic(CLIENT.clientId, CLIENT.clientSecret) : opts.auth;
  if (auth !== null) headers.Authorization = auth;
  const method = opts.method ?? "POST";
  if (method === "POST") headers["Content-Type"] = opts.contentType ?? "application/x-www-form-urlencoded";
  const res = await fetch(`${sb.url}${OAUTH_TOKEN_PATH}`, {
    method,
    headers,
    body: method === "POST" ? (opts.body ?? "grant_type=client_credentials&scope=read%3Ausers+read%3Asurveys") : undefined,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const bearer = (t: unknown) => ({ token: null, headers: { Authorization: `Bearer ${String(t)}` } });

describe("sandbox: OAuth client credentials (POST /oauth2/token)", () => {
  const sb = useSandbox({ oauthClients: [CLIENT, LIMITED] });

  it("issues a Bearer token for the client's Basic credentials, with expires_in 3600 and the scopes asked for", async () => {
    const r = await tokenRequest(sb);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("cache-control"), "no-store");
    assert.equal(typeof r.json.access_token, "string");
    assert.ok(String(r.json.access_token).length >= 32);
    assert.equal(r.json.token_type, "Bearer");
    assert.equal(r.json.expires_in, 3600);
    assert.equal(r.json.scope, "read:users read:surveys");
    assert.deepEqual(sb.oauth.tokens.get(String(r.json.access_token))?.scopes, ["read:users", "read:surveys"]);
  });

  it("the token works on /API/v3 as Authorization: Bearer; a made-up one does not", async () => {
    const { json } = await tokenRequest(sb);
    assert.equal(result(await call(sb, "GET", "/whoami", bearer(json.access_token))).brandId, "sandboxbrand");
    assertError(await call(sb, "GET", "/whoami", bearer("f".repeat(48))), 401, /Invalid or missing API token/);
    // the API token keeps working alongside
    assert.equal(result(await call(sb, "GET", "/whoami")).brandId, "sandboxbrand");
  });

  it("an expired token is refused with 401", async () => {
    const { json } = await tokenRequest(sb);
    const t = String(json.access_token);
    const issued = sb.oauth.tokens.get(t);
    assert.ok(issued);
    issued.expiresAt = Date.now() - 1;
    assertError(await call(sb, "GET", "/whoami", bearer(t)), 401);
  });

  it("ttlSeconds (option or at run time) sets expires_in and the expiry", async () => {
    sb.oauth.ttlSeconds = 5;
    const before = Date.now();
    const { json } = await tokenRequest(sb);
    assert.equal(json.expires_in, 5);
    const at = sb.oauth.tokens.get(String(json.access_token))!.expiresAt;
    assert.ok(at >= before + 5000 && at <= Date.now() + 5000);
    assert.throws(() => (sb.oauth.ttlSeconds = 0), RangeError);
    assert.throws(() => (sb.oauth.ttlSeconds = 1.5), RangeError);
    sb.reset();
    assert.equal(sb.oauth.ttlSeconds, 3600, "reset restores the option");
    const short = await startSandbox({ oauthClients: [CLIENT], oauthTokenTtlSeconds: 2 });
    try {
      assert.equal((await tokenRequest(short)).json.expires_in, 2);
    } finally {
      await short.close();
    }
    await assert.rejects(startSandbox({ oauthTokenTtlSeconds: -1 }), RangeError);
    await assert.rejects(startSandbox({ oauthClients: [{ clientId: "a:b", clientSecret: "x" }] }), RangeError);
  });

  it("revokeAll and reset end every issued token", async () => {
    const t1 = (await tokenRequest(sb)).json.access_token;
    sb.oauth.revokeAll();
    assertError(await call(sb, "GET", "/whoami", bearer(t1)), 401);
    const t2 = (await tokenRequest(sb)).json.access_token;
    sb.reset();
    assertError(await call(sb, "GET", "/whoami", bearer(t2)), 401);
    assert.equal(sb.oauth.requests.length, 0);
  });

  it("wrong, unknown, missing or malformed client credentials: 401 invalid_client, no token", async () => {
    for (const auth of [basic(CLIENT.clientId, "wrong"), basic("nobody", CLIENT.clientSecret), null, "Basic !!!", `Bearer ${CLIENT.clientSecret}`, "Basic " + Buffer.from("no-colon").toString("base64")]) {
      const r = await tokenRequest(sb, { auth });
      assert.equal(r.status, 401, String(auth));
      assert.equal(r.json.error, "invalid_client");
      assert.equal(r.headers.get("www-authenticate"), 'Basic realm="oauth2"');
      assert.equal(r.json.access_token, undefined);
    }
    assert.equal(sb.oauth.tokens.size, 0);
  });

  it("no clients configured: every token request is refused; addClient adds one until reset", async () => {
    const none = await startSandbox();
    try {
      assert.equal((await tokenRequest(none)).status, 401);
      none.oauth.addClient(CLIENT);
      assert.equal((await tokenRequest(none)).status, 200);
      none.reset();
      assert.equal((await tokenRequest(none)).status, 401);
      assert.throws(() => none.oauth.addClient({ clientId: "x:y", clientSecret: "s" }), RangeError);
    } finally {
      await none.close();
    }
  });

  it("only POST with a form body and grant_type=client_credentials", async () => {
    const get = await tokenRequest(sb, { method: "GET" });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    const json = await tokenRequest(sb, { contentType: "application/json", body: JSON.stringify({ grant_type: "client_credentials" }) });
    assert.equal(json.status, 400);
    assert.equal(json.json.error, "invalid_request");
    for (const body of ["scope=read%3Ausers", "grant_type=password&username=x", "grant_type=authorization_code"]) {
      const r = await tokenRequest(sb, { body });
      assert.equal(r.status, 400, body);
      assert.equal(r.json.error, "unsupported_grant_type");
    }
  });

  it("a client limited to some scopes gets 400 invalid_scope for others, and all of its own when none are asked", async () => {
    const auth = basic(LIMITED.clientId, LIMITED.clientSecret);
    const refused = await tokenRequest(sb, { auth, body: "grant_type=client_credentials&scope=read%3Ausers+write%3Adistributions" });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error, "invalid_scope");
    assert.match(String(refused.json.error_description), /write:distributions/);
    const all = await tokenRequest(sb, { auth, body: "grant_type=client_credentials" });
    assert.equal(all.status, 200);
    assert.equal(all.json.scope, "read:users read:surveys");
  });

  it("records token requests in oauth.requests (with their answer), not among the API requests", async () => {
    await tokenRequest(sb);
    await tokenRequest(sb, { auth: null });
    assert.deepEqual(sb.oauth.requests.map((r) => [r.method, r.status]), [["POST", 200], ["POST", 401]]);
    assert.equal(sb.oauth.requests[0].headers.authorization, basic(CLIENT.clientId, CLIENT.clientSecret));
    assert.equal(sb.oauth.requests[0].rawBody, "grant_type=client_credentials&scope=read%3Ausers+read%3Asurveys");
    assert.equal(sb.requests.length, 0);
  });

  it("/API/v3/oauth2/token is not the token endpoint", async () => {
    const r = await call(sb, "POST", "/oauth2/token", { body: {} });
    assert.equal(r.status, 404);
    assert.equal(obj(r.json).access_token, undefined);
  });
});
