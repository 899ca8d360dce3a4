// qualtrics-response-in on a real Node-RED with httpNodeRoot "/api": the real runtime's body parsing
// (the admin app parses form bodies before RED.httpNode, docs/node-red-facts.md §1.6), the event subscription's
// life cycle across redeploys, restarts and removal, HMAC checks, and secrets kept out of exports
// and logs. The webhooks are real: the sandbox POSTs them to Node-RED.
//
// The its run in order and share one Node-RED process (restarted once on the same user directory).
import assert from "node:assert/strict";
import { readPublicationUrl } from "../../src/publication-url";
import { completedMessage, signMessage } from "../../sandbox";
import { cryptoIds } from "../../sandbox/ids";
import { createResponse } from "../../sandbox/responses";
import { FlowNode } from "../support/runtime";
import { statusCaptureId, untranslated, withCapture } from "./capture";
import { sleep, waitFor } from "../support/wait";
import { sandboxConfig } from "../support/config-node";
import { useStack } from "./stack";

// recognisable values, so any leak shows up in a plain text search
const TOKEN = "E2E-SECRET-TOKEN-7d41c9a0b3e25f68a1d4c7e0";
const SHARED_KEY = "E2E-SECRET-SHAREDKEY-5f0b8e2d91c4a376";
const NEW_SHARED_KEY = "E2E-SECRET-SHAREDKEY-ROTATED-2b9d04e7";
const SURVEY = "SV_VE5mzwCiii9FktA";
const TOPIC = `surveyengine.completedResponse.${SURVEY}`;

