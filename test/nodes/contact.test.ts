import assert from "node:assert/strict";
import * as vm from "node:vm";
import { collect, helper, nextError, nextMessage, TOKEN } from "../support/nr-helper";
import { fail, metaOnly, ok } from "../support/fake-servers";
import { until } from "../support/wait";
import { useRecordingServer } from "../support/fixtures";
import { nodeUnderTest, useNodeRuntime } from "../support/node-test";
import { DIR, CID } from "../support/ids";

const OTHER_DIR = "POOL_999999999999999";
const OTHER_CID = "CID_999999999999999";

describe("qualtrics-contact", function () {
  const api = useRecordingServer();
  const done = useNodeRuntime();
  afterEach(() => {
    delete process.env.QTEST_DIR;
  });
  const { load, run } = nodeUnderTest({ type: "qualtrics-contact", sequence: true, apiBase: () => api.apiBase, defaults: { directoryId: DIR, directoryIdType: "str" } });
  const contact = (i: number) => ({ contactId: `CID_00000000000000${i}`, firstName: `P${i}` });
  const page = (from: number, to: number, next: string | null) => {
    const elements = [];
    for (let i = from; i < to; i++) elements.push(contact(i));
    return ok({ elements, nextPage: next });
  };
  const nextUrl = (token: string) => `${api.apiBase}/directories/${DIR}/contacts?pageSize=100&useNewPaginationScheme=true&skipToken=${token}`;

  describe("list", function () {
    it("follows nextPage to the end and returns one array", async () => {
      await load({ operation: "list", limit: 0 });
      api.reply(page(0, 2, nextUrl("T2")), page(2, 4, nextUrl("T3")), page(4, 5, null));
      const msg = await run({ payload: null, topic: "keep-me" });
      assert.equal(api.requests.length, 3);
      for (const r of api.requests) {
        assert.equal(r.method, "GET");
        assert.equal(r.path, `/API/v3/directories/${DIR}/contacts`);
        assert.equal(r.headers["x-api-token"], TOKEN);
        assert.equal(r.raw, "");
      }
      assert.deepEqual(api.requests[0].query, { pageSize: "100", useNewPaginationScheme: "true" });
      assert.equal(api.requests[1].query.skipToken, "T2");
      assert.equal(api.requests[2].query.skipToken, "T3");
      assert.deepEqual(msg.payload, [0, 1, 2, 3, 4].map(contact));
      assert.equal(msg.topic, "keep-me");
      assert.equal((msg.qualtrics as { httpStatus: number }).httpStatus, 200);
      assert.equal(done.of("n").length, 1);
    });

    it("stops at the node's limit without asking for more pages", async () => {
      await load({ operation: "list", limit: 3 });
      api.reply(page(0, 2, nextUrl("T2")), page(2, 4, nextUrl("T3")), page(4, 6, null));
      const msg = await run({});
      assert.equal(api.requests.length, 2);
      assert.deepEqual(msg.payload, [0, 1, 2].map(contact));
    });

    it("msg.limit overrides the node's limit, 0 meaning all", async () => {
      await load({ operation: "list", limit: 1 });
      api.reply(page(0, 2, nextUrl("T2")), page(2, 3, null));
      let msg = await run({ limit: 0 });
      assert.equal((msg.payload as unknown[]).length, 3);
      api.reply(page(0, 2, nextUrl("T2")), page(2, 3, null));
      msg = await run({ limit: "2" });
      assert.equal((msg.payload as unknown[]).length, 2);
      assert.equal(api.requests.length, 1);
    });

    it("refuses a bad msg.limit before any request", async () => {
      await load({ operation: "list" });
      api.reply(page(0, 1, null));
      const err = nextError("n");
      helper.getNode("n").receive({ limit: -1 });
      assert.match((await err).message, /^Limit: /);
      assert.equal(api.requests.length, 0);
    });

    it("split mode sends one message per contact that a core join node (auto) turns back into the array", async () => {
      const extra = [
        { id: "joiner", z: "tab", type: "join", mode: "auto", wires: [["joined"]] },
        { id: "joined", z: "tab", type: "helper" },
        { id: "parts", z: "tab", type: "helper" },
      ];
      await load({ operation: "list", output: "split", limit: 0, wires: [["joiner", "parts"]] }, extra);
      const parts = collect("parts");
      api.reply(page(0, 2, nextUrl("T2")), page(2, 3, null));
      const joined = nextMessage("joined");
      helper.getNode("n").receive({ payload: "start", topic: "t" });
      const msg = await joined;
      assert.deepEqual(msg.payload, [0, 1, 2].map(contact));
      assert.equal(msg.topic, "t");
      await until(() => parts.length === 3, 2000, "three part messages");
      const ids = new Set(parts.map((m) => (m.parts as { id: string }).id));
      assert.equal(ids.size, 1);
      parts.forEach((m, i) => {
        const p = m.parts as { index: number; count?: number };
        assert.equal(p.index, i);
        assert.equal(p.count, i === 2 ? 3 : undefined);
        assert.deepEqual(m.payload, contact(i));
        assert.equal((m.qualtrics as { httpStatus: number }).httpStatus, 200);
      });
      assert.equal(done.of("n").length, 1);
    });

    it("split mode keeps the parts of an outer split, so an outer join still works", async () => {
      const extra = [
        { id: "joiner", z: "tab", type: "join", mode: "auto", wires: [["joined"]] },
        { id: "joined", z: "tab", type: "helper" },
      ];
      await load({ operation: "list", output: "split", limit: 0, wires: [["joiner"]] }, extra);
      api.reply(page(0, 2, null));
      const joined = nextMessage("joined");
      const outer = { id: "outer-1", index: 1, count: 2, type: "array", len: 1 };
      helper.getNode("n").receive({ payload: { directoryId: DIR }, parts: outer });
      const msg = await joined;
      assert.deepEqual(msg.payload, [0, 1].map(contact));
      assert.deepEqual(msg.parts, outer);
    });

    it("split mode with no contacts sends nothing and still ends the message", async () => {
      await load({ operation: "list", output: "split", limit: 0 });
      const out = collect("out");
      api.reply(page(0, 0, null));
      helper.getNode("n").receive({});
      await until(() => done.of("n").length === 1, 2000, "done()");
      assert.equal(out.length, 0);
      assert.equal(done.of("n")[0].error, undefined);
    });
  });

  describe("single contacts", function () {
    it("gets a contact and records requestId, httpStatus and notice", async () => {
      await load({ operation: "get", contactId: CID, contactIdType: "str" });
      api.reply(ok({ contactId: CID, firstName: "Jane" }, { requestId: "rq-1", notice: "Request proxied" }));
      const msg = await run({ payload: {}, correlation: { a: 1 } });
      const r = api.requests[0];
      assert.equal(r.method, "GET");
      assert.equal(r.path, `/API/v3/directories/${DIR}/contacts/${CID}`);
      assert.equal(r.headers["x-api-token"], TOKEN);
      assert.deepEqual(msg.payload, { contactId: CID, firstName: "Jane" });
      assert.deepEqual(msg.qualtrics, { requestId: "rq-1", httpStatus: 200, notice: "Request proxied" });
      assert.deepEqual(msg.correlation, { a: 1 });
    });

    it("creates a contact from msg.payload with the token header", async () => {
      await load({ operation: "create" });
      api.reply(ok({ id: CID }));
      const msg = await run({ payload: { firstName: "Jane", email: "jane@example.com", embeddedData: { tier: 3 }, creationDate: "ignored" } });
      assert.equal(api.requests.length, 1);
      const r = api.requests[0];
      assert.equal(r.method, "POST");
      assert.equal(r.path, `/API/v3/directories/${DIR}/contacts`);
      assert.equal(r.headers["x-api-token"], TOKEN);
      assert.match(String(r.headers["content-type"]), /^application\/json/);
      assert.deepEqual(r.body, { firstName: "Jane", email: "jane@example.com", embeddedData: { tier: "3" } });
      assert.deepEqual(msg.payload, { id: CID });
      assert.equal((msg.qualtrics as { httpStatus: number }).httpStatus, 200);
    });

    it("updates only the fields given and copes with a meta-only answer", async () => {
      await load({ operation: "update", contactId: CID });
      api.reply(metaOnly());
      const msg = await run({ payload: { lastName: "Doe", unsubscribed: true } });
      const r = api.requests[0];
      assert.equal(r.method, "PUT");
      assert.equal(r.path, `/API/v3/directories/${DIR}/contacts/${CID}`);
      assert.deepEqual(r.body, { lastName: "Doe", unsubscribed: true });
      assert.deepEqual(msg.payload, { contactId: CID, lastName: "Doe", unsubscribed: true });
      assert.deepEqual(msg.qualtrics, { requestId: "req-meta", httpStatus: 200 });
    });

    it("deletes a contact", async () => {
      await load({ operation: "delete", contactId: CID });
      api.reply(metaOnly());
      const msg = await run({ payload: "anything" });
      const r = api.requests[0];
      assert.equal(r.method, "DELETE");
      assert.equal(r.path, `/API/v3/directories/${DIR}/contacts/${CID}`);
      assert.equal(r.raw, "");
      assert.deepEqual(msg.payload, { contactId: CID });
    });

    it("reports a Qualtrics error through done(err) without the token", async () => {
      await load({ operation: "get", contactId: CID });
      api.reply(fail(404, "Contact not found", "CONTACTS_404"));
      const err = nextError("n");
      helper.getNode("n").receive({ payload: {} });
      const e = await err;
      assert.match(e.message, /Contact not found/);
      assert.match(e.message, /CONTACTS_404/);
      assert.ok(!e.message.includes(TOKEN));
    });
  });

  describe("where IDs, fields and the operation come from", function () {
    const cases: Array<[string, string, (n: { context(): { flow: { set(k: string, v: unknown): void }; global: { set(k: string, v: unknown): void } } }, msg: Record<string, unknown>) => void]> = [
      ["str", DIR, () => undefined],
      ["msg", "target.dir", (_n, m) => (m.target = { dir: DIR })],
      ["flow", "dirKey", (n) => n.context().flow.set("dirKey", DIR)],
      ["global", "dirKey", (n) => n.context().global.set("dirKey", DIR)],
      ["env", "QTEST_DIR", () => (process.env.QTEST_DIR = DIR)],
      ["json", JSON.stringify(DIR), () => undefined],
      ["jsonata", `"POOL_" & target.suffix`, (_n, m) => (m.target = { suffix: DIR.slice(5) })],
    ];
    for (const [type, value, prepare] of cases) {
      it(`reads directoryId from a ${type} typedInput, ahead of msg.payload`, async () => {
        await load({ operation: "get", directoryId: value, directoryIdType: type, contactId: CID });
        api.reply(ok({ contactId: CID }));
        const msg: Record<string, unknown> = { payload: { directoryId: OTHER_DIR } };
        prepare(helper.getNode("n") as never, msg);
        await run(msg);
        assert.equal(api.requests[0].path, `/API/v3/directories/${DIR}/contacts/${CID}`);
      });
    }

    it("takes the directory and contact from msg.payload when the dialog leaves them empty", async () => {
      await load({ operation: "get", directoryId: "", contactId: "" });
      api.reply(ok({}));
      await run({ payload: { directoryId: OTHER_DIR, contactId: OTHER_CID } });
      api.reply(ok({}));
      await run({ payload: { directoryId: OTHER_DIR, id: OTHER_CID } });
      assert.equal(api.requests[0].path, `/API/v3/directories/${OTHER_DIR}/contacts/${OTHER_CID}`);
    });

    it("a payload built in a function node (another vm realm) is read like any object", async () => {
      await load({ operation: "create", directoryId: "", contactId: "" });
      api.reply(ok({ id: CID }));
      // what `msg.payload = {...}` in a function node makes: an object of the function's own context
      const payload = vm.runInNewContext(`({ directoryId: "${OTHER_DIR}", firstName: "Jane", embeddedData: { tier: 3 } })`);
      await run({ payload });
      assert.equal(api.requests[0].path, `/API/v3/directories/${OTHER_DIR}/contacts`);
      assert.deepEqual(api.requests[0].body, { firstName: "Jane", embeddedData: { tier: "3" } });
    });

    it("the dialog's contactId wins over msg.payload's", async () => {
      await load({ operation: "delete", contactId: CID });
      api.reply(metaOnly());
      await run({ payload: { contactId: OTHER_CID } });
      assert.equal(api.requests[0].path, `/API/v3/directories/${DIR}/contacts/${CID}`);
    });

    it("merges typed field inputs over msg.payload fields (the dialog wins)", async () => {
      await load({
        operation: "create",
        firstName: "person.first",
        firstNameType: "msg",
        language: "EN",
        embeddedData: `{"tier":"gold"}`,
        embeddedDataType: "json",
        unsubscribed: "false",
        unsubscribedType: "bool",
        email: "mail",
        emailType: "flow",
      });
      helper.getNode("n").context().flow.set("mail", "flow@example.com");
      api.reply(ok({ id: CID }));
      await run({ person: { first: "Dialog" }, payload: { firstName: "Payload", lastName: "Kept", email: "payload@example.com", embeddedData: { tier: "silver" } } });
      assert.deepEqual(api.requests[0].body, {
        firstName: "Dialog",
        lastName: "Kept",
        email: "flow@example.com",
        embeddedData: { tier: "gold" },
        language: "EN",
        unsubscribed: false,
      });
    });

    it("takes the operation from msg.operation when the node says so", async () => {
      await load({ operation: "msg", contactId: CID });
      api.reply(metaOnly());
      await run({ operation: "delete" });
      api.reply(ok({ contactId: CID }));
      await run({ operation: "GET" });
      assert.deepEqual(api.requests.map((r) => r.method), ["GET"]);
      const err = nextError("n");
      helper.getNode("n").receive({ operation: "purge" });
      assert.match((await err).message, /^msg\.operation: must be one of list, search, get, create, update, upsert, delete/);
      assert.equal(api.requests.length, 1);
    });

    it("the config node warns once about a notice from Qualtrics", async () => {
      await load({ operation: "get", contactId: CID });
      api.reply(ok({}, { notice: "Request proxied. Use fra1 instead" }));
      await run({});
      await run({});
      const cfg = helper.getNode("cfg") as unknown as { warn: { getCalls(): { thisValue: unknown }[] } };
      assert.equal(cfg.warn.getCalls().filter((c) => c.thisValue === cfg).length, 1);
    });
  });

  describe("input checks (no request is made)", function () {
    const bad: Array<[string, Record<string, unknown>, Record<string, unknown>, RegExp]> = [
      ["no contactId for get", { operation: "get" }, {}, /^Contact: is required/],
      ["a malformed contactId", { operation: "get", contactId: "CGC_abc" }, {}, /^Contact: "CGC_abc" is not a contact ID/],
      ["a malformed directoryId", { operation: "list", directoryId: "ML_1" }, {}, /^Directory: /],
      ["a bad email", { operation: "create" }, { payload: { email: "nope" } }, /^Email: "nope" is not an email address/],
      ["no fields for create", { operation: "create" }, { payload: {} }, /^payload: no contact fields/],
      ["a string payload for update", { operation: "update", contactId: CID }, { payload: "Jane" }, /^payload: must be an object/],
      ["embeddedData that is not an object", { operation: "create" }, { payload: { embeddedData: [1] } }, /^Embedded data: must be an object/],
      ["an embeddedData value that is an object", { operation: "create" }, { payload: { embeddedData: { a: { b: 1 } } } }, /^Embedded data \(embeddedData\.a\): /],
      ["unsubscribed that is not boolean", { operation: "update", contactId: CID }, { payload: { unsubscribed: "yes" } }, /^Unsubscribed: /],
      ["a jsonata typedInput that does not parse", { operation: "get", contactId: "$$$(", contactIdType: "jsonata" }, {}, /^Contact: /],
    ];
    for (const [what, props, msg, re] of bad) {
      it(`names the field for ${what}`, async () => {
        await load(props);
        api.reply(ok({}));
        const err = nextError("n");
        helper.getNode("n").receive(msg);
        assert.match((await err).message, re);
        assert.equal(api.requests.length, 0);
        assert.equal(done.of("n").length, 1);
      });
    }
  });
});
