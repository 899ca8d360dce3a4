import assert from "node:assert/strict";
import { hasIdFormat, IdPrefix, randomAlnum } from "../../sandbox/ids";
import { buildState } from "../../sandbox/seed";
import { startSandbox } from "../../sandbox/server";
import { call, elements } from "./test-helpers";

describe("sandbox: seed data and ID formats (§4.8)", () => {
  const { state, seedIds } = buildState({ brandId: "b", dataCenter: "iad1", demoData: true });

  it("uses prefix + 15 alphanumerics (POOL_ 20, CID_ 19, CG_/SV_/MS_/UR_ 18 chars)", () => {
    assert.equal(seedIds.directoryId.length, 20);
    assert.ok(hasIdFormat(seedIds.directoryId, "POOL_"));
    assert.equal(seedIds.contactIds.length, 25);
    for (const id of seedIds.contactIds) assert.ok(hasIdFormat(id, "CID_") && id.length === 19, id);
    for (const id of seedIds.mailingListIds) assert.ok(hasIdFormat(id, "CG_") && id.length === 18, id);
    for (const id of seedIds.surveyIds) assert.ok(hasIdFormat(id, "SV_") && id.length === 18, id);
    assert.ok(hasIdFormat(seedIds.libraryId, "UR_") && seedIds.libraryId.length === 18);
    for (const id of Object.values(seedIds.messageIds)) assert.ok(hasIdFormat(id, "MS_") && id.length === 18, id);
    assert.ok(hasIdFormat(state.user.accountType, "UT_"));
    for (const list of state.directories.get(seedIds.directoryId)?.mailingLists.values() ?? []) {
      for (const m of list.members.values()) assert.ok(hasIdFormat(m.contactLookupId, "CGC_"), m.contactLookupId);
    }
  });

  it("hasIdFormat refuses wrong prefixes and lengths", () => {
    assert.equal(hasIdFormat("CID_12345678901234", "CID_"), false);
    assert.equal(hasIdFormat("CID_1234567890123456", "CID_"), false);
    assert.equal(hasIdFormat("CG_123456789012345", "CID_"), false);
    assert.equal(hasIdFormat("CID_12345678901234-", "CID_"), false);
  });

  it("runtime IDs have the same format for every prefix", async () => {
    const sb = await startSandbox();
    try {
      const d = sb.seedIds.directoryId;
      const created: Array<[string, IdPrefix]> = [];
      const add = async (path: string, body: unknown, key: string, prefix: IdPrefix): Promise<void> => {
        const r = await call(sb, "POST", path, { body });
        const res = (r.json as { result: Record<string, unknown> }).result;
        created.push([String(res[key]), prefix]);
      };
      await add(`/directories/${d}/contacts`, { firstName: "A" }, "id", "CID_");
      await add(`/directories/${d}/mailinglists`, { name: "L" }, "id", "CG_");
      await add(`/directories/${d}/mailinglists/${sb.seedIds.mailingListIds[0]}/contacts`, { firstName: "B" }, "contactLookupId", "CGC_");
      await add("/eventsubscriptions", { publicationUrl: "https://example.com/x", topics: "*" }, "id", "SUB_");
      await add("/distributions", { action: "CreateDistribution", surveyId: sb.seedIds.surveyIds[0], mailingListId: sb.seedIds.mailingListIds[0] }, "id", "EMD_");
      await add("/distributions/sms", { method: "Interactive", surveyId: sb.seedIds.surveyIds[0], name: "n", recipients: { mailingListId: sb.seedIds.mailingListIds[0] } }, "id", "SMSD_");
      created.push([(await sb.completeResponse(sb.seedIds.surveyIds[0])).responseId, "R_"]);
      for (const [id, prefix] of created) assert.ok(hasIdFormat(id, prefix), `${prefix}: ${id}`);
    } finally {
      await sb.close();
    }
  });

  it("randomAlnum gives only alphanumerics and differs between calls", () => {
    const a = randomAlnum(200);
    assert.match(a, /^[A-Za-z0-9]{200}$/);
    assert.notEqual(randomAlnum(15), randomAlnum(15));
  });

  it("is deterministic: same IDs on every start and after reset()", async () => {
    const again = buildState({ brandId: "other", dataCenter: "fra1", demoData: true });
    assert.deepEqual(again.seedIds, seedIds);
    const sb = await startSandbox();
    try {
      assert.deepEqual(sb.seedIds, seedIds);
      await call(sb, "DELETE", `/directories/${sb.seedIds.directoryId}/contacts/${sb.seedIds.contactIds[3]}`);
      sb.reset();
      const ids = elements(await call(sb, "GET", `/directories/${sb.seedIds.directoryId}/contacts`)).map((e) => e.contactId);
      assert.deepEqual(ids, seedIds.contactIds);
    } finally {
      await sb.close();
    }
  });

  it("seeds 25 realistic contacts with embedded data, two lists, two surveys, four message categories", () => {
    const dir = state.directories.get(seedIds.directoryId);
    assert.ok(dir);
    assert.equal(dir.name, "Default Directory");
    assert.equal(dir.contacts.size, 25);
    for (const c of dir.contacts.values()) {
      assert.match(String(c.email), /^[a-z]+\.[a-z]+@example\.com$/);
      assert.ok(c.firstName && c.lastName);
      assert.deepEqual(Object.keys(c.embeddedData).sort(), ["accountManager", "customerTier", "region", "signupYear"]);
    }
    assert.equal(new Set([...dir.contacts.values()].map((c) => c.email)).size, 25, "unique emails (dedup is on email)");
    assert.deepEqual([...dir.mailingLists.values()].map((l) => [l.name, l.members.size]), [["Newsletter Subscribers", 15], ["Support Customers Q1", 15]]);
    assert.deepEqual([...state.surveys.values()].map((s) => s.name), ["Customer Satisfaction", "Post-Support Feedback"]);
    const lib = state.libraries.get(seedIds.libraryId);
    assert.ok(lib);
    for (const [cat, id] of Object.entries(seedIds.messageIds)) assert.equal(lib.messages.get(id)?.category, cat);
    assert.equal(seedIds.libraryId, state.user.userId, "the user library ID is the user ID");
  });

  it("seed:false starts with the user, an empty library and an empty default directory", async () => {
    const sb = await startSandbox({ seed: false });
    try {
      assert.deepEqual(sb.seedIds.contactIds, []);
      assert.deepEqual(sb.seedIds.surveyIds, []);
      assert.equal(sb.seedIds.messageIds.invite, "");
      assert.equal(elements(await call(sb, "GET", "/surveys")).length, 0);
      assert.equal(elements(await call(sb, "GET", `/directories/${sb.seedIds.directoryId}/contacts`)).length, 0);
      assert.equal((await call(sb, "GET", "/whoami")).status, 200);
    } finally {
      await sb.close();
    }
  });
});
