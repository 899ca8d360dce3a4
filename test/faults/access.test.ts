// Access: a real Node-RED with adminAuth (an admin and a read-only user) and httpNodeAuth.
// - every admin route of the package answers 401 without a token (and asks Qualtrics nothing),
//   403 to a read-only user where it needs .write, and works with the admin's token;
// - the webhook route sits behind httpNodeAuth like core http in;
// - qualtrics-api refuses any URL off the configured API origin, with a clear error and no
//   request to the other host (a recording server on 127.0.0.1 sees nothing);
// - a list whose nextPage names another host asks the configured host for that page instead, so
//   the token never leaves it.
import assert from "node:assert/strict";
import { adminToken as tokenFor, bcryptHash } from "./admin-auth";
import { addFigures } from "./figures";
import { startSandbox, type Sandbox } from "../../sandbox";
import { ok, startRecordingServer, type Recorded, type RecordingServer } from "../support/fake-servers";
import { FlowNode, NodeRed, startNodeRed } from "../support/runtime";
import { waitFor } from "../support/wait";
import { sandboxConfig } from "../support/config-node";

const RUN = process.env.NR_PKG || "node-red";
const TOKEN = "ACCESS-TEST-TOKEN-6c1d9e3f7a2b5c8d0e4f";
const PASSWORD = "access-test-password";
const HOOK_USER = "hook";
const Z = "acc-tab";

/** http in → (prepare) → node → http response, and its errors back as {error} through a catch node */
function callable(name: string, node: FlowNode, prepare: string): FlowNode[] {
  const fn = (id: string, func: string, wires: string[][]): FlowNode => ({ id, type: "function", z: Z, name: id, func, outputs: 1, timeout: 0, noerr: 0, initialize: "", finalize: "", libs: [], x: 0, y: 0, wires });
  return [
    { id: `acc-in-${name}`, type: "http in", z: Z, name: "", url: `/acc/${name}`, method: "post", upload: false, swaggerDoc: "", x: 0, y: 0, wires: [[`acc-prep-${name}`]] },
    fn(`acc-prep-${name}`, `${prepare}\nreturn msg;`, [[node.id]]),
    { ...node, z: Z, x: 0, y: 0, wires: [[`acc-ok-${name}`]] },
    fn(`acc-ok-${name}`, `msg.payload = { result: msg.payload }; msg.statusCode = 200; return msg;`, [[`acc-out-${name}`]]),
    { id: `acc-catch-${name}`, type: "catch", z: Z, name: "", scope: [node.id], uncaught: false, x: 0, y: 0, wires: [[`acc-err-${name}`]] },
    fn(`acc-err-${name}`, `msg.payload = { error: msg.error.message, source: msg.error.source && msg.error.source.type }; msg.statusCode = 200; return msg;`, [[`acc-out-${name}`]]),
    { id: `acc-out-${name}`, type: "http response", z: Z, name: "", statusCode: "", headers: {}, x: 0, y: 0, wires: [] },
  ];
}

