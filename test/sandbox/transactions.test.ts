// Transactions, transaction batches and distributions to them (docs/qualtrics-facts.md §4.7, §5.2, §5.6),
// including what the sandbox switches for what is UNCONFIRMED there.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSandbox, type Sandbox } from "../../sandbox";
import { assertError, call, elements, listAll, obj, Obj, result } from "./test-helpers";
import { useSandbox } from "../support/fixtures";

interface Reached {
  distributionId: string;
  channel: string;
  recipients: Array<{ contactId: string; transactionId: string | null; email: string | null; phone: string | null }>;
}

async function recipientsOf(sb: Sandbox, id: string): Promise<Reached> {
  const res = await fetch(`${sb.url}/__sandbox/distributions/${id}/recipients`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Reached;
}

describe("sandbox: transactions and batches (§4.7)", () => {
  const sb = useSandbox();
  const dir = () => sb.seedIds.directoryId;
  const list = () => sb.seedIds.mailingListIds[0]; // contacts 0..14
  const contact = (i: number) => sb.seedIds.contactIds[i];

  async function record(items: Obj): Promise<Obj> {
    return result(await call(sb, "POST", `/directories/${dir()}/transactions`, { body: items }));
  }
  async function one(i: number, data: Obj = { orderId: `A${i}` }): Promise<string> {
    const r = await record({ t0: { contactId: contact(i), mailingListId: list(), transactionDate: "2026-01-31 13:45:00", data } });
    return String(obj(obj(r.createdTransactions).t0).id);
  }
  async function batch(ids: string[]): Promise<string> {
    return String(result(await call(sb, "POST", `/directories/${dir()}/transactionbatches`, { body: { transactionIds: ids, creationDate: "2026-01-31T13:45:00Z" } })).id);
  }

  describe("create", () => {
    it("creates each keyed transaction and answers its CTR_ ID under the same key; GET and DELETE find it", async () => {
      const r = await record({
        a: { contactId: contact(0), mailingListId: list(), transactionDate: "2026-01-31 13:45:00", data: { orderId: "A1" } },
        b: { contactId: contact(1), transactionDate: "2026-01-31T13:45:00Z" },
      });
      assert.deepEqual(obj(r.unprocessedTransactions), {});
      const a = String(obj(obj(r.createdTransactions).a).id);
      assert.match(a, /^CTR_[A-Za-z0-9]{15}$/);
      const got = result(await call(sb, "GET", `/directories/${dir()}/transactions/${a}`));
      assert.deepEqual(got.data, { orderId: "A1" });
      assert.equal(got.contactId, contact(0));
      assert.equal(got.transactionDate, "2026-01-31 13:45:00");
      assert.equal((await call(sb, "DELETE", `/directories/${dir()}/transactions/${a}`)).status, 200);
      assertError(await call(sb, "GET", `/directories/${dir()}/transactions/${a}`), 404, /Transaction not found/);
    });

    it("leaves unknown contacts, unknown lists and non-members unprocessed, with a reason, and creates the rest", async () => {
      const outsider = contact(20); // not on the first list
      const r = await record({
        ok: { contactId: contact(2), transactionDate: "2026-01-31 13:45:00", data: {} },
        ghost: { contactId: "CID_000000000000000", transactionDate: "2026-01-31 13:45:00", data: {} },
        noList: { contactId: contact(2), mailingListId: "CG_000000000000000", transactionDate: "2026-01-31 13:45:00", data: {} },
        outside: { contactId: outsider, mailingListId: list(), transactionDate: "2026-01-31 13:45:00", data: {} },
      });
      assert.deepEqual(Object.keys(obj(r.createdTransactions)), ["ok"]);
      const un = obj(r.unprocessedTransactions);
      assert.deepEqual(Object.keys(un).sort(), ["ghost", "noList", "outside"]);
      assert.match(String(obj(un.ghost).errorMessage), /Contact not found: CID_000000000000000/);
      assert.match(String(obj(un.noList).errorMessage), /Mailing list not found/);
      assert.match(String(obj(un.outside).errorMessage), /is not in mailing list/);
      assert.equal(sb.state.directories.get(dir())?.transactions.size, 1);
    });

    it("refuses a malformed body as a whole, naming the key and field", async () => {
      const bad = async (body: unknown, message: RegExp) => assertError(await call(sb, "POST", `/directories/${dir()}/transactions`, { body }), 400, message);
      await bad({}, /at least one transaction/);
      await bad({ t0: "x" }, /^t0 must be a JSON object/);
      await bad({ t0: { transactionDate: "2026-01-31 13:45:00" } }, /^t0\.contactId is required/);
      await bad({ t0: { contactId: contact(0) } }, /^t0\.transactionDate is required/);
      await bad({ t0: { contactId: contact(0), transactionDate: "31.01.2026" } }, /^t0\.transactionDate must be YYYY-MM-DD HH:MM:SS or ISO 8601/);
      await bad({ t0: { contactId: contact(0), transactionDate: "2026-01-31 13:45:00", data: { n: 1 } } }, /^t0\.data\.n must be a string/);
      assert.equal(sb.state.directories.get(dir())?.transactions.size, 0);
    });

    it("lists a contact's transactions, paged", async () => {
      const ids = [await one(3), await one(3), await one(3), await one(4)];
      const listed = await listAll(sb, `/directories/${dir()}/contacts/${contact(3)}/transactions?pageSize=2`);
      assert.deepEqual(listed.items.map((t) => t.id), ids.slice(0, 3));
      assert.equal(listed.pages, 2);
      assertError(await call(sb, "GET", `/directories/${dir()}/contacts/CID_000000000000000/transactions`), 404);
    });
  });

  describe("the transaction date (UNCONFIRMED which form: transactionRules.transactionDates)", () => {
    const body = (transactionDate: string) => ({ t0: { contactId: contact(0), transactionDate, data: {} } });
    const post = (date: string) => call(sb, "POST", `/directories/${dir()}/transactions`, { body: body(date) });

    it("accepts both forms by default", async () => {
      for (const date of ["2026-01-31 13:45:00", "2026-01-31T13:45:00Z", "2026-01-31T13:45:00+01:00"]) {
        assert.ok(obj(result(await post(date)).createdTransactions).t0, date);
      }
    });

    it("accepts only YYYY-MM-DD HH:MM:SS when switched to mysql, only ISO 8601 when switched to iso", async () => {
      sb.transactionRules.set({ transactionDates: "mysql" });
      assert.equal((await post("2026-01-31 13:45:00")).status, 200);
      assertError(await post("2026-01-31T13:45:00Z"), 400, /^t0\.transactionDate must be YYYY-MM-DD HH:MM:SS$/);
      sb.transactionRules.set({ transactionDates: "iso" });
      assert.equal((await post("2026-01-31T13:45:00Z")).status, 200);
      assertError(await post("2026-01-31 13:45:00"), 400, /^t0\.transactionDate must be an ISO 8601/);
    });

    it("is switched through the control endpoint too, and reset() puts the option back", async () => {
      const set = await fetch(`${sb.url}/__sandbox/transaction-rules`, { method: "POST", body: JSON.stringify({ transactionDates: "iso", batchPrefix: "TB_" }) });
      assert.equal(set.status, 200);
      assert.deepEqual(await (await fetch(`${sb.url}/__sandbox/transaction-rules`)).json(), { batchPrefix: "TB_", smsBatchNeedsList: true, transactionDates: "iso" });
      const refused = await fetch(`${sb.url}/__sandbox/transaction-rules`, { method: "POST", body: JSON.stringify({ transactionDates: "sometimes" }) });
      assert.equal(refused.status, 400);
      assert.match(String(((await refused.json()) as Obj).error), /transactionDates must be one of any, mysql, iso/);
      sb.reset();
      assert.deepEqual(sb.transactionRules.current, { batchPrefix: "BT_", smsBatchNeedsList: true, transactionDates: "any" });
    });
  });

  describe("batches", () => {
    it("creates a BT_ batch with transactions, adds more (each once), lists them, gets and deletes it", async () => {
      const [a, b, c] = [await one(0), await one(1), await one(2)];
      const id = await batch([a]);
      assert.match(id, /^BT_[A-Za-z0-9]{15}$/);
      assert.equal((await call(sb, "POST", `/directories/${dir()}/transactionbatches/${id}/transactions`, { body: { transactionIds: [b, a, c] } })).status, 200);
      const inBatch = await listAll(sb, `/directories/${dir()}/transactionbatches/${id}/transactions?pageSize=2`);
      assert.deepEqual(inBatch.items.map((t) => t.id), [a, b, c]);
      const got = result(await call(sb, "GET", `/directories/${dir()}/transactionbatches/${id}`));
      assert.deepEqual([got.batchId, got.transactionCount, got.creationDate], [id, 3, "2026-01-31T13:45:00Z"]);
      assert.deepEqual(elements(await call(sb, "GET", `/directories/${dir()}/transactionbatches`)).map((e) => e.batchId), [id]);
      assert.equal((await call(sb, "DELETE", `/directories/${dir()}/transactionbatches/${id}`)).status, 200);
      assertError(await call(sb, "GET", `/directories/${dir()}/transactionbatches/${id}`), 404);
    });

    it("an empty batch can be created; unknown transactions and an empty addition are refused", async () => {
      const id = String(result(await call(sb, "POST", `/directories/${dir()}/transactionbatches`, { body: {} })).id);
      assertError(await call(sb, "POST", `/directories/${dir()}/transactionbatches`, { body: { transactionIds: ["CTR_000000000000000"] } }), 400, /^transactionIds\[0\]: transaction CTR_000000000000000 does not exist/);
      assertError(await call(sb, "POST", `/directories/${dir()}/transactionbatches/${id}/transactions`, { body: { transactionIds: [] } }), 400, /must not be empty/);
      assertError(await call(sb, "POST", `/directories/${dir()}/transactionbatches/BT_000000000000000/transactions`, { body: { transactionIds: [] } }), 404);
    });

    it("names new batches with another prefix when switched (UNCONFIRMED: BT_)", async () => {
      sb.transactionRules.set({ batchPrefix: "TB_" });
      assert.match(await batch([await one(0)]), /^TB_[A-Za-z0-9]{15}$/);
    });
  });

  describe("distributions to transactions, and whom they reached", () => {
    const header = { fromName: "Support", replyToEmail: "help@example.com", fromEmail: "help@example.com", subject: "How did we do?" };
    const email = (recipients: Obj): Obj => ({
      message: { libraryId: sb.seedIds.libraryId, messageId: sb.seedIds.messageIds.invite },
      recipients, header, surveyLink: { surveyId: sb.seedIds.surveyIds[0], type: "Individual" },
    });
    const sms = (recipients: Obj): Obj => ({ surveyId: sb.seedIds.surveyIds[0], method: "Invite", name: "Ticket", recipients, message: { messageText: "How did we do? ${l://SurveyURL}" } });

    it("an email to a batch reaches one invitation per transaction; the control route lists them with addresses", async () => {
      const [a, b, c] = [await one(0), await one(1), await one(1)];
      const id = String(result(await call(sb, "POST", "/distributions", { body: email({ transactionBatchId: await batch([a, b, c]) }) })).id);
      const reached = await recipientsOf(sb, id);
      assert.equal(reached.channel, "email");
      assert.deepEqual(reached.recipients.map((r) => [r.contactId, r.transactionId]), [[contact(0), a], [contact(1), b], [contact(1), c]]);
      assert.equal(reached.recipients[0].email, sb.state.directories.get(dir())?.contacts.get(contact(0))?.email);
    });

    it("an email to a list, or one member, records whom it reached too; email refuses a single transactionId", async () => {
      const whole = String(result(await call(sb, "POST", "/distributions", { body: email({ mailingListId: list() }) })).id);
      assert.equal((await recipientsOf(sb, whole)).recipients.length, 15);
      const single = String(result(await call(sb, "POST", "/distributions", { body: email({ mailingListId: list(), contactId: contact(5) }) })).id);
      assert.deepEqual((await recipientsOf(sb, single)).recipients.map((r) => r.contactId), [contact(5)]);
      assertError(await call(sb, "POST", "/distributions", { body: email({ transactionId: await one(0), mailingListId: list() }) }), 400, /^recipients\.transactionId is not accepted for email/);
      assert.equal((await fetch(`${sb.url}/__sandbox/distributions/EMD_000000000000000/recipients`)).status, 404);
    });

    it("an SMS to a batch or a transaction needs the mailing list by default (UNCONFIRMED, §5.6)", async () => {
      const t = await one(2);
      const b = await batch([t, await one(3)]);
      assertError(await call(sb, "POST", "/distributions/sms", { body: sms({ transactionBatchId: b }) }), 400, /^recipients\.mailingListId is required for method Invite/);
      const toBatch = String(result(await call(sb, "POST", "/distributions/sms", { body: sms({ mailingListId: list(), transactionBatchId: b }) })).id);
      const reached = await recipientsOf(sb, toBatch);
      assert.equal(reached.channel, "sms");
      assert.deepEqual(reached.recipients.map((r) => r.contactId), [contact(2), contact(3)]);
      assert.match(String(reached.recipients[0].phone), /^\+1555/);
      const toOne = String(result(await call(sb, "POST", "/distributions/sms", { body: sms({ mailingListId: list(), transactionId: t }) })).id);
      assert.deepEqual((await recipientsOf(sb, toOne)).recipients.map((r) => [r.contactId, r.transactionId]), [[contact(2), t]]);
    });

    it("an SMS to a batch or a transaction without a list is accepted when switched so", async () => {
      sb.transactionRules.set({ smsBatchNeedsList: false });
      const t = await one(4);
      const toBatch = String(result(await call(sb, "POST", "/distributions/sms", { body: sms({ transactionBatchId: await batch([t]) }) })).id);
      assert.deepEqual((await recipientsOf(sb, toBatch)).recipients.map((r) => r.transactionId), [t]);
      assert.equal((await call(sb, "POST", "/distributions/sms", { body: sms({ transactionId: t }) })).status, 200);
      assertError(await call(sb, "POST", "/distributions/sms", { body: sms({}) }), 400, /^recipients\.mailingListId is required/);
    });

    it("refuses unknown batches and transactions, and two targets at once", async () => {
      assertError(await call(sb, "POST", "/distributions/sms", { body: sms({ mailingListId: list(), transactionBatchId: "BT_000000000000000" }) }), 400, /^recipients\.transactionBatchId: transaction batch BT_000000000000000 does not exist/);
      assertError(await call(sb, "POST", "/distributions/sms", { body: sms({ mailingListId: list(), transactionId: "CTR_000000000000000" }) }), 400, /^recipients\.transactionId: transaction CTR_000000000000000 does not exist/);
      const t = await one(0);
      assertError(await call(sb, "POST", "/distributions/sms", { body: sms({ mailingListId: list(), transactionId: t, transactionBatchId: await batch([t]) }) }), 400, /give only one of/);
    });
  });
});

describe("sandbox: transactions kept in the state file", function () {
  let dir: string;
  let sb: Sandbox | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nrq-sandbox-tx-"));
  });
  afterEach(async () => {
    await sb?.close();
    sb = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("keeps transactions, batches and whom a distribution reached across a restart", async function () {
    const file = path.join(dir, "state.json");
    sb = await startSandbox({ stateFile: file });
    const d = sb.seedIds.directoryId;
    const created = result(await call(sb, "POST", `/directories/${d}/transactions`, { body: { t0: { contactId: sb.seedIds.contactIds[0], transactionDate: "2026-01-31 13:45:00", data: { k: "v" } } } }));
    const t = String(obj(obj(created.createdTransactions).t0).id);
    const b = String(result(await call(sb, "POST", `/directories/${d}/transactionbatches`, { body: { transactionIds: [t] } })).id);
    const sms = String(result(await call(sb, "POST", "/distributions/sms", { body: { surveyId: sb.seedIds.surveyIds[0], method: "Invite", name: "x", recipients: { mailingListId: sb.seedIds.mailingListIds[0], transactionBatchId: b }, message: { messageText: "hi" } } })).id);
    await sb.close();

    sb = await startSandbox({ stateFile: file });
    assert.deepEqual(result(await call(sb, "GET", `/directories/${d}/transactions/${t}`)).data, { k: "v" });
    assert.equal(result(await call(sb, "GET", `/directories/${d}/transactionbatches/${b}`)).transactionCount, 1);
    assert.deepEqual((await recipientsOf(sb, sms)).recipients.map((r) => r.transactionId), [t]);
  });

  it("reads a file written before transactions existed as an account without any", async function () {
    const file = path.join(dir, "old.json");
    sb = await startSandbox({ stateFile: file });
    await sb.close();
    const saved = JSON.parse(fs.readFileSync(file, "utf8")) as { state: { directories: { $map: Array<[string, Record<string, unknown>]> } } };
    for (const [, directory] of saved.state.directories.$map) {
      delete directory.transactions;
      delete directory.transactionBatches;
    }
    fs.writeFileSync(file, JSON.stringify(saved));
    sb = await startSandbox({ stateFile: file });
    const d = sb.seedIds.directoryId;
    assert.deepEqual(elements(await call(sb, "GET", `/directories/${d}/transactionbatches`)), []);
    const created = result(await call(sb, "POST", `/directories/${d}/transactions`, { body: { t0: { contactId: sb.seedIds.contactIds[0], transactionDate: "2026-01-31 13:45:00" } } }));
    assert.ok(obj(created.createdTransactions).t0);
  });
});
