// Neither the API token nor the webhook's shared key may appear in any status, log line, warning,
// error or output message, whatever happens.
import assert from "node:assert/strict";
import supertest from "supertest";
import { FlowNode, helper, http } from "../support/nr-helper";
import { fail, metaOnly, ok, Recorded } from "../support/fake-servers";
import { sleep, until } from "../support/wait";
import { configNode } from "../support/config-node";
import { useRecordingServer } from "../support/fixtures";
import { useNodeRuntime } from "../support/node-test";
import { DIR, CID } from "../support/ids";

const SECRET_TOKEN = "SECRET-TOKEN-qx7Zr9vLmN2pQ4sT8wYbK3";
const SECRET_KEY = "SHARED-KEY-hJ3kL5mN7pQ9rS1tV";
const SV = "SV_22VlHYNeldrrrkp";

type Spy = { getCalls(): { thisValue: unknown; args: unknown[] }[] };

/** every string reachable from a value: own properties, Error messages and stacks, nested objects */
function dump(value: unknown, seen = new Set<unknown>()): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "string") return value;
  if (typeof value !== "object" && typeof value !== "function") return String(value);
  if (seen.has(value)) return "";
  seen.add(value);
  const parts: string[] = [];
  if (value instanceof Error) parts.push(value.name, value.message, value.stack ?? "", dump((value as { cause?: unknown }).cause, seen));
  if (typeof value === "function") return parts.join(" ");
  for (const key of Reflect.ownKeys(value)) {
    let v: unknown;
    try {
      v = (value as Record<string | symbol, unknown>)[key];
    } catch {
      continue;
    }
    parts.push(String(key), dump(v, seen));
  }
  return parts.join(" ");
}

