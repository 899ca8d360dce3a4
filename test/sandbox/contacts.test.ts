import assert from "node:assert/strict";
import { SEARCH_DEPTH_LIMIT } from "../../sandbox/routes/contacts";
import { newContact } from "../../sandbox/routes/contact-model";
import { startSandbox } from "../../sandbox/server";
import { ApiResponse, arr, assertError, call, elements, listAll, obj, rawRequest, result } from "./test-helpers";
import { useSandbox } from "../support/fixtures";

describe("sandbox: contacts (§4.3, §4.4)", () => {
  const sb = useSandbox();
  let base: string;
  beforeEach(() => {
    base = `/directories/${sb.seedIds.directoryId}/contacts`;
  });

  function addContacts(n: number, email: (i: number) => string = (i) => `bulk${i}@example.org`): void {
    const dir = sb.state.directories.get(sb.seedIds.directoryId);
    assert.ok(dir);
    for (let i = 0; i < n; i++) {
      const c = newContact(`CID_bulk${String(i).padStart(11, "0")}`, new Date().toISOString());
      c.email = email(i);
      c.lastName = "Bulk";
      dir.contacts.set(c.contactId, c);
    }
  }

  describe("create", () => {
    it("creates a contact and returns {id: CID_…}", async () => {
      const r = await call(sb, "POST", base, {
        body: { firstName: "Jane", lastName: "Doe", email: "JaneDoe@email.com", phone: "111-111-1111", extRef: "ext-1", embeddedData: { level: "mid" }, language: "", unsubscribed: false },
      });
      const res = result(r);
      assert.deepEqual(Object.keys(res), ["id"]);
      assert.match(String(res.id), /^CID_[A-Za-z0-9]{15}$/);
      const got = result(await call(sb, "GET", `${base}/${String(res.id)}`));
      assert.equal(got.firstName, "Jane");
      assert.equal(got.email, "JaneDoe@email.com");
      assert.equal(got.extRef, "ext-1");
      assert.deepEqual(got.embeddedData, { level: "mid" });
    });

    it("answers 404 for an unknown directory", async () => {
      assertError(await call(sb, "POST", "/directories/POOL_unknown0000000/contacts", { body: { firstName: "A" } }), 404, /Directory not found/);
    });

    it("refuses a body that is not an object", async () => {
      assertError(await call(sb, "POST", base, { body: [{ firstName: "A" }] }), 400, /body must be a JSON object/);
      assertError(await call(sb, "POST", base, { rawBody: "null" }), 400, /body is required/);
    });

    it("refuses an email that does not look like one", async () => {
      assertError(await call(sb, "POST", base, { body: { email: "not-an-email" } }), 400, /^email/);
    });

    it("refuses non-string name fields and a non-boolean unsubscribed", async () => {
      assertError(await call(sb, "POST", base, { body: { firstName: 12 } }), 400, /^firstName must be a string/);
      assertError(await call(sb, "POST", base, { body: { unsubscribed: "yes" } }), 400, /^unsubscribed must be a boolean/);
    });

    it("refuses embeddedData that is not an object", async () => {
      assertError(await call(sb, "POST", base, { body: { embeddedData: ["a"] } }), 400, /^embeddedData must be a JSON object/);
    });

    it("accepts embedded-data names of 200 chars and refuses 201", async () => {
      assert.equal((await call(sb, "POST", base, { body: { embeddedData: { ["k".repeat(200)]: "v" } } })).status, 200);
      assertError(await call(sb, "POST", base, { body: { embeddedData: { ["k".repeat(201)]: "v" } } }), 400, /embeddedData field name .* longer than 200/);
    });

    it("accepts embedded-data values of 1024 chars and refuses 1025", async () => {
      assert.equal((await call(sb, "POST", base, { body: { embeddedData: { k: "v".repeat(1024) } } })).status, 200);
      assertError(await call(sb, "POST", base, { body: { embeddedData: { k: "v".repeat(1025) } } }), 400, /embeddedData\.k is longer than 1024/);
    });

    it("refuses object embedded-data values and stores numbers as strings", async () => {
      assertError(await call(sb, "POST", base, { body: { embeddedData: { k: { nested: true } } } }), 400, /embeddedData\.k must be a string/);
      const id = String(result(await call(sb, "POST", base, { body: { embeddedData: { n: 5, b: true } } })).id);
      assert.deepEqual(result(await call(sb, "GET", `${base}/${id}`)).embeddedData, { n: "5", b: "true" });
    });

    it("deduplicates by email (directory criteria) and merges into the existing contact", async () => {
      const first = String(result(await call(sb, "POST", base, { body: { email: "dup@example.net", firstName: "One" } })).id);
      const second = String(result(await call(sb, "POST", base, { body: { email: "DUP@example.net", lastName: "Two" } })).id);
      assert.equal(second, first);
      const got = result(await call(sb, "GET", `${base}/${first}`));
      assert.equal(got.firstName, "One");
      assert.equal(got.lastName, "Two");
      const third = String(result(await call(sb, "POST", base, { body: { firstName: "No email" } })).id);
      assert.notEqual(third, first);
    });
  });

  describe("get, update, delete", () => {
    it("GET returns the §4.3 fields including mailingListMembership", async () => {
      const id = sb.seedIds.contactIds[12]; // in both seeded lists
      const got = result(await call(sb, "GET", `${base}/${id}`));
      for (const key of ["contactId", "creationDate", "lastModified", "firstName", "lastName", "email", "emailDomain", "phone", "extRef", "embeddedData", "language", "directoryUnsubscribed", "directoryUnsubscribeDate", "stats", "mailingListMembership", "segmentMembership"]) {
        assert.ok(key in got, `missing ${key}`);
      }
      assert.equal(got.contactId, id);
      assert.equal(got.emailDomain, "example.com");
      const membership = obj(got.mailingListMembership);
      assert.deepEqual(Object.keys(membership).sort(), [...sb.seedIds.mailingListIds].sort());
      const one = obj(membership[sb.seedIds.mailingListIds[0]]);
      assert.match(String(one.contactLookupId), /^CGC_[A-Za-z0-9]{15}$/);
      assert.equal(one.name, "Newsletter Subscribers");
      assert.equal(one.unsubscribed, false);
    });

    it("GET answers 404 for an unknown contact", async () => {
      assertError(await call(sb, "GET", `${base}/CID_unknown00000000`), 404, /Contact not found/);
    });

    it("PUT is a partial update: untouched fields stay", async () => {
      const id = sb.seedIds.contactIds[0];
      const before = result(await call(sb, "GET", `${base}/${id}`));
      await call(sb, "PUT", `${base}/${id}`, { body: { lastName: "Changed" } });
      const after = result(await call(sb, "GET", `${base}/${id}`));
      assert.equal(after.lastName, "Changed");
      assert.equal(after.firstName, before.firstName);
      assert.equal(after.email, before.email);
      assert.notEqual(after.lastModified, before.lastModified);
    });

    it("PUT merges embeddedData key by key; null removes a key", async () => {
      const id = sb.seedIds.contactIds[0];
      const before = obj(result(await call(sb, "GET", `${base}/${id}`)).embeddedData);
      assert.ok("region" in before && "customerTier" in before);
      await call(sb, "PUT", `${base}/${id}`, { body: { embeddedData: { region: "far-away", extra: "1", customerTier: null } } });
      const after = obj(result(await call(sb, "GET", `${base}/${id}`)).embeddedData);
      assert.equal(after.region, "far-away");
      assert.equal(after.extra, "1");
      assert.ok(!("customerTier" in after));
      assert.equal(after.accountManager, before.accountManager);
    });

    it("PUT validates like create", async () => {
      assertError(await call(sb, "PUT", `${base}/${sb.seedIds.contactIds[0]}`, { body: { email: "nope" } }), 400, /^email/);
      assertError(await call(sb, "PUT", `${base}/${sb.seedIds.contactIds[0]}`, { body: { embeddedData: { k: "v".repeat(1025) } } }), 400, /1024/);
    });

    it("PUT unsubscribed:true sets directoryUnsubscribed and a date", async () => {
      const id = sb.seedIds.contactIds[0];
      await call(sb, "PUT", `${base}/${id}`, { body: { unsubscribed: true } });
      const got = result(await call(sb, "GET", `${base}/${id}`));
      assert.equal(got.directoryUnsubscribed, true);
      assert.equal(typeof got.directoryUnsubscribeDate, "string");
    });

    it("PUT and DELETE answer 404 for an unknown contact", async () => {
      assertError(await call(sb, "PUT", `${base}/CID_unknown00000000`, { body: {} }), 404);
      assertError(await call(sb, "DELETE", `${base}/CID_unknown00000000`), 404);
    });

    it("DELETE removes the contact from the directory and its mailing lists", async () => {
      const id = sb.seedIds.contactIds[12];
      assert.equal((await call(sb, "DELETE", `${base}/${id}`)).status, 200);
      assertError(await call(sb, "GET", `${base}/${id}`), 404);
      for (const ml of sb.seedIds.mailingListIds) {
        assertError(await call(sb, "GET", `/directories/${sb.seedIds.directoryId}/mailinglists/${ml}/contacts/${id}`), 404);
      }
    });
  });

  describe("list and pagination (§3)", () => {
    it("list elements carry the §4.3 list fields", async () => {
      const els = elements(await call(sb, "GET", base));
      assert.equal(els.length, 25);
      assert.deepEqual(Object.keys(els[0]).sort(), ["contactId", "email", "extRef", "firstName", "language", "lastName", "phone", "unsubscribed"]);
    });

    it("follows nextPage to the end and counts every contact once", async () => {
      const { items, pages, urls } = await listAll(sb, `${base}?pageSize=7&useNewPaginationScheme=true`);
      assert.equal(items.length, 25);
      assert.equal(pages, 4);
      assert.equal(new Set(items.map((i) => i.contactId)).size, 25);
      for (const u of urls) {
        assert.ok(u.startsWith(`${sb.url}/API/v3/directories/${sb.seedIds.directoryId}/contacts?`), u);
        const q = new URL(u).searchParams;
        assert.equal(q.get("pageSize"), "7");
        assert.equal(q.get("useNewPaginationScheme"), "true");
        assert.ok(q.get("skipToken"));
      }
    });

    it("nextPage is null on the last page", async () => {
      assert.equal(result(await call(sb, "GET", `${base}?pageSize=25`)).nextPage, null);
      assert.notEqual(result(await call(sb, "GET", `${base}?pageSize=24`)).nextPage, null);
    });

    it("builds nextPage from the request's Host header", async () => {
      const r = await rawRequest(`${sb.apiBase}${base}?pageSize=5`, { headers: { "X-API-TOKEN": sb.token, Host: "sandbox.example.test:8123" } });
      const next = String(obj(obj(JSON.parse(r.text)).result).nextPage);
      assert.ok(next.startsWith(`http://sandbox.example.test:8123/API/v3/directories/${sb.seedIds.directoryId}/contacts?`), next);
    });

    it("uses options.pageSize as the default page size", async () => {
      const s = await startSandbox({ pageSize: 10 });
      try {
        const r = await call(s, "GET", `/directories/${s.seedIds.directoryId}/contacts`);
        assert.equal(elements(r).length, 10);
        assert.notEqual(result(r).nextPage, null);
      } finally {
        await s.close();
      }
    });

    it("defaults to 100 per page and caps pageSize at 1000", async () => {
      addContacts(1100);
      assert.equal(elements(await call(sb, "GET", base)).length, 100);
      assert.equal(elements(await call(sb, "GET", `${base}?pageSize=5000`)).length, 1000);
    });

    it("refuses a bad pageSize or skipToken", async () => {
      assertError(await call(sb, "GET", `${base}?pageSize=abc`), 400, /pageSize/);
      assertError(await call(sb, "GET", `${base}?pageSize=0`), 400, /pageSize/);
      assertError(await call(sb, "GET", `${base}?skipToken=%%%`), 400, /skipToken/);
    });

    it("answers 404 for an unknown directory", async () => {
      assertError(await call(sb, "GET", "/directories/POOL_unknown0000000/contacts"), 404);
    });
  });

  describe("search (§4.4)", () => {
    const search = (body: unknown, query = ""): Promise<ApiResponse> =>
      call(sb, "POST", `${base}/search${query}`, { body });

    it("finds by email (case-insensitive) and uses id/phoneNumber/externalDataReference", async () => {
      const r = await search({ filter: { filterType: "email", comparison: "eq", value: "AMELIA.HART@example.com" } });
      const els = elements(r);
      assert.equal(els.length, 1);
      const e = els[0];
      assert.equal(e.id, sb.seedIds.contactIds[0]);
      assert.ok(!("contactId" in e));
      assert.ok(!("phone" in e) && !("extRef" in e));
      assert.equal(e.phoneNumber, "+15550100000");
      assert.equal(e.externalDataReference, "CRM-1001");
      for (const k of ["creationDate", "lastModified", "firstName", "lastName", "email", "language", "unsubscribed", "unsubscribeDate", "stats"]) assert.ok(k in e, k);
    });

    it("compares email exactly when switched to case-sensitive search, until reset", async () => {
      const byEmail = (value: string) => search({ filter: { filterType: "email", comparison: "eq", value } });
      const inAnd = (value: string) => search({ filter: { conjunction: "and", filters: [{ filterType: "email", comparison: "eq", value }, { filterType: "extRef", comparison: "eq", value: "CRM-1001" }] } });
      sb.emailSearchCase = "sensitive";
      assert.equal(elements(await byEmail("AMELIA.HART@example.com")).length, 0);
      assert.equal(elements(await inAnd("Amelia.Hart@example.com")).length, 0);
      assert.equal(elements(await byEmail("amelia.hart@example.com"))[0].id, sb.seedIds.contactIds[0]);
      assert.equal(elements(await inAnd("amelia.hart@example.com"))[0].id, sb.seedIds.contactIds[0]);
      assert.throws(() => (sb.emailSearchCase = "maybe" as "sensitive"), /emailSearchCase/);
      sb.reset();
      assert.equal(sb.emailSearchCase, "insensitive");
      assert.equal(elements(await byEmail("AMELIA.HART@example.com"))[0].id, sb.seedIds.contactIds[0]);
    });

    it("finds by extRef, phone and lastName", async () => {
      assert.equal(elements(await search({ filter: { filterType: "extRef", comparison: "eq", value: "CRM-1002" } }))[0].id, sb.seedIds.contactIds[1]);
      assert.equal(elements(await search({ filter: { filterType: "phone", comparison: "eq", value: "+15550100002" } }))[0].id, sb.seedIds.contactIds[2]);
      assert.equal(elements(await search({ filter: { filterType: "lastName", comparison: "eq", value: "Moreau" } }))[0].id, sb.seedIds.contactIds[3]);
      assert.equal(elements(await search({ filter: { filterType: "lastName", comparison: "eq", value: "Nobody" } })).length, 0);
      assert.equal(elements(await search({ filter: { filterType: "firstName", comparison: "eq", value: "Sofia" } }))[0].id, sb.seedIds.contactIds[2]);
    });

    it("combines filters with conjunction and/or", async () => {
      const and = await search({ filter: { conjunction: "and", filters: [
        { filterType: "extRef", comparison: "eq", value: "CRM-1001" },
        { filterType: "email", comparison: "eq", value: "amelia.hart@example.com" },
      ] } });
      assert.equal(elements(and).length, 1);
      const andMiss = await search({ filter: { conjunction: "and", filters: [
        { filterType: "extRef", comparison: "eq", value: "CRM-1001" },
        { filterType: "email", comparison: "eq", value: "jonas.berg@example.com" },
      ] } });
      assert.equal(elements(andMiss).length, 0);
      const or = await search({ filter: { conjunction: "or", filters: [
        { filterType: "extRef", comparison: "eq", value: "CRM-1001" },
        { filterType: "email", comparison: "eq", value: "jonas.berg@example.com" },
      ] } });
      assert.equal(elements(or).length, 2);
    });

    it("includes embeddedData only with includeEmbedded=true", async () => {
      const f = { filter: { filterType: "extRef", comparison: "eq", value: "CRM-1001" } };
      assert.ok(!("embeddedData" in elements(await search(f))[0]));
      assert.equal(typeof obj(elements(await search(f, "?includeEmbedded=true"))[0].embeddedData).region, "string");
      assert.ok("segmentMembership" in elements(await search(f, "?includeSegments=true"))[0]);
    });

    it("refuses a missing filter, unknown filterType, other comparisons and bad conjunctions", async () => {
      assertError(await search({}), 400, /^filter is required/);
      assertError(await search("filter"), 400, /^Request body must be a JSON object/);
      assertError(await search({ filter: [] }), 400, /^filter must be a JSON object/);
      assertError(await search({ filter: { filterType: "shoeSize", comparison: "eq", value: "9" } }), 400, /filter\.filterType/);
      assertError(await search({ filter: { filterType: "email", comparison: "contains", value: "a" } }), 400, /filter\.comparison/);
      assertError(await search({ filter: { filterType: "email", comparison: "eq", value: 5 } }), 400, /filter\.value/);
      assertError(await search({ filter: { conjunction: "xor", filters: [] } }), 400, /filter\.conjunction/);
      assertError(await search({ filter: { conjunction: "and", filters: [] } }), 400, /filter\.filters/);
      assertError(await search({ filter: { conjunction: "and", filters: [{ filterType: "email" }] } }), 400, /filter\.filters\[0\]\.comparison/);
    });

    it("pages like the official text: a full page carries a skipToken, the next page may be empty", async () => {
      const f = { filter: { filterType: "lastName", comparison: "eq", value: "Bulk" } };
      addContacts(10);
      const first = result(await search(f, "?pageSize=10"));
      assert.equal(arr(first.elements).length, 10);
      assert.equal(typeof first.nextPage, "string");
      assert.equal(typeof first.skipToken, "string");
      const again = result(await call(sb, "POST", String(first.nextPage), { body: f }));
      assert.equal(arr(again.elements).length, 0);
      assert.equal(again.nextPage, null);
      assert.equal(again.skipToken, null);
      const short = result(await search(f, "?pageSize=11"));
      assert.equal(arr(short.elements).length, 10);
      assert.equal(short.nextPage, null);
    });

    it(`answers 400 when paging beyond the first ${SEARCH_DEPTH_LIMIT} contacts`, async function () {
      this.timeout(60_000);
      addContacts(SEARCH_DEPTH_LIMIT + 5);
      const f = { filter: { filterType: "lastName", comparison: "eq", value: "Bulk" } };
      let url: string = `${sb.apiBase}${base}/search?pageSize=1000`;
      let seen = 0;
      for (let page = 0; page < 10; page++) {
        const res = result(await call(sb, "POST", url, { body: f }));
        seen += arr(res.elements).length;
        url = String(res.nextPage);
      }
      assert.equal(seen, SEARCH_DEPTH_LIMIT);
      const r = await call(sb, "POST", url, { body: f });
      const e = assertError(r, 400, /beyond the first 10000 contacts/);
      assert.equal(e.errorCode, "QVAL_3");
    });

    it("answers 404 for an unknown directory", async () => {
      assertError(await call(sb, "POST", "/directories/POOL_unknown0000000/contacts/search", { body: { filter: { filterType: "email", comparison: "eq", value: "a@b.c" } } }), 404);
    });
  });
});
