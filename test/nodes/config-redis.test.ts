// qualtrics-config with coordination "redis" against a real redis-server: the contract names
// (coordination, redisUrl), ${ENV_VAR} in the URL, a bad URL reported naming the dialog field, the
// password never in what a user sees, and the account's rate shared through Redis.
import assert from "node:assert/strict";
import supertest from "supertest";
import { startSandbox, type Sandbox } from "../../sandbox";
import { redisLink } from "../../nodes/lib/coordination/redis-connection";
import type { Coordination } from "../../nodes/lib/coordination/types";
import { helper, http, nextMessage } from "../support/nr-helper";
import { configNode } from "../support/config-node";
import { RedisServer, requireRedis } from "../support/redis";
import { waitFor } from "../support/wait";

const N = http.nodes;
const PASSWORD = "nrq-redis-pass-8c1f2e";

type Spy = { getCalls(): { args: unknown[] }[] };
type ConfigNode = { error: Spy; warn: Spy; log: Spy; coordination(): Coordination; redact(t: string): string };

describe("qualtrics-config with Redis coordination", function () {
  let sb: Sandbox;
  let server: RedisServer;
  before(async function () {
    requireRedis(this);
    server = new RedisServer(PASSWORD);
    await server.start();
    sb = await startSandbox();
  });
  after(async () => {
    await sb?.close();
    await server?.dispose();
  });
  afterEach(async () => {
    await helper.unload();
    delete process.env.NRQ_TEST_REDIS_URL;
  });

  const load = (cfg: Record<string, unknown>, redisUrl?: string) =>
    helper.load([N.config, N.api], [
      { id: "tab", type: "tab" },
      configNode(sb.apiBase, cfg),
      { id: "n", z: "tab", type: "qualtrics-api", qualtrics: "cfg", method: "GET", url: "/whoami", wires: [["out"]] },
      { id: "out", z: "tab", type: "helper" },
    ], { cfg: { apiToken: sb.token, ...(redisUrl === undefined ? {} : { redisUrl }) } });

  const cfg = () => helper.getNode("cfg") as unknown as ConfigNode;
  const spoken = () => [cfg().error, cfg().warn, cfg().log].flatMap((s) => s.getCalls().flatMap((c) => c.args.map((a) => (a instanceof Error ? a.message : String(a)))));

  it("coordination defaults to none: this Node-RED alone", async function () {
    await load({});
    assert.equal(cfg().coordination().mode, "none");
  });

  it("with redis, records live in Redis under nrq:<config id>: and the account's rate is taken from Redis", async function () {
    await load({ coordination: "redis" }, server.url);
    const c = cfg().coordination();
    assert.equal(c.mode, "redis");
    await waitFor("records through Redis", async () => (await c.records("bookmarks").set("SV_1", { id: "R_1" }), true));
    const raw = redisLink({ url: server.url, prefix: "" });
    try {
      await waitFor("the connection", () => raw.up() || undefined);
      assert.equal(await raw.command(["GET", "nrq:cfg:r:bookmarks:SV_1"]), JSON.stringify({ id: "R_1" }));
      const got = nextMessage("out");
      helper.getNode("n").receive({ payload: null });
      await got;
      const buckets = (await raw.command(["KEYS", "nrq:rate:*"])) as string[];
      assert.equal(buckets.length, 1, "one bucket for the account");
      assert.ok(!buckets[0].includes(sb.token), "keyed by a digest, not the token");
    } finally {
      await raw.close();
    }
  });

  it("the configuration's connection to Redis ends when it is stopped", async function () {
    const raw = redisLink({ url: server.url, prefix: "" });
    try {
      await waitFor("the connection", () => raw.up() || undefined);
      const clients = async () => String(await raw.command(["CLIENT", "LIST"])).trim().split("\n").length;
      const alone = await clients();
      await load({ coordination: "redis" }, server.url);
      await waitFor("the configuration connected", async () => (await clients()) === alone + 1 || undefined);
      await helper.unload();
      await waitFor("its connection closed", async () => (await clients()) === alone || undefined);
    } finally {
      await raw.close();
    }
  });

  it("${ENV_VAR} in the Redis URL is resolved", async function () {
    process.env.NRQ_TEST_REDIS_URL = server.url;
    await load({ coordination: "redis" }, "${NRQ_TEST_REDIS_URL}");
    const c = cfg().coordination();
    await waitFor("records through Redis", async () => (await c.records("x").set("k", { v: 1 }), true));
    assert.deepEqual(await c.records("x").get("k"), { v: 1 });
  });

  it("an unset ${ENV_VAR} is an error naming the field and the variable, and nothing runs uncoordinated", async function () {
    await load({ coordination: "redis" }, "${NRQ_TEST_REDIS_URL}");
    await waitFor("the start-up error", () => spoken().length > 0 || undefined);
    assert.match(spoken().join("\n"), /Redis URL: environment variable NRQ_TEST_REDIS_URL is not set/);
    assert.throws(() => cfg().coordination(), /Redis URL: environment variable NRQ_TEST_REDIS_URL is not set/);
  });

  for (const [what, url, message] of [
    ["not a redis:// URL", `http://:${PASSWORD}@127.0.0.1:6379`, /Redis URL: must start with redis:\/\/ or rediss:\/\/ \(TLS\), not http:\/\//],
    ["not a URL", `${PASSWORD} 127.0.0.1`, /Redis URL: is not a URL/],
    ["missing", "", /Redis URL: is not set/],
  ] as const) {
    it(`a Redis URL that is ${what} is a start-up error naming the field, without the password`, async function () {
      await load({ coordination: "redis" }, url);
      await waitFor("the start-up error", () => spoken().length > 0 || undefined);
      const texts = spoken().join("\n");
      assert.match(texts, message);
      assert.ok(!texts.includes(PASSWORD), texts);
      assert.throws(() => cfg().coordination(), (err: Error) => message.test(err.message) && !err.message.includes(PASSWORD));
    });
  }

  it("a trigger on a configuration whose Redis URL is unusable does not start, says why, and runs nothing uncoordinated", async function () {
    await helper.load([N.config, N.responseIn, N.responsePoll], [
      { id: "tab", type: "tab" },
      configNode(sb.apiBase, { coordination: "redis" }),
      { id: "in", z: "tab", type: "qualtrics-response-in", qualtrics: "cfg", surveyId: "SV_0123456789abcde", path: "/redis-refused", wires: [[]] },
      { id: "poll", z: "tab", type: "qualtrics-response-poll", qualtrics: "cfg", surveyId: "SV_0123456789abcde", surveyIdType: "str", interval: 1, wires: [[]] },
    ], { cfg: { apiToken: sb.token, redisUrl: `http://:${PASSWORD}@127.0.0.1:1` } });
    const errors = (id: string) => (helper.getNode(id) as unknown as ConfigNode).error.getCalls().map((c) => String(c.args[0]));
    for (const id of ["in", "poll"]) {
      await waitFor(`${id}'s start-up error`, () => errors(id).length > 0 || undefined);
      assert.match(errors(id).join("\n"), /Redis URL: must start with redis:\/\//);
      assert.ok(!errors(id).join("\n").includes(PASSWORD));
    }
    const exportsBefore = sb.requests.filter((r) => r.path.includes("export-responses")).length;
    // the poll's interval passes: no export starts without the coordination
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(sb.requests.filter((r) => r.path.includes("export-responses")).length, exportsBefore);
    const res = await supertest(http.app()).post("/redis-refused").type("form").send("Topic=x&MSG=%7B%7D");
    assert.equal(res.status, 404, "no route answers 200 for a trigger that did not start");
  });

  it("the Redis URL and its password are taken out of any text the node shows", async function () {
    await load({ coordination: "redis" }, server.url);
    const text = `failed: ${server.url} (${PASSWORD}) ${encodeURIComponent(PASSWORD)}`;
    const clean = cfg().redact(text);
    assert.ok(!clean.includes(PASSWORD), clean);
    assert.match(clean, /^failed: \*\*\*/);
  });
});
