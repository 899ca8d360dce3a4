// The "contacts" picker lookup of the config node's editor endpoints (nodes/lib/admin-routes.ts,
// nodes/lib/contact-lookup.ts): contacts of one directory found by what the user types, and one
// contact by its ID for the name the dialog shows (docs/qualtrics-facts.md §4.4).
import assert from "node:assert/strict";
import { startSandbox, type Sandbox } from "../../sandbox";
import { credentials, helper, nodes, TOKEN } from "../support/nr-helper";
import { configNode } from "../support/config-node";

describe("qualtrics-config admin routes: contacts lookup", function () {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ token: TOKEN });
  });
  after(async () => {
    await sb.close();
  });
  afterEach(() => helper.unload());
  const load = () => helper.load([nodes.config], [{ id: "tab", type: "tab" }, { ...configNode(sb.apiBase), z: "tab" }], credentials);
  const people = () => [...sb.state.directories.get(sb.seedIds.directoryId)!.contacts.values()];

  it("finds a contact by part of an email, labelled with name and email", async function () {
    await load();
    const c = people()[3];
    const part = c.email!.split("@")[0].slice(0, 5);
    const res = await helper.request().get(`/qualtrics-config/cfg/lookup/contacts?directoryId=${sb.seedIds.directoryId}&q=${encodeURIComponent(part)}`);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.some((i: { value: string; label: string }) => i.value === c.contactId && i.label === `${c.firstName} ${c.lastName} <${c.email}>`), JSON.stringify(res.body));
    for (const item of res.body as { label: string }[]) assert.ok(item.label.toLowerCase().includes(part.toLowerCase()), item.label);
  });

  it("finds a contact by a whole email with the directory search, and by its external reference", async function () {
    await load();
    const c = people()[5];
    const res = await helper.request().get(`/qualtrics-config/cfg/lookup/contacts?directoryId=${sb.seedIds.directoryId}&q=${encodeURIComponent(c.email!)}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body[0].value, c.contactId);
    const searched = sb.requests.filter((r) => r.path === `/API/v3/directories/${sb.seedIds.directoryId}/contacts/search`);
    assert.ok(searched.length > 0, "the directory search was asked");
    const byRef = await helper.request().get(`/qualtrics-config/cfg/lookup/contacts?directoryId=${sb.seedIds.directoryId}&q=${encodeURIComponent(c.extRef!)}`);
    assert.deepEqual(byRef.body.map((i: { value: string }) => i.value), [c.contactId]);
  });

  it("looks a contact ID up directly, and a gone one is an empty list", async function () {
    await load();
    const c = people()[0];
    const res = await helper.request().get(`/qualtrics-config/cfg/lookup/contacts?directoryId=${sb.seedIds.directoryId}&q=${c.contactId}`);
    assert.deepEqual(res.body, [{ value: c.contactId, label: `${c.firstName} ${c.lastName} <${c.email}>` }]);
    const gone = await helper.request().get(`/qualtrics-config/cfg/lookup/contacts?directoryId=${sb.seedIds.directoryId}&q=CID_gone0000000000`);
    assert.equal(gone.status, 200, gone.text);
    assert.deepEqual(gone.body, []);
  });

  it("needs a directory ID, checked before any request", async function () {
    await load();
    const before = sb.requests.length;
    const res = await helper.request().get("/qualtrics-config/cfg/lookup/contacts?q=amelia");
    assert.equal(res.status, 400);
    assert.match(String(res.body.message), /directoryId/);
    assert.equal(sb.requests.length, before);
  });
});
