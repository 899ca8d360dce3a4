import assert from "node:assert/strict";
import { assertError, call, elements, listAll, obj, result } from "./test-helpers";
import { useSandbox } from "../support/fixtures";

describe("sandbox: mailing-list imports, opted-out and bounced contacts (§4.6, §4.1)", () => {
  const sb = useSandbox();
  let base: string;
  let list: string;
  beforeEach(() => {
    list = sb.seedIds.mailingListIds[0];
    base = `/directories/${sb.seedIds.directoryId}/mailinglists/${list}`;
  });

  describe("transaction-contact imports", () => {
    it("starts an import, answers inProgress on the first status request and the counts when complete", async () => {
      const members = sb.state.directories.get(sb.seedIds.directoryId)!.mailingLists.get(list)!.members.size;
      const existing = sb.state.directories.get(sb.seedIds.directoryId)!.contacts.get(sb.seedIds.contactIds[20])!;
      const start = result(await call(sb, "POST", `${base}/transactioncontacts`, {
        body: {
          transactionMeta: { fields: ["orderId"] },
          contacts: [
            { firstName: "New", email: "new.person@example.com", transactionData: { orderId: "A1" } },
            { email: existing.email, embeddedData: { tier: "gold" } },
            { email: "not-an-address" },
            "junk",
          ],
        },
      }));
      const id = String(start.id);
      assert.match(id, /^PGR_/);
      assert.equal(start.status, "inProgress");
      const first = result(await call(sb, "GET", `${base}/transactioncontacts/${id}`));
      assert.equal(first.status, "inProgress");
      assert.equal(first.percentComplete, 50);
      const second = result(await call(sb, "GET", `${base}/transactioncontacts/${id}`));
      assert.equal(second.status, "complete");
      assert.equal(second.percentComplete, 100);
      assert.deepEqual(second.contacts, { count: { added: 1, updated: 1, failed: 2 } });
      assert.deepEqual(second.invalidEmails, ["not-an-address"]);
      assert.deepEqual(second.transactions, { count: { created: 1 } });
      const listRec = sb.state.directories.get(sb.seedIds.directoryId)!.mailingLists.get(list)!;
      // the existing contact (index 20) was not a member of the first list (0..14)
      assert.equal(listRec.members.size, members + 2);
      assert.equal(existing.embeddedData.tier, "gold");
    });

    it("has no summary endpoint (deprecated, §4.6), 404 for an unknown import or list, 400 for bad bodies", async () => {
      const id = String(result(await call(sb, "POST", `${base}/transactioncontacts`, { body: { contacts: [{ email: "a@example.com" }] } })).id);
      assertError(await call(sb, "GET", `${base}/transactioncontacts/${id}/summary`), 404);
      assertError(await call(sb, "GET", `${base}/transactioncontacts/PGR_000000000000000`), 404, /Import not found/);
      const other = sb.seedIds.mailingListIds[1];
      assertError(await call(sb, "GET", `/directories/${sb.seedIds.directoryId}/mailinglists/${other}/transactioncontacts/${id}`), 404, /Import not found/);
      assertError(await call(sb, "POST", `${base}/transactioncontacts`, { body: { contacts: [] } }), 400, /contacts must not be empty/);
      assertError(await call(sb, "POST", `${base}/transactioncontacts`, { body: {} }), 400, /contacts must be an array/);
      assertError(await call(sb, "POST", `${base}/transactioncontacts`, { body: { contacts: [{}], transactionMeta: [] } }), 400, /transactionMeta/);
      assertError(await call(sb, "POST", `/directories/${sb.seedIds.directoryId}/mailinglists/CG_000000000000000/transactioncontacts`, { body: { contacts: [{}] } }), 404, /Mailing list not found/);
    });
  });

  describe("opted-out and bounced", () => {
    it("lists the list's members who opted out of the list or the directory", async () => {
      const dir = sb.state.directories.get(sb.seedIds.directoryId)!;
      const listRec = dir.mailingLists.get(list)!;
      const memberIds = [...listRec.members.keys()];
      listRec.members.get(memberIds[0])!.unsubscribed = true;
      const els = elements(await call(sb, "GET", `${base}/optedOutContacts`));
      const expected = memberIds.filter((c, i) => i === 0 || dir.contacts.get(c)!.unsubscribed);
      assert.deepEqual(els.map((e) => e.contactId).sort(), expected.sort());
      assert.ok(els.every((e) => typeof e.contactLookupId === "string"));
    });

    it("lists the directory's opted-out contacts at /contacts/optedOutContacts, paged, not as a contact ID", async () => {
      const dir = sb.state.directories.get(sb.seedIds.directoryId)!;
      const expected = [...dir.contacts.values()].filter((c) => c.unsubscribed).map((c) => c.contactId);
      assert.ok(expected.length >= 2);
      const { items, pages } = await listAll(sb, `/directories/${sb.seedIds.directoryId}/contacts/optedOutContacts?pageSize=1`);
      assert.deepEqual(items.map((e) => e.contactId), expected);
      assert.equal(pages, expected.length);
      assert.ok(items.every((e) => typeof e.unsubscribeDate === "string"));
    });

    it("lists bounced members: the third member of each seeded list, with a bounce date", async () => {
      const listRec = sb.state.directories.get(sb.seedIds.directoryId)!.mailingLists.get(list)!;
      const els = elements(await call(sb, "GET", `${base}/bouncedContacts`));
      assert.equal(els.length, 1);
      assert.equal(els[0].contactId, [...listRec.members.keys()][2]);
      assert.match(String(els[0].bounceDate), /^\d{4}-\d{2}-\d{2}T/);
      const created = String(obj(result(await call(sb, "POST", `/directories/${sb.seedIds.directoryId}/mailinglists`, { body: { name: "Fresh" } }))).id);
      sb.reset();
      // a list with fewer than three members has none
      const fresh = String(result(await call(sb, "POST", `/directories/${sb.seedIds.directoryId}/mailinglists`, { body: { name: "Fresh" } })).id);
      await call(sb, "GET", `${base}/bouncedContacts`);
      assert.deepEqual(elements(await call(sb, "GET", `/directories/${sb.seedIds.directoryId}/mailinglists/${fresh}/bouncedContacts`)), []);
      assertError(await call(sb, "GET", `/directories/${sb.seedIds.directoryId}/mailinglists/${created}/bouncedContacts`), 404);
    });
  });
});
