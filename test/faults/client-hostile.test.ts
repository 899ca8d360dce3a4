// Hostile and unusual upstreams against the client (issue 12 items 1, 2, 3, 9, 16, 23), on a real
// Node-RED with the sandbox: an upstream that echoes the credential in its errors, a 503 after a
// create was carried out, Retry-After: 0, a gateway with a path before /API/v3 (and nextPage on
// another data-center host), and a list whose nextPage never ends.
import assert from "node:assert/strict";
import { addFigures, countEnds } from "./figures";
import { Rig, RIG_CONFIG, rigConfig, type Unit } from "./rig";
import { type FlowNode } from "../support/runtime";
import { sleep, waitFor } from "../support/wait";

const RUN = process.env.NR_PKG || "node-red";
const TOKEN = "HOSTILE-ECHO-TOKEN-5d2c8e1f7a3b9046";
const OAUTH_ID = "HOSTILE-CLIENTID-31ac";
const OAUTH_SECRET = "HOSTILE-CLIENT/SECRET+9e2=77";
const MAX_ITEMS = 50;

/** a secret as it is and URL-encoded, the forms an echo carries */
const forms = (s: string) => [...new Set([s, encodeURIComponent(s)])];

describe(`faults: a hostile upstream against the client (${RUN})`, function () {
  this.timeout(180_000);
  let rig: Rig;
  let D: string;
  const u = (id: string, node: Record<string, unknown>, extra: Partial<Unit> = {}): Unit => ({ node: { id, name: id, qualtrics: RIG_CONFIG, type: "", ...node } as FlowNode, ...extra });

  before(async function () {
    rig = await Rig.start({
      token: TOKEN,
      sandbox: { oauthClients: [{ clientId: OAUTH_ID, clientSecret: OAUTH_SECRET }] },
      nodeRed: { settings: { qualtricsConfigRetryDelay: 1, qualtricsConfigMaxListItems: MAX_ITEMS } },
    });
    D = rig.sb.seedIds.directoryId;
  });
  after(async () => rig?.dispose());
  beforeEach(() => {
    rig.sb.reset();
    rig.clear();
  });
  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`--- Node-RED log (last 3000 chars) ---\n${rig?.nr.log.slice(-3000)}`);
  });

  it("secrets: an upstream that echoes the token or the Bearer token puts none of it in an error, Catch, status, log or admin answer", async function () {
    const units = [
      u("echo-contact", { type: "qualtrics-contact", operation: "list", directoryId: D, directoryIdType: "str", output: "array" }, { keepMsgs: true }),
      u("echo-api", { type: "qualtrics-api", method: "GET", url: "/whoami", paging: "first" }, { keepMsgs: true }),
      u("echo-oauth", { type: "qualtrics-api", qualtrics: "echo-oauth-cfg", method: "GET", url: "/whoami", paging: "first" }, { keepMsgs: true }),
    ];
    await rig.deploy(units, [rigConfig({ retries: 0 }), { ...rigConfig({ retries: 0 }), id: "echo-oauth-cfg", name: "oauth", authType: "oauth", scopes: "" }], {
      [RIG_CONFIG]: { apiToken: TOKEN },
      "echo-oauth-cfg": { clientId: OAUTH_ID, clientSecret: OAUTH_SECRET },
    });
    const haystacks: Array<[string, string]> = [];
    let sent = 0;
    for (const kind of ["json", "text", "html"] as const) {
      rig.sb.hostile.set({ echoCredential: kind });
      for (const unit of units) {
        const ids = await rig.send(unit.node.id, [{ payload: {} }]);
        sent++;
        const ends = await rig.settle(unit.node.id, ids, 30_000, 100);
        assert.equal(ends.errored, 1, `${unit.node.id} with an echo as ${kind}: ${JSON.stringify(ends)}`);
      }
      for (const path of [`qualtrics-config/${RIG_CONFIG}/lookup/surveys`, "qualtrics-config/echo-oauth-cfg/lookup/surveys"]) {
        const r = await rig.nr.request("GET", path);
        haystacks.push([`GET /${path} (${kind})`, `${r.status} ${r.text}`]);
      }
    }
    await sleep(300);
    // the echo did happen: the sandbox sent the credentials back in its answers
    const bearers = [...rig.sb.oauth.tokens.keys()];
    assert.ok(bearers.length >= 1, "an access token was issued");
    assert.ok(rig.sb.requests.some((r) => r.headers["x-api-token"] === TOKEN) && rig.sb.requests.some((r) => /^Bearer /.test(r.headers.authorization ?? "")));
    for (const e of rig.ends) haystacks.push([`${e.kind} of ${e.unit}`, JSON.stringify({ text: e.text, msg: e.msg })]);
    for (const s of rig.statuses) haystacks.push([`status of ${s.unit}`, s.text]);
    haystacks.push(["Node-RED's log", rig.nr.log]);
    const leaks: string[] = [];
    for (const [what, secret] of [["the API token", TOKEN], ["the client secret", OAUTH_SECRET], ...bearers.map((b, i) => [`access token ${i + 1}`, b])] as Array<[string, string]>) {
      for (const needle of forms(secret)) {
        for (const [where, text] of haystacks) {
          const at = text.indexOf(needle);
          if (at >= 0) leaks.push(`${what} in ${where}: …${text.slice(Math.max(0, at - 60), at + needle.length + 20)}…`);
        }
      }
    }
    // the errors say what happened, with the credential blanked
    const texts = rig.ends.filter((e) => e.kind === "error").map((e) => String(e.text));
    assert.ok(texts.every((t) => /^Qualtrics 401/.test(t)), texts.join("\n"));
    assert.ok(texts.some((t) => t.includes("***")), texts.join("\n"));
    addFigures({ area: "secrets", what: `an upstream echoing the credential (JSON, text, HTML) × ${units.length} units + lookups`, sent, errored: texts.length, leaks: leaks.length });
    assert.deepEqual(leaks, []);
  });

  it("faults: a 503 after a create was carried out is not retried: one contact, one error that says it may have succeeded", async function () {
    const unit = u("h503-create", { type: "qualtrics-contact", operation: "create", directoryId: D, directoryIdType: "str" });
    await rig.deploy([unit]);
    rig.sb.faults.set({ rules: [{ match: { method: "POST", path: "/contacts" }, action: "status", status: 503, afterHandling: true }] });
    const markers = Array.from({ length: 5 }, (_, i) => `h503-${i}-${Date.now()}`);
    const ids = await rig.send(unit.node.id, markers.map((m) => ({ payload: { email: `${m}@example.com` } })));
    const ends = await rig.settle(unit.node.id, ids, 30_000, 300);
    const created = markers.map((m) => [...rig.sb.state.directories.get(D)!.contacts.values()].filter((c) => c.email === `${m}@example.com`).length);
    const posts = rig.sb.requests.filter((r) => r.method === "POST" && r.path.endsWith("/contacts")).length;
    const texts = rig.endsOf(unit.node.id).map((e) => String(e.text));
    addFigures({ area: "faults", what: "qualtrics-contact create × 503 after it was carried out", faultsTried: 1, faultsSurvived: created.every((n) => n === 1) && posts === 5 ? 1 : 0, ...ends, duplicated: ends.duplicated + created.filter((n) => n > 1).length });
    assert.equal(ends.errored, 5, JSON.stringify(ends));
    assert.deepEqual(created, [1, 1, 1, 1, 1], "each create carried out once, never repeated");
    assert.equal(posts, 5);
    for (const t of texts) assert.match(t, /^Qualtrics 503 .*may have succeeded anyway/);
  });

  it("faults: Retry-After: 0 on every attempt still waits at least 100 ms between attempts", async function () {
    const unit = u("h429-zero", { type: "qualtrics-contact", operation: "get", directoryId: D, directoryIdType: "str" });
    await rig.deploy([unit]);
    rig.sb.faults.set({ rules: [{ match: { method: "GET", path: "/contacts/CID_" }, action: "status", status: 429, retryAfter: 0, times: 3 }] });
    const ids = await rig.send(unit.node.id, [{ payload: { contactId: rig.sb.seedIds.contactIds[0] } }]);
    const ends = await rig.settle(unit.node.id, ids, 30_000, 100);
    const at = rig.sb.requests.filter((r) => r.path.includes("/contacts/CID_")).map((r) => r.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    addFigures({ area: "faults", what: "qualtrics-contact get × 429 with Retry-After: 0", faultsTried: 1, faultsSurvived: ends.delivered === 1 && gaps.every((g) => g >= 95) ? 1 : 0, ...ends });
    assert.equal(ends.delivered, 1, JSON.stringify(ends));
    assert.equal(at.length, 4, "three 429s, then the answer");
    assert.ok(gaps.every((g) => g >= 95), `gaps between attempts: ${gaps.join(", ")} ms`);
  });

  for (const [what, hostile] of [
    ["a gateway with a path before /API/v3 that does not rewrite nextPage", { pathPrefix: "/gw" }],
    ["nextPage on another data-center host", { nextPageOrigin: "https://xx9.qualtrics.com" }],
  ] as Array<[string, { pathPrefix?: string; nextPageOrigin?: string }]>) {
    it(`faults: ${what}: limit 0 lists every contact`, async function () {
      const base = hostile.pathPrefix ? `${rig.sb.url}${hostile.pathPrefix}/API/v3` : rig.sb.apiBase;
      const unit = u("h-prefix-list", { type: "qualtrics-contact", qualtrics: "h-prefix-cfg", operation: "list", directoryId: D, directoryIdType: "str", output: "array", limit: 0, pageSize: 2 });
      await rig.deploy([unit], [{ ...rigConfig(), id: "h-prefix-cfg", baseUrl: base }]);
      rig.sb.hostile.set(hostile);
      const all = [...rig.sb.state.directories.get(D)!.contacts.values()].length;
      assert.ok(all > 4, `the directory has ${all} contacts, several pages of 2`);
      const ids = await rig.send(unit.node.id, [{}]);
      const ends = await rig.settle(unit.node.id, ids, 30_000, 100);
      const out = rig.endsOf(unit.node.id).find((e) => e.kind === "output");
      const errorText = rig.endsOf(unit.node.id).find((e) => e.kind === "error")?.text;
      const pagesAsked = rig.sb.requests.filter((r) => r.path.endsWith("/contacts")).length;
      addFigures({ area: "faults", what: `qualtrics-contact list × ${what}`, faultsTried: 1, faultsSurvived: ends.delivered === 1 && pagesAsked === Math.ceil(all / 2) ? 1 : 0, ...ends });
      assert.equal(ends.delivered, 1, `${JSON.stringify(ends)} ${errorText ?? ""}`);
      assert.ok(out);
      assert.equal(pagesAsked, Math.ceil(all / 2), "every page asked of the configured base");
    });
  }

  it("load: an endless nextPage: one message stops past the item maximum with a clear error; one message per item stops when the node closes", async function () {
    const array = u("h-endless-array", { type: "qualtrics-contact", operation: "list", directoryId: D, directoryIdType: "str", output: "array", limit: 0, pageSize: 10 });
    const split = u("h-endless-split", { type: "qualtrics-contact", operation: "list", directoryId: D, directoryIdType: "str", output: "split", limit: 0, pageSize: 10 }, { idExpr: `"split"` });
    await rig.deploy([array, split]);
    rig.sb.hostile.set({ endlessNextPage: true });
    const ids = await rig.send(array.node.id, [{}]);
    const ends = await rig.settle(array.node.id, ids, 30_000, 100);
    const text = String(rig.endsOf(array.node.id)[0]?.text);
    assert.equal(ends.errored, 1, JSON.stringify(ends));
    assert.match(text, new RegExp(`^Qualtrics: Output: the list has more than ${MAX_ITEMS} items, more than one message may hold; choose one message per item as the output, or set a limit$`));
    // every page holds at least one item: past the maximum, no further page is asked for
    assert.ok(rig.sb.requests.length <= MAX_ITEMS + 1, `${rig.sb.requests.length} pages asked for`);

    // one message per item: memory stays flat, so the list runs on until the node closes
    rig.sb.requests.length = 0;
    await rig.send(split.node.id, [{}]);
    await waitFor("items of the endless list", () => rig.endsOf(split.node.id).length > 30, 20_000);
    // slow pages from now on, so the pages asked for while the node closes can be counted
    rig.sb.faults.set({ rules: [{ match: { method: "GET", path: "/contacts" }, action: "delay", delayMs: 200 }] });
    await sleep(300);
    const before = rig.sb.requests.length;
    // only the list node is removed ("modified nodes" deploy): its configuration, and so the client, keep running
    const flows = (await rig.nr.getFlows()).flows.filter((n) => n.id !== split.node.id);
    await rig.nr.deploy(flows, {}, "nodes");
    // closing stops the list at its next page, not after the close's 10 s grace period (50 pages of 200 ms)
    const whileClosing = rig.sb.requests.length - before;
    assert.ok(whileClosing <= 4, `${whileClosing} pages asked for while the node closed`);
    const after = rig.sb.requests.length;
    await sleep(1000);
    const more = rig.sb.requests.length - after;
    addFigures({ area: "load", what: "qualtrics-contact list × an endless nextPage (array cap, close)", faultsTried: 2, faultsSurvived: (ends.errored === 1 ? 1 : 0) + (more === 0 ? 1 : 0), ...countEnds(ids, rig.endsOf(array.node.id) as Array<{ id: string; kind: "output" | "error" }>) });
    assert.equal(more, 0, "no page is asked for after the node closed");
  });
});
