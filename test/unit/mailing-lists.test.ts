import assert from "node:assert/strict";
import { QualtricsApiError, QualtricsInputError } from "../../src/errors";
import {
  addMember,
  createMailingList,
  deleteMailingList,
  getImportStatus,
  getMailingList,
  getMember,
  importContacts,
  importFinished,
  importIdOf,
  importSummary,
  listBounced,
  listMailingLists,
  listMembers,
  listOptedOut,
  removeMember,
  renameMailingList,
  startImport,
  updateMember,
  waitForImport,
} from "../../src/mailing-lists";
import { PollTimeoutError } from "../../src/poll";
import { fail, metaOnly, ok } from "../support/fake-servers";
import { failure, useClients } from "./helpers";
import { useRecordingServer } from "../support/fixtures";
import { DIR, CID } from "../support/ids";

const ML = "CG_012345678901234";
const LISTS = `/API/v3/directories/${DIR}/mailinglists`;

async function all<T>(gen: AsyncIterable<{ elements: T[] }>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of gen) out.push(...p.elements);
  return out;
}

describe("mailing lists (docs/qualtrics-facts.md §4.5, §4.6)", function () {
  const api = useRecordingServer();
  const clients = useClients();

  describe("the lists", function () {
    it("lists with includeCount=true and pageSize, following nextPage", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ elements: [{ mailingListId: ML, contactCount: 3 }], nextPage: `${api.apiBase}/directories/${DIR}/mailinglists?skipToken=T2` }), ok({ elements: [{ mailingListId: "CG_2" }], nextPage: null }));
      const items = await all(listMailingLists(client, DIR, { pageSize: 50 }));
      assert.equal(items.length, 2);
      assert.equal(api.requests[0].path, LISTS);
      assert.deepEqual(api.requests[0].query, { pageSize: "50", includeCount: "true" });
      assert.equal(api.requests[1].query.skipToken, "T2");
    });

    it("gets (with includeCount), creates, renames and deletes", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ mailingListId: ML }), ok({ id: ML }), metaOnly(), metaOnly());
      await getMailingList(client, DIR, ML);
      await createMailingList(client, DIR, { name: " VIPs ", ownerId: "UR_abc", prioritizeListMetadata: false });
      await renameMailingList(client, DIR, ML, { name: "Very Important" });
      await deleteMailingList(client, DIR, ML);
      const [get, create, rename, del] = api.requests;
      assert.deepEqual([get.method, get.path, get.query], ["GET", `${LISTS}/${ML}`, { includeCount: "true" }]);
      assert.deepEqual([create.method, create.path, create.body], ["POST", LISTS, { name: "VIPs", ownerId: "UR_abc", prioritizeListMetadata: false }]);
      assert.deepEqual([rename.method, rename.path, rename.body], ["PUT", `${LISTS}/${ML}`, { name: "Very Important" }]);
      assert.deepEqual([del.method, del.path], ["DELETE", `${LISTS}/${ML}`]);
    });

    it("refuses a missing name, wrong IDs and a bad page size before any request", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({}));
      assert.throws(() => createMailingList(client, DIR, {}), /^QualtricsInputError|name: is required/);
      assert.throws(() => createMailingList(client, DIR, { name: "   " }), /name: is required/);
      assert.throws(() => createMailingList(client, DIR, { name: "x", ownerId: "CG_1" }), /ownerId: /);
      assert.throws(() => renameMailingList(client, DIR, "POOL_1", { name: "x" }), /mailingListId: /);
      assert.throws(() => getMailingList(client, "CG_1", ML), /directoryId: /);
      assert.throws(() => listMailingLists(client, DIR, { pageSize: 1001 }), (e: unknown) => e instanceof QualtricsInputError && e.field === "pageSize");
      assert.equal(api.requests.length, 0);
    });
  });

  describe("members", function () {
    it("lists, gets, adds (→ id + contactLookupId), updates and removes", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ elements: [{ contactId: CID }], nextPage: null }), ok({ contactId: CID }), ok({ id: CID, contactLookupId: "CGC_1" }), metaOnly(), metaOnly());
      assert.deepEqual(await all(listMembers(client, DIR, ML)), [{ contactId: CID }]);
      await getMember(client, DIR, ML, CID);
      const added = await addMember(client, DIR, ML, { email: "jane@example.com", embeddedData: { tier: "gold" } });
      assert.deepEqual(added.result, { id: CID, contactLookupId: "CGC_1" });
      await updateMember(client, DIR, ML, CID, { unsubscribed: true });
      await removeMember(client, DIR, ML, CID);
      assert.deepEqual(api.requests.map((r) => `${r.method} ${r.path}`), [
        `GET ${LISTS}/${ML}/contacts`,
        `GET ${LISTS}/${ML}/contacts/${CID}`,
        `POST ${LISTS}/${ML}/contacts`,
        `PUT ${LISTS}/${ML}/contacts/${CID}`,
        `DELETE ${LISTS}/${ML}/contacts/${CID}`,
      ]);
      assert.deepEqual(api.requests[0].query, { pageSize: "100" });
      assert.deepEqual(api.requests[2].body, { email: "jane@example.com", embeddedData: { tier: "gold" } });
      assert.deepEqual(api.requests[3].body, { unsubscribed: true });
    });

    it("refuses empty member bodies and wrong contact IDs", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({}));
      assert.throws(() => addMember(client, DIR, ML, {}), /payload: no contact fields/);
      assert.throws(() => updateMember(client, DIR, ML, CID, {}), /payload: no contact fields/);
      assert.throws(() => removeMember(client, DIR, ML, "CGC_1"), /contactId: /);
      assert.equal(api.requests.length, 0);
    });

    it("reads opted-out contacts of a list or of the directory, and bounced contacts", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ elements: [], nextPage: null }));
      await all(listOptedOut(client, DIR, ML));
      await all(listOptedOut(client, DIR, undefined));
      await all(listBounced(client, DIR, ML, { pageSize: 10 }));
      assert.deepEqual(api.requests.map((r) => r.path), [
        `${LISTS}/${ML}/optedOutContacts`,
        `/API/v3/directories/${DIR}/contacts/optedOutContacts`,
        `${LISTS}/${ML}/bouncedContacts`,
      ]);
      assert.equal(api.requests[2].query.pageSize, "10");
    });
  });

  describe("imports", function () {
    const statusOf = (status: string, percent: number, extra: Record<string, unknown> = {}) =>
      ok({ id: "PGR_1", status, percentComplete: percent, contacts: { count: { added: 2, updated: 1, failed: 1 } }, invalidEmails: ["x@"], transactions: { count: { created: 2 } }, ...extra });

    it("starts with {transactionMeta, contacts}, each contact checked and with its transactionData as strings", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ id: "PGR_1", status: "inProgress" }));
      const res = await startImport(client, DIR, ML, [{ email: "a@example.com", transactionData: { orderId: 5 }, creationDate: "dropped" }], { batchId: "BT_1", fields: ["orderId"] });
      assert.equal(importIdOf(res.result), "PGR_1");
      assert.equal(api.requests[0].path, `${LISTS}/${ML}/transactioncontacts`);
      assert.deepEqual(api.requests[0].body, {
        transactionMeta: { batchId: "BT_1", fields: ["orderId"] },
        contacts: [{ email: "a@example.com", transactionData: { orderId: "5" } }],
      });
    });

    it("names the contact at fault before any request", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({}));
      assert.throws(() => startImport(client, DIR, ML, [{ email: "a@example.com" }, { email: "nope" }]), (e: unknown) => e instanceof QualtricsInputError && e.field === "contacts[1].email");
      assert.throws(() => importContacts([{ email: "a@example.com", transactionData: [1] }]), /contacts\[0\]\.transactionData: must be an object/);
      assert.throws(() => importContacts([{}]), /contacts\[0\]: has no contact fields/);
      assert.throws(() => importContacts([]), /contacts: is empty/);
      assert.throws(() => importContacts("x"), /contacts: must be an array/);
      assert.throws(() => startImport(client, DIR, ML, [{ email: "a@example.com" }], { fields: "x" }), /transactionMeta\.fields/);
      assert.throws(() => getImportStatus(client, DIR, ML, "../x"), /importId: /);
      assert.equal(api.requests.length, 0);
    });

    it("polls only the status endpoint until complete, reporting progress, and sums it up", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ id: "PGR_1", status: "inProgress", percentComplete: 10 }), ok({ status: "inProgress", percentComplete: 60 }), statusOf("complete", 100));
      const progress: number[] = [];
      const { summary } = await waitForImport(client, DIR, ML, "PGR_1", { initialDelayMs: 1, maxDelayMs: 2, onProgress: (s) => progress.push(s.percentComplete) });
      assert.deepEqual(summary, { importId: "PGR_1", status: "complete", percentComplete: 100, added: 2, updated: 1, failed: 1, invalidEmails: ["x@"], transactionsCreated: 2 });
      assert.deepEqual(progress, [10, 60]);
      assert.equal(api.requests.length, 3);
      for (const r of api.requests) {
        assert.equal(r.method, "GET");
        assert.equal(r.path, `${LISTS}/${ML}/transactioncontacts/PGR_1`);
      }
    });

    it("a failed import is an error with the counts; a 404 ends the polling", async function () {
      const client = clients.make(api.apiBase);
      api.reply(statusOf("failed", 100));
      const err = await failure<QualtricsApiError>(waitForImport(client, DIR, ML, "PGR_1", { initialDelayMs: 1 }));
      assert.ok(err instanceof QualtricsApiError);
      assert.match(err.message, /import PGR_1 ended with status "failed" \(added 2, updated 1, failed 1\)/);
      api.reply(fail(404, "Import not found"));
      const gone = await failure<QualtricsApiError>(waitForImport(client, DIR, ML, "PGR_1", { initialDelayMs: 1 }));
      assert.equal(gone.statusCode, 404);
      assert.equal(api.requests.length, 1);
    });

    it("gives up after the time limit", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ status: "inProgress", percentComplete: 5 }));
      const err = await failure<PollTimeoutError>(waitForImport(client, DIR, ML, "PGR_1", { initialDelayMs: 5, maxDelayMs: 5, timeoutMs: 30 }));
      assert.ok(err instanceof PollTimeoutError);
      assert.match(err.message, /import PGR_1 was still not finished/);
    });

    it("recognises finished and failed in several spellings, and a status-less 100 %", function () {
      for (const s of ["complete", "Completed", "DONE", "finished", "failed", "error", "cancelled"]) assert.equal(importFinished(importSummary("i", { status: s })), true, s);
      for (const s of ["inProgress", "queued", "processing"]) assert.equal(importFinished(importSummary("i", { status: s, percentComplete: 100 })), false, s);
      assert.equal(importFinished(importSummary("i", { percentComplete: 100 })), true);
      assert.equal(importFinished(importSummary("i", { percentComplete: "40" })), false);
      assert.deepEqual(importSummary("i", null), { importId: "i", status: "", percentComplete: 0, added: 0, updated: 0, failed: 0, invalidEmails: [] });
    });
  });
});
