import assert from "node:assert/strict";
import { contactFields, createContact, deleteContact, getContact, listContacts, updateContact } from "../../src/contacts";
import { QualtricsInputError } from "../../src/errors";
import { metaOnly, ok } from "../support/fake-servers";
import { failure, useClients } from "./helpers";
import { okFirst, useRecordingServer } from "../support/fixtures";
import { DIR, CID } from "../support/ids";

const BASE = `/API/v3/directories/${DIR}/contacts`;

async function inputError(p: () => unknown, field: string): Promise<QualtricsInputError> {
  const e = await failure<QualtricsInputError>(p);
  assert.ok(e instanceof QualtricsInputError, e.message);
  assert.equal(e.field, field);
  return e;
}

describe("contacts (docs/qualtrics-facts.md §4.3)", function () {
  const api = useRecordingServer(okFirst);
  const clients = useClients();

  describe("requests", function () {
    it("list: GET with pageSize and useNewPaginationScheme, following nextPage", async function () {
      const client = clients.make(api.apiBase);
      api.reply(
        ok({ elements: [{ contactId: "CID_1" }], nextPage: `${api.apiBase}/directories/${DIR}/contacts?pageSize=100&useNewPaginationScheme=true&skipToken=T` }),
        ok({ elements: [{ contactId: "CID_2" }], nextPage: null }),
      );
      const got: unknown[] = [];
      for await (const page of listContacts(client, DIR)) got.push(...page.elements);
      assert.deepEqual(got, [{ contactId: "CID_1" }, { contactId: "CID_2" }]);
      assert.equal(api.requests[0].method, "GET");
      assert.equal(api.requests[0].path, BASE);
      assert.deepEqual(api.requests[0].query, { pageSize: "100", useNewPaginationScheme: "true" });
      assert.deepEqual(api.requests[1].query, { pageSize: "100", useNewPaginationScheme: "true", skipToken: "T" });
    });

    it("list: a chosen pageSize, and a limit", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ elements: [1, 2, 3], nextPage: `${api.apiBase}/directories/${DIR}/contacts?skipToken=T` }));
      const got: unknown[] = [];
      for await (const page of listContacts(client, DIR, { pageSize: 1000, limit: 2 })) got.push(...page.elements);
      assert.deepEqual(got, [1, 2]);
      assert.deepEqual(api.requests[0].query, { pageSize: "1000", useNewPaginationScheme: "true" });
      assert.equal(api.requests.length, 1);
    });

    it("list: pageSize outside 1..1000 is refused naming pageSize", async function () {
      const client = clients.make(api.apiBase);
      for (const bad of [0, 1001, 2.5, -1]) await inputError(() => listContacts(client, DIR, { pageSize: bad }), "pageSize");
      assert.equal(api.requests.length, 0);
    });

    it("get: GET /directories/{d}/contacts/{c}", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ contactId: CID, firstName: "Jane" }));
      const res = await getContact(client, DIR, CID);
      assert.deepEqual(res.result, { contactId: CID, firstName: "Jane" });
      assert.equal(api.requests[0].method, "GET");
      assert.equal(api.requests[0].path, `${BASE}/${CID}`);
    });

    it("create: POST the fields", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ id: CID }));
      const fields = contactFields({ firstName: "Jane", email: "jane@example.com", embeddedData: { level: "mid", n: 2 }, unsubscribed: "false" });
      const res = await createContact(client, DIR, fields);
      assert.deepEqual(res.result, { id: CID });
      assert.equal(api.requests[0].method, "POST");
      assert.equal(api.requests[0].path, BASE);
      assert.deepEqual(api.requests[0].body, { firstName: "Jane", email: "jane@example.com", embeddedData: { level: "mid", n: "2" }, unsubscribed: false });
    });

    it("update: PUT only the fields given", async function () {
      const client = clients.make(api.apiBase);
      api.reply(metaOnly());
      const res = await updateContact(client, DIR, CID, { lastName: "Doe" });
      assert.equal(res.result, undefined);
      assert.equal(api.requests[0].method, "PUT");
      assert.equal(api.requests[0].path, `${BASE}/${CID}`);
      assert.deepEqual(api.requests[0].body, { lastName: "Doe" });
    });

    it("delete: DELETE /directories/{d}/contacts/{c}", async function () {
      const client = clients.make(api.apiBase);
      api.reply(metaOnly());
      const res = await deleteContact(client, DIR, CID);
      assert.equal(res.enveloped, true);
      assert.equal(api.requests[0].method, "DELETE");
      assert.equal(api.requests[0].path, `${BASE}/${CID}`);
    });

    it("an empty create or update is refused naming payload, before any request", async function () {
      const client = clients.make(api.apiBase);
      await inputError(() => createContact(client, DIR, {}), "payload");
      await inputError(() => updateContact(client, DIR, CID, {}), "payload");
      await inputError(() => createContact(client, DIR, contactFields({ contactId: CID, creationDate: "x" })), "payload");
      assert.equal(api.requests.length, 0);
    });

    it("bad directory and contact IDs are refused naming the field, before any request", async function () {
      const client = clients.make(api.apiBase);
      await inputError(() => getContact(client, "CG_1", CID), "directoryId");
      await inputError(() => getContact(client, DIR, "CGC_1"), "contactId");
      await inputError(() => deleteContact(client, DIR, "../../surveys"), "contactId");
      await inputError(() => createContact(client, "", { firstName: "x" }), "directoryId");
      await inputError(() => updateContact(client, DIR, "", { firstName: "x" }), "contactId");
      await inputError(() => listContacts(client, "POOL_a/b"), "directoryId");
      assert.equal(api.requests.length, 0);
    });
  });

  describe("contactFields", function () {
    it("keeps the known fields and drops unknown keys", function () {
      const input = {
        contactId: CID,
        creationDate: "2024-01-01",
        firstName: "Jane",
        lastName: "Doe",
        email: "JaneDoe@email.com",
        phone: "111-111-1111",
        extRef: "my_Internal_ID_12345",
        embeddedData: { level: "mid", area: "coast" },
        language: "",
        unsubscribed: false,
        mailingListMembership: { CG_1: {} },
      };
      assert.deepEqual(contactFields(input), {
        firstName: "Jane",
        lastName: "Doe",
        email: "JaneDoe@email.com",
        phone: "111-111-1111",
        extRef: "my_Internal_ID_12345",
        embeddedData: { level: "mid", area: "coast" },
        unsubscribed: false,
      });
    });

    it("numbers become strings where Qualtrics stores text", function () {
      assert.deepEqual(contactFields({ phone: 5551234, extRef: 42 }), { phone: "5551234", extRef: "42" });
    });

    it("checks each field, naming it", async function () {
      const bad: [Record<string, unknown>, string][] = [
        [{ firstName: { a: 1 } }, "firstName"],
        [{ lastName: ["Doe"] }, "lastName"],
        [{ email: "not-an-email" }, "email"],
        [{ phone: true }, "phone"],
        [{ extRef: {} }, "extRef"],
        [{ language: false }, "language"],
        [{ unsubscribed: "maybe" }, "unsubscribed"],
        [{ embeddedData: "level=mid" }, "embeddedData"],
        [{ embeddedData: { level: { deep: 1 } } }, "embeddedData.level"],
        [{ embeddedData: { level: "x".repeat(1025) } }, "embeddedData.level"],
      ];
      for (const [input, field] of bad) await inputError(() => contactFields(input), field);
    });
  });
});
