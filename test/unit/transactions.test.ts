import assert from "node:assert/strict";
import { QualtricsApiError, QualtricsInputError } from "../../src/errors";
import {
  addToTransactionBatch,
  createTransactionBatch,
  createTransactions,
  createdTransactionsOf,
  getTransactionBatch,
  listContactTransactions,
  transactionDateOf,
} from "../../src/transactions";
import { fail, metaOnly, ok } from "../support/fake-servers";
import { useRecordingServer } from "../support/fixtures";
import { CID, DIR, ML } from "../support/ids";
import { failure, useClients } from "./helpers";

const CID2 = "CID_0aBcDeFgHiJkLmN";
const CTR1 = "CTR_0A1b2C3d4E5f6G7";
const CTR2 = "CTR_9Z8y7X6w5V4u3T2";
const BASE = `/API/v3/directories/${DIR}`;

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("transactions (docs/qualtrics-facts.md §4.7)", function () {
  const api = useRecordingServer();
  const clients = useClients();

  describe("createTransactions", function () {
    it("sends one body keyed t0, t1… with dates as YYYY-MM-DD HH:MM:SS UTC, and maps the IDs back in order", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ createdTransactions: { t1: { id: CTR2 }, t0: { id: CTR1 } }, unprocessedTransactions: {} }));
      const res = await createTransactions(client, DIR, [
        { contactId: CID, mailingListId: ML, transactionDate: "2026-03-04T05:06:07+02:00", data: { orderId: "A1", store: "Oslo" } },
        { contactId: ` ${CID2} `, transactionDate: "2026-03-04 05:06:07", data: {} },
      ]);
      assert.deepEqual(res.result, { ids: [CTR1, CTR2], unprocessed: [] });
      assert.equal(api.requests.length, 1);
      const [req] = api.requests;
      assert.deepEqual([req.method, req.path], ["POST", `${BASE}/transactions`]);
      assert.equal(req.headers["idempotency-key"], undefined);
      assert.deepEqual(req.body, {
        t0: { contactId: CID, mailingListId: ML, transactionDate: "2026-03-04 03:06:07", data: { orderId: "A1", store: "Oslo" } },
        t1: { contactId: CID2, transactionDate: "2026-03-04 05:06:07", data: {} },
      });
    });

    it("dates a transaction without one now, and turns numbers and booleans in data into text", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ createdTransactions: { t0: { id: CTR1 } } }));
      const before = Date.now();
      await createTransactions(client, DIR, [{ contactId: CID, data: { n: 3 as unknown as string, b: true as unknown as string } }]);
      const sent = (api.requests[0].body as Record<string, { transactionDate: string; data: unknown }>).t0;
      assert.match(sent.transactionDate, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      const at = Date.parse(sent.transactionDate.replace(" ", "T") + "Z");
      assert.ok(at >= Math.floor(before / 1000) * 1000 && at <= Date.now(), sent.transactionDate);
      assert.deepEqual(sent.data, { n: "3", b: "true" });
    });

    it("reports unprocessed inputs by index with Qualtrics' reason, keyed or listed", async function () {
      const client = clients.make(api.apiBase);
      api.reply(
        ok({ createdTransactions: { t1: { id: CTR2 } }, unprocessedTransactions: { t0: { error: "QVAL_404", errorMessage: "Contact not found" }, t2: "Bad date" } }),
        ok({ createdTransactions: {}, unprocessedTransactions: [{ key: "t0", error: "Invalid mailing list" }] }),
      );
      const items = [CID, CID2, CID].map((contactId) => ({ contactId, data: {} }));
      const first = await createTransactions(client, DIR, items);
      assert.deepEqual(first.result, {
        ids: [undefined, CTR2, undefined],
        unprocessed: [
          { index: 0, error: "Contact not found" },
          { index: 2, error: "Bad date" },
        ],
      });
      const second = await createTransactions(client, DIR, items.slice(0, 2));
      assert.deepEqual(second.result.ids, [undefined, undefined]);
      assert.deepEqual(second.result.unprocessed[0], { index: 0, error: "Invalid mailing list" });
      assert.match(second.result.unprocessed[1].error, /names neither a created transaction nor a reason/);
    });

    it("refuses bad input before any request, naming the input's position", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({}));
      const field = async (items: unknown, dir = DIR) => {
        const err = await failure(createTransactions(client, dir, items as never));
        assert.ok(err instanceof QualtricsInputError, String(err));
        return (err as QualtricsInputError).field;
      };
      assert.equal(await field([]), "items");
      assert.equal(await field("x"), "items");
      assert.equal(await field([{ contactId: CID, data: {} }], "SV_1"), "directoryId");
      assert.equal(await field([{ contactId: CID, data: {} }, { contactId: ML, data: {} }]), "items[1].contactId");
      assert.equal(await field([{ contactId: CID, mailingListId: CID, data: {} }]), "items[0].mailingListId");
      assert.equal(await field([{ contactId: CID, data: {}, transactionDate: "31.01.2026" }]), "items[0].transactionDate");
      assert.equal(await field([{ contactId: CID, data: {}, transactionDate: "2026-02-30 10:00:00" }]), "items[0].transactionDate");
      assert.equal(await field([{ contactId: CID }]), "items[0].data");
      assert.equal(await field([{ contactId: CID, data: { nested: { a: 1 } } }]), "items[0].data.nested");
      assert.equal(await field([{ contactId: CID, data: "text" }]), "items[0].data");
      assert.equal(api.requests.length, 0);
    });

    it("does not repeat the create after a 503 or a dropped connection, and says it may have happened", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(503, "busy"));
      const err = await failure<QualtricsApiError>(createTransactions(client, DIR, [{ contactId: CID, data: {} }]));
      assert.ok(err instanceof QualtricsApiError);
      assert.equal(err.mayHaveSucceeded, true);
      assert.equal(api.requests.length, 1);
      api.reply({ drop: true });
      const dropped = await failure<QualtricsApiError>(createTransactions(client, DIR, [{ contactId: CID, data: {} }]));
      assert.equal(dropped.mayHaveSucceeded, true, dropped.message);
      assert.equal(api.requests.length, 1);
    });

    it("retries a 429, which Qualtrics did not carry out", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(429, "slow down"), ok({ createdTransactions: { t0: { id: CTR1 } } }));
      const res = await createTransactions(client, DIR, [{ contactId: CID, data: {} }]);
      assert.deepEqual(res.result.ids, [CTR1]);
      assert.equal(api.requests.length, 2);
      assert.deepEqual(api.requests[0].body, api.requests[1].body);
    });
  });

  describe("transaction dates", function () {
    it("accepts ISO 8601 and YYYY-MM-DD HH:MM:SS, and sends the second form in UTC", function () {
      assert.equal(transactionDateOf("d", "2026-01-31T13:45:00Z"), "2026-01-31 13:45:00");
      assert.equal(transactionDateOf("d", "2026-01-31T13:45:00.789-01:00"), "2026-01-31 14:45:00");
      assert.equal(transactionDateOf("d", "2026-01-31 13:45:00"), "2026-01-31 13:45:00");
      assert.equal(transactionDateOf("d", Date.UTC(2026, 0, 31, 13, 45)), "2026-01-31 13:45:00");
    });
  });

  describe("createdTransactionsOf", function () {
    it("reads a created entry given as a bare ID, and an answer with no result at all", function () {
      assert.deepEqual(createdTransactionsOf(1, { createdTransactions: { t0: CTR1 } }), { ids: [CTR1], unprocessed: [] });
      assert.equal(createdTransactionsOf(2, undefined).unprocessed.length, 2);
    });
  });

  describe("batches", function () {
    it("creates a batch with the transactions and an ISO creation date, and answers its ID whatever the prefix", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ id: "BT_0A1b2C3d4E5f6G7" }), ok({ batchId: "TB_xyz123" }));
      const res = await createTransactionBatch(client, DIR, [CTR1, CTR2, CTR1]);
      assert.deepEqual(res.result, { id: "BT_0A1b2C3d4E5f6G7" });
      const body = api.requests[0].body as { transactionIds: string[]; creationDate: string };
      assert.deepEqual([api.requests[0].method, api.requests[0].path], ["POST", `${BASE}/transactionbatches`]);
      assert.deepEqual(body.transactionIds, [CTR1, CTR2], "a transaction once");
      assert.match(body.creationDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      const empty = await createTransactionBatch(client, DIR, []);
      assert.deepEqual(empty.result, { id: "TB_xyz123" });
      assert.deepEqual((api.requests[1].body as { transactionIds: string[] }).transactionIds, []);
    });

    it("an answer without a batch ID is an error that says the batch may exist", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({}));
      const err = await failure<QualtricsApiError>(createTransactionBatch(client, DIR, [CTR1]));
      assert.ok(err instanceof QualtricsApiError);
      assert.equal(err.mayHaveSucceeded, true);
      assert.match(err.message, /without a batch ID/);
    });

    it("adds transactions to a batch, and gets one", async function () {
      const client = clients.make(api.apiBase);
      api.reply(metaOnly(), ok({ id: "BT_1", transactionCount: 2 }));
      await addToTransactionBatch(client, DIR, "BT_1", [CTR1, CTR2]);
      await getTransactionBatch(client, DIR, "BT_1");
      const [add, get] = api.requests;
      assert.deepEqual([add.method, add.path, add.body], ["POST", `${BASE}/transactionbatches/BT_1/transactions`, { transactionIds: [CTR1, CTR2] }]);
      assert.deepEqual([get.method, get.path], ["GET", `${BASE}/transactionbatches/BT_1`]);
    });

    it("refuses wrong IDs and an empty addition before any request", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({}));
      const field = async (p: Promise<unknown> | (() => unknown)) => ((await failure(p)) as QualtricsInputError).field;
      assert.equal(await field(createTransactionBatch(client, DIR, [CID])), "transactionIds[0]");
      assert.equal(await field(createTransactionBatch(client, DIR, "CTR_1" as never)), "transactionIds");
      assert.equal(await field(() => addToTransactionBatch(client, DIR, "BT_1", [])), "transactionIds");
      assert.equal(await field(() => addToTransactionBatch(client, DIR, CTR1, [CTR1])), "transactionBatchId");
      assert.equal(api.requests.length, 0);
    });
  });

  describe("listContactTransactions", function () {
    it("pages a contact's transactions with pageSize, item by item", async function () {
      const client = clients.make(api.apiBase);
      const path = `${BASE}/contacts/${CID}/transactions`;
      api.reply(ok({ elements: [{ id: CTR1 }], nextPage: `${api.apiBase}/directories/${DIR}/contacts/${CID}/transactions?pageSize=1&skipToken=2` }), ok({ elements: [{ id: CTR2 }], nextPage: null }));
      const got = await all(listContactTransactions(client, DIR, CID, { pageSize: 1 }));
      assert.deepEqual(got, [{ id: CTR1 }, { id: CTR2 }]);
      assert.deepEqual([api.requests[0].method, api.requests[0].path, api.requests[0].query], ["GET", path, { pageSize: "1" }]);
      assert.equal(api.requests[1].query.skipToken, "2");
    });

    it("refuses a wrong contact ID and page size before any request", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({}));
      assert.equal(((await failure(all(listContactTransactions(client, DIR, ML)))) as QualtricsInputError).field, "contactId");
      assert.equal(((await failure(all(listContactTransactions(client, DIR, CID, { pageSize: 0 })))) as QualtricsInputError).field, "pageSize");
      assert.equal(api.requests.length, 0);
    });
  });
});
