// src/oauth.ts on its own: the token request's exact bytes, caching and renewal, one request for
// many callers, errors in Qualtrics' terms without any secret (docs/qualtrics-facts.md §1.4).
import assert from "node:assert/strict";
import { resolveApiBase } from "../../src/base-url";
import { QualtricsApiError, QualtricsInputError } from "../../src/errors";
import { DEFAULT_OAUTH_SCOPES, normalizeScopes, OAuthOptions, OAuthTokenProvider, oauthTokenUrl } from "../../src/oauth";
import { Recorded, RecordingServer, Reply, startRecordingServer } from "../support/fake-servers";
import { closedPort, failure } from "./helpers";
import { sleep } from "../support/wait";

const CLIENT_ID = "my-client";
const SECRET = "s3cr:et/é";
/** base64("my-client:s3cr:et/é") in UTF-8, worked out by hand once */
const BASIC = "Basic bXktY2xpZW50OnMzY3I6ZXQvw6k=";

const token = (accessToken: string, expiresIn: unknown = 3600): Reply => ({
  status: 200,
  body: { access_token: accessToken, token_type: "Bearer", expires_in: expiresIn, scope: "read:users" },
});

describe("oauth", function () {
  let srv: RecordingServer;
  const made: OAuthTokenProvider[] = [];
  before(async () => (srv = await startRecordingServer()));
  after(() => srv.close());
  afterEach(async () => {
    await Promise.all(made.splice(0).map((p) => p.close()));
  });

  function provider(extra: Partial<OAuthOptions> = {}): OAuthTokenProvider {
    const p = new OAuthTokenProvider({ tokenUrl: `${srv.url}/oauth2/token`, clientId: CLIENT_ID, clientSecret: SECRET, retryBaseMs: 5, ...extra });
    made.push(p);
    return p;
  }

  /** every string an error carries: message, stack and its JSON form */
  function assertNoSecret(err: Error, ...secrets: string[]): void {
    for (const s of [SECRET, CLIENT_ID, BASIC.slice(6), ...secrets]) {
      for (const text of [err.message, String(err.stack), JSON.stringify(err)]) assert.ok(!text.includes(s), `"${s}" in ${text}`);
    }
  }

  describe("the token request", function () {
    it("POSTs /oauth2/token (not under /API/v3) with Basic client credentials and a form body", async function () {
      srv.reply(token("tok-1"));
      const p = provider({ scopes: "read:surveys write:distributions" });
      assert.deepEqual(await p.auth(), { Authorization: "Bearer tok-1" });
      assert.equal(srv.requests.length, 1);
      const r = srv.requests[0];
      assert.equal(r.method, "POST");
      assert.equal(r.url, "/oauth2/token");
      assert.equal(r.headers.authorization, BASIC);
      assert.equal(r.headers["content-type"], "application/x-www-form-urlencoded");
      assert.equal(r.raw, "grant_type=client_credentials&scope=read%3Asurveys+write%3Adistributions");
      assert.equal(new URLSearchParams(r.raw).get("scope"), "read:surveys write:distributions");
      assert.equal(r.headers["x-api-token"], undefined);
    });

    it("asks for the default scopes when none are given", async function () {
      srv.reply(token("tok-1"));
      await provider({ scopes: "  " }).auth();
      assert.equal(new URLSearchParams(srv.requests[0].raw).get("scope"), DEFAULT_OAUTH_SCOPES.join(" "));
      assert.ok(DEFAULT_OAUTH_SCOPES.includes("read:users"), "whoami (Test connection)");
    });

    it("scopes may be separated by spaces, commas or new lines; repeats are dropped; odd characters are refused", function () {
      assert.deepEqual(normalizeScopes("read:surveys, write:distributions\nread:surveys"), ["read:surveys", "write:distributions"]);
      assert.deepEqual(normalizeScopes(["manage:all"]), ["manage:all"]);
      assert.deepEqual(normalizeScopes(undefined), [...DEFAULT_OAUTH_SCOPES]);
      for (const bad of ['read:surveys "x"', "read:surveys back\\slash"]) {
        assert.throws(() => normalizeScopes(bad), (e: QualtricsInputError) => e instanceof QualtricsInputError && e.field === "scopes");
      }
    });

    it("checks the client ID, the secret and the scopes before any request", function () {
      srv.reply(token("never"));
      const bad: Array<[Partial<OAuthOptions>, string]> = [
        [{ clientId: "" }, "clientId"],
        [{ clientId: "   " }, "clientId"],
        [{ clientId: "a:b" }, "clientId"],
        [{ clientSecret: "" }, "clientSecret"],
        [{ scopes: 'read:surveys "x"' }, "scopes"],
        [{ tokenUrl: "not a url" }, "baseUrl"],
      ];
      for (const [opts, field] of bad) {
        assert.throws(() => provider(opts), (e: QualtricsInputError) => e instanceof QualtricsInputError && e.field === field, field);
      }
      assert.equal(srv.requests.length, 0);
    });

    it("the token URL is on the API's origin, after the prefix a proxy puts before /API/v3", function () {
      assert.equal(oauthTokenUrl(resolveApiBase("iad1")), "https://iad1.qualtrics.com/oauth2/token");
      assert.equal(oauthTokenUrl(resolveApiBase("myorg.fra1.qualtrics.com")), "https://myorg.fra1.qualtrics.com/oauth2/token");
      assert.equal(oauthTokenUrl(resolveApiBase(undefined, "http://127.0.0.1:4010/API/v3/")), "http://127.0.0.1:4010/oauth2/token");
      assert.equal(oauthTokenUrl(resolveApiBase(undefined, "https://proxy.example/qualtrics/API/v3")), "https://proxy.example/qualtrics/oauth2/token");
    });
  });

  describe("caching and renewal", function () {
    it("keeps the token: many requests, one token request", async function () {
      srv.reply(token("tok-1"));
      const p = provider();
      for (let i = 0; i < 5; i++) assert.deepEqual(await p.auth(), { Authorization: "Bearer tok-1" });
      assert.equal(srv.requests.length, 1);
    });

    it("renews 60 s before expires_in (fake clock)", async function () {
      let now = 1_000_000;
      srv.reply(token("tok-1", 3600), token("tok-2", 3600));
      const p = provider({ now: () => now });
      await p.auth();
      now += 3600_000 - 60_000 - 1;
      assert.deepEqual(await p.auth(), { Authorization: "Bearer tok-1" });
      assert.equal(srv.requests.length, 1);
      now += 1;
      assert.deepEqual(await p.auth(), { Authorization: "Bearer tok-2" });
      assert.equal(srv.requests.length, 2);
    });

    it("a short-lived token is renewed halfway through its life", async function () {
      let now = 0;
      srv.reply(token("tok-1", 10), token("tok-2", 10));
      const p = provider({ now: () => now });
      await p.auth();
      now = 4_999;
      assert.deepEqual(await p.auth(), { Authorization: "Bearer tok-1" });
      now = 5_000;
      assert.deepEqual(await p.auth(), { Authorization: "Bearer tok-2" });
    });

    it("expires_in as text is understood; without it an hour is assumed", async function () {
      let now = 0;
      srv.reply(token("tok-1", "120"), { status: 200, body: { access_token: "tok-2" } }, token("tok-3"));
      const p = provider({ now: () => now });
      await p.auth();
      now = 60_000;
      assert.deepEqual(await p.auth(), { Authorization: "Bearer tok-2" }, "renewed after 120 - 60 s");
      now = 60_000 + 3600_000 - 60_001;
      assert.deepEqual(await p.auth(), { Authorization: "Bearer tok-2" });
      now += 1;
      assert.deepEqual(await p.auth(), { Authorization: "Bearer tok-3" });
    });

    it("a token inside a Qualtrics envelope is understood too", async function () {
      srv.reply({ status: 200, body: { result: { access_token: "tok-env", expires_in: 3600 }, meta: { httpStatus: "200 - OK" } } });
      assert.deepEqual(await provider().auth(), { Authorization: "Bearer tok-env" });
    });

    it("fetches once for requests that ask at the same time", async function () {
      srv.reply({ ...token("tok-1"), delayMs: 100 });
      const p = provider();
      const all = await Promise.all(Array.from({ length: 20 }, () => p.auth()));
      assert.equal(srv.requests.length, 1);
      for (const h of all) assert.deepEqual(h, { Authorization: "Bearer tok-1" });
    });

    it("concurrent callers share a failure, and a failure is not kept: the next call asks again", async function () {
      srv.reply({ status: 400, delayMs: 50, body: { error: "invalid_scope" } }, token("tok-2"));
      const p = provider();
      const errors = await Promise.all([failure(p.auth()), failure(p.auth()), failure(p.auth())]);
      assert.equal(srv.requests.length, 1);
      for (const e of errors) assert.match(e.message, /invalid_scope/);
      assert.deepEqual(await p.auth(), { Authorization: "Bearer tok-2" });
      assert.equal(srv.requests.length, 2);
    });

    it("onUnauthorized drops the token that was sent, once, even when many requests report it", async function () {
      srv.reply(token("tok-1"), token("tok-2"), token("tok-3"));
      const p = provider();
      const sent = await p.auth();
      assert.equal(p.onUnauthorized(sent), true);
      assert.deepEqual(await p.auth(), { Authorization: "Bearer tok-2" });
      // a late 401 for the old token does not throw away the new one
      assert.equal(p.onUnauthorized(sent), true);
      assert.deepEqual(await p.auth(), { Authorization: "Bearer tok-2" });
      assert.equal(srv.requests.length, 2);
    });

    it("after close no token is handed out and onUnauthorized says not to try again", async function () {
      srv.reply(token("tok-1"));
      const p = provider();
      const sent = await p.auth();
      await p.close();
      const err = await failure(p.auth());
      assert.match(err.message, /closed/);
      assert.equal(p.onUnauthorized(sent), false);
    });
  });

  describe("errors", function () {
    it("401 invalid_client: the token endpoint's words, a hint, and no secret", async function () {
      srv.reply({ status: 401, body: { error: "invalid_client", error_description: "Client authentication failed" } });
      const err = await failure<QualtricsApiError>(provider().auth());
      assert.ok(err instanceof QualtricsApiError);
      assert.equal(err.statusCode, 401);
      assert.equal(err.errorCode, "invalid_client");
      assert.match(err.message, /^Qualtrics 401: Client authentication failed - check the client ID and client secret \(errorCode invalid_client, POST \/oauth2\/token\)$/);
      assertNoSecret(err);
      assert.equal(srv.requests.length, 1, "a 401 is not retried");
    });

    it("an error in a Qualtrics envelope (meta.error) is read too", async function () {
      srv.reply({ status: 401, body: { meta: { httpStatus: "401 - Unauthorized", requestId: "rq-9", error: { errorMessage: "invalid_client", errorCode: "AUTH_6.0" } } } });
      const err = await failure<QualtricsApiError>(provider().auth());
      assert.match(err.message, /^Qualtrics 401 - Unauthorized: invalid_client - check the client ID and client secret \(errorCode AUTH_6\.0, requestId rq-9, POST \/oauth2\/token\)$/);
    });

    it("invalid_scope names the scopes as the thing to check", async function () {
      srv.reply({ status: 400, body: { error: "invalid_scope", error_description: "scope not allowed: write:surveys" } });
      const err = await failure<QualtricsApiError>(provider().auth());
      assert.equal(err.statusCode, 400);
      assert.match(err.message, /scope not allowed: write:surveys - check that the OAuth client is allowed every scope/);
    });

    it("a secret the server echoes back is taken out of the text", async function () {
      srv.reply({ status: 400, body: { error: "invalid_request", error_description: `bad credentials ${CLIENT_ID}:${SECRET} (${BASIC})` } });
      const err = await failure<QualtricsApiError>(provider().auth());
      assert.match(err.message, /bad credentials \*\*\*:\*\*\* \(Basic \*\*\*\)/);
      assertNoSecret(err);
    });

    it("a token answer larger than 64 KB is refused with a clear error, not read on (and not tried again)", async function () {
      // a JSON string far larger than any token answer: the read stops at the cap
      srv.reply({ status: 200, body: { access_token: "t".repeat(4 * 1024 * 1024), token_type: "Bearer" } }, token("tok-small"));
      const err = await failure<QualtricsApiError>(provider().auth());
      assert.ok(err instanceof QualtricsApiError);
      assert.match(err.message, /token answer is larger than 64 KB; a token answer is a small JSON object/);
      assert.equal(srv.requests.length, 1);
      assertNoSecret(err);
    });

    it("a 200 without access_token is an error", async function () {
      srv.reply({ status: 200, body: { token_type: "Bearer" } });
      const err = await failure<QualtricsApiError>(provider().auth());
      assert.match(err.message, /no access_token/);
      assert.match(err.message, /POST \/oauth2\/token/);
    });

    it("a page that is not JSON is quoted briefly", async function () {
      srv.reply({ status: 404, body: "no such thing" });
      const err = await failure<QualtricsApiError>(provider().auth());
      assert.equal(err.statusCode, 404);
      assert.match(err.message, /no such thing/);
    });

    it("429, 5xx and broken connections are tried again (at most `retries` more times)", async function () {
      srv.reply({ status: 503, body: {} }, { drop: true }, token("tok-ok"));
      assert.deepEqual(await provider({ retries: 2 }).auth(), { Authorization: "Bearer tok-ok" });
      assert.equal(srv.requests.length, 3);

      srv.reply((_r: Recorded) => ({ status: 500, body: {} }));
      const err = await failure<QualtricsApiError>(provider({ retries: 1 }).auth());
      assert.equal(err.statusCode, 500);
      assert.equal(srv.requests.length, 2);
      assert.match(err.message, /after 2 attempts/);
    });

    it("a server nobody listens on: connection failed, without the secret", async function () {
      const port = await closedPort();
      const err = await failure<QualtricsApiError>(provider({ tokenUrl: `http://127.0.0.1:${port}/oauth2/token`, retries: 0 }).auth());
      assert.match(err.message, /token request: connection failed \(ECONNREFUSED\)/);
      assertNoSecret(err);
    });

    it("a token request that takes too long ends with a timeout", async function () {
      srv.reply({ ...token("late"), delayMs: 300 });
      const err = await failure<QualtricsApiError>(provider({ timeoutMs: 50, retries: 0 }).auth());
      assert.match(err.message, /no answer within 50 ms/);
      await sleep(300);
    });
  });
});