describe("secrets", function () {
  const api = useRecordingServer();
  useNodeRuntime({ qualtricsConfigRetryDelay: 5 });

  it("the token and the shared key appear in no status, log, warning, error or message", async function () {
    this.timeout(20000);
    const subs = new Map<string, unknown>();
    api.reply(async (r: Recorded) => {
      if (r.path === "/API/v3/eventsubscriptions" && r.method === "GET") return ok({ elements: [...subs.values()], nextPage: null });
      if (r.path === "/API/v3/eventsubscriptions" && r.method === "POST") {
        subs.set("SUB_1", { id: "SUB_1", ...(r.body as object) });
        return ok({ id: "SUB_1" });
      }
      if (r.method === "DELETE" && r.path.startsWith("/API/v3/eventsubscriptions/")) return metaOnly();
      if (r.path.startsWith(`/API/v3/surveys/${SV}/responses/R_ok`)) return ok({ responseId: "R_ok", values: {} });
      if (r.path.startsWith(`/API/v3/surveys/${SV}/responses/`)) return fail(403, "Forbidden", "AUTH_403");
      if (r.path === `/API/v3/directories/${DIR}/contacts/${CID}`) return ok({ contactId: CID });
      if (r.path === "/API/v3/distributions") return fail(400, "Invalid sender", "DIST_400");
      if (r.path === "/API/v3/slow") return { ...ok({}), delayMs: 1500 };
      if (r.path === "/API/v3/boom") return fail(500, "Server error", "SERVER_1");
      if (r.path === "/API/v3/gateway") return { status: 502, body: "<html><title>Bad Gateway</title></html>" };
      return fail(401, "Invalid token", "AUTH_6.0");
    });

    const flow: FlowNode[] = [
      { id: "tab", type: "tab" },
      configNode(api.apiBase, { timeout: 1, retries: 1 }),
      { id: "contact", z: "tab", type: "qualtrics-contact", qualtrics: "cfg", operation: "get", directoryId: DIR, contactId: CID, wires: [["out"]] },
      { id: "dist", z: "tab", type: "qualtrics-distribution", qualtrics: "cfg", channel: "email", wires: [["out"]] },
      { id: "call", z: "tab", type: "qualtrics-api", qualtrics: "cfg", method: "msg", url: "", wires: [["out"]] },
      { id: "trigger", z: "tab", type: "qualtrics-response-in", qualtrics: "cfg", surveyId: SV, path: "/hook", autoRegister: true, publicBaseUrl: "https://nr.example.com", fetchResponse: true, wires: [["out"]] },
      { id: "out", z: "tab", type: "helper" },
      { id: "catcher", z: "tab", type: "catch", scope: null, wires: [["caught"]] },
      { id: "statuses", z: "tab", type: "status", scope: null, wires: [["caught"]] },
      { id: "completes", z: "tab", type: "complete", scope: ["contact", "dist", "call"], wires: [["caught"]] },
      { id: "caught", z: "tab", type: "helper" },
    ];
    const creds = { cfg: { apiToken: SECRET_TOKEN }, trigger: { sharedKey: SECRET_KEY } };
    await helper.load([http.nodes.config, http.nodes.contact, http.nodes.distribution, http.nodes.api, http.nodes.responseIn], flow, creds);
    const proto = (helper as unknown as { _NodePrototype: Record<string, Spy> })._NodePrototype;
    const spies: Record<string, Spy> = {};
    for (const m of ["log", "warn", "error", "status", "debug", "trace", "send"]) spies[m] = proto[m];
    const redLog = helper.log() as unknown as Spy;
    const messages: unknown[] = [];
    helper.getNode("out").on("input", (m: unknown) => messages.push(m));
    helper.getNode("caught").on("input", (m: unknown) => messages.push(m));
    const responses: string[] = [];

    await until(() => subs.size === 1, 3000, "the subscription");
    const send = (id: string, msg: Record<string, unknown>) => helper.getNode(id).receive(msg);
    send("contact", { payload: {} });
    send("dist", { payload: { fromEmail: "a@example.com", fromName: "A", subject: "S", messageText: "Hi", mailingListId: "CG_1", surveyId: SV } });
    send("dist", { payload: { fromEmail: "not an email" } });
    send("call", { method: "GET", url: "/whoami", headers: { "X-API-TOKEN": "mine", Authorization: "Bearer mine" } });
    send("call", { method: "POST", url: "/boom", payload: { a: 1 } });
    send("call", { method: "GET", url: "/slow" });
    send("call", { method: "DELETE", url: "/gateway" });
    send("call", { method: "GET", url: "https://evil.example.com/API/v3/whoami" });
    const hook = (fields: Record<string, string>) =>
      supertest(http.app())
        .post("/hook")
        .type("form")
        .send(new URLSearchParams(fields).toString())
        .then((r) => responses.push(`${r.status} ${r.text} ${JSON.stringify(r.headers)}`));
    const { createHmac } = await import("node:crypto");
    const signed = (responseId: string) => {
      const MSG = JSON.stringify({ SurveyID: SV, ResponseID: responseId, BrandID: "b" });
      return { Topic: `b.surveyengine.completedResponse.${SV}`, MSG, HMAC: createHmac("sha512", SECRET_KEY).update(MSG).digest("hex") };
    };
    await hook(signed("R_ok"));
    await hook(signed("R_forbidden"));
    await hook({ ...signed("R_badsig"), HMAC: "0".repeat(128) });
    await hook({ Topic: "x", MSG: "{broken" });
    await sleep(2500);
    // removing everything: the subscription is deleted, the client closed
    await helper.setFlows([{ id: "tab", type: "tab" }], "full", {});
    await sleep(100);

    assert.ok(messages.length >= 8, `expected the flow to have produced messages, got ${messages.length}`);
    assert.ok(spies.error.getCalls().length >= 5, "errors were reported");
    assert.ok(spies.status.getCalls().length >= 10, "statuses were set");
    assert.ok(api.requests.some((r) => r.method === "DELETE"), "the subscription was deleted on removal");
    // the token did go where it belongs
    assert.ok(api.requests.every((r) => r.headers["x-api-token"] === SECRET_TOKEN));

    const haystacks: Array<[string, string]> = [];
    for (const [name, spy] of Object.entries(spies)) {
      for (const call of spy.getCalls()) haystacks.push([`${name}() of ${(call.thisValue as { type?: string }).type}`, dump(call.args)]);
    }
    for (const call of redLog.getCalls()) haystacks.push(["RED.log", dump(call.args)]);
    messages.forEach((m, i) => haystacks.push([`message ${i}`, dump(m)]));
    responses.forEach((r, i) => haystacks.push([`webhook answer ${i}`, r]));
    assert.ok(haystacks.length > 40);
    for (const [where, text] of haystacks) {
      assert.ok(!text.includes(SECRET_TOKEN), `the token appears in ${where}: ${text.slice(0, 300)}`);
      assert.ok(!text.includes(SECRET_KEY), `the shared key appears in ${where}: ${text.slice(0, 300)}`);
    }
  });
});
