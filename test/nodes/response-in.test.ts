// The response trigger's webhook, served through RED.httpNode (captured as docs/node-red-facts.md §4.1 shows).
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as nodeHttp from "node:http";
import type { AddressInfo } from "node:net";
import supertest from "supertest";
import { collect, FlowNode, helper, http, statusLog, TOKEN, untranslated } from "../support/nr-helper";
import { fail, ok } from "../support/fake-servers";
import { sleep, until } from "../support/wait";
import { okFirst, useRecordingServer } from "../support/fixtures";
import { nodeUnderTest, useNodeRuntime } from "../support/node-test";
import { localJournal } from "../../nodes/lib/coordination/local-journal";
import type { NodeAPI } from "../../nodes/lib/types";
import { parseWebhook } from "../../src/webhook";

const N = http.nodes;
const KEY = "kyma4ever";
const PATH = "/qualtrics/hook";

// Published vectors: docs/qualtrics-facts.md §6.4 (kyma-incubator qualtrics-event-gw README and hmac_test.go)
const V1 = {
  survey: "SV_22VlHYNeldrrrkp",
  response: "R_1l9mcVuXubb4aGm",
  completed: "2019-06-26 13:28:11",
  Topic: "sapdevelopment.surveyengine.completedResponse.SV_22VlHYNeldrrrkp",
  MSG: '{"Status":"Complete","SurveyID":"SV_22VlHYNeldrrrkp","ResponseID":"R_1l9mcVuXubb4aGm","CompletedDate":"2019-06-26 13:28:11","BrandID":"sapdevelopment"}',
  HMAC: "5db5cd1e0200e9ce6831ea0f1924beb97f136939e367c53f5af8f7d79c6727af495cb90d6c744fe72ab45efd9f9f2ba7c15b13fdf6565af3d5a4f50ed2c0c7d4",
};
const V2 = {
  survey: "SV_1AmkKSDmoZ4XlQx",
  response: "R_0B7IcnXszjEUHLP",
  completed: "2019-06-25 07:58:25",
  Topic: "sapdevelopment.surveyengine.completedResponse.SV_1AmkKSDmoZ4XlQx",
  MSG: '{"Status":"Complete","SurveyID":"SV_1AmkKSDmoZ4XlQx","ResponseID":"R_0B7IcnXszjEUHLP","CompletedDate":"2019-06-25 07:58:25","BrandID":"sapdevelopment"}',
  HMAC: "c2c585a404c239aa3063b462cc33551d3ed3ed2de0899f58d456fc0ef7ebef6f3c3af44957989bd0592603e41edde9528f7d9ed09ee128bf719aa12f46e5c598",
};

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const sign = (msg: string, key = KEY) => createHmac("sha512", key).update(msg).digest("hex");
/** a signed delivery for another response of V1's survey */
function delivery(responseId: string, survey = V1.survey, key = KEY) {
  const MSG = JSON.stringify({ Status: "Complete", SurveyID: survey, ResponseID: responseId, CompletedDate: "2030-01-01 10:00:00", BrandID: "acme" });
  return { Topic: `acme.surveyengine.completedResponse.${survey}`, MSG, HMAC: sign(MSG, key) };
}

