// What every palette node that calls Qualtrics must do the same way: config and token problems,
// Qualtrics errors, retries, timeouts, prototype safety, exactly one done(), close and status.
import assert from "node:assert/strict";
import { credentials, FlowNode, helper, http, nextMessage, sends, statusLog, TOKEN, untranslated } from "../support/nr-helper";
import { fail, ok, startRecordingServer } from "../support/fake-servers";
import { until, sleep } from "../support/wait";
import { configNode } from "../support/config-node";
import { useRecordingServer } from "../support/fixtures";
import { useNodeRuntime } from "../support/node-test";
import { DIR, CID } from "../support/ids";

const N = http.nodes;

interface Kind {
  name: string;
  node: FlowNode;
  msg: () => Record<string, unknown>;
  method: string;
  path: string;
  /** the SMS call has a 16 s server-side timeout, so ours is never shorter than 20 s (§5.6) */
  longTimeout?: boolean;
}

const EMAIL = {
  fromEmail: "noreply@example.com",
  fromName: "Example",
  subject: "Survey",
  messageText: "Hi",
  mailingListId: "CG_abc",
  surveyId: "SV_abc",
  sendDate: "2030-01-01T00:00:00Z",
};

// requests that create something: never repeated after an answer that may hide success
const CREATES: Kind[] = [
  {
    name: "qualtrics-contact (create)",
    node: { id: "n", type: "qualtrics-contact", operation: "create", directoryId: DIR },
    msg: () => ({ payload: { firstName: "Jane" } }),
    method: "POST",
    path: `/API/v3/directories/${DIR}/contacts`,
  },
  {
    name: "qualtrics-distribution (email)",
    node: { id: "n", type: "qualtrics-distribution", channel: "email" },
    msg: () => ({ payload: { ...EMAIL } }),
    method: "POST",
    path: "/API/v3/distributions",
  },
  {
    name: "qualtrics-distribution (sms)",
    node: { id: "n", type: "qualtrics-distribution", channel: "sms" },
    msg: () => ({ payload: { method: "Invite", surveyId: "SV_abc", mailingListId: "CG_abc", messageText: "Hi" } }),
    method: "POST",
    path: "/API/v3/distributions/sms",
    longTimeout: true,
  },
  {
    name: "qualtrics-api (POST)",
    node: { id: "n", type: "qualtrics-api", method: "POST", url: "/directories/POOL_1/contacts" },
    msg: () => ({ payload: { firstName: "Jane" } }),
    method: "POST",
    path: "/API/v3/directories/POOL_1/contacts",
  },
];

// requests that are safe to repeat
const READS: Kind[] = [
  {
    name: "qualtrics-contact (get)",
    node: { id: "n", type: "qualtrics-contact", operation: "get", directoryId: DIR, contactId: CID },
    msg: () => ({}),
    method: "GET",
    path: `/API/v3/directories/${DIR}/contacts/${CID}`,
  },
  {
    name: "qualtrics-api (GET)",
    node: { id: "n", type: "qualtrics-api", method: "GET", url: "/whoami" },
    msg: () => ({}),
    method: "GET",
    path: "/API/v3/whoami",
  },
];