describe(`faults: access (${RUN}, adminAuth and httpNodeAuth on)`, function () {
  this.timeout(120_000);
  let sb: Sandbox;
  let foreign: RecordingServer;
  let fake: RecordingServer;
  let nr: NodeRed;
  let adminToken = "";
  let readerToken = "";
  const basic = `Basic ${Buffer.from(`${HOOK_USER}:${PASSWORD}`).toString("base64")}`;

  const login = (username: string, scope: string) => tokenFor(nr, username, PASSWORD, scope);

  const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

  async function call(name: string, body: Record<string, unknown>): Promise<{ result?: unknown; error?: string; source?: string }> {
    const r = await nr.request("POST", `${nr.nodeUrl}/acc/${name}`, body, { Authorization: basic });
    assert.equal(r.status, 200, `POST /acc/${name}: ${r.status} ${r.text.slice(0, 300)}`);
    return r.json();
  }

  before(async function () {
    sb = await startSandbox({ token: TOKEN });
    foreign = await startRecordingServer();
    foreign.reply(ok({ elements: [{ id: "SV_foreign0000001", name: "from the foreign host" }], nextPage: null }));
    fake = await startRecordingServer();
    // an API whose lists point their next page at the foreign host (or at another path on it)
    fake.reply((r: Recorded) => {
      if (r.path === "/API/v3/surveys" && !r.query.offset) return ok({ elements: [{ id: "SV_page1000000001", name: "page 1" }], nextPage: `${foreign.url}/API/v3/surveys?offset=1` });
      if (r.path === "/API/v3/surveys" && r.query.offset === "1") return ok({ elements: [{ id: "SV_page2000000002", name: "page 2" }], nextPage: `${foreign.url}/elsewhere/API/v3/surveys?offset=2` });
      return ok({ elements: [], nextPage: null });
    });
    const hash = bcryptHash(PASSWORD);
    nr = await startNodeRed({
      env: { QUALTRICS_BASE_URL: sb.apiBase, FAKE_BASE_URL: fake.apiBase },
      settings: {
        adminAuth: { type: "credentials", users: [{ username: "admin", password: hash, permissions: "*" }, { username: "reader", password: hash, permissions: "read" }] },
        httpNodeAuth: { user: HOOK_USER, pass: hash },
      },
    });
    adminToken = await login("admin", "*");
    readerToken = await login("reader", "read");
    const config = (id: string, baseUrl: string): FlowNode => sandboxConfig({ id, name: `${id} (access)`, baseUrl, timeout: 5, retries: 1, maxConcurrent: 5 });
    const flows: FlowNode[] = [
      { id: Z, type: "tab", label: "access", disabled: false, info: "" },
      config("acc-config", "${QUALTRICS_BASE_URL}"),
      config("acc-fake", "${FAKE_BASE_URL}"),
      ...callable("api", { id: "acc-api", type: "qualtrics-api", name: "api", qualtrics: "acc-config", method: "msg", url: "", paging: "first" }, "msg.method = msg.payload.method; msg.url = msg.payload.url; if (msg.payload.headers) msg.headers = msg.payload.headers; delete msg.payload;"),
      ...callable("all-pages", { id: "acc-api-all", type: "qualtrics-api", name: "all pages", qualtrics: "acc-fake", method: "GET", url: "/surveys", paging: "all" }, "delete msg.payload;"),
      ...callable("survey-list", { id: "acc-survey", type: "qualtrics-survey", name: "survey list", qualtrics: "acc-fake", operation: "list", output: "array", limit: 0 }, "msg.payload = {};"),
      { id: "acc-hook", type: "qualtrics-response-in", z: Z, name: "hook", qualtrics: "acc-config", surveyId: "SV_access00000001", topic: "", path: "/acc/hook", autoRegister: false, publicBaseUrl: "", fetchResponse: false, x: 0, y: 0, wires: [[]] },
    ];
    const current = await nr.request("GET", "flows", undefined, { ...bearer(adminToken), "Node-RED-API-Version": "v2" });
    assert.equal(current.status, 200, current.text);
    const creds: Record<string, unknown> = { "acc-config": { apiToken: TOKEN }, "acc-fake": { apiToken: TOKEN } };
    const deployed = await nr.request(
      "POST", "flows",
      { rev: current.json<{ rev: string }>().rev, flows: flows.map((n) => (creds[n.id] ? { ...n, credentials: creds[n.id] } : n)) },
      { ...bearer(adminToken), "Node-RED-API-Version": "v2", "Node-RED-Deployment-Type": "full" },
    );
    assert.equal(deployed.status, 200, deployed.text);
    await waitFor("the flows to start", async () => (await nr.request("POST", `${nr.nodeUrl}/acc/all-pages`, {}, { Authorization: basic })).status === 200, 15_000);
    fake.requests.length = 0;
  });

  after(async function () {
    await nr?.dispose();
    await foreign?.close();
    await fake?.close();
    await sb?.close();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`--- Node-RED log ---\n${nr?.log.slice(-6000)}`);
  });

  it("every admin route of the package: 401 without a token, refused to a read-only user where it needs write, a real answer with a token", async function () {
    const SV = sb.seedIds.surveyIds[0];
    const routes: Array<{ method: string; url: string; body?: unknown; write: boolean }> = [
      { method: "POST", url: "qualtrics-config/acc-config/test", body: { baseUrl: sb.apiBase }, write: true },
      { method: "POST", url: "qualtrics-config/acc-config/test", body: { apiToken: "__PWRD__", baseUrl: sb.apiBase }, write: true },
      { method: "GET", url: "qualtrics-config/acc-config/lookup/surveys", write: false },
      { method: "GET", url: `qualtrics-config/acc-config/lookup/distributions?surveyId=${SV}`, write: false },
      { method: "GET", url: "qualtrics-config/acc-config/lookup/nonsense", write: false },
      { method: "POST", url: "qualtrics-config/acc-config/lookup/surveys", body: { apiToken: "__PWRD__", baseUrl: sb.apiBase }, write: true },
      { method: "POST", url: "qualtrics-config/new-node/lookup/directories", body: { apiToken: TOKEN, baseUrl: sb.apiBase }, write: true },
    ];
    const results: string[] = [];
    let checks = 0;
    const expect = (what: string, good: boolean) => {
      checks++;
      if (!good) results.push(what);
    };
    // the control: adminAuth is on at all
    expect("GET /flows without a token is refused", (await nr.request("GET", "flows")).status === 401);
    for (const r of routes) {
      const before = sb.requests.length;
      const anonymous = await nr.request(r.method, r.url, r.body);
      expect(`${r.method} /${r.url} without a token: ${anonymous.status}`, anonymous.status === 401);
      const forged = await nr.request(r.method, r.url, r.body, bearer("not-a-token"));
      expect(`${r.method} /${r.url} with a made-up token: ${forged.status}`, forged.status === 401);
      expect(`${r.method} /${r.url} refused, yet Qualtrics was asked`, sb.requests.length === before);
      const reader = await nr.request(r.method, r.url, r.body, bearer(readerToken));
      // Node-RED answers a missing permission with 401 as well (its needsPermission)
      if (r.write) expect(`${r.method} /${r.url} as a read-only user: ${reader.status}`, reader.status === 401 || reader.status === 403);
      else expect(`${r.method} /${r.url} as a read-only user: ${reader.status}`, reader.status !== 401 && reader.status !== 403);
      const admin = await nr.request(r.method, r.url, r.body, bearer(adminToken));
      const fine = r.url.endsWith("/nonsense") ? admin.status === 400 : admin.status === 200 && !/"ok":false/.test(admin.text);
      expect(`${r.method} /${r.url} as admin: ${admin.status} ${admin.text.slice(0, 200)}`, fine);
    }
    addFigures({ area: "access", what: "admin routes × no token, made-up token, read-only user, admin", faultsTried: checks, faultsSurvived: checks - results.length });
    assert.deepEqual(results, []);
  });

  it("the webhook route is behind httpNodeAuth, like core http in", async function () {
    const url = `${nr.nodeUrl}/acc/hook`;
    const form = new URLSearchParams({ Topic: "b.surveyengine.completedResponse.SV_access00000001", MSG: JSON.stringify({ SurveyID: "SV_access00000001", ResponseID: "R_access00000001" }) }).toString();
    const ct = { "content-type": "application/x-www-form-urlencoded" };
    const without = await nr.request("POST", url, form, ct);
    const wrong = await nr.request("POST", url, form, { ...ct, Authorization: `Basic ${Buffer.from(`${HOOK_USER}:nope`).toString("base64")}` });
    const right = await nr.request("POST", url, form, { ...ct, Authorization: basic });
    const checks: Array<[string, boolean]> = [
      [`without credentials: ${without.status}`, without.status === 401],
      [`with a wrong password: ${wrong.status}`, wrong.status === 401],
      [`with the right ones: ${right.status} ${right.text}`, right.status === 200],
    ];
    addFigures({ area: "access", what: "webhook route × httpNodeAuth", faultsTried: checks.length, faultsSurvived: checks.filter(([, g]) => g).length });
    assert.deepEqual(checks.filter(([, g]) => !g).map(([w]) => w), []);
  });

  it("qualtrics-api refuses every URL off the configured API origin, and no request reaches the other host", async function () {
    const f = new URL(foreign.url);
    const s = new URL(sb.url);
    const absolute = [
      "https://evil.example/API/v3/whoami",
      `${foreign.url}/API/v3/whoami`,
      `HTTP://${f.host}/API/v3/whoami`,
      ` \thttp://${f.host}/API/v3/whoami`,
      `http://localhost:${s.port}/API/v3/whoami`,
      `http://${s.host}@${f.host}/API/v3/whoami`,
      `http:/\\${f.host}/API/v3/whoami`,
      `http://${f.host}/API/v3/whoami#${s.host}`,
      `ws://${f.host}/API/v3/whoami`,
      `${sb.url}/other/whoami`,
    ];
    const results: string[] = [];
    let checks = 0;
    const expect = (what: string, good: boolean) => {
      checks++;
      if (!good) results.push(what);
    };
    for (const url of absolute) {
      const before = sb.requests.length;
      const r = await call("api", { method: "GET", url });
      expect(`${JSON.stringify(url)} was refused: ${JSON.stringify(r)}`, typeof r.error === "string" && /\bPath: .*(not the configured API|is not a URL)/.test(r.error) && r.source === "qualtrics-api");
      expect(`${JSON.stringify(url)}: the error names the configured API`, typeof r.error === "string" && (r.error.includes(sb.apiBase) || /is not a URL/.test(r.error)));
      expect(`${JSON.stringify(url)}: nothing was sent to the sandbox either`, sb.requests.length === before);
    }
    // paths that look like hosts stay on the configured host; a Host header is not the flow's to set
    for (const [url, headers] of [[`//${f.host}/API/v3/whoami`, undefined], [`/whoami`, { Host: f.host }]] as Array<[string, Record<string, string> | undefined]>) {
      const before = sb.requests.length;
      await call("api", { method: "GET", url, headers });
      expect(`${url}${headers ? " with a Host header" : ""} went to the configured host`, sb.requests.length === before + 1 && sb.requests[before].headers["x-api-token"] === TOKEN);
    }
    // dot segments are the configured host's to resolve (the sandbox answers 404 outside /API/v3)
    const dots = await call("api", { method: "GET", url: `/API/v3/../../${f.host}/API/v3/whoami` });
    expect(`dot segments: ${JSON.stringify(dots).slice(0, 200)}`, typeof dots.error === "string" && /Qualtrics 404/.test(dots.error));
    // and a call on the configured origin works, so the refusals above are not everything failing
    const fine = await call("api", { method: "GET", url: `${sb.apiBase}/whoami` });
    expect(`a full URL on the configured API works: ${JSON.stringify(fine).slice(0, 200)}`, fine.error === undefined && typeof fine.result === "object");
    expect(`the foreign host got ${foreign.requests.length} requests`, foreign.requests.length === 0);
    addFigures({ area: "access", what: "qualtrics-api × foreign origins", faultsTried: checks, faultsSurvived: checks - results.length });
    assert.deepEqual(results, []);
  });

  it("a nextPage on another host is asked of the configured host: the token never leaves it, and one that is no API page ends in an error", async function () {
    const results: string[] = [];
    let checks = 0;
    const expect = (what: string, good: boolean) => {
      checks++;
      if (!good) results.push(what);
    };
    for (const [name, run] of [
      ["qualtrics-api, all pages", () => call("all-pages", {})],
      ["qualtrics-survey, list", () => call("survey-list", {})],
      ["the editor's survey picker", async () => {
        const r = await nr.request("GET", "qualtrics-config/acc-fake/lookup/surveys", undefined, bearer(adminToken));
        return { result: r.json() };
      }],
    ] as Array<[string, () => Promise<{ result?: unknown; error?: string }>]>) {
      fake.requests.length = 0;
      const r = await run();
      // the second page's nextPage is on another path, which is no page of the API: an error, never a list cut short
      const text = r.error ?? (r.result as { message?: string } | undefined)?.message ?? "";
      expect(`${name}: no partial list, an error that says why the list stopped: ${JSON.stringify(r).slice(0, 300)}`, r.result === undefined || !Array.isArray(r.result));
      expect(`${name}: the error names the nextPage that cannot be followed: ${text.slice(0, 300)}`, /next page cannot be followed/.test(text) && /stopped at page 2/.test(text));
      const second = fake.requests.find((x) => x.query.offset === "1");
      expect(`${name}: the second page was asked of the configured host, with the token`, second !== undefined && second.headers["x-api-token"] === TOKEN);
      expect(`${name}: ${fake.requests.length} requests to the configured host`, fake.requests.length === 2);
    }
    expect(`the foreign host got ${foreign.requests.length} requests: ${JSON.stringify(foreign.requests.map((x) => [x.method, x.url, x.headers["x-api-token"]]))}`, foreign.requests.length === 0);
    addFigures({ area: "access", what: "lists × nextPage on a foreign host", faultsTried: checks, faultsSurvived: checks - results.length });
    assert.deepEqual(results, []);
  });
});
