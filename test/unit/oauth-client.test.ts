// QualtricsClient with an OAuth token provider: the onUnauthorized hook (401 -> new token once ->
// the request once more), token errors reported as they are, and onClose.
import assert from "node:assert/strict";
import { QualtricsClient } from "../../src/client";
import { QualtricsApiError } from "../../src/errors";
import { OAuthTokenProvider } from "../../src/oauth";
import { fail, ok, Recorded, RecordingServer, Reply, startRecordingServer } from "../support/fake-servers";
import { ClientPool, failure, TOKEN } from "./helpers";

const SECRET = "OAUTH-SECRET-never-in-any-text-0123";

describe("client + OAuth", function () {
  let srv: RecordingServer;
  const clients = new ClientPool();
  const providers: OAuthTokenProvider[] = [];
  before(async () => (srv = await startRecordingServer()));
  after(() => srv.close());
  afterEach(async () => {
    await clients.closeAll();
    await Promise.all(providers.splice(0).map((p) => p.close()));
  });

  /**
   * A Qualtrics stand-in: /oauth2/token hands out tok-1, tok-2, ...; the API answers with `api`
   * (given the Bearer token and how many API requests came before).
   */
  function serve(api: (bearer: string | undefined, n: number) => Reply): void {
    let issued = 0;
    let calls = 0;
    srv.reply((r: Recorded) => {
      if (r.path === "/oauth2/token") return { status: 200, body: { access_token: `tok-${++issued}`, expires_in: 3600 } };
      const bearer = /^Bearer (.+)$/.exec(String(r.headers.authorization ?? ""))?.[1];
      return api(bearer, calls++);
    });
  }

  const tokenRequests = () => srv.requests.filter((r) => r.path === "/oauth2/token");
  const apiRequests = () => srv.requests.filter((r) => r.path.startsWith("/API/v3/"));

  function oauthClient(): QualtricsClient {
    const p = new OAuthTokenProvider({ tokenUrl: `${srv.url}/oauth2/token`, clientId: "cid", clientSecret: SECRET, retryBaseMs: 5 });
    providers.push(p);
    return clients.make(srv.apiBase, { auth: p.auth, onUnauthorized: p.onUnauthorized });
  }

  it("sends the Bearer token and no X-API-TOKEN", async function () {
    serve(() => ok({ userId: "UR_1" }));
    const res = await oauthClient().request({ method: "GET", path: "/whoami" });
    assert.deepEqual(res.result, { userId: "UR_1" });
    assert.equal(apiRequests()[0].headers.authorization, "Bearer tok-1");
    assert.equal(apiRequests()[0].headers["x-api-token"], undefined);
  });

  it("401 -> a new token once -> the request once more", async function () {
    serve((bearer) => (bearer === "tok-1" ? fail(401, "token expired", "AUTH_6.0") : ok({ ok: bearer })));
    const res = await oauthClient().request({ method: "GET", path: "/surveys" });
    assert.deepEqual(res.result, { ok: "tok-2" });
    assert.equal(res.attempts, 2);
    assert.deepEqual(srv.requests.map((r) => `${r.method} ${r.path} ${String(r.headers.authorization).split(" ")[0]}`), [
      "POST /oauth2/token Basic",
      "GET /API/v3/surveys Bearer",
      "POST /oauth2/token Basic",
      "GET /API/v3/surveys Bearer",
    ]);
  });

  it("a POST is sent again after a 401 too: Qualtrics did not carry it out", async function () {
    serve((bearer) => (bearer === "tok-1" ? fail(401, "token expired") : ok({ id: "CID_1" })));
    const res = await oauthClient().request({ method: "POST", path: "/directories/POOL_1/contacts", body: { firstName: "Jane" } });
    assert.deepEqual(res.result, { id: "CID_1" });
    assert.equal(apiRequests().length, 2);
    assert.deepEqual(apiRequests()[1].body, { firstName: "Jane" });
  });

  it("a second 401 is the error: one new token, one more try, no more", async function () {
    serve(() => fail(401, "not allowed for this client", "AUTH_6.0"));
    const err = await failure<QualtricsApiError>(oauthClient().request({ method: "GET", path: "/surveys" }));
    assert.ok(err instanceof QualtricsApiError);
    assert.equal(err.statusCode, 401);
    assert.match(err.message, /not allowed for this client/);
    assert.match(err.message, /after 2 attempts/);
    assert.equal(tokenRequests().length, 2);
    assert.equal(apiRequests().length, 2);
    assert.ok(!err.message.includes(SECRET) && !err.message.includes("tok-"), err.message);
  });

  it("many requests that get 401 with the same token share one new token", async function () {
    serve((bearer) => (bearer === "tok-1" ? { ...fail(401, "expired"), delayMs: 20 } : ok({ by: bearer })));
    const client = oauthClient();
    const all = await Promise.all(Array.from({ length: 6 }, () => client.request({ method: "GET", path: "/surveys" })));
    for (const r of all) assert.deepEqual(r.result, { by: "tok-2" });
    assert.equal(apiRequests().length, 12);
    assert.equal(tokenRequests().length, 2, "tok-1 for all six, then tok-2 for all six");
  });

  it("without onUnauthorized a 401 is an error at once (API token behaviour)", async function () {
    srv.reply(fail(401, "Invalid API token", "AUTH_6.0"));
    const err = await failure<QualtricsApiError>(clients.make(srv.apiBase).request({ method: "GET", path: "/surveys" }));
    assert.equal(err.statusCode, 401);
    assert.equal(srv.requests.length, 1);
    assert.equal(srv.requests[0].headers["x-api-token"], TOKEN);
  });

  it("onUnauthorized is called once per request with the headers sent; false = no second try", async function () {
    srv.reply(fail(401, "no"));
    const calls: Record<string, string>[] = [];
    const client = clients.make(srv.apiBase, {
      auth: () => ({ Authorization: "Bearer static" }),
      onUnauthorized: (sent) => {
        calls.push(sent);
        return false;
      },
    });
    await failure(client.request({ method: "GET", path: "/surveys" }));
    assert.deepEqual(calls, [{ Authorization: "Bearer static" }]);
    assert.equal(srv.requests.length, 1);

    const again: Record<string, string>[] = [];
    const retrying = clients.make(srv.apiBase, { auth: () => ({ Authorization: "Bearer static" }), onUnauthorized: (s) => (again.push(s), true) });
    await failure(retrying.request({ method: "GET", path: "/surveys" }));
    assert.equal(again.length, 1, "one more try, then the 401 stands");
    assert.equal(srv.requests.length, 3, "one before, two now");
  });

  it("a token that cannot be had is the error as it is, before any API request, and frees the limiter", async function () {
    srv.reply((r: Recorded) => (r.path === "/oauth2/token" ? { status: 401, body: { error: "invalid_client" } } : ok({})));
    const client = oauthClient();
    const err = await failure<QualtricsApiError>(client.request({ method: "GET", path: "/surveys" }));
    assert.match(err.message, /^Qualtrics 401: invalid_client - check the client ID and client secret \(errorCode invalid_client, POST \/oauth2\/token\)$/);
    assert.equal(apiRequests().length, 0);
    assert.ok(!err.message.includes(SECRET));
    // the limiter slot was released: a client with one slot still gets its next request through
    srv.reply(ok({ fine: true }));
    const one = clients.make(srv.apiBase, { maxConcurrent: 1, auth: async () => Promise.reject(new Error("no token today")) });
    assert.equal((await failure(one.request({ method: "GET", path: "/a" }))).message, "no token today");
    assert.equal((await failure(one.request({ method: "GET", path: "/b" }))).message, "no token today");
  });

  it("onClose runs once when the client is closed", async function () {
    let closed = 0;
    const c = new QualtricsClient({ baseUrl: srv.apiBase, auth: () => ({}), onClose: () => void closed++ });
    await c.close(0);
    await c.close(0);
    assert.equal(closed, 1);
  });
});
