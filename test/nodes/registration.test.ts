// The response trigger registering its own event subscription (docs/qualtrics-facts.md §6.1, §6.2).
import assert from "node:assert/strict";
import supertest from "supertest";
import { keyFingerprint, markedUrl } from "../../src/subscriptions";
import { deploymentOf } from "../../src/publication-url";
import { localPresence } from "../../nodes/lib/coordination/local-lease";
import { PUBLICATION_URL_MODES, storePublicationUrl, type PublicationUrlMode } from "../../sandbox";
import { FlowNode, helper, http, statusLog, TOKEN, untranslated } from "../support/nr-helper";
import { fail, metaOnly, ok, Recorded, RecordingServer, startRecordingServer } from "../support/fake-servers";
import { sleep, until } from "../support/wait";
import { configNode } from "../support/config-node";

const N = http.nodes;
const KEY = "kyma4ever";
const SV = "SV_22VlHYNeldrrrkp";
const TOPIC = `surveyengine.completedResponse.${SV}`;
const BASE = "https://nodered.example.com";
const PATH = "/qualtrics/hook";
const MSG = '{"Status":"Complete","SurveyID":"SV_22VlHYNeldrrrkp","ResponseID":"R_1l9mcVuXubb4aGm","CompletedDate":"2019-06-26 13:28:11","BrandID":"sapdevelopment"}';
const HMAC = "5db5cd1e0200e9ce6831ea0f1924beb97f136939e367c53f5af8f7d79c6727af495cb90d6c744fe72ab45efd9f9f2ba7c15b13fdf6565af3d5a4f50ed2c0c7d4";

interface Sub {
  id: string;
  topics: string;
  publicationUrl: string;
  encrypted: boolean;
  successfulCalls: number;
}

/** a stateful /eventsubscriptions on the recording server */
function fakeSubscriptions(
  api: RecordingServer,
  opts: { postFails?: () => ReturnType<typeof fail> | undefined; listDelayMs?: (nth: number) => number; store?: (url: string) => string } = {},
) {
  const subs = new Map<string, Sub>();
  let next = 1;
  let lists = 0;
  api.reply(async (req: Recorded) => {
    const base = "/API/v3/eventsubscriptions";
    if (req.method === "GET" && req.path === base) {
      // the list is what Qualtrics had when it was asked; a slow answer does not make it newer
      const elements = [...subs.values()];
      const delay = opts.listDelayMs?.(lists++) ?? 0;
      if (delay) await sleep(delay);
      return ok({ elements, nextPage: null });
    }
    if (req.method === "POST" && req.path === base) {
      const failure = opts.postFails?.();
      if (failure) return failure;
      const b = req.body as { topics: string; publicationUrl: string; encrypt: boolean };
      const id = `SUB_${String(next++).padStart(15, "0")}`;
      subs.set(id, { id, topics: b.topics, publicationUrl: opts.store ? opts.store(b.publicationUrl) : b.publicationUrl, encrypted: b.encrypt, successfulCalls: 0 });
      return ok({ id });
    }
    const m = /^\/API\/v3\/eventsubscriptions\/(SUB_[A-Za-z0-9]+)$/.exec(req.path);
    if (req.method === "GET" && m) {
      const s = subs.get(m[1]);
      return s ? ok(s) : fail(404, "Subscription not found", "SUB_404");
    }
    if (req.method === "DELETE" && m) {
      if (!subs.delete(m[1])) return fail(404, "Subscription not found", "SUB_404");
      return metaOnly();
    }
    return fail(404, "no such route in the fake", "FAKE");
  });
  return subs;
}

