import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import * as http from "node:http";
import { startSandbox } from "../../sandbox/server";
import { assertError, call, elements, obj, result } from "./test-helpers";
import { completedMessage, signMessage, topicMatches } from "../../sandbox/webhooks";
import { startReceiver } from "../support/fake-servers";
import { useSandbox } from "../support/fixtures";

describe("sandbox: event subscriptions and webhooks (§6)", () => {
  const sb = useSandbox({ webhookTimeoutMs: 1500 });

  const surveyId = (): string => sb.seedIds.surveyIds[0];
  async function subscribe(body: Record<string, unknown>): Promise<string> {
    const id = String(result(await call(sb, "POST", "/eventsubscriptions", { body })).id);
    assert.match(id, /^SUB_[A-Za-z0-9]{15}$/);
    return id;
  }

  describe("CRUD (§6.1, §6.2)", () => {
    it("creates with {publicationUrl, topics, encrypt, sharedKey} → {id: SUB_…}", async () => {
      const r = await call(sb, "POST", "/eventsubscriptions", { body: { publicationUrl: "http://127.0.0.1:9/hook", topics: `surveyengine.completedResponse.${surveyId()}`, encrypt: false, sharedKey: "s3cret" } });
      assert.deepEqual(Object.keys(result(r)), ["id"]);
    });

    it("also accepts POST /eventsubscriptions/ (trailing slash)", async () => {
      const r = await call(sb, "POST", "/eventsubscriptions/", { body: { publicationUrl: "https://example.com/h", topics: "*" } });
      assert.match(String(result(r).id), /^SUB_/);
    });

    it("lists {id, scope, topics, publicationUrl, encrypted, successfulCalls} with nextPage null, never sharedKey", async () => {
      const id = await subscribe({ publicationUrl: "http://127.0.0.1:9/hook", topics: "surveyengine.completedResponse.*", encrypt: false, sharedKey: "very-secret-key" });
      const r = await call(sb, "GET", "/eventsubscriptions");
      assert.equal(result(r).nextPage, null);
      const els = elements(r);
      assert.equal(els.length, 1);
      assert.deepEqual(Object.keys(els[0]).sort(), ["encrypted", "id", "publicationUrl", "scope", "successfulCalls", "topics"]);
      assert.equal(els[0].id, id);
      assert.equal(els[0].topics, "surveyengine.completedResponse.*");
      assert.equal(els[0].encrypted, false);
      assert.equal(els[0].successfulCalls, 0);
      assert.ok(!r.text.includes("very-secret-key"));
      assert.ok(!r.text.includes("sharedKey"));
    });

    it("GET one (no sharedKey) and DELETE (meta-only), then 404", async () => {
      const id = await subscribe({ publicationUrl: "http://127.0.0.1:9/hook", topics: "*", sharedKey: "k-123-secret" });
      const one = await call(sb, "GET", `/eventsubscriptions/${id}`);
      assert.equal(result(one).id, id);
      assert.ok(!one.text.includes("k-123-secret"));
      const del = await call(sb, "DELETE", `/eventsubscriptions/${id}`);
      assert.deepEqual(Object.keys(obj(del.json)), ["meta"]);
      assertError(await call(sb, "GET", `/eventsubscriptions/${id}`), 404, /Subscription not found/);
      assertError(await call(sb, "DELETE", `/eventsubscriptions/${id}`), 404);
    });

    it("reports encrypt:true as encrypted:true", async () => {
      const id = await subscribe({ publicationUrl: "http://127.0.0.1:9/hook", topics: "*", encrypt: true, sharedKey: "k" });
      assert.equal(result(await call(sb, "GET", `/eventsubscriptions/${id}`)).encrypted, true);
    });

    it("answers 400 when publicationUrl is missing or not http(s)", async () => {
      assertError(await call(sb, "POST", "/eventsubscriptions", { body: { topics: "*" } }), 400, /^publicationUrl is required/);
      assertError(await call(sb, "POST", "/eventsubscriptions", { body: { publicationUrl: "ftp://example.com/x", topics: "*" } }), 400, /^publicationUrl must be an absolute http or https URL/);
      assertError(await call(sb, "POST", "/eventsubscriptions", { body: { publicationUrl: "/relative", topics: "*" } }), 400, /^publicationUrl must be/);
    });

    it("answers 400 when topics is missing or not a string", async () => {
      assertError(await call(sb, "POST", "/eventsubscriptions", { body: { publicationUrl: "https://example.com/h" } }), 400, /^topics is required/);
      assertError(await call(sb, "POST", "/eventsubscriptions", { body: { publicationUrl: "https://example.com/h", topics: ["*"] } }), 400, /^topics must be a string/);
    });

    it("answers 400 for a non-boolean encrypt or non-string sharedKey", async () => {
      assertError(await call(sb, "POST", "/eventsubscriptions", { body: { publicationUrl: "https://example.com/h", topics: "*", encrypt: "no" } }), 400, /^encrypt must be a boolean/);
      assertError(await call(sb, "POST", "/eventsubscriptions", { body: { publicationUrl: "https://example.com/h", topics: "*", sharedKey: 42 } }), 400, /^sharedKey must be a string/);
    });

    it("answers 403 (brand administrator) when requireBrandAdmin is set", async () => {
      const admin = await startSandbox({ requireBrandAdmin: true, seed: false });
      try {
        const r = await call(admin, "POST", "/eventsubscriptions", { body: { publicationUrl: "https://example.com/h", topics: "*" } });
        assertError(r, 403, /brand administrator/);
        assert.equal(admin.state.subscriptions.size, 0);
        assert.equal((await call(admin, "GET", "/eventsubscriptions")).status, 200, "listing still works");
      } finally {
        await admin.close();
      }
    });
  });

  describe("HMAC (§6.4)", () => {
    it("matches the [KYMA] README test vector", () => {
      const msg = '{"Status":"Complete","SurveyID":"SV_22VlHYNeldrrrkp","ResponseID":"R_1l9mcVuXubb4aGm","CompletedDate":"2019-06-26 13:28:11","BrandID":"sapdevelopment"}';
      assert.equal(signMessage("kyma4ever", msg), "5db5cd1e0200e9ce6831ea0f1924beb97f136939e367c53f5af8f7d79c6727af495cb90d6c744fe72ab45efd9f9f2ba7c15b13fdf6565af3d5a4f50ed2c0c7d4");
    });

    it("matches the [KYMA] hmac_test.go vector", () => {
      const msg = '{"Status":"Complete","SurveyID":"SV_1AmkKSDmoZ4XlQx","ResponseID":"R_0B7IcnXszjEUHLP","CompletedDate":"2019-06-25 07:58:25","BrandID":"sapdevelopment"}';
      assert.equal(signMessage("kyma4ever", msg), "c2c585a404c239aa3063b462cc33551d3ed3ed2de0899f58d456fc0ef7ebef6f3c3af44957989bd0592603e41edde9528f7d9ed09ee128bf719aa12f46e5c598");
    });

    it("is 128 lowercase hex chars and depends on key and message", () => {
      const a = signMessage("key", "msg");
      assert.match(a, /^[0-9a-f]{128}$/);
      assert.notEqual(signMessage("key2", "msg"), a);
      assert.notEqual(signMessage("key", "msg2"), a);
    });
  });

  describe("topic matching", () => {
    const topic = "surveyengine.completedResponse.SV_abc";
    for (const [pattern, expected] of [
      ["surveyengine.completedResponse.SV_abc", true],
      ["surveyengine.completedResponse.*", true],
      ["surveyengine.*", true],
      ["*", true],
      ["surveyengine.completedResponse.SV_other", false],
      ["surveyengine.partialResponse.*", false],
      ["controlpanel.*", false],
      ["surveyengine.completedResponse.SV_ab", false],
    ] as const) {
      it(`${pattern} ${expected ? "matches" : "does not match"}`, () => {
        assert.equal(topicMatches(pattern, topic), expected);
      });
    }
  });

  describe("webhook delivery (§6.3)", () => {
    it("POSTs form-encoded Topic, MSG and HMAC that verify independently", async () => {
      const rx = await startReceiver();
      try {
        const key = "my-shared-key";
        const subId = await subscribe({ publicationUrl: rx.url, topics: `surveyengine.completedResponse.${surveyId()}`, encrypt: false, sharedKey: key });
        const before = Date.now();
        const { responseId, deliveries } = await sb.completeResponse(surveyId());
        assert.deepEqual(deliveries, [{ subscriptionId: subId, url: rx.url, status: 200 }]);
        assert.equal(rx.received.length, 1);
        const got = rx.received[0];
        assert.equal(got.method, "POST");
        assert.equal(got.url, "/hook");
        assert.equal(got.headers["content-type"], "application/x-www-form-urlencoded");
        const form = new URLSearchParams(got.body);
        assert.deepEqual([...form.keys()].sort(), ["HMAC", "MSG", "Topic"]);
        assert.equal(form.get("Topic"), `sandboxbrand.surveyengine.completedResponse.${surveyId()}`);
        const msgText = form.get("MSG") ?? "";
        const expected = createHmac("sha512", Buffer.from(key, "utf8")).update(msgText, "utf8").digest("hex");
        assert.equal(form.get("HMAC"), expected);
        const msg = obj(JSON.parse(msgText));
        assert.deepEqual(Object.keys(msg), ["Status", "SurveyID", "RecipientID", "ResponseEventContext", "DistributionID", "ResponseID", "CompletedDate", "BrandID"]);
        assert.equal(msg.Status, "Complete");
        assert.equal(msg.SurveyID, surveyId());
        assert.equal(msg.ResponseID, responseId);
        assert.equal(msg.BrandID, "sandboxbrand");
        assert.equal(msg.ResponseEventContext, "");
        assert.equal(msg.RecipientID, "");
        assert.equal(msg.DistributionID, "");
        assert.match(String(msg.CompletedDate), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
        const completed = Date.parse(`${String(msg.CompletedDate).replace(" ", "T")}Z`);
        assert.ok(completed >= Math.floor(before / 1000) * 1000 && completed <= Date.now(), "CompletedDate is now, in UTC");
      } finally {
        await rx.close();
      }
    });

    it("sends no HMAC without a sharedKey", async () => {
      const rx = await startReceiver();
      try {
        await subscribe({ publicationUrl: rx.url, topics: "*" });
        await sb.completeResponse(surveyId());
        const form = new URLSearchParams(rx.received[0].body);
        assert.deepEqual([...form.keys()].sort(), ["MSG", "Topic"]);
      } finally {
        await rx.close();
      }
    });

    it("treats an empty sharedKey as none (no HMAC)", async () => {
      const rx = await startReceiver();
      try {
        await subscribe({ publicationUrl: rx.url, topics: "*", sharedKey: "" });
        await sb.completeResponse(surveyId());
        assert.equal(new URLSearchParams(rx.received[0].body).get("HMAC"), null);
      } finally {
        await rx.close();
      }
    });

    it("carries RecipientID and DistributionID when given", async () => {
      const rx = await startReceiver();
      try {
        await subscribe({ publicationUrl: rx.url, topics: "*" });
        await sb.completeResponse(surveyId(), undefined, { recipientId: "CGC_abcdefghijklmno", distributionId: "EMD_abcdefghijklmno" });
        const msg = obj(JSON.parse(new URLSearchParams(rx.received[0].body).get("MSG") ?? ""));
        assert.equal(msg.RecipientID, "CGC_abcdefghijklmno");
        assert.equal(msg.DistributionID, "EMD_abcdefghijklmno");
      } finally {
        await rx.close();
      }
    });

    it("delivers to every matching subscription (exact, wildcards) and only those", async () => {
      const rx = await startReceiver();
      try {
        const matching = [
          await subscribe({ publicationUrl: `${rx.url}?s=exact`, topics: `surveyengine.completedResponse.${surveyId()}` }),
          await subscribe({ publicationUrl: `${rx.url}?s=all-responses`, topics: "surveyengine.completedResponse.*" }),
          await subscribe({ publicationUrl: `${rx.url}?s=engine`, topics: "surveyengine.*" }),
          await subscribe({ publicationUrl: `${rx.url}?s=everything`, topics: "*" }),
        ];
        await subscribe({ publicationUrl: `${rx.url}?s=other-survey`, topics: `surveyengine.completedResponse.${sb.seedIds.surveyIds[1]}` });
        await subscribe({ publicationUrl: `${rx.url}?s=controlpanel`, topics: "controlpanel.activateSurvey" });
        const { deliveries } = await sb.completeResponse(surveyId());
        assert.deepEqual(deliveries.map((d) => d.subscriptionId), matching);
        assert.deepEqual(rx.received.map((r) => r.url).sort(), ["/hook?s=all-responses", "/hook?s=engine", "/hook?s=everything", "/hook?s=exact"]);
      } finally {
        await rx.close();
      }
    });

    it("counts successfulCalls on 2xx only", async () => {
      let status = 204;
      const rx = await startReceiver(() => status);
      try {
        const id = await subscribe({ publicationUrl: rx.url, topics: "*" });
        await sb.completeResponse(surveyId());
        status = 500;
        const { deliveries } = await sb.completeResponse(surveyId());
        assert.equal(deliveries[0].status, 500);
        assert.equal(result(await call(sb, "GET", `/eventsubscriptions/${id}`)).successfulCalls, 1);
      } finally {
        await rx.close();
      }
    });

    it("stores the response before delivering, so the receiver can fetch it", async () => {
      let fetched = 0;
      const rx = await startReceiver(async (r) => {
        const msg = obj(JSON.parse(new URLSearchParams(r.body).get("MSG") ?? ""));
        const res = await call(sb, "GET", `/surveys/${String(msg.SurveyID)}/responses/${String(msg.ResponseID)}`);
        fetched = res.status;
        return 200;
      });
      try {
        await subscribe({ publicationUrl: rx.url, topics: "*" });
        await sb.completeResponse(surveyId());
        assert.equal(fetched, 200);
      } finally {
        await rx.close();
      }
    });

    it("reports a timeout when the receiver does not answer in webhookTimeoutMs", async () => {
      const hang = http.createServer(() => undefined);
      await new Promise<void>((resolve) => hang.listen(0, "127.0.0.1", resolve));
      const address = hang.address();
      assert.ok(address && typeof address === "object");
      try {
        await subscribe({ publicationUrl: `http://127.0.0.1:${address.port}/slow`, topics: "*" });
        const t = Date.now();
        const { deliveries } = await sb.completeResponse(surveyId());
        assert.equal(deliveries[0].status, null);
        assert.match(String(deliveries[0].error), /no answer within 1500 ms/);
        assert.ok(Date.now() - t < 5000);
      } finally {
        hang.closeAllConnections();
        await new Promise<void>((resolve) => hang.close(() => resolve()));
      }
    });

    it("reports an unreachable receiver as an error, not a throw", async () => {
      const probe = http.createServer();
      await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
      const address = probe.address();
      assert.ok(address && typeof address === "object");
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      await subscribe({ publicationUrl: `http://127.0.0.1:${address.port}/gone`, topics: "*" });
      const { deliveries } = await sb.completeResponse(surveyId());
      assert.equal(deliveries[0].status, null);
      assert.match(String(deliveries[0].error), /ECONNREFUSED/);
    });

    it("does not deliver to https:// or encrypted subscriptions and says why", async () => {
      await subscribe({ publicationUrl: "https://example.com/hook", topics: "*" });
      await subscribe({ publicationUrl: "http://127.0.0.1:9/hook", topics: "*", encrypt: true, sharedKey: "k" });
      const { deliveries } = await sb.completeResponse(surveyId());
      assert.equal(deliveries.length, 2);
      assert.match(String(deliveries[0].error), /only delivers to http:\/\//);
      assert.match(String(deliveries[1].error), /encrypt:true is not simulated/);
      assert.ok(deliveries.every((d) => d.status === null));
    });

    it("faults.webhookDropRate skips that share of deliveries, evenly, says so and counts them", async () => {
      const rx = await startReceiver();
      try {
        await subscribe({ publicationUrl: rx.url, topics: "*" });
        sb.faults.set({ webhookDropRate: 0.1 });
        const outcomes: Array<number | null> = [];
        for (let i = 0; i < 30; i++) outcomes.push((await sb.completeResponse(surveyId())).deliveries[0].status);
        const dropped = outcomes.map((s, i) => (s === null ? i : -1)).filter((i) => i >= 0);
        assert.deepEqual(dropped, [9, 19, 29]);
        assert.equal(rx.received.length, 27);
        assert.equal(sb.faults.stats.webhooksDropped, 3);
        const { deliveries } = await sb.completeResponse(surveyId());
        assert.equal(deliveries[0].status, 200);
        sb.faults.clear();
        assert.throws(() => sb.faults.set({ webhookDropRate: 1.5 }), /webhookDropRate must be a number from 0 to 1/);
      } finally {
        await rx.close();
      }
    });

    it("completedMessage builds the MSG JSON text", () => {
      const text = completedMessage("b", { surveyId: "SV_1", responseId: "R_1", recipientId: "", distributionId: "", completedDate: "2024-01-01 00:00:00" });
      assert.equal(text, '{"Status":"Complete","SurveyID":"SV_1","RecipientID":"","ResponseEventContext":"","DistributionID":"","ResponseID":"R_1","CompletedDate":"2024-01-01 00:00:00","BrandID":"b"}');
    });
  });
});
