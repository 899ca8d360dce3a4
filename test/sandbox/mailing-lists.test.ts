import assert from "node:assert/strict";
import { assertError, call, elements, listAll, meta, obj, result } from "./test-helpers";
import { useSandbox } from "../support/fixtures";

describe("sandbox: mailing lists (§4.5)", () => {
  const sb = useSandbox();
  let lists: string;
  beforeEach(() => {
    lists = `/directories/${sb.seedIds.directoryId}/mailinglists`;
  });

  it("lists the seeded lists with the §4.5 fields (epoch-ms dates, contactCount)", async () => {
    const r = await call(sb, "GET", lists);
    const els = elements(r);
    assert.equal(result(r).nextPage, null);
    assert.deepEqual(els.map((e) => e.mailingListId), sb.seedIds.mailingListIds);
    assert.deepEqual(Object.keys(els[0]).sort(), ["contactCount", "creationDate", "lastModifiedDate", "mailingListId", "name", "ownerId"]);
    assert.equal(els[0].name, "Newsletter Subscribers");
    assert.equal(els[0].contactCount, 15);
    assert.equal(typeof els[0].creationDate, "number");
    assert.equal(typeof els[0].lastModifiedDate, "number");
  });

  it("pages the list of lists with nextPage", async () => {
    const { items, pages } = await listAll(sb, `${lists}?pageSize=1`);
    assert.equal(items.length, 2);
    assert.equal(pages, 2);
  });

  it("creates (→ CG_ id), gets, renames and deletes a list", async () => {
    const id = String(result(await call(sb, "POST", lists, { body: { name: "VIPs" } })).id);
    assert.match(id, /^CG_[A-Za-z0-9]{15}$/);
    const got = result(await call(sb, "GET", `${lists}/${id}`));
    assert.equal(got.name, "VIPs");
    assert.equal(got.contactCount, 0);
    assert.equal(got.ownerId, sb.seedIds.libraryId);
    const put = await call(sb, "PUT", `${lists}/${id}`, { body: { name: "Very Important" } });
    assert.deepEqual(Object.keys(obj(put.json)), ["meta"]);
    assert.equal(result(await call(sb, "GET", `${lists}/${id}`)).name, "Very Important");
    const del = await call(sb, "DELETE", `${lists}/${id}`);
    assert.deepEqual(Object.keys(obj(del.json)), ["meta"]);
    assertError(await call(sb, "GET", `${lists}/${id}`), 404, /Mailing list not found/);
  });

  it("requires a name on create and a non-empty name on rename", async () => {
    assertError(await call(sb, "POST", lists, { body: {} }), 400, /^name is required/);
    assertError(await call(sb, "POST", lists, { body: { name: 3 } }), 400, /^name must be a string/);
    assertError(await call(sb, "PUT", `${lists}/${sb.seedIds.mailingListIds[0]}`, { body: { name: "" } }), 400, /^name must not be empty/);
    assertError(await call(sb, "POST", lists, { body: { name: "x", ownerId: 5 } }), 400, /^ownerId must be a string/);
    assertError(await call(sb, "POST", lists, { body: { name: "x", prioritizeListMetadata: "yes" } }), 400, /^prioritizeListMetadata must be a boolean/);
  });

  it("takes ownerId on create and on update", async () => {
    const id = String(result(await call(sb, "POST", lists, { body: { name: "Owned", ownerId: "UR_someoneelse12345" } })).id);
    assert.equal(result(await call(sb, "GET", `${lists}/${id}`)).ownerId, "UR_someoneelse12345");
    await call(sb, "PUT", `${lists}/${id}`, { body: { ownerId: "UR_another000000000" } });
    const got = result(await call(sb, "GET", `${lists}/${id}`));
    assert.equal(got.ownerId, "UR_another000000000");
    assert.equal(got.name, "Owned", "a PUT without name keeps the name");
  });

  it("answers 404 for unknown lists and directories", async () => {
    assertError(await call(sb, "GET", `${lists}/CG_unknown000000000`), 404);
    assertError(await call(sb, "PUT", `${lists}/CG_unknown000000000`, { body: { name: "x" } }), 404);
    assertError(await call(sb, "DELETE", `${lists}/CG_unknown000000000`), 404);
    assertError(await call(sb, "GET", "/directories/POOL_unknown0000000/mailinglists"), 404);
  });

  describe("members", () => {
    let members: string;
    beforeEach(() => {
      members = `${lists}/${sb.seedIds.mailingListIds[0]}/contacts`;
    });

    it("lists members with contact fields plus mailingListUnsubscribed, contactLookupId, embeddedData", async () => {
      const { items } = await listAll(sb, `${members}?pageSize=4`);
      assert.equal(items.length, 15);
      for (const k of ["contactId", "firstName", "lastName", "email", "phone", "extRef", "language", "unsubscribed", "mailingListUnsubscribed", "contactLookupId", "embeddedData"]) {
        assert.ok(k in items[0], k);
      }
      assert.match(String(items[0].contactLookupId), /^CGC_[A-Za-z0-9]{15}$/);
    });

    it("POST adds a new contact and returns {id: CID_, contactLookupId: CGC_}", async () => {
      const res = result(await call(sb, "POST", members, { body: { firstName: "New", email: "new.member@example.org", embeddedData: { a: "1" } } }));
      assert.deepEqual(Object.keys(res).sort(), ["contactLookupId", "id"]);
      assert.match(String(res.id), /^CID_[A-Za-z0-9]{15}$/);
      assert.match(String(res.contactLookupId), /^CGC_[A-Za-z0-9]{15}$/);
      // it is a directory contact too
      const c = result(await call(sb, "GET", `/directories/${sb.seedIds.directoryId}/contacts/${String(res.id)}`));
      assert.equal(c.email, "new.member@example.org");
      assert.equal(result(await call(sb, "GET", `${lists}/${sb.seedIds.mailingListIds[0]}`)).contactCount, 16);
    });

    it("POST of an existing contact (same email) reuses its CID_ and membership", async () => {
      const existing = sb.seedIds.contactIds[20]; // only in the second list
      const email = String(result(await call(sb, "GET", `/directories/${sb.seedIds.directoryId}/contacts/${existing}`)).email);
      const a = result(await call(sb, "POST", members, { body: { email } }));
      assert.equal(a.id, existing);
      const b = result(await call(sb, "POST", members, { body: { email } }));
      assert.equal(b.contactLookupId, a.contactLookupId);
    });

    it("POST validates the contact body", async () => {
      assertError(await call(sb, "POST", members, { body: { email: "bad" } }), 400, /^email/);
      assertError(await call(sb, "POST", members, { body: { embeddedData: { ["x".repeat(201)]: "v" } } }), 400, /200/);
    });

    it("POST unsubscribed:true unsubscribes from the list only", async () => {
      const res = result(await call(sb, "POST", members, { body: { email: "quiet@example.org", unsubscribed: true } }));
      const m = result(await call(sb, "GET", `${members}/${String(res.id)}`));
      assert.equal(m.mailingListUnsubscribed, true);
      assert.equal(m.unsubscribed, false);
    });

    it("GET one member, PUT (partial, list unsubscribe) and DELETE (list only)", async () => {
      const id = sb.seedIds.contactIds[1];
      const m = result(await call(sb, "GET", `${members}/${id}`));
      assert.equal(m.contactId, id);
      assert.equal(m.mailingListUnsubscribed, false);
      const put = await call(sb, "PUT", `${members}/${id}`, { body: { lastName: "Renamed", unsubscribed: true, embeddedData: { k: "v" } } });
      assert.deepEqual(Object.keys(obj(put.json)), ["meta"]);
      const after = result(await call(sb, "GET", `${members}/${id}`));
      assert.equal(after.lastName, "Renamed");
      assert.equal(after.mailingListUnsubscribed, true);
      assert.equal(obj(after.embeddedData).k, "v");
      assert.equal(typeof obj(after.embeddedData).region, "string");
      const del = await call(sb, "DELETE", `${members}/${id}`);
      assert.equal(meta(del).httpStatus, "200 - OK");
      assertError(await call(sb, "GET", `${members}/${id}`), 404, /not in mailing list/);
      assert.equal((await call(sb, "GET", `/directories/${sb.seedIds.directoryId}/contacts/${id}`)).status, 200, "still in the directory");
    });

    it("answers 404 for a contact that is not a member", async () => {
      const outsider = sb.seedIds.contactIds[24];
      assertError(await call(sb, "GET", `${members}/${outsider}`), 404);
      assertError(await call(sb, "PUT", `${members}/${outsider}`, { body: {} }), 404);
      assertError(await call(sb, "DELETE", `${members}/${outsider}`), 404);
    });

    it("answers 404 for members of an unknown list", async () => {
      assertError(await call(sb, "GET", `${lists}/CG_unknown000000000/contacts`), 404);
      assertError(await call(sb, "POST", `${lists}/CG_unknown000000000/contacts`, { body: {} }), 404);
    });
  });
});