describe("qualtrics-response-in: event subscription", function () {
  let api: RecordingServer;
  // registrations outlive a node (that is how a redeploy finds its old one), so every test has its own node id
  let NID = "";
  let counter = 0;
  beforeEach(() => (NID = `reg${++counter}`));
  before(async () => (api = await startRecordingServer()));
  after(() => api.close());
  afterEach(() => helper.unload());

  function flow(props: Record<string, unknown> = {}, withNode = true): FlowNode[] {
    const nodes: FlowNode[] = [{ id: "tab", type: "tab" }, configNode(api.apiBase)];
    if (withNode) {
      nodes.push({ id: NID, z: "tab", type: "qualtrics-response-in", qualtrics: "cfg", surveyId: SV, path: PATH, autoRegister: true, publicBaseUrl: BASE + "/", wires: [["out"]], ...props });
    }
    nodes.push({ id: "out", z: "tab", type: "helper" });
    return nodes;
  }
  const creds = (key: string | null = KEY) => ({ cfg: { apiToken: TOKEN }, ...(key !== null ? { [NID]: { sharedKey: key } } : {}) });
  /** the owner every replica behind BASE marks the trigger's subscription with */
  const ownerOf = (base = BASE, root = "", node = NID) => ({ deployment: deploymentOf(base, root), flow: "tab", config: "cfg", node });
  const urlFor = (key: string | null, path = PATH, base = BASE, root = "") =>
    markedUrl(base + root + path, { owner: ownerOf(base, root), fingerprint: key ? keyFingerprint(key, TOKEN) : undefined });
  const calls = () => api.requests.map((r) => `${r.method} ${r.path.replace("/API/v3", "")}`);
  const posts = () => calls().filter((c) => c === "POST /eventsubscriptions").length;
  const deletes = () => calls().filter((c) => c.startsWith("DELETE")).length;

  /** lines the node logged, warned or reported as errors (rendered through RED._) */
  function lines(kind: "log" | "warn" | "error"): string[] {
    const n = helper.getNode(NID) as unknown as Record<string, { getCalls(): { thisValue: unknown; args: unknown[] }[] }>;
    return n[kind]
      .getCalls()
      .filter((c) => c.thisValue === n)
      .map((c) => (c.args[0] instanceof Error ? c.args[0].message : String(c.args[0])));
  }
  const registered = () => until(() => lines("log").some((l) => /SUB_/.test(l)) || lines("error").length > 0, 3000, "registration");
  async function deploy(props: Record<string, unknown> = {}, key: string | null = KEY, withNode = true) {
    const f = flow(props, withNode);
    // the editor sends changed credentials on the node (an emptied password as ""), which marks it changed
    if (withNode) (f[2] as FlowNode).credentials = { sharedKey: key ?? "" };
    await helper.setFlows(f, "full", { ...creds(key), ...(withNode && key === null ? { [NID]: { sharedKey: "" } } : {}) });
  }

  it("lists, then creates the subscription Qualtrics expects", async () => {
    const subs = fakeSubscriptions(api);
    await helper.load([N.config, N.responseIn], flow(), creds());
    const status = statusLog(NID);
    await until(() => subs.size === 1, 3000, "the subscription");
    await until(() => api.requests.length === 3, 2000, "the read-back");
    assert.deepEqual(calls(), ["GET /eventsubscriptions", "POST /eventsubscriptions", "GET /eventsubscriptions/SUB_000000000000001"]);
    const post = api.requests[1];
    assert.equal(post.headers["x-api-token"], TOKEN);
    assert.deepEqual(post.body, { publicationUrl: urlFor(KEY), topics: TOPIC, encrypt: false, sharedKey: KEY });
    // the key's fingerprint is a path segment, where no rewriting of the query can lose it
    assert.match(urlFor(KEY), new RegExp(`/qualtrics/hook/nrq-d[0-9a-f]{16}-ftab-ccfg-n${NID}-k[0-9a-f]{16}$`));
    assert.ok(!urlFor(KEY).includes(KEY) && !urlFor(KEY).includes(TOKEN));
    await until(() => status.some((s) => s.fill === "green"), 2000, "green status");
    await registered();
    assert.ok(lines("log").some((l) => l.includes("SUB_000000000000001")));
    assert.deepEqual(untranslated([...status.map((s) => s.text), ...lines("log")]), []);
  });

  it("without a shared key registers the URL with the owner only, and no sharedKey", async () => {
    const subs = fakeSubscriptions(api);
    await helper.load([N.config, N.responseIn], flow({ path: "hooks/q/" }), creds(null));
    await until(() => subs.size === 1, 3000, "the subscription");
    assert.deepEqual(api.requests[1].body, { publicationUrl: urlFor(null, "/hooks/q"), topics: TOPIC, encrypt: false });
    assert.ok(!/-k/.test(urlFor(null, "/hooks/q")), "no key fingerprint");
  });

  it("puts httpNodeRoot between the public base URL and the path", async () => {
    helper.settings({ httpNodeRoot: "/api/" } as never);
    try {
      const subs = fakeSubscriptions(api);
      await helper.load([N.config, N.responseIn], flow({ publicBaseUrl: "https://nodered.example.com/base/" }), creds(null));
      await until(() => subs.size === 1, 3000, "the subscription");
      assert.equal((api.requests[1].body as { publicationUrl: string }).publicationUrl, urlFor(null, PATH, "https://nodered.example.com/base", "/api"));
      assert.match(urlFor(null, PATH, "https://nodered.example.com/base", "/api"), /^https:\/\/nodered\.example\.com\/base\/api\/qualtrics\/hook\/nrq-/);
    } finally {
      helper.settings({});
    }
  });

  it("a topic of its own is registered as given", async () => {
    const subs = fakeSubscriptions(api);
    await helper.load([N.config, N.responseIn], flow({ surveyId: "", topic: "surveyengine.completedResponse.*" }), creds());
    await until(() => subs.size === 1, 3000, "the subscription");
    assert.equal((api.requests[1].body as { topics: string }).topics, "surveyengine.completedResponse.*");
  });

  it("reuses an identical subscription that exists (no POST)", async () => {
    const subs = fakeSubscriptions(api);
    subs.set("SUB_existing", { id: "SUB_existing", topics: TOPIC, publicationUrl: urlFor(KEY), encrypted: false, successfulCalls: 3 });
    await helper.load([N.config, N.responseIn], flow(), creds());
    await registered();
    assert.deepEqual(calls(), ["GET /eventsubscriptions"]);
    assert.ok(lines("log").some((l) => l.includes("SUB_existing")));
    assert.deepEqual([...subs.keys()], ["SUB_existing"]);
  });

  it("keeps other people's subscriptions, and replaces its own one of an older key", async () => {
    const subs = fakeSubscriptions(api);
    const foreign = { id: "SUB_foreign", topics: TOPIC, publicationUrl: "https://elsewhere.example.com/hook", encrypted: false, successfulCalls: 0 };
    const otherTopic = { id: "SUB_othertopic", topics: "surveyengine.completedResponse.SV_other", publicationUrl: urlFor(KEY), encrypted: false, successfulCalls: 0 };
    const oldKey = { id: "SUB_oldkey", topics: TOPIC, publicationUrl: urlFor("an old key"), encrypted: false, successfulCalls: 0 };
    for (const s of [foreign, otherTopic, oldKey]) subs.set(s.id, s);
    await helper.load([N.config, N.responseIn], flow(), creds());
    await until(() => calls().includes("POST /eventsubscriptions"), 3000, "the POST");
    await registered();
    // the new one first, so the route is never without a subscription
    assert.deepEqual(calls(), ["GET /eventsubscriptions", "POST /eventsubscriptions", "GET /eventsubscriptions/SUB_000000000000001", "DELETE /eventsubscriptions/SUB_oldkey"]);
    assert.deepEqual([...subs.keys()].sort(), ["SUB_000000000000001", "SUB_foreign", "SUB_othertopic"]);
  });

  describe("redeploys never leave a duplicate", function () {
    it("a changed node (same route, key and topic) reuses its subscription", async () => {
      const subs = fakeSubscriptions(api);
      await helper.load([N.config, N.responseIn], flow(), creds());
      await until(() => subs.size === 1, 3000, "the subscription");
      await registered();
      for (let i = 0; i < 3; i++) {
        await deploy({ name: `renamed ${i}` });
        await registered();
      }
      assert.equal(subs.size, 1);
      assert.equal(calls().filter((c) => c === "POST /eventsubscriptions").length, 1);
      assert.equal(calls().filter((c) => c.startsWith("DELETE")).length, 0);
    });

    it("stopping and starting the flows with the same node id reuses it", async () => {
      const subs = fakeSubscriptions(api);
      await helper.load([N.config, N.responseIn], flow(), creds());
      await until(() => subs.size === 1, 3000, "the subscription");
      await registered();
      await helper.unload();
      assert.equal(subs.size, 1, "a stop is not a removal");
      await helper.load([N.config, N.responseIn], flow(), creds());
      await registered();
      assert.equal(subs.size, 1);
      assert.equal(calls().filter((c) => c === "POST /eventsubscriptions").length, 1);
    });

    // the URLs name the test's node, so they are made when it runs
    const changes: Array<[string, Record<string, unknown>, string | null, () => string]> = [
      ["a new shared key", {}, "a new key", () => urlFor("a new key")],
      ["a new path", { path: "/moved" }, KEY, () => urlFor(KEY, "/moved")],
      ["no shared key any more", {}, null, () => urlFor(null)],
      ["a new public base URL", { publicBaseUrl: "https://other.example.com" }, KEY, () => urlFor(KEY, PATH, "https://other.example.com")],
    ];
    for (const [what, props, key, url] of changes) {
      it(`${what}: the old subscription goes, one new one stays`, async () => {
        const subs = fakeSubscriptions(api);
        await helper.load([N.config, N.responseIn], flow(), creds());
        await until(() => subs.size === 1, 3000, "the subscription");
        await registered();
        const first = [...subs.keys()][0];
        await deploy(props, key);
        await until(() => subs.size === 1 && !subs.has(first), 3000, "the replacement");
        await sleep(50);
        assert.equal(subs.size, 1);
        assert.equal([...subs.values()][0].publicationUrl, url());
        assert.ok(calls().includes(`DELETE /eventsubscriptions/${first}`));
      });
    }

    it("a new survey: the old topic's subscription goes", async () => {
      const subs = fakeSubscriptions(api);
      await helper.load([N.config, N.responseIn], flow(), creds());
      await until(() => subs.size === 1, 3000, "the subscription");
      await registered();
      await deploy({ surveyId: "SV_newsurvey1" });
      await until(() => subs.size === 1 && [...subs.values()][0].topics === "surveyengine.completedResponse.SV_newsurvey1", 3000, "the replacement");
    });

    it("a redeploy while the first registration is still running", async () => {
      const subs = fakeSubscriptions(api, { listDelayMs: () => 200 });
      await helper.load([N.config, N.responseIn], flow(), creds());
      await until(() => api.requests.length === 1, 2000, "the list request");
      await deploy({ name: "quick change" });
      await deploy({ name: "another" });
      await until(() => subs.size === 1, 3000, "the subscription");
      await sleep(600);
      assert.equal(subs.size, 1);
      assert.equal(calls().filter((c) => c === "POST /eventsubscriptions").length, 1);
    });

    it("a redeploy while registration hangs closes in time and still leaves one subscription", async function () {
      this.timeout(30000);
      helper.settings({ nodeCloseTimeout: 7000 } as never);
      try {
        // only the first list hangs; Qualtrics answers the next one at once
        const subs = fakeSubscriptions(api, { listDelayMs: (nth) => (nth === 0 ? 9000 : 0) });
        // a long request timeout, so only the close can end the hanging registration
        const slowFlow = (props: Record<string, unknown>) => flow(props).map((n) => (n.id === "cfg" ? configNode(api.apiBase, { timeout: 60 }) : n));
        await helper.load([N.config, N.responseIn], slowFlow({}), creds());
        await until(() => api.requests.length === 1, 2000, "the list request");
        const started = Date.now();
        // "nodes": only the changed trigger restarts; its config node (and client) stay
        await helper.setFlows(slowFlow({ name: "changed" }), "nodes");
        assert.ok(Date.now() - started < 6500, `the close took ${Date.now() - started} ms`);
        // until well after the hanging list would have been answered
        await sleep(Math.max(0, started + 10000 - Date.now()));
        assert.equal(subs.size, 1, [...subs.keys()].join());
        assert.equal(calls().filter((c) => c === "POST /eventsubscriptions").length, 1);
      } finally {
        helper.settings({});
      }
    });

    it("a redeploy while registration waits out a long Retry-After closes in time", async function () {
      this.timeout(30000);
      helper.settings({ nodeCloseTimeout: 7000, qualtricsConfigRetryDelay: 5 } as never);
      try {
        let posts = 0;
        const subs = fakeSubscriptions(api, { postFails: () => (posts++ === 0 ? fail(429, "Slow down", "RATE", { "retry-after": "20" }) : undefined) });
        await helper.load([N.config, N.responseIn], flow(), creds());
        await until(() => posts === 1, 2000, "the refused POST");
        const started = Date.now();
        await helper.setFlows(flow({ name: "changed" }), "nodes");
        assert.ok(Date.now() - started < 6500, `the close took ${Date.now() - started} ms`);
        // the whole account waits out the Retry-After, the new node included: nothing is created meanwhile
        await sleep(200);
        assert.equal(subs.size, 0);
        assert.equal(posts, 1);
      } finally {
        helper.settings({});
      }
    });

    it("switching registration off deletes the subscription it made", async () => {
      const subs = fakeSubscriptions(api);
      await helper.load([N.config, N.responseIn], flow(), creds());
      await until(() => subs.size === 1, 3000, "the subscription");
      await registered();
      await deploy({ autoRegister: false });
      await until(() => subs.size === 0, 3000, "the deletion");
    });
  });

  describe("however Qualtrics stores the publication URL (§6.2 does not say)", function () {
    /** POSTs the signed test delivery to where the stored URL points, as Qualtrics would */
    async function deliverTo(stored: string): Promise<{ status: number; outputs: unknown[] }> {
      const outputs: unknown[] = [];
      helper.getNode("out").on("input", (m: unknown) => outputs.push(m));
      const u = new URL(stored);
      const res = await supertest(http.app()).post(u.pathname + u.search).type("form").send(new URLSearchParams({ Topic: `b.${TOPIC}`, MSG, HMAC }).toString());
      return { status: res.status, outputs };
    }

    for (const mode of PUBLICATION_URL_MODES) {
      const store = (u: string) => storePublicationUrl(u, mode as PublicationUrlMode);
      it(`${mode}: one subscription across redeploys, none deleted, deliveries at the stored URL arrive`, async () => {
        const subs = fakeSubscriptions(api, { store });
        await helper.load([N.config, N.responseIn], flow(), creds());
        await until(() => subs.size === 1, 3000, "the subscription");
        await registered();
        const [first] = subs.values();
        assert.equal(first.publicationUrl, store(urlFor(KEY)));
        for (let i = 0; i < 2; i++) {
          await deploy({ name: `renamed ${i}` });
          await registered();
        }
        assert.deepEqual([...subs.keys()], [first.id]);
        assert.equal(posts(), 1);
        assert.equal(deletes(), 0);
        assert.deepEqual(lines("warn"), [], "the mark survived: nothing to warn about");
        const { status, outputs } = await deliverTo(first.publicationUrl);
        assert.equal(status, 200);
        await until(() => outputs.length === 1, 2000, "the message");
      });

      it(`${mode}: a subscription stored that way by an earlier run is recognised (no POST, no DELETE)`, async () => {
        const subs = fakeSubscriptions(api, { store });
        subs.set("SUB_earlier", { id: "SUB_earlier", topics: TOPIC, publicationUrl: store(urlFor(KEY)), encrypted: false, successfulCalls: 4 });
        await helper.load([N.config, N.responseIn], flow(), creds());
        await registered();
        assert.deepEqual(calls(), ["GET /eventsubscriptions"]);
        assert.ok(lines("log").some((l) => l.includes("SUB_earlier")));
      });

      it(`${mode}: one an older version made (the key's fingerprint in the query) is migrated: a new one in the path, then the old one goes`, async () => {
        const subs = fakeSubscriptions(api, { store });
        const legacy = store(`${BASE}${PATH}?nrq=${keyFingerprint(KEY, TOKEN)}`);
        subs.set("SUB_legacy", { id: "SUB_legacy", topics: TOPIC, publicationUrl: legacy, encrypted: false, successfulCalls: 9 });
        await helper.load([N.config, N.responseIn], flow(), creds());
        await until(() => !subs.has("SUB_legacy"), 3000, "the old one deleted");
        assert.deepEqual(calls(), ["GET /eventsubscriptions", "POST /eventsubscriptions", "GET /eventsubscriptions/SUB_000000000000001", "DELETE /eventsubscriptions/SUB_legacy"]);
        assert.deepEqual([...subs.values()].map((s) => s.publicationUrl), [store(urlFor(KEY))]);
        await registered();
        assert.ok(lines("log").some((l) => l.includes("SUB_legacy")));
      });
    }

    it("a server that drops the mark: a warning that says so; redeploys still reuse the subscription by its ID; deliveries still arrive", async () => {
      const subs = fakeSubscriptions(api, { store: (u) => u.slice(0, u.lastIndexOf("/")) });
      await helper.load([N.config, N.responseIn], flow(), creds());
      await until(() => subs.size === 1, 3000, "the subscription");
      await until(() => lines("warn").length > 0, 3000, "the warning");
      const [first] = subs.values();
      assert.equal(first.publicationUrl, BASE + PATH);
      const warning = lines("warn").join("\n");
      assert.match(warning, new RegExp(`publication URL of subscription ${first.id} as ${BASE}${PATH}, not as sent \\(${urlFor(KEY)}\\)`));
      assert.match(warning, /mark in it is lost/);
      assert.deepEqual(untranslated([warning]), []);
      await deploy({ name: "renamed" });
      await registered();
      assert.deepEqual([...subs.keys()], [first.id]);
      assert.equal(posts(), 1);
      assert.equal(deletes(), 0);
      const { status, outputs } = await deliverTo(first.publicationUrl);
      assert.equal(status, 200);
      await until(() => outputs.length === 1, 2000, "the message");
    });

    it("the route serves its path plus a mark segment, and passes other segments on", async () => {
      fakeSubscriptions(api);
      await helper.load([N.config, N.responseIn], flow(), creds());
      await registered();
      const app = http.app();
      assert.equal((await supertest(app).get(`${PATH}/nrq-k0123456789abcdef`)).status, 200);
      assert.equal((await supertest(app).get(`${PATH}/not-ours`)).status, 404);
      assert.equal((await supertest(app).post(`${PATH}/not-ours`).type("form").send({ Topic: "x", MSG: "{}" })).status, 404);
      assert.equal((await supertest(app).get(`${PATH}/nrq-k01/more`)).status, 404);
      await deploy({}, null, false);
      assert.equal((await supertest(app).get(`${PATH}/nrq-k0123456789abcdef`)).status, 404, "removed with the node");
    });
  });

  describe("removal", function () {
    it("removing the node deletes its subscription", async () => {
      const subs = fakeSubscriptions(api);
      await helper.load([N.config, N.responseIn], flow(), creds());
      await until(() => subs.size === 1, 3000, "the subscription");
      await registered();
      const id = [...subs.keys()][0];
      const app = http.app();
      await deploy({}, null, false);
      assert.equal(subs.size, 0);
      assert.equal(calls().at(-1), `DELETE /eventsubscriptions/${id}`);
      assert.equal(api.requests.at(-1)?.headers["x-api-token"], TOKEN);
      assert.equal((await supertest(app).get(PATH)).status, 404);
    });

    it("removing the node together with its config node still deletes the subscription", async () => {
      const subs = fakeSubscriptions(api);
      await helper.load([N.config, N.responseIn], flow(), creds());
      await until(() => subs.size === 1, 3000, "the subscription");
      await registered();
      await helper.setFlows([{ id: "tab", type: "tab" }, { id: "out", z: "tab", type: "helper" }], "full", {});
      await until(() => subs.size === 0, 3000, "the deletion");
    });

    it("moving the node to another account's configuration deletes the old subscription through the old account", async () => {
      const api2 = await startRecordingServer();
      try {
        const subs = fakeSubscriptions(api);
        const subs2 = fakeSubscriptions(api2);
        const other = { ...configNode(api2.apiBase), id: "cfg2", name: "other account" };
        const both = (qualtrics: string) => [...flow({ qualtrics }), other];
        const allCreds = { ...creds(), cfg2: { apiToken: "OTHER-ACCOUNT-TOKEN" } };
        await helper.load([N.config, N.responseIn], both("cfg"), allCreds);
        await until(() => subs.size === 1, 3000, "the subscription in the first account");
        await registered();
        const old = [...subs.keys()][0];
        await helper.setFlows(both("cfg2"), "full", allCreds);
        await until(() => subs.size === 0 && subs2.size === 1, 3000, "the subscription moved");
        const del = api.requests.find((r) => r.method === "DELETE");
        assert.equal(del?.path, `/API/v3/eventsubscriptions/${old}`);
        assert.equal(del?.headers["x-api-token"], TOKEN, "deleted with the account that made it");
        assert.equal(api2.requests.filter((r) => r.method === "DELETE").length, 0, "not asked of the new account");
      } finally {
        await api2.close();
      }
    });

    it("a subscription already deleted in Qualtrics is not an error", async () => {
      const subs = fakeSubscriptions(api);
      await helper.load([N.config, N.responseIn], flow(), creds());
      await until(() => subs.size === 1, 3000, "the subscription");
      await registered();
      const n = helper.getNode(NID);
      subs.clear();
      await deploy({}, null, false);
      const warnings = (n as unknown as { warn: { getCalls(): { thisValue: unknown }[] } }).warn.getCalls().filter((c) => c.thisValue === n);
      assert.equal(warnings.length, 0);
    });
  });

  describe("when registration fails", function () {
    it("a 403 gives a red status and an error about brand administrators; deliveries are still accepted", async () => {
      fakeSubscriptions(api, { postFails: () => fail(403, "Forbidden", "AUTH_403") });
      await helper.load([N.config, N.responseIn], flow(), creds());
      const status = statusLog(NID);
      await until(() => lines("error").length > 0, 3000, "the error");
      const line = lines("error").join("\n");
      assert.match(line, /brand administrator/i);
      assert.deepEqual(untranslated([line, ...status.map((s) => s.text)]), []);
      assert.match(line, /403/);
      assert.ok(!line.includes(TOKEN) && !line.includes(KEY));
      await until(() => status.some((s) => s.fill === "red" && s.shape === "ring"), 2000, "red status");
      const outputs: unknown[] = [];
      helper.getNode("out").on("input", (m: unknown) => outputs.push(m));
      const res = await supertest(http.app()).post(PATH).type("form").send(new URLSearchParams({ Topic: `b.${TOPIC}`, MSG, HMAC }).toString());
      assert.equal(res.status, 200);
      await until(() => outputs.length === 1, 2000, "the message");
    });

    const problems: Array<[string, Record<string, unknown>, () => object, RegExp]> = [
      ["no public base URL", { publicBaseUrl: "" }, () => creds(), /Public URL: is needed/],
      ["a public base URL that is not a URL", { publicBaseUrl: "nodered.example.com" }, () => creds(), /Public URL: "nodered\.example\.com\/qualtrics\/hook" is not a URL/],
      ["a public base URL with a query", { publicBaseUrl: "https://nodered.example.com/?x=1" }, () => creds(), /Public URL: must not have a query or #fragment/],
      ["a public base URL with a fragment", { publicBaseUrl: "https://nodered.example.com/#top" }, () => creds(), /Public URL: must not have a query or #fragment/],
      ["a public base URL with a password in it", { publicBaseUrl: "https://user:pw@nodered.example.com" }, () => creds(), /Public URL: must not contain a user name or password/],
      ["no config node", { qualtrics: "" }, () => creds(), /Qualtrics: a Qualtrics configuration is needed/],
      ["no token", {}, () => ({ [NID]: { sharedKey: KEY } }), /API token: is not set/],
    ];
    for (const [what, props, c, re] of problems) {
      it(`${what}: an error naming it, no request, no crash`, async () => {
        fakeSubscriptions(api);
        await helper.load([N.config, N.responseIn], flow(props), c());
        await until(() => lines("error").length > 0, 3000, "the error");
        assert.match(lines("error").join("\n"), re);
        assert.equal(api.requests.length, 0);
        // the route is served all the same
        assert.equal((await supertest(http.app()).get(PATH)).status, 200);
      });
    }
  });

  describe("the orphan sweep", function () {
    it("deletes a gone trigger's subscription of this deployment, never one whose trigger runs on another replica or another deployment's", async () => {
      // a configuration of its own: each configuration is swept once per process
      const CFG = `cfgsweep${counter}`;
      const subs = fakeSubscriptions(api);
      const mark = (node: string, base = BASE) => markedUrl(base + PATH + node, { owner: { deployment: deploymentOf(base, ""), flow: "tab", config: CFG, node } });
      for (const [id, url] of [
        ["SUB_gone", mark("tgone")],
        ["SUB_elsewhere", mark("telsewhere")],
        ["SUB_staging", mark("tgone", "https://staging.example.com")],
      ]) {
        subs.set(id, { id, topics: TOPIC, publicationUrl: url, encrypted: false, successfulCalls: 0 });
      }
      // a trigger running on another replica announces itself in the configuration's presence
      const presence = localPresence(`triggers:${CFG}`);
      presence.announce("telsewhere");
      try {
        const f = flow({ qualtrics: CFG });
        f[1] = { ...f[1], id: CFG };
        await helper.load([N.config, N.responseIn], f, { [CFG]: { apiToken: TOKEN }, [NID]: { sharedKey: KEY } });
        await until(() => calls().includes("DELETE /eventsubscriptions/SUB_gone"), 5000, "the sweep");
        await registered();
        await sleep(100);
        assert.ok(subs.has("SUB_elsewhere"), "the other replica's trigger keeps its subscription");
        assert.ok(subs.has("SUB_staging"), "another deployment's is not ours");
        assert.equal(calls().filter((c) => c.startsWith("DELETE")).length, 1);
      } finally {
        await presence.withdraw("telsewhere");
      }
    });
  });
});
