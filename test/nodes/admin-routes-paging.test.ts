// The picker lookups of a big account (nodes/lib/lookup-pages.ts): a page of names at a time, read
// from the sandbox only as far as the page needs, searched on the server, within the walk's budget.
import assert from "node:assert/strict";
import { startSandbox, type Sandbox } from "../../sandbox";
import { credentials, helper, nodes, TOKEN } from "../support/nr-helper";
import { configNode } from "../support/config-node";
import { ok } from "../support/fake-servers";
import { useRecordingServer } from "../support/fixtures";

interface Page {
  items: Array<{ value: string; label: string; contactCount?: number }>;
  more: boolean;
  capped?: boolean;
}

describe("qualtrics-config admin routes: paged lookups on a big account", function () {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ token: TOKEN, bulk: { surveys: 5000, mailingLists: 3000 } });
  });
  after(() => sb.close());
  beforeEach(() => sb.reset());
  afterEach(() => helper.unload());

  // a generous rate, so reading fifty pages for the editor's share of it takes no time
  const load = () => helper.load([nodes.config], [{ id: "tab", type: "tab" }, { ...configNode(sb.apiBase, { rateLimit: 60_000 }), z: "tab" }], credentials);
  const asked = (path: string) => sb.requests.filter((r) => r.path === `/API/v3${path}`).length;
  const dir = () => sb.seedIds.directoryId;

  /** every answer is checked for the token before anything else */
  async function get(query: string, kind = "surveys"): Promise<{ status: number; body: Page & { message?: string } }> {
    const res = await helper.request().get(`/qualtrics-config/cfg/lookup/${kind}?${query}`);
    assert.ok(!res.text.includes(TOKEN), "the token must never be in an answer");
    return { status: res.status, body: res.body as Page & { message?: string } };
  }

  it("answers the first page of 5,002 surveys with one request to Qualtrics, and the next from what was read", async function () {
    await load();
    const first = await get("limit=50");
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.items.length, 50);
    assert.equal(first.body.more, true);
    assert.deepEqual(first.body.items.slice(0, 3).map((i) => i.label), ["Bulk survey 00001", "Bulk survey 00002", "Bulk survey 00003"]);
    assert.equal(asked("/surveys"), 1);
    const second = await get("limit=50&offset=40");
    assert.equal(second.body.items[0].label, "Bulk survey 00041");
    assert.equal(asked("/surveys"), 1, "the second page was read with the first");
    const third = await get("limit=50&offset=100");
    assert.equal(third.body.items[0].label, "Bulk survey 00101");
    assert.equal(asked("/surveys"), 2);
  });

  it("a search finds a survey on a late page, by name or ID ignoring case, and the next letters typed read nothing again", async function () {
    await load();
    const late = [...sb.state.surveys.values()].find((s) => s.name === "Bulk survey 04950")!;
    const found = await get("limit=50&q=" + encodeURIComponent("bulk SURVEY 04950"));
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.deepEqual(found.body, { items: [{ value: late.id, label: late.name }], more: false });
    const read = asked("/surveys");
    assert.equal(read, 51, "the whole list was read to know there is no other match");
    const byId = await get("limit=50&q=" + late.id.toLowerCase());
    assert.deepEqual(byId.body.items.map((i) => i.value), [late.id]);
    const shorter = await get("limit=50&q=" + encodeURIComponent("Bulk survey 0495"));
    assert.equal(shorter.body.items.length, 10);
    assert.equal(asked("/surveys"), read, "typing searched what was read");
  });

  it("a search with many matches stops reading once it has a page of them", async function () {
    await load();
    const res = await get("limit=20&q=" + encodeURIComponent("survey 01"));
    assert.equal(res.body.items.length, 20);
    assert.equal(res.body.more, true);
    assert.equal(res.body.items[0].label, "Bulk survey 01000");
    // "Bulk survey 01000" ends the 10th page of 100; the 11th has 99 more matches, and no page after it was read
    assert.equal(asked("/surveys"), 11);
  });

  it("pages the 3,002 mailing lists of a directory, with the dialog's values (POST) as well", async function () {
    await load();
    const res = await get(`directoryId=${dir()}&limit=25`, "mailinglists");
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.items.length, 25);
    assert.equal(res.body.more, true);
    assert.equal(asked(`/directories/${dir()}/mailinglists`), 1);
    const posted = await helper
      .request()
      .post(`/qualtrics-config/cfg/lookup/mailinglists`)
      .send({ directoryId: dir(), limit: 25, q: "bulk list 02999", baseUrl: sb.apiBase, apiToken: "__PWRD__" });
    assert.equal(posted.status, 200, posted.text);
    assert.ok(!posted.text.includes(TOKEN));
    assert.deepEqual((posted.body as Page).items.map((i) => i.label), ["Bulk list 02999"]);
    assert.equal((posted.body as Page).more, false);
  });

  it("refuses a limit or offset out of range, naming it, before any request", async function () {
    await load();
    for (const [query, name] of [["limit=0", "limit"], ["limit=501", "limit"], ["limit=ten", "limit"], ["limit=10&offset=-1", "offset"]]) {
      const res = await get(query);
      assert.equal(res.status, 400, query);
      assert.match(String(res.body.message), new RegExp(`^${name} must be a whole number`));
    }
    assert.equal(asked("/surveys"), 0);
  });

  it("without a limit the answer is the whole list sorted by name, as before", async function () {
    await load();
    const res = await helper.request().get(`/qualtrics-config/cfg/lookup/surveys`);
    assert.equal(res.status, 200);
    const body = res.body as Array<{ label: string }>;
    assert.equal(body.length, 5002);
    assert.equal(body[0].label, "Bulk survey 00001");
    assert.equal(body[body.length - 1].label, "Post-Support Feedback");
  });

  describe("order", function () {
    const api = useRecordingServer();
    it("a list that comes in one page is sorted by name; a longer one keeps the account's order", async function () {
      await helper.load([nodes.config], [{ id: "tab", type: "tab" }, { ...configNode(api.apiBase), z: "tab" }], credentials);
      const survey = (id: string, name: string) => ({ id: `SV_${id.padEnd(15, "0")}`, name });
      api.reply(ok({ elements: [survey("b", "Beta"), survey("a", "alpha"), survey("c", "Gamma")], nextPage: null }));
      const one = await helper.request().get(`/qualtrics-config/cfg/lookup/surveys?limit=10`);
      assert.deepEqual(one.body.items.map((i: { label: string }) => i.label), ["alpha", "Beta", "Gamma"]);
      api.reply(ok({ elements: [survey("b", "Beta"), survey("c", "Gamma")], nextPage: `${api.apiBase}/surveys?offset=2` }), ok({ elements: [survey("a", "alpha")], nextPage: null }));
      const two = await helper.request().get(`/qualtrics-config/cfg/lookup/surveys?limit=10&refresh=1`);
      assert.deepEqual(two.body, { items: [survey("b", "Beta"), survey("c", "Gamma"), survey("a", "alpha")].map((e) => ({ value: e.id, label: e.name })), more: false });
    });
  });

  describe("the budget of one walk", function () {
    let big: Sandbox;
    before(async () => {
      big = await startSandbox({ token: TOKEN, bulk: { surveys: 10_050, mailingLists: 0 } });
    });
    after(() => big.close());

    it("a search for nothing stops after 10,000 surveys and says so", async function () {
      await helper.load([nodes.config], [{ id: "tab", type: "tab" }, { ...configNode(big.apiBase, { rateLimit: 60_000 }), z: "tab" }], credentials);
      const res = await helper.request().get(`/qualtrics-config/cfg/lookup/surveys?limit=50&q=no-such-survey`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { items: [], more: false, capped: true });
      // 100 pages of 100, and the one whose first survey was one too many
      assert.equal(big.requests.filter((r) => r.path === "/API/v3/surveys").length, 101);
    });
  });
});