describe("qualtrics-response-in: webhook", function () {
  const api = useRecordingServer(okFirst);
  const done = useNodeRuntime();
  const node = nodeUnderTest({ type: "qualtrics-response-in", apiBase: () => api.apiBase, defaults: { surveyId: V1.survey, path: PATH } });
  const flow = (props: Record<string, unknown>): FlowNode[] =>
    node.flow(props, [
      { id: "catcher", z: "tab", type: "catch", scope: ["n"], uncaught: false, wires: [["caught"]] },
      { id: "caught", z: "tab", type: "helper" },
    ]);
  async function load(props: Record<string, unknown> = {}, key: string | null = KEY) {
    const creds: Record<string, Record<string, string>> = { cfg: { apiToken: TOKEN } };
    if (key !== null) creds.n = { sharedKey: key };
    await helper.load([N.config, N.responseIn], flow(props), creds);
    return { outputs: collect("out"), caught: collect("caught"), app: http.app() };
  }
  const post = (fields: Record<string, string> | string) =>
    supertest(http.app())
      .post(PATH)
      .type("form")
      .send(typeof fields === "string" ? fields : form(fields));

  /** nothing more arrives: gives the node time to emit what it would */
  const settle = () => sleep(60);

  /** runs `test` with a fresh user directory in the settings, removed afterwards */
  async function withUserDir(test: (userDir: string) => Promise<void>): Promise<void> {
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "nrq-response-in-"));
    try {
      helper.settings({ userDir } as never);
      await test(userDir);
    } finally {
      fs.rmSync(userDir, { recursive: true, force: true });
    }
  }

  /** what the node sends, from now on */
  function sendsOf(id: string): unknown[] {
    const sent: unknown[] = [];
    (helper.getNode(id) as unknown as { on(e: string, cb: (c: { args: unknown[] }) => void): void }).on("call:send", (c) => sent.push(c.args[0]));
    return sent;
  }

  for (const v of [V1, V2]) {
    it(`accepts the published vector for ${v.survey} (key kyma4ever) and emits one message`, async () => {
      const { outputs } = await load({ surveyId: v.survey });
      const res = await post({ Topic: v.Topic, MSG: v.MSG, HMAC: v.HMAC });
      assert.equal(res.status, 200);
      await until(() => outputs.length === 1, 2000, "the message");
      await settle();
      assert.equal(outputs.length, 1);
      const msg = outputs[0];
      const fields = JSON.parse(v.MSG);
      assert.deepEqual(msg.event, {
        topic: `surveyengine.completedResponse.${v.survey}`,
        brandId: "sapdevelopment",
        surveyId: v.survey,
        responseId: v.response,
        completedDate: v.completed,
        fields,
        source: "webhook",
      });
      assert.deepEqual(msg.payload, fields);
      assert.equal(msg.topic, `surveyengine.completedResponse.${v.survey}`);
      assert.equal(api.requests.length, 0, "no API call without fetchResponse");
    });
  }

  const rejected: Array<[string, Record<string, string>]> = [
    ["a wrong HMAC", { Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC.replace(/^5/, "6") }],
    ["an HMAC made with another key", { Topic: V1.Topic, MSG: V1.MSG, HMAC: sign(V1.MSG, "other") }],
    ["the HMAC of another MSG", { Topic: V1.Topic, MSG: V1.MSG, HMAC: V2.HMAC }],
    ["an HMAC that is not hex", { Topic: V1.Topic, MSG: V1.MSG, HMAC: "z".repeat(128) }],
    ["a short HMAC", { Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC.slice(0, 64) }],
    ["no HMAC", { Topic: V1.Topic, MSG: V1.MSG }],
    ["a flat body (nothing signed)", { Topic: V1.Topic, Status: "Complete", SurveyID: V1.survey, ResponseID: V1.response }],
  ];
  for (const [what, fields] of rejected) {
    it(`answers 401 to ${what} when a shared key is set, and emits nothing`, async () => {
      const { outputs } = await load();
      const status = statusLog("n");
      const res = await post(fields);
      assert.equal(res.status, 401);
      assert.ok(!res.text.includes(KEY));
      await settle();
      assert.equal(outputs.length, 0);
      assert.ok(status.some((s) => s.fill === "red" && s.shape === "ring"));
    });
  }

  it("without a shared key accepts a delivery with or without an HMAC", async () => {
    const { outputs } = await load({}, null);
    assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG })).status, 200);
    const other = delivery("R_second");
    assert.equal((await post({ ...other, HMAC: "junk" })).status, 200);
    await until(() => outputs.length === 2, 2000, "two messages");
    assert.equal((outputs[0].event as { responseId: string }).responseId, V1.response);
    assert.equal((outputs[1].event as { responseId: string }).responseId, "R_second");
  });

  it("accepts a flat body (no MSG) when no key is set", async () => {
    const { outputs } = await load({}, null);
    const flat = { Topic: V1.Topic, Status: "Complete", SurveyID: V1.survey, ResponseID: "R_flat1", CompletedDate: "2030-01-01 00:00:00", BrandID: "sapdevelopment" };
    assert.equal((await post(flat)).status, 200);
    await until(() => outputs.length === 1, 2000, "the message");
    assert.deepEqual(outputs[0].event, {
      topic: `surveyengine.completedResponse.${V1.survey}`,
      brandId: "sapdevelopment",
      surveyId: V1.survey,
      responseId: "R_flat1",
      completedDate: "2030-01-01 00:00:00",
      fields: { Status: "Complete", SurveyID: V1.survey, ResponseID: "R_flat1", CompletedDate: "2030-01-01 00:00:00", BrandID: "sapdevelopment" },
      source: "webhook",
    });
  });

  it("answers GET with 200", async () => {
    const { outputs } = await load();
    const res = await supertest(http.app()).get(PATH);
    assert.equal(res.status, 200);
    await settle();
    assert.equal(outputs.length, 0);
  });

  it("answers 413 to a body over the limit (declared length)", async () => {
    const { outputs } = await load({ maxBodyKb: 1 }, null);
    const big = { ...delivery("R_big"), pad: "x".repeat(2000) };
    const res = await post(big);
    assert.equal(res.status, 413);
    await settle();
    assert.equal(outputs.length, 0);
    // a body under the limit still works
    assert.equal((await post(delivery("R_small"))).status, 200);
  });

  it("keeps a body limit when maxBodyKb is not a number", async () => {
    const { outputs } = await load({ maxBodyKb: "lots" }, null);
    const res = await post({ ...delivery("R_huge"), pad: "x".repeat(300 * 1024) });
    assert.equal(res.status, 413);
    await settle();
    assert.equal(outputs.length, 0);
    assert.equal((await post(delivery("R_fine"))).status, 200);
  });

  it("a query string on the address (the key fingerprint) does not matter", async () => {
    const { outputs } = await load();
    const res = await supertest(http.app()).post(`${PATH}?nrq=0123456789abcdef`).type("form").send(form({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC }));
    assert.equal(res.status, 200);
    await until(() => outputs.length === 1, 2000, "the message");
  });

  it("answers 413 to a chunked body over the limit", async () => {
    const { outputs } = await load({ maxBodyKb: 1 }, null);
    const server = nodeHttp.createServer(http.app());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as AddressInfo).port;
      const status = await new Promise<number>((resolve, reject) => {
        const req = nodeHttp.request({ host: "127.0.0.1", port, path: PATH, method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "transfer-encoding": "chunked" } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.write(form(delivery("R_chunked")));
        for (let i = 0; i < 4; i++) req.write("&pad" + i + "=" + "y".repeat(400));
        req.end();
      });
      assert.equal(status, 413);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    await settle();
    assert.equal(outputs.length, 0);
  });

  const malformed: Array<[string, Record<string, string>]> = [
    ["MSG that is not JSON", { Topic: V1.Topic, MSG: "{not json" }],
    ["MSG that is a JSON array", { Topic: V1.Topic, MSG: "[1,2]" }],
    ["an empty body", {}],
    ["form fields that are not an event (no Topic)", { garbage: "" }],
    ["an event's fields without its Topic", { SurveyID: V1.survey, ResponseID: V1.response }],
  ];
  for (const [what, fields] of malformed) {
    it(`answers 400 to ${what}`, async () => {
      const { outputs } = await load({}, null);
      const res = await post(fields);
      assert.equal(res.status, 400);
      await settle();
      assert.equal(outputs.length, 0);
    });
  }

  it("answers 400 to a correctly signed MSG that is not JSON", async () => {
    const { outputs } = await load();
    const res = await post({ Topic: V1.Topic, MSG: "not json", HMAC: sign("not json") });
    assert.equal(res.status, 400);
    await settle();
    assert.equal(outputs.length, 0);
  });

  it("acknowledges a repeated delivery of the same response but emits it once", async () => {
    const { outputs } = await load();
    for (let i = 0; i < 3; i++) assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC })).status, 200);
    assert.equal((await post(delivery("R_other"))).status, 200);
    await until(() => outputs.length === 2, 2000, "two messages");
    await settle();
    assert.deepEqual(outputs.map((m) => (m.event as { responseId: string }).responseId), [V1.response, "R_other"]);
  });

  it("with dedupeSeconds 0 emits every delivery", async () => {
    const { outputs } = await load({ dedupeSeconds: 0 });
    await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC });
    await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC });
    await until(() => outputs.length === 2, 2000, "two messages");
  });

  it("acknowledges but does not emit a delivery for another survey", async () => {
    const { outputs } = await load({ surveyId: V1.survey });
    assert.equal((await post({ Topic: V2.Topic, MSG: V2.MSG, HMAC: V2.HMAC })).status, 200);
    await settle();
    assert.equal(outputs.length, 0);
  });

  it("a topic (wildcard) instead of a survey emits deliveries of every survey", async () => {
    const { outputs } = await load({ surveyId: "", topic: "surveyengine.completedResponse.*" });
    await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC });
    await post({ Topic: V2.Topic, MSG: V2.MSG, HMAC: V2.HMAC });
    await until(() => outputs.length === 2, 2000, "two messages");
  });

  it("a topic without a survey emits only deliveries of that topic", async () => {
    const { outputs } = await load({ surveyId: "", topic: "controlpanel.activateSurvey" }, null);
    assert.equal((await post({ Topic: "acme.controlpanel.activateSurvey", MSG: JSON.stringify({ SurveyID: "SV_1" }) })).status, 200);
    assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG })).status, 200, "acknowledged all the same");
    await settle();
    assert.equal(outputs.length, 1);
    assert.equal((outputs[0].event as { topic: string }).topic, "controlpanel.activateSurvey");
  });

  it("warns when a second trigger serves the same path", async () => {
    const flowNodes = flow({});
    flowNodes.push({ id: "n2", z: "tab", type: "qualtrics-response-in", qualtrics: "cfg", surveyId: V2.survey, path: PATH, wires: [[]] });
    await helper.load([N.config, N.responseIn], flowNodes, { cfg: { apiToken: TOKEN } });
    // the helper spies on Node.prototype.warn: one spy sees every node's warnings
    const warned = (helper.getNode("n").warn as unknown as { args: unknown[][] }).args.map((a) => String(a[0]));
    assert.equal(warned.filter((t) => t.includes(PATH) || /samePath/.test(t)).length, 1, warned.join(" | "));
  });

  it("when the first trigger on a path is removed, the second one there gets the deliveries", async () => {
    const second = { id: "n2", z: "tab", type: "qualtrics-response-in", qualtrics: "cfg", surveyId: V1.survey, path: PATH, wires: [["out2"]] };
    const flowNodes = [...flow({}), second, { id: "out2", z: "tab", type: "helper" }];
    await helper.load([N.config, N.responseIn], flowNodes, { cfg: { apiToken: TOKEN }, n: { sharedKey: KEY }, n2: { sharedKey: KEY } });
    const first = collect("out");
    assert.equal((await post(delivery("R_toFirst"))).status, 200);
    await until(() => first.length === 1, 2000, "the first trigger's message");
    // only the first trigger is removed: a deploy of the changed nodes leaves the second running
    await helper.setFlows(
      flowNodes.filter((x) => x.id !== "n"),
      "nodes",
      { cfg: { apiToken: TOKEN }, n2: { sharedKey: KEY } },
    );
    const secondOut = collect("out2");
    assert.equal((await post(delivery("R_toSecond"))).status, 200);
    await until(() => secondOut.length === 1, 2000, "the second trigger's message");
    assert.equal((secondOut[0].event as { responseId: string }).responseId, "R_toSecond");
  });

  it("__proto__ keys in MSG reach no prototype", async () => {
    const { outputs } = await load({}, null);
    const MSG = `{"__proto__":{"polluted":"yes"},"SurveyID":"${V1.survey}","ResponseID":"R_proto","nested":{"constructor":{"prototype":{"polluted":"yes"}}}}`;
    assert.equal((await post({ Topic: V1.Topic, MSG, "__proto__[polluted]": "yes" })).status, 200);
    await until(() => outputs.length === 1, 2000, "the message");
    const ev = outputs[0].event as { fields: Record<string, unknown> };
    assert.deepEqual(ev.fields, { SurveyID: V1.survey, ResponseID: "R_proto", nested: {} });
    assert.equal(Object.getPrototypeOf(ev.fields), Object.prototype);
    assert.equal(Reflect.get(ev.fields, "polluted"), undefined);
    assert.equal(Reflect.get({}, "polluted"), undefined);
  });

  it("honours httpNodeMiddleware, including a body the operator's middleware already parsed", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const express = require("express") as { urlencoded(o: object): unknown };
    const seen: string[] = [];
    helper.settings({ httpNodeMiddleware: [(req: { method: string }, _res: unknown, next: () => void) => (seen.push(req.method), next()), express.urlencoded({ extended: false })] } as never);
    const { outputs } = await load();
    assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC })).status, 200);
    assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V2.HMAC })).status, 401);
    await until(() => outputs.length === 1, 2000, "the message");
    assert.deepEqual(seen, ["POST", "POST"]);
  });

  it("an operator middleware that refuses stops the delivery", async () => {
    helper.settings({ httpNodeMiddleware: (_req: unknown, res: { status(n: number): { end(): void } }) => res.status(403).end() } as never);
    const { outputs } = await load();
    assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC })).status, 403);
    await settle();
    assert.equal(outputs.length, 0);
  });

  it("shows a green status with the count once a message is emitted, in words", async () => {
    await load();
    const status = statusLog("n");
    await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC });
    await until(() => status.some((s) => s.fill === "green" && s.shape === "dot"), 2000, "green status");
    await post(delivery("R_two"));
    await until(() => status.filter((s) => s.fill === "green").length === 2, 2000, "second green status");
    const greens = status.filter((s) => s.fill === "green").map((s) => s.text ?? "");
    assert.match(greens[0], /\b1\b/);
    assert.match(greens[1], /\b2\b/);
    await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: "0".repeat(128) });
    assert.deepEqual(untranslated(status.map((s) => s.text)), []);
  });

  it("every status it shows is text, not a message key or a __placeholder__", async () => {
    const { caught } = await load({ fetchResponse: true });
    const status = statusLog("n");
    api.reply(ok({ responseId: V1.response }), fail(403, "Forbidden", "AUTH"));
    await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC });
    await post(delivery("R_forbidden"));
    await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: "0".repeat(128) });
    await until(() => caught.length === 1, 3000, "the failed fetch");
    await settle();
    const fills = new Set(status.map((s) => s.fill));
    assert.ok(fills.has("blue") && fills.has("green") && fills.has("red"), [...fills].join());
    assert.deepEqual(untranslated(status.map((s) => s.text)), []);
  });

  describe("fetching the full response", function () {
    it("acknowledges first, then GETs the response (retrying a 404) and emits it as payload", async () => {
      const { outputs } = await load({ fetchResponse: true });
      const response = { responseId: V1.response, values: { QID1: 4, finished: 1 }, labels: {} };
      api.reply(fail(404, "Response not found", "RESP_404"), { ...ok(response, { requestId: "rq-resp" }), delayMs: 300 });
      const res = await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC });
      assert.equal(res.status, 200);
      assert.equal(outputs.length, 0, "acknowledged before the fetch finished");
      await until(() => outputs.length === 1, 8000, "the message");
      assert.equal(api.requests.length, 2);
      for (const r of api.requests) {
        assert.equal(r.method, "GET");
        assert.equal(r.path, `/API/v3/surveys/${V1.survey}/responses/${V1.response}`);
        assert.equal(r.headers["x-api-token"], TOKEN);
      }
      const msg = outputs[0];
      assert.deepEqual(msg.payload, response);
      assert.equal((msg.event as { responseId: string }).responseId, V1.response);
      assert.equal((msg.qualtrics as { requestId: string }).requestId, "rq-resp");
      await settle();
      assert.equal(outputs.length, 1);
    });

    it("the wait between 404 tries follows settings.js qualtricsConfigRetryDelay", async () => {
      // the default waits 1.5 s, 3 s, 4.5 s: three 404s would take 9 s
      helper.settings({ qualtricsConfigRetryDelay: 10 } as never);
      const { outputs } = await load({ fetchResponse: true });
      const nf = fail(404, "Response not found", "RESP_404");
      api.reply(nf, nf, nf, ok({ responseId: V1.response }));
      await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC });
      await until(() => outputs.length === 1, 3000, "the message after three 404s");
      assert.equal(api.requests.length, 4);
    });

    it("a failed fetch is an error a Catch node gets, with msg.event", async () => {
      const { outputs, caught } = await load({ fetchResponse: true });
      api.reply(fail(403, "Not authorized for this survey", "AUTH_403"));
      assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC })).status, 200);
      await until(() => caught.length === 1, 3000, "the caught error");
      const msg = caught[0];
      const err = msg.error as { message: string };
      assert.match(err.message, /403 - Forbidden: Not authorized for this survey/);
      assert.match(err.message, /AUTH_403/);
      assert.ok(!err.message.includes(TOKEN));
      assert.equal((msg.event as { responseId: string }).responseId, V1.response);
      // what every other node puts on a failed message, for a flow to tell what Qualtrics answered
      assert.deepEqual(msg.qualtrics, { requestId: "req-err", httpStatus: 403, errorCode: "AUTH_403", mayHaveSucceeded: false });
      await settle();
      assert.equal(outputs.length, 0);
      assert.equal(caught.length, 1);
    });

    it("without a config node the fetch fails with an error naming it, and nothing crashes", async () => {
      const { caught } = await load({ fetchResponse: true, qualtrics: "" });
      assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC })).status, 200);
      await until(() => caught.length === 1, 3000, "the caught error");
      assert.match((caught[0].error as { message: string }).message, /\bQualtrics: no Qualtrics configuration node is selected/);
    });

    it("without a token the fetch fails with an error naming apiToken", async () => {
      await helper.load([N.config, N.responseIn], flow({ fetchResponse: true }), { n: { sharedKey: KEY } });
      const caught = collect("caught");
      assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC })).status, 200);
      await until(() => caught.length === 1, 3000, "the caught error");
      assert.match((caught[0].error as { message: string }).message, /\bAPI token: is not set/);
      assert.equal(api.requests.length, 0);
    });

    it("a 429 with Retry-After is retried", async () => {
      const { outputs } = await load({ fetchResponse: true });
      api.reply(fail(429, "Slow down", "RATE", { "retry-after": "0.02" }), ok({ responseId: V1.response }));
      await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC });
      await until(() => outputs.length === 1, 3000, "the message");
      assert.equal(api.requests.length, 2);
    });

    it("removing the node while a fetch is in flight lets it finish", async () => {
      await load({ fetchResponse: true });
      const sent = sendsOf("n");
      api.reply({ ...ok({ responseId: V1.response }), delayMs: 300 });
      await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC });
      await until(() => api.requests.length === 1, 2000, "the fetch");
      await helper.setFlows(flow({}).filter((n) => n.id !== "n"), "full", { cfg: { apiToken: TOKEN } });
      assert.equal(sent.length, 1);
    });

    it("a stop during a fetch leaves the event in the journal: the next start fetches and emits it, once", () =>
      withUserDir(async () => {
        await load({ fetchResponse: true });
        const sent = sendsOf("n");
        api.reply({ ...ok({ responseId: V1.response }), delayMs: 2000 });
        await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC });
        await until(() => api.requests.length === 1, 2000, "the fetch");
        await helper.unload();
        assert.equal(sent.length, 0, "nothing sent to nodes that are closing");
        api.reply(ok({ responseId: V1.response, values: { QID1: 2 } }));
        const { outputs } = await load({ fetchResponse: true });
        await until(() => outputs.length === 1, 3000, "the message, at the next start");
        assert.deepEqual(outputs[0].payload, { responseId: V1.response, values: { QID1: 2 } });
        await settle();
        assert.equal(outputs.length, 1);
      }));
  });

  describe("the route", function () {
    it("is gone after the flow stops (404)", async () => {
      const { app } = await load();
      assert.equal((await supertest(app).post(PATH).type("form").send(form({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC }))).status, 200);
      await helper.unload();
      assert.equal((await supertest(app).post(PATH).type("form").send(form({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC }))).status, 404);
      assert.equal((await supertest(app).get(PATH)).status, 404);
    });

    it("is gone after a deploy that removes the node, and moves with a changed path", async () => {
      const { app } = await load();
      await helper.setFlows(flow({ path: "/elsewhere" }), "full", { cfg: { apiToken: TOKEN }, n: { sharedKey: KEY } });
      assert.equal((await supertest(app).get(PATH)).status, 404);
      assert.equal((await supertest(app).get("/elsewhere")).status, 200);
      await helper.setFlows(flow({}).filter((n) => n.id !== "n"), "full", { cfg: { apiToken: TOKEN } });
      assert.equal((await supertest(app).get("/elsewhere")).status, 404);
    });

    it("keeps answering through a full redeploy: every delivery sent meanwhile gets 200 and is emitted once", async () => {
      const { outputs: before } = await load({ fetchResponse: true });
      // each fetch takes a while, so the old node's close waits for the one in flight
      api.reply((rec) => ({ ...ok({ responseId: String(rec.path).split("/").pop() }), delayMs: 300 }));
      assert.equal((await post(delivery("R_first1"))).status, 200);
      await until(() => api.requests.length === 1, 2000, "the first fetch");
      const redeploy = helper.setFlows(flow({ fetchResponse: true }), "full", { cfg: { apiToken: TOKEN }, n: { sharedKey: KEY } });
      const during: number[] = [];
      for (let i = 0; i < 10; i++) {
        during.push((await post(delivery(`R_during${i}`))).status);
        await sleep(20);
      }
      await redeploy;
      const after = collect("out");
      assert.equal((await post(delivery("R_after1"))).status, 200);
      const want = ["R_first1", ...during.map((_, i) => `R_during${i}`), "R_after1"];
      const ids = () => [...before, ...after].map((m) => (m.event as { responseId: string }).responseId);
      await until(() => ids().length >= want.length, 8000, "every delivery's message");
      await settle();
      assert.deepEqual(during, during.map(() => 200), "no 404 while the node was being replaced");
      assert.deepEqual([...ids()].sort(), [...want].sort(), "each once");
    });

    it("a node without a survey or topic reports it and serves nothing", async () => {
      const { app } = await load({ surveyId: "" });
      const n = helper.getNode("n") as unknown as { error: { getCalls(): { thisValue: unknown; args: unknown[] }[] } };
      const errors = n.error.getCalls().filter((c) => c.thisValue === n).map((c) => String(c.args[0]));
      assert.ok(errors.some((e) => /^Survey: is required unless a topic is given/.test(e)), errors.join("\n"));
      assert.equal((await supertest(app).post(PATH).type("form").send(form({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC }))).status, 404);
    });

    it("with httpNodeRoot false it warns and serves nothing", async () => {
      helper.settings({ httpNodeRoot: false } as never);
      const { app } = await load();
      const n = helper.getNode("n") as unknown as { warn: { getCalls(): { thisValue: unknown; args: unknown[] }[] } };
      const warnings = n.warn.getCalls().filter((c) => c.thisValue === n).map((c) => String(c.args[0]));
      assert.ok(warnings.some((w) => /httpNodeRoot/.test(w)), warnings.join("\n"));
      assert.equal((await supertest(app).get(PATH)).status, 404);
    });

    it("a surveyId that is not one is reported by name", async () => {
      await load({ surveyId: "SV 22" });
      const n = helper.getNode("n") as unknown as { error: { getCalls(): { thisValue: unknown; args: unknown[] }[] } };
      const errors = n.error.getCalls().filter((c) => c.thisValue === n).map((c) => String(c.args[0]));
      assert.ok(errors.some((e) => /^Survey: "SV 22" is not a survey ID/.test(e)), errors.join("\n"));
    });
  });
  describe("replays and hostile deliveries", function () {
    /** V1 sent again as it was, but under another Topic: Topic is not covered by the HMAC */
    const replays: Array<[string, string, number]> = [
      ["the brand alone", "sapdevelopment.", 400],
      ["another survey", "sapdevelopment.surveyengine.completedResponse.SV_x1", 400],
      ["a third survey", "sapdevelopment.surveyengine.completedResponse.SV_x2", 400],
      ["no topic", "", 400],
      ["an empty segment", "sapdevelopment.surveyengine..", 400],
      ["a wildcard", "sapdevelopment.surveyengine.completedResponse.*", 400],
      ["another brand", "otherbrand.surveyengine.completedResponse.SV_22VlHYNeldrrrkp", 200],
      ["the same topic", V1.Topic, 200],
    ];
    for (const filter of [{ surveyId: V1.survey }, { surveyId: "", topic: "*" }, { surveyId: "", topic: "surveyengine.completedResponse.*" }]) {
      it(`emits a signed MSG once, whatever Topic it is replayed with (${JSON.stringify(filter)})`, async () => {
        const { outputs } = await load(filter);
        assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC })).status, 200);
        await until(() => outputs.length === 1, 2000, "the message");
        for (const [what, Topic, status] of replays) {
          const res = await post({ Topic, MSG: V1.MSG, HMAC: V1.HMAC });
          assert.equal(res.status, status, `${what}: ${res.text}`);
        }
        await settle();
        assert.equal(outputs.length, 1, outputs.map((m) => m.topic).join(", "));
        assert.equal(outputs[0].topic, `surveyengine.completedResponse.${V1.survey}`);
      });
    }

    it("answers 400 with the reason to a Topic that names another survey than the signed MSG, and emits nothing", async () => {
      const { outputs } = await load({ surveyId: "", topic: "*" });
      const res = await post({ Topic: V2.Topic, MSG: V1.MSG, HMAC: V1.HMAC });
      assert.equal(res.status, 400);
      assert.match(res.text, /Topic names another survey than MSG/);
      await settle();
      assert.equal(outputs.length, 0);
    });


    it("remembers emitted deliveries across a restart (a new instance) when there is a user directory", () =>
      withUserDir(async () => {
        let { outputs } = await load();
        assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC })).status, 200);
        await until(() => outputs.length === 1, 2000, "the message");
        await helper.unload();
        ({ outputs } = await load());
        assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC })).status, 200, "a replay is acknowledged");
        assert.equal((await post(delivery("R_after_restart"))).status, 200);
        await until(() => outputs.length === 1, 2000, "the new delivery");
        await settle();
        assert.deepEqual(outputs.map((m) => (m.event as { responseId: string }).responseId), ["R_after_restart"]);
      }));

    it("removing the node forgets its deliveries", () =>
      withUserDir(async (userDir) => {
        const { outputs } = await load();
        assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC })).status, 200);
        await until(() => outputs.length === 1, 2000, "the message");
        const dir = path.join(userDir, "qualtrics-journal");
        assert.equal(fs.readdirSync(dir).length, 1, "the journal, written before the 200");
        await helper.setFlows(flow({}).filter((n) => n.id !== "n"), "full", { cfg: { apiToken: TOKEN } });
        assert.deepEqual(fs.readdirSync(dir), []);
      }));

    it("emits at start what the journal held from before a kill, with its fetch, once", () =>
      withUserDir(async (userDir) => {
        // what a delivery acknowledged just before a kill leaves: an entry in the journal, no message
        const RED = { settings: { userDir } } as unknown as NodeAPI;
        const left = localJournal(RED, { scope: "n", windowMs: 600_000, maxPending: 10 });
        const event = parseWebhook({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC });
        const { topic, brandId, surveyId, responseId, completedDate, fields } = event;
        assert.equal(await left.accept({ key: event.identity, source: "webhook", receivedAt: Date.now(), data: { event: { topic, brandId, surveyId, responseId, completedDate, fields } } }), "new");
        await left.close(false);
        api.reply(ok({ responseId: V1.response, values: { QID1: 1 } }));
        const { outputs } = await load({ fetchResponse: true });
        await until(() => outputs.length === 1, 3000, "the message from the journal");
        assert.deepEqual(outputs[0].payload, { responseId: V1.response, values: { QID1: 1 } });
        assert.deepEqual(outputs[0].event, { topic, brandId, surveyId, responseId, completedDate, fields, source: "webhook" });
        assert.equal(api.requests.length, 1);
        assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC })).status, 200, "a late repeat is acknowledged");
        await settle();
        assert.equal(outputs.length, 1, "and not emitted again");
      }));

    it("answers 503, never 200, to a delivery the journal cannot record, and says why once", () =>
      withUserDir(async (userDir) => {
        // a file where the journal's directory should be: nothing can be written there
        fs.writeFileSync(path.join(userDir, "qualtrics-journal"), "not a directory");
        const { outputs } = await load();
        const status = statusLog("n");
        assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC })).status, 503);
        assert.equal((await post(delivery("R_second"))).status, 503);
        await settle();
        assert.equal(outputs.length, 0);
        const warned = (helper.getNode("n").warn as unknown as { args: unknown[][] }).args.map((a) => String(a[0]));
        assert.equal(warned.filter((t) => /delivery journal/.test(t)).length, 1, warned.join(" | "));
        assert.ok(status.some((s) => s.fill === "red" && /journal/.test(String(s.text))), JSON.stringify(status));
        assert.deepEqual(untranslated(status.map((s) => s.text)), []);
        // once it can be written again, deliveries are accepted
        fs.rmSync(path.join(userDir, "qualtrics-journal"));
        assert.equal((await post(delivery("R_third"))).status, 200);
        await until(() => outputs.length === 1, 2000, "the message");
      }));

    it("answers 400 to a signed MSG nested thousands of levels deep, before acknowledging, and emits nothing", async () => {
      const { outputs } = await load();
      const deepMsg = (depth: number) => '{"SurveyID":"' + V1.survey + '","ResponseID":"R_deep' + depth + '","x":' + '{"a":'.repeat(depth) + "1" + "}".repeat(depth) + "}";
      const refused = deepMsg(5000);
      const res = await post({ Topic: V1.Topic, MSG: refused, HMAC: sign(refused) });
      assert.equal(res.status, 400);
      assert.match(res.text, /MSG is nested deeper than \d+ levels/);
      // ordinary nesting still gets through
      const fine = deepMsg(10);
      assert.equal((await post({ Topic: V1.Topic, MSG: fine, HMAC: sign(fine) })).status, 200);
      await until(() => outputs.length === 1, 2000, "the message");
      await settle();
      assert.equal((outputs[0].event as { responseId: string }).responseId, "R_deep10");
    });
  });

  describe("a shared key from an environment variable", function () {
    const VAR = "NRQ_TEST_SHARED_KEY_12";
    afterEach(() => delete process.env[VAR]);

    /** what node `id` passed to node.error or node.status since it started (the helper spies on both) */
    function callsOf(id: string, method: "error" | "status"): unknown[] {
      const n = helper.getNode(id) as unknown as Record<string, { getCalls(): { thisValue: unknown; args: unknown[] }[] }>;
      return n[method].getCalls().filter((c) => c.thisValue === n).map((c) => c.args[0]);
    }
    const errorsOf = (id: string) => callsOf(id, "error").map(String);

    const unresolved: Array<[string, string, () => void]> = [
      ["an unset ${VAR}", `\${${VAR}}`, () => delete process.env[VAR]],
      ["a ${VAR} set to nothing", `\${${VAR}}`, () => (process.env[VAR] = "")],
      ["an unset $(VAR)", `$(${VAR})`, () => delete process.env[VAR]],
      ["${VAR} inside other text (never replaced)", `key-\${${VAR}}`, () => (process.env[VAR] = "set")],
    ];
    for (const [what, written, env] of unresolved) {
      it(`${what} is a configuration error naming Shared key, and no webhook is accepted`, async () => {
        env();
        const { outputs } = await load({ autoRegister: true, publicBaseUrl: "https://nr.example.com" }, written);
        const errors = errorsOf("n");
        const status = callsOf("n", "status") as Array<{ fill?: string; text?: string }>;
        assert.ok(errors.some((e) => e.startsWith("Shared key:") && e.includes(VAR)), errors.join("\n"));
        assert.ok(status.some((s) => s.fill === "red" && /Shared key/.test(s.text ?? "")), JSON.stringify(status));
        // signed with the literal text, unsigned, and flat: all refused
        const bodies: Record<string, string>[] = [{ Topic: V1.Topic, MSG: V1.MSG, HMAC: sign(V1.MSG, written) }, { Topic: V1.Topic, MSG: V1.MSG }, { Topic: V1.Topic, SurveyID: V1.survey, ResponseID: "R_flat" }];
        for (const body of bodies) {
          const res = await post(body);
          assert.equal(res.status, 503);
          assert.match(res.text, /shared key is not configured/);
        }
        await settle();
        assert.equal(outputs.length, 0);
        assert.equal(api.requests.length, 0, "no subscription registered with it");
      });
    }

    it("a ${VAR} that is set works as the key it holds", async () => {
      process.env[VAR] = KEY;
      const { outputs } = await load({}, `\${${VAR}}`);
      assert.deepEqual(errorsOf("n"), []);
      assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: sign(V1.MSG, `\${${VAR}}`) })).status, 401);
      assert.equal((await post({ Topic: V1.Topic, MSG: V1.MSG, HMAC: V1.HMAC })).status, 200);
      await until(() => outputs.length === 1, 2000, "the message");
    });
  });
});