describe("every Qualtrics node", function () {
  const api = useRecordingServer();
  const done = useNodeRuntime({ qualtricsConfigRetryDelay: 5 });

  function flow(kind: Kind, cfg: Record<string, unknown> = {}, qualtrics = "cfg"): FlowNode[] {
    return [
      { id: "tab", type: "tab" },
      configNode(api.apiBase, cfg),
      { z: "tab", qualtrics, wires: [["out"]], ...kind.node },
      { id: "out", z: "tab", type: "helper" },
    ];
  }
  type Outcome = { msg?: Record<string, unknown>; error?: string; errorMsg?: Record<string, unknown> };
  let outcomes: Outcome[] = [];
  async function load(kind: Kind, cfg: Record<string, unknown> = {}, creds: object = credentials, qualtrics = "cfg") {
    await helper.load([N.config, N.contact, N.distribution, N.api], flow(kind, cfg, qualtrics), creds);
    outcomes = [];
    helper.getNode("out").on("input", (msg: Record<string, unknown>) => outcomes.push({ msg }));
    (helper.getNode("n") as unknown as { on(e: string, cb: (c: { args: unknown[] }) => void): void }).on("call:error", (c) =>
      outcomes.push({ error: (c.args[0] as Error | undefined)?.message ?? String(c.args[0]), errorMsg: c.args[1] as Record<string, unknown> }),
    );
  }

  /** sends the kind's message and waits for its one outcome: an output or an error */
  async function outcome(kind: Kind): Promise<Outcome> {
    const seen = outcomes.length;
    const doneBefore = done.of("n").length;
    helper.getNode("n").receive(kind.msg());
    await until(() => outcomes.length > seen, 5000, "an output or an error");
    // exactly one done() for the message, whichever way it ended
    await until(() => done.of("n").length > doneBefore, 2000, "done()");
    await sleep(20);
    assert.equal(outcomes.length, seen + 1, "exactly one output or error");
    assert.equal(done.of("n").length, doneBefore + 1, "exactly one done()");
    return outcomes[seen];
  }

  for (const kind of [...CREATES, ...READS]) {
    describe(kind.name, function () {
      it("without a config node: an error naming it, and no crash", async () => {
        await load(kind, {}, credentials, "missing-config");
        const status = statusLog("n");
        api.reply(ok({}));
        const r = await outcome(kind);
        assert.match(r.error ?? "", /^Qualtrics: no configuration node is selected/);
        assert.equal(api.requests.length, 0);
        assert.ok(status.some((s) => s.fill === "red" && s.shape === "ring"));
      });

      it("without a token: an error naming apiToken, and no request", async () => {
        await load(kind, {}, {});
        api.reply(ok({}));
        const r = await outcome(kind);
        assert.match(r.error ?? "", /^API token: is not set/);
        assert.equal(api.requests.length, 0);
      });

      it("a Qualtrics 4xx: errorMessage, errorCode, status and requestId in the error, never the token", async () => {
        await load(kind);
        const status = statusLog("n");
        api.reply(fail(400, "Invalid value for field", "QVAL_7"));
        const r = await outcome(kind);
        assert.equal(api.requests.length, 1);
        assert.match(r.error ?? "", /400 - Bad Request/);
        assert.match(r.error ?? "", /Invalid value for field/);
        assert.match(r.error ?? "", /errorCode QVAL_7/);
        assert.match(r.error ?? "", /requestId req-err/);
        assert.ok(!(r.error ?? "").includes(TOKEN));
        assert.ok(!JSON.stringify(r.errorMsg).includes(TOKEN));
        assert.deepEqual(r.errorMsg?.qualtrics, { requestId: "req-err", httpStatus: 400, errorCode: "QVAL_7", mayHaveSucceeded: false });
        await until(() => status.some((s) => s.fill === "red"), 1000, "red status");
        const red = status.find((s) => s.fill === "red")!;
        assert.equal(red.shape, "ring");
        // the code as a person reads it
        assert.equal(red.text, "400 bad request");
      });

      it("a status code without a common reason shows Qualtrics' errorCode in the status", async () => {
        await load(kind);
        const status = statusLog("n");
        api.reply(fail(422, "Unprocessable", "QVAL_9"));
        const r = await outcome(kind);
        assert.match(r.error ?? "", /errorCode QVAL_9/);
        await until(() => status.some((s) => s.fill === "red"), 1000, "red status");
        assert.equal(status.find((s) => s.fill === "red")!.text, "422 QVAL_9");
      });

      it("a 429 with Retry-After is retried after that time, then succeeds", async () => {
        await load(kind);
        const at: number[] = [];
        api.reply((_req, i) => {
          at.push(Date.now());
          return i === 0 ? fail(429, "Too many requests", "RATE", { "retry-after": "0.25" }) : ok({ id: "X_1" });
        });
        const r = await outcome(kind);
        assert.ok(r.msg, r.error);
        assert.equal(api.requests.length, 2);
        // the back-off without Retry-After is a few ms here (qualtricsConfigRetryDelay 5)
        assert.ok(at[1] - at[0] >= 240, `waited ${at[1] - at[0]} ms, not the Retry-After`);
        for (const req of api.requests) {
          assert.equal(req.method, kind.method);
          assert.equal(req.path, kind.path);
        }
        assert.deepEqual(api.requests[1].body, api.requests[0].body);
      });

      it("an error page that is not a Qualtrics envelope still gives a readable error", async () => {
        await load(kind, { retries: 0 });
        const status = statusLog("n");
        api.reply({ status: 502, body: "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>" });
        const r = await outcome(kind);
        assert.match(r.error ?? "", /Qualtrics 502: answered with an HTML page "502 Bad Gateway"/);
        assert.ok(!(r.error ?? "").includes(TOKEN));
        assert.equal(status.find((st) => st.fill === "red")?.text, "502 bad gateway");
      });

      if (kind.longTimeout) {
        it("waits longer than a short configured timeout (the server's own is 16 s)", async () => {
          await load(kind, { timeout: 1, retries: 0 });
          api.reply({ ...ok({ id: "SMSD_1" }), delayMs: 1500 });
          const r = await outcome(kind);
          assert.deepEqual(r.msg?.payload, { id: "SMSD_1" });
        });
      } else {
        it("no answer within the timeout is an error", async () => {
          await load(kind, { timeout: 1, retries: 0 });
          api.reply({ ...ok({}), delayMs: 1500 });
          const r = await outcome(kind);
          assert.match(r.error ?? "", /no answer within 1000 ms/);
        });
      }
    });
  }

  for (const kind of CREATES) {
    it(`${kind.name}: a 500 is not retried and the error says it may have succeeded`, async () => {
      await load(kind);
      api.reply(fail(500, "Internal error", "SERVER_1"), ok({ id: "X_1" }));
      const r = await outcome(kind);
      assert.equal(api.requests.length, 1);
      assert.match(r.error ?? "", /500 - Internal Server Error: Internal error/);
      assert.match(r.error ?? "", /may have succeeded/);
      assert.equal((r.errorMsg?.qualtrics as { mayHaveSucceeded: boolean }).mayHaveSucceeded, true);
    });

    if (!kind.longTimeout) it(`${kind.name}: a timeout is not retried either`, async () => {
      await load(kind, { timeout: 1, retries: 2 });
      api.reply({ ...ok({}), delayMs: 1500 });
      const r = await outcome(kind);
      assert.equal(api.requests.length, 1);
      assert.match(r.error ?? "", /no answer within 1000 ms.*may have succeeded/);
    });

    it(`${kind.name}: a 503 is not retried either (nothing documents that it was not carried out)`, async () => {
      await load(kind);
      api.reply(fail(503, "Temporary", "T"), ok({ id: "X_2" }));
      const r = await outcome(kind);
      assert.equal(api.requests.length, 1);
      assert.match(r.error ?? "", /^Qualtrics 503 .*may have succeeded/);
    });

    it(`${kind.name}: a 429 is retried (Qualtrics did not carry it out)`, async () => {
      await load(kind);
      api.reply(fail(429, "Too many requests", "RATE"), ok({ id: "X_2" }));
      const r = await outcome(kind);
      assert.ok(r.msg, r.error);
      assert.equal(api.requests.length, 2);
    });
  }

  for (const kind of CREATES) {
    it(`${kind.name}: a dropped connection is not retried and may have succeeded`, async () => {
      await load(kind);
      api.reply({ drop: true }, ok({ id: "X_1" }));
      const r = await outcome(kind);
      assert.equal(api.requests.length, 1);
      assert.match(r.error ?? "", /connection failed.*may have succeeded/);
    });
  }

  for (const kind of [CREATES[0], READS[0]]) {
    it(`${kind.name}: a refused connection (nothing sent) is retried, then reported`, async () => {
      const closed = await startRecordingServer();
      const base = closed.apiBase;
      await closed.close();
      await helper.load([N.config, N.contact, N.distribution, N.api], flow(kind, { baseUrl: base, retries: 1 }), credentials);
      const err = new Promise<string>((resolve) =>
        (helper.getNode("n") as unknown as { on(e: string, cb: (c: { args: unknown[] }) => void): void }).on("call:error", (c) => resolve((c.args[0] as Error).message)),
      );
      helper.getNode("n").receive(kind.msg());
      const message = await err;
      assert.match(message, /connection failed \(ECONNREFUSED\).*after 2 attempts/);
      assert.doesNotMatch(message, /may have succeeded/);
    });
  }

  const badConfigs: Array<[string, Record<string, unknown>, RegExp]> = [
    ["a data center that is not one", { baseUrl: "", dataCenter: "not a data center!" }, /^Data center: "not a data center!" is neither a data center ID/],
    ["no data center", { baseUrl: "", dataCenter: "" }, /^Data center: is required/],
    ["a base URL without /API/v3", { baseUrl: "http://127.0.0.1:1/api" }, /^Base URL: must be the full API root, ending in \/API\/v3/],
  ];
  for (const [what, cfg, re] of badConfigs) {
    it(`a config node with ${what}: the message fails naming the field, no request`, async () => {
      await load(READS[0], cfg);
      api.reply(ok({}));
      const r = await outcome(READS[0]);
      assert.match(r.error ?? "", re);
      assert.equal(api.requests.length, 0);
    });
  }

  for (const kind of READS) {
    it(`${kind.name}: a dropped connection is retried, then succeeds`, async () => {
      await load(kind);
      api.reply({ drop: true }, ok({ ok: 1 }));
      const r = await outcome(kind);
      assert.deepEqual(r.msg?.payload, { ok: 1 });
      assert.equal(api.requests.length, 2);
    });

    it(`${kind.name}: a 500 is retried, then succeeds`, async () => {
      await load(kind);
      api.reply(fail(500, "Internal error"), fail(504, "Gateway"), ok({ ok: true }));
      const r = await outcome(kind);
      assert.deepEqual(r.msg?.payload, { ok: true });
      assert.equal(api.requests.length, 3);
    });

    it(`${kind.name}: gives up after the configured retries`, async () => {
      await load(kind, { retries: 1 });
      api.reply(fail(429, "Too many requests", "T429"));
      const r = await outcome(kind);
      assert.equal(api.requests.length, 2);
      assert.match(r.error ?? "", /Too many requests.*after 2 attempts/);
    });
  }

  describe("prototype safety", function () {
    const hostile: Array<[string, Kind, string, unknown]> = [
      [
        "contact fields",
        CREATES[0],
        '{"firstName":"Jane","__proto__":{"polluted":"yes","lastName":"Evil"},"constructor":{"prototype":{"polluted":"yes"}},"embeddedData":{"__proto__":{"polluted":"yes","x":"y"},"k":"v"}}',
        { firstName: "Jane", embeddedData: { k: "v" } },
      ],
      [
        "the nested distribution shape",
        CREATES[1],
        '{"header":{"__proto__":{"polluted":"yes"},"fromEmail":"noreply@example.com","fromName":"Example","subject":"Survey"},"message":{"messageText":"Hi"},' +
          '"recipients":{"__proto__":{"contactId":"CID_evil"},"mailingListId":"CG_abc"},"surveyLink":{"surveyId":"SV_abc"},"sendDate":"2030-01-01T00:00:00Z",' +
          '"embeddedData":{"__proto__":{"polluted":"yes"},"k":"v"},"__proto__":{"polluted":"yes"}}',
        {
          header: { fromEmail: "noreply@example.com", fromName: "Example", replyToEmail: "noreply@example.com", subject: "Survey" },
          message: { messageText: "Hi" },
          recipients: { mailingListId: "CG_abc" },
          surveyLink: { surveyId: "SV_abc", type: "Individual" },
          sendDate: "2030-01-01T00:00:00Z",
          embeddedData: { k: "v" },
        },
      ],
      ["an API body", CREATES[3], '{"a":{"__proto__":{"polluted":"yes"},"b":[{"__proto__":{"polluted":"yes"}}]},"__proto__":{"polluted":"yes"}}', { a: { b: [{}] } }],
    ];
    for (const [what, kind, json, expectedBody] of hostile) {
      it(`__proto__ keys in ${what} reach no prototype and are not sent`, async () => {
        await load(kind);
        api.reply(ok({ id: "X_1" }));
        const payload = JSON.parse(json) as Record<string, unknown>;
        assert.ok(Object.prototype.hasOwnProperty.call(payload, "__proto__"));
        const got = nextMessage("out");
        helper.getNode("n").receive({ payload });
        const msg = await got;
        const r = api.requests[0];
        assert.ok(!r.raw.includes("__proto__"), r.raw);
        assert.ok(!r.raw.includes("polluted"), r.raw);
        assert.deepEqual(r.body, expectedBody);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
        assert.equal(Object.getPrototypeOf(msg), Object.prototype);
        assert.equal((msg as Record<string, unknown>).polluted, undefined);
      });
    }

    it("__proto__ keys in a Qualtrics answer reach no prototype", async () => {
      await load(READS[1]);
      api.reply({ status: 200, headers: { "content-type": "application/json" }, body: '{"result":{"__proto__":{"polluted":"yes"},"id":"x","nested":{"__proto__":{"polluted":"yes"}}},"meta":{"requestId":"r"}}' });
      const msg = await outcome(READS[1]);
      const payload = msg.msg?.payload as Record<string, unknown>;
      assert.deepEqual(payload, { id: "x", nested: {} });
      assert.equal(Object.getPrototypeOf(payload), Object.prototype);
      assert.equal(Reflect.get(payload, "polluted"), undefined);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  });

  describe("status", function () {
    it("blue while requesting, then green with the count", async () => {
      await load({ ...READS[0], node: { id: "n", type: "qualtrics-contact", operation: "list", directoryId: DIR, limit: 0 } });
      const status = statusLog("n");
      api.reply({ ...ok({ elements: [{ id: 1 }, { id: 2 }, { id: 3 }], nextPage: null }), delayMs: 100 });
      const got = nextMessage("out");
      helper.getNode("n").receive({});
      await until(() => status.length > 0, 1000, "a status");
      assert.equal(status[0].fill, "blue");
      await got;
      await until(() => status.some((s) => s.fill === "green"), 1000, "green status");
      const green = status.find((s) => s.fill === "green")!;
      assert.equal(green.shape, "dot");
      assert.match(green.text ?? "", /\b3\b/);
      assert.ok(status.indexOf(green) > 0);
      assert.deepEqual(untranslated(status.map((s) => s.text)), []);
    });

    it("red ring on a failure, green again after the next success", async () => {
      await load(READS[1]);
      const status = statusLog("n");
      api.reply(fail(404, "Not found", "NF"));
      await outcome(READS[1]);
      api.reply(ok({}));
      assert.ok((await outcome(READS[1])).msg);
      await until(() => status.some((s) => s.fill === "green"), 1000, "green status");
      const fills = status.map((s) => `${s.fill}/${s.shape}`);
      assert.deepEqual(fills.filter((f) => f !== "undefined/undefined"), ["blue/dot", "red/ring", "blue/dot", "green/dot"]);
      assert.deepEqual(untranslated(status.map((s) => s.text)), []);
    });
  });

  describe("close", function () {
    it("a redeploy while a request is in flight lets it finish: one message sent, one done()", async () => {
      await load(READS[0]);
      // the helper node downstream is stopped too, so count what the node sends
      const sent = sends("n");
      api.reply({ ...ok({ contactId: CID }), delayMs: 300 });
      helper.getNode("n").receive({});
      await until(() => api.requests.length === 1, 2000, "the request");
      await helper.unload();
      assert.equal(sent.length, 1);
      assert.deepEqual((sent[0] as { payload: unknown }).payload, { contactId: CID });
      const d = done.of("n");
      assert.equal(d.length, 1);
      assert.equal(d[0].error, undefined);
    });

    it("a redeploy of the node alone while it waits out a long Retry-After: aborted after the grace, one error", async function () {
      this.timeout(30000);
      await load(READS[0]);
      const sent = sends("n");
      api.reply(fail(429, "Slow down", "RATE", { "retry-after": "60" }), ok({}));
      helper.getNode("n").receive({});
      await until(() => api.requests.length === 1, 2000, "the request");
      const started = Date.now();
      // "nodes": only the changed node restarts; the config node and its client stay up
      const f = flow(READS[0]).map((n) => (n.id === "n" ? { ...n, name: "changed" } : n));
      await helper.setFlows(f, "nodes");
      assert.ok(Date.now() - started < 12000, `the close took ${Date.now() - started} ms`);
      await until(() => done.of("n").length > 0, 2000, "done()");
      assert.equal(sent.length, 0);
      assert.equal(done.of("n").length, 1);
      assert.match(String((done.of("n")[0].error as Error).message), /closed/);
      assert.equal(api.requests.length, 1);
    });

    it("a request that outlives the close grace is aborted: one error, one done()", async function () {
      this.timeout(20000);
      await load(READS[0], { timeout: 60, retries: 0 });
      const sent = sends("n");
      api.reply({ ...ok({}), delayMs: 12000 });
      helper.getNode("n").receive({});
      await until(() => api.requests.length === 1, 2000, "the request");
      const started = Date.now();
      await helper.unload();
      assert.ok(Date.now() - started < 11000, "close did not wait for the slow answer");
      await until(() => done.of("n").length > 0, 2000, "done()");
      assert.equal(sent.length, 0);
      const d = done.of("n");
      assert.equal(d.length, 1);
      assert.match(String((d[0].error as Error).message), /closed/);
    });
  });
});