describe(`e2e: response trigger (${process.env.NR_PKG || "node-red"}, httpNodeRoot "/api")`, function () {
  this.timeout(60_000);
  const { sb, col, nr } = useStack({
    sandbox: { token: TOKEN },
    nodeRed: () => ({ httpNodeRoot: "/api", logLevel: "debug", audit: true }),
    ready: async () => {
      flows = flowsWith();
      const since = Date.now();
      await nr.deploy(flows, { "e2e-config": { apiToken: TOKEN }, "e2e-trigger": { sharedKey: SHARED_KEY } });
      await waitFor("the subscription", () => sb.state.subscriptions.size > 0, 15_000);
      await registrationChecked(since);
    },
  });
  let flows: FlowNode[];
  let subscriptionId = "";

  const route = () => `${nr.nodeUrl}/qualtrics/responses`;
  const subs = () => [...sb.state.subscriptions.values()];
  const count = (method: string, path: RegExp) => sb.requests.filter((r) => r.method === method && path.test(r.path)).length;
  const received = () => col.of("e2e-debug");

  /** a response stored in the sandbox without sending its webhook, and the MSG Qualtrics would send */
  function storedResponse(values?: Record<string, unknown>): { responseId: string; msg: string } {
    const survey = sb.state.surveys.get(SURVEY);
    if (!survey) throw new Error("no survey");
    const r = createResponse(survey, cryptoIds, { values });
    const msg = completedMessage(sb.brandId, { surveyId: SURVEY, responseId: r.responseId, recipientId: "", distributionId: "", completedDate: "2025-05-01 10:00:00" });
    return { responseId: r.responseId, msg };
  }

  function post(url: string, fields: Record<string, string>, contentType = "application/x-www-form-urlencoded") {
    return nr.request("POST", url, new URLSearchParams(fields).toString(), { "content-type": contentType });
  }

  /** waits for the trigger to have (re)checked its subscription after `since` */
  async function registrationChecked(since: number): Promise<void> {
    await waitFor("the trigger to list the event subscriptions", () => sb.requests.some((r) => r.method === "GET" && r.path.endsWith("/eventsubscriptions") && r.at >= since), 15_000);
    await sleep(300);
  }

  function flowsWith(sharedKeyNode = true): FlowNode[] {
    return withCapture(
      [
        { id: "e2e-tab", type: "tab", label: "e2e response trigger", disabled: false, info: "" },
        {
          id: "e2e-trigger", type: "qualtrics-response-in", z: "e2e-tab", name: "e2e trigger", qualtrics: "e2e-config",
          surveyId: SURVEY, topic: "", path: "/qualtrics/responses", autoRegister: true, publicBaseUrl: nr.url.replace(/\/$/, ""),
          fetchResponse: true, dedupeSeconds: 600, maxBodyKb: 256, x: 150, y: 100, wires: [["e2e-debug"]],
        },
        { id: "e2e-debug", type: "debug", z: "e2e-tab", name: "e2e debug", active: true, tosidebar: true, console: false, tostatus: false, complete: "true", targetType: "full", statusVal: "", statusType: "auto", x: 400, y: 100, wires: [] },
        sandboxConfig({ id: "e2e-config" }),
      ].filter((n) => sharedKeyNode || n.id !== "e2e-trigger"),
      col.url,
    );
  }

  it("registers one event subscription at publicBaseUrl + httpNodeRoot + path, with the shared key", function () {
    assert.equal(subs().length, 1);
    const [s] = subs();
    subscriptionId = s.id;
    // the route, then a segment naming this instance, the configuration, the trigger and the key's fingerprint
    const read = readPublicationUrl(s.publicationUrl);
    assert.equal(read?.route, route());
    assert.deepEqual({ config: read?.mark.owner?.config, node: read?.mark.owner?.node }, { config: "e2e-config", node: "e2e-trigger" });
    assert.match(read?.mark.fingerprint ?? "", /^[0-9a-f]{16}$/);
    assert.equal(s.topics, TOPIC);
    assert.equal(s.sharedKey, SHARED_KEY);
    assert.equal(s.encrypted, false);
    assert.equal(s.publicationUrl.includes(SHARED_KEY), false, "the key itself must not be in the URL");
    assert.equal(count("POST", /\/eventsubscriptions$/), 1);
  });

  it("a completed response reaches the node through the real webhook, and the message carries the fetched answers", async function () {
    const { responseId, deliveries } = await sb.completeResponse(SURVEY, { QID1: 7, QID3_TEXT: "Sent by the e2e test" });
    assert.deepEqual(deliveries.map((d) => [d.subscriptionId, d.status]), [[subscriptionId, 200]]);
    const [c] = await col.wait("e2e-debug", 1);
    const msg = c.msg as { payload: { responseId: string; values: Record<string, unknown> }; topic: string; event: Record<string, unknown>; qualtrics: { httpStatus: number } };
    assert.equal(msg.payload.responseId, responseId);
    assert.equal(msg.payload.values.QID1, 7);
    assert.equal(msg.payload.values.QID3_TEXT, "Sent by the e2e test");
    assert.equal(msg.topic, TOPIC);
    assert.equal(msg.event.responseId, responseId);
    assert.equal(msg.event.surveyId, SURVEY);
    assert.equal(msg.event.brandId, sb.brandId);
    assert.equal(msg.qualtrics.httpStatus, 200);
    assert.equal(count("GET", new RegExp(`/surveys/${SURVEY}/responses/${responseId}$`)), 1);
  });

  it("serves the route under httpNodeRoot /api only (GET answers 200)", async function () {
    assert.equal((await nr.request("GET", route())).status, 200);
    const outside = await post(`${nr.url}qualtrics/responses`, { Topic: "x", MSG: "{}" });
    assert.equal(outside.status, 404);
  });

  it("a wrong or missing HMAC gets 401 and no message", async function () {
    const before = received().length;
    const { msg } = storedResponse();
    const topic = `${sb.brandId}.${TOPIC}`;
    assert.equal((await post(route(), { Topic: topic, MSG: msg, HMAC: signMessage("not-the-key", msg) })).status, 401);
    assert.equal((await post(route(), { Topic: topic, MSG: msg })).status, 401);
    assert.equal((await post(route(), { Topic: topic, MSG: msg, HMAC: "" })).status, 401);
    assert.equal((await post(route(), { Topic: topic, MSG: msg, HMAC: "zz" })).status, 401);
    // signed with the right key, but over a different MSG
    assert.equal((await post(route(), { Topic: topic, MSG: msg.replace("Complete", "Partial"), HMAC: signMessage(SHARED_KEY, msg) })).status, 401);
    await sleep(1000);
    assert.equal(received().length, before);
  });

  it("a signed form POST works although the admin app has parsed the body first (also with a charset)", async function () {
    const topic = `${sb.brandId}.${TOPIC}`;
    const one = storedResponse({ QID1: 2 });
    const r1 = await post(route(), { Topic: topic, MSG: one.msg, HMAC: signMessage(SHARED_KEY, one.msg) });
    assert.equal(r1.status, 200, r1.text);
    const two = storedResponse({ QID1: 10 });
    const r2 = await post(route(), { Topic: topic, MSG: two.msg, HMAC: signMessage(SHARED_KEY, two.msg) }, "application/x-www-form-urlencoded; charset=UTF-8");
    assert.equal(r2.status, 200, r2.text);
    const got = await waitFor("both messages", () => {
      const ids = received().map((c) => (c.msg.payload as { responseId: string }).responseId);
      return ids.includes(one.responseId) && ids.includes(two.responseId) ? received() : undefined;
    });
    const byId = new Map(got.map((c) => [(c.msg.payload as { responseId: string }).responseId, c.msg.payload as { values: Record<string, unknown> }]));
    assert.equal(byId.get(one.responseId)?.values.QID1, 2);
    assert.equal(byId.get(two.responseId)?.values.QID1, 10);
  });

  it("a repeated delivery of the same response is acknowledged and dropped", async function () {
    const topic = `${sb.brandId}.${TOPIC}`;
    const one = storedResponse();
    const fields = { Topic: topic, MSG: one.msg, HMAC: signMessage(SHARED_KEY, one.msg) };
    assert.equal((await post(route(), fields)).status, 200);
    await waitFor("the first delivery", () => received().some((c) => (c.msg.payload as { responseId: string }).responseId === one.responseId));
    const before = received().length;
    assert.equal((await post(route(), fields)).status, 200);
    await sleep(800);
    assert.equal(received().length, before);
  });

  it("a full redeploy of the same flows (credentials not resent, as the editor does) keeps the one subscription and one route", async function () {
    const posts = count("POST", /\/eventsubscriptions$/);
    const deletes = count("DELETE", /\/eventsubscriptions\//);
    const since = Date.now();
    await nr.deploy(flows);
    await registrationChecked(since);
    assert.deepEqual(subs().map((s) => s.id), [subscriptionId]);
    assert.equal(count("POST", /\/eventsubscriptions$/), posts);
    assert.equal(count("DELETE", /\/eventsubscriptions\//), deletes);

    const before = received().length;
    const { responseId, deliveries } = await sb.completeResponse(SURVEY);
    assert.deepEqual(deliveries.map((d) => d.status), [200]);
    await waitFor("the message", () => received().some((c) => (c.msg.payload as { responseId: string }).responseId === responseId));
    await sleep(500);
    assert.equal(received().length, before + 1, "one delivery, one message");
  });

  it("a restart of Node-RED on the same user directory keeps the one subscription", async function () {
    const posts = count("POST", /\/eventsubscriptions$/);
    const since = Date.now();
    await nr.restart();
    await registrationChecked(since);
    assert.deepEqual(subs().map((s) => s.id), [subscriptionId]);
    assert.equal(count("POST", /\/eventsubscriptions$/), posts);
    assert.equal(count("DELETE", /\/eventsubscriptions\//), 0);

    // the credentials came back from flows_cred.json: the HMAC is still checked and passes
    const { responseId, deliveries } = await sb.completeResponse(SURVEY);
    assert.deepEqual(deliveries.map((d) => d.status), [200]);
    await waitFor("the message after the restart", () => received().some((c) => (c.msg.payload as { responseId: string }).responseId === responseId));
    const { msg } = storedResponse();
    assert.equal((await post(route(), { Topic: `${sb.brandId}.${TOPIC}`, MSG: msg, HMAC: signMessage("not-the-key", msg) })).status, 401);
  });

  it("neither GET /flows, flows.json nor the log contain the token or the shared key", async function () {
    const { text } = await nr.getFlows();
    const flowsJson = JSON.stringify(nr.readFlowsFile());
    const cred = nr.readCredentialsFile();
    for (const secret of [TOKEN, SHARED_KEY]) {
      assert.equal(text.includes(secret), false, "GET /flows");
      assert.equal(flowsJson.includes(secret), false, "flows.json");
      assert.equal(nr.log.includes(secret), false, "the log");
      assert.equal(cred.includes(secret), false, "flows_cred.json is encrypted");
    }
    assert.match(cred, /^\{\s*"\$":\s*"[0-9a-f]+/);
    const c1 = await nr.request("GET", "credentials/qualtrics-config/e2e-config", undefined, { Accept: "application/json" });
    // the editor only learns whether each password credential is set (the OAuth ones are not here)
    assert.deepEqual(c1.json(), { has_apiToken: true, has_clientId: false, has_clientSecret: false, has_redisUrl: false });
    const c2 = await nr.request("GET", "credentials/qualtrics-response-in/e2e-trigger", undefined, { Accept: "application/json" });
    assert.deepEqual(c2.json(), { has_sharedKey: true });
  });

  it("a changed shared key replaces the subscription (the old one is deleted)", async function () {
    const since = Date.now();
    await nr.deploy(flows, { "e2e-trigger": { sharedKey: NEW_SHARED_KEY } });
    await waitFor("the replacement", () => subs().length === 1 && subs()[0].id !== subscriptionId, 15_000);
    await registrationChecked(since);
    assert.equal(subs().length, 1);
    assert.equal(subs()[0].sharedKey, NEW_SHARED_KEY);
    assert.equal(sb.state.subscriptions.has(subscriptionId), false);
    subscriptionId = subs()[0].id;
    const { deliveries } = await sb.completeResponse(SURVEY);
    assert.deepEqual(deliveries.map((d) => d.status), [200]);
  });

  it("removing the node deletes its subscription and its route", async function () {
    await nr.deploy(flowsWith(false));
    await waitFor("the subscription to be deleted", () => sb.state.subscriptions.size === 0, 15_000);
    assert.ok(sb.requests.some((r) => r.method === "DELETE" && r.path.endsWith(`/eventsubscriptions/${subscriptionId}`)));
    const { msg } = storedResponse();
    assert.equal((await post(route(), { Topic: "x", MSG: msg, HMAC: signMessage(NEW_SHARED_KEY, msg) })).status, 404);
  });

  it("every status the trigger showed is translated text (no message key, no __placeholder__)", function () {
    const shown = col.of(statusCaptureId("e2e-tab")).map((c) => (c.msg.status as { text?: string }).text ?? "").filter(Boolean);
    for (const expected of ["registered", "bad signature"]) assert.ok(shown.includes(expected), `"${expected}" not among ${JSON.stringify(shown)}`);
    assert.deepEqual(untranslated(shown), []);
  });

  it("logged no errors or warnings, and no secret", function () {
    assert.deepEqual(nr.problems(), []);
    for (const secret of [TOKEN, SHARED_KEY, NEW_SHARED_KEY]) assert.equal(nr.log.includes(secret), false);
  });
});
