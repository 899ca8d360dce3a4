// Secrets echoed by an upstream (Qualtrics, a proxy) are taken out of every text the client builds.
import assert from "node:assert/strict";
import { QualtricsApiError } from "../../src/errors";
import { authSecrets, redact, redactor } from "../../src/redact";
import { failure, TOKEN, useClients } from "./helpers";
import { useRecordingServer } from "../support/fixtures";

describe("redact (secrets in texts from upstream)", function () {
  it("replaces every occurrence, and the URL-, form- and JSON-encoded forms", function () {
    const secret = 'ab/c+d e"f';
    const text = `a ${secret} b ${encodeURIComponent(secret)} c ${new URLSearchParams({ s: secret }).toString().slice(2)} d ${JSON.stringify(secret)} ${secret}`;
    const out = redact(text, [secret]);
    assert.equal(out, 'a *** b *** c *** d "***" ***');
  });

  it("leaves secrets shorter than 4 characters alone, so ordinary words survive", function () {
    assert.equal(redact("an id of abc", ["id", "abc", "", undefined]), "an id of abc");
  });

  it("a secret that contains another is replaced whole", function () {
    assert.equal(redactor(["tok1", "Bearer tok1xyz"])("x Bearer tok1xyz y tok1"), "x *** y ***");
  });

  it("auth headers give their whole value and the credential after Bearer or Basic", function () {
    assert.deepEqual(authSecrets({ Authorization: "Bearer abcd1234", "X-API-TOKEN": "tok-5678" }), ["Bearer abcd1234", "abcd1234", "tok-5678"]);
  });

  describe("the client's errors", function () {
    const api = useRecordingServer();
    const clients = useClients();

    const ACCOUNT_SECRET = "ACCOUNT-SECRET-3f9a71c2";
    const BEARER = "ACCESS-TOKEN-77e1b0d94c";
    const SHARED = "shared key+é&=91ab";

    function assertClean(err: Error, ...secrets: string[]): void {
      const texts = [err.message, String(err.stack), String(err), JSON.stringify(err)];
      for (const s of [TOKEN, ...secrets]) for (const t of texts) assert.ok(!t.includes(s), `"${s}" in ${t}`);
    }

    const echoes: Array<[string, (t: string) => { status: number; body: unknown; headers?: Record<string, string> }]> = [
      ["errorMessage", (t) => ({ status: 401, body: { meta: { httpStatus: "401 - Unauthorized", requestId: `rq-${t}`, error: { errorMessage: `token ${t} is not valid`, errorCode: `AUTH_${t}` } } } })],
      ["a text/plain body", (t) => ({ status: 500, body: `upstream said: bad token ${t}`, headers: { "content-type": "text/plain" } })],
      ["an HTML title", (t) => ({ status: 502, body: `<html><head><title>Denied ${t}</title></head></html>`, headers: { "content-type": "text/html" } })],
    ];
    for (const [where, answer] of echoes) {
      it(`the API token echoed in ${where} is not in the error`, async function () {
        const client = clients.make(api.apiBase, { retry: { retries: 0 } });
        api.reply(answer(TOKEN));
        const err = await failure<QualtricsApiError>(client.request({ method: "GET", path: "/whoami" }));
        assert.ok(err instanceof QualtricsApiError);
        assert.match(err.message, /\*\*\*/);
        assertClean(err);
      });
    }

    it("a Bearer token, the account's secrets and a request's own secrets are taken out too", async function () {
      const client = clients.make(api.apiBase, { auth: () => ({ Authorization: `Bearer ${BEARER}` }), secrets: () => [ACCOUNT_SECRET], retry: { retries: 0 } });
      api.reply({ status: 400, body: { meta: { httpStatus: "400 - Bad Request", error: { errorMessage: `Authorization: Bearer ${BEARER}; ${ACCOUNT_SECRET}; ${encodeURIComponent(SHARED)}; ${SHARED}` } } } });
      const err = await failure<QualtricsApiError>(client.request({ method: "POST", path: "/eventsubscriptions", body: { sharedKey: SHARED }, secrets: [SHARED] }));
      assert.match(err.message, /^Qualtrics 400 - Bad Request: Authorization: \*\*\*; \*\*\*; \*\*\*; \*\*\* /);
      assertClean(err, BEARER, ACCOUNT_SECRET, SHARED);
      assert.equal(client.redact(`x ${ACCOUNT_SECRET} y`), "x *** y");
    });

    it("a notice and a requestId that echo the token reach neither onNotice nor the answer", async function () {
      const notices: string[] = [];
      const client = clients.make(api.apiBase, { onNotice: (n) => notices.push(n) });
      api.reply({ status: 200, body: { result: {}, meta: { requestId: `id-${TOKEN}`, notice: `Request proxied for ${TOKEN}` } } });
      const res = await client.request({ method: "GET", path: "/whoami" });
      assert.equal(res.requestId, "id-***");
      assert.equal(res.notice, "Request proxied for ***");
      assert.deepEqual(notices, ["Request proxied for ***"]);
    });
  });
});
