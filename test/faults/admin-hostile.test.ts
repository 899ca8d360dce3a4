// The config node's editor routes attacked from outside, on a real Node-RED whose anonymous
// callers may write (adminAuth's default permission "*", as good as adminAuth off for these
// routes) and which has one read-only user:
// - a page on another site posts a form to Test connection or a picker lookup, with a base URL of
//   its own and the stored token behind __PWRD__: 415, and the token goes nowhere;
// - the ID of a node of another type: its credentials are not read (400), nothing is sent;
// - the read-only user floods the picker with refreshes and with lookups that miss the cache: a
//   flow's request on the same account still goes out after a few lookups at most (counted at the
//   sandbox), and the refused lookups get 429 with a reason.
import assert from "node:assert/strict";
import { adminToken, bcryptHash } from "./admin-auth";
import { addFigures } from "./figures";
import { Rig, RIG_CONFIG, rigConfig } from "./rig";
import { ok, startRecordingServer, type RecordingServer } from "../support/fake-servers";
import { type HttpAnswer } from "../support/runtime";
import { sleep, waitFor } from "../support/wait";

const RUN = process.env.NR_PKG || "node-red";
const PASSWORD = "admin-hostile-password";
const CFG_REFRESH = "ah-config-refresh";
const CFG_SHARE = "ah-config-share";

describe(`faults: admin routes under attack (${RUN})`, function () {
  this.timeout(120_000);
  let rig: Rig;
  let foreign: RecordingServer;
  let reader = "";

  const api = (id: string, config: string) => ({ node: { id, type: "qualtrics-api", name: id, qualtrics: config, method: "GET", url: "/whoami", paging: "first" } });

  before(async function () {
    foreign = await startRecordingServer();
    foreign.reply(ok({ userId: "UR_foreign0000001", userName: "foreign", elements: [], nextPage: null }));
    rig = await Rig.start({
      nodeRed: {
        settings: {
          adminAuth: { type: "credentials", users: [{ username: "reader", password: bcryptHash(PASSWORD, RUN), permissions: "read" }], default: { permissions: "*" } },
        },
      },
    });
    reader = await adminToken(rig.nr, "reader", PASSWORD, "read");
    // 60 requests a minute for the lookup accounts: the editor's share is 6, one now and the next in 10 s
    await rig.deploy([api("ah-refresh", CFG_REFRESH), api("ah-share", CFG_SHARE)], [rigConfig(), rigConfig({ id: CFG_REFRESH, rateLimit: 60 }), rigConfig({ id: CFG_SHARE, rateLimit: 60 })]);
  });

  after(async function () {
    await rig?.dispose();
    await foreign?.close();
  });

  beforeEach(function () {
    rig.sb.requests.length = 0;
    foreign.requests.length = 0;
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`--- Node-RED log ---\n${rig?.nr.log.slice(-6000)}`);
  });

  function tally() {
    const failed: string[] = [];
    let tried = 0;
    return {
      failed,
      expect(what: string, good: boolean) {
        tried++;
        if (!good) failed.push(what);
      },
      figures(what: string) {
        addFigures({ area: "access", what, faultsTried: tried, faultsSurvived: tried - failed.length });
      },
    };
  }

  it("a form posted from another site: 415 on both POST routes, and the stored token goes nowhere", async function () {
    const t = tally();
    const fields = { dataCenter: "", baseUrl: foreign.apiBase, authType: "token", apiToken: "__PWRD__" };
    const bodies: Array<[string, string, string]> = [
      ["an HTML form", "application/x-www-form-urlencoded", new URLSearchParams(fields).toString()],
      ["a text/plain form", "text/plain", JSON.stringify(fields)],
      ["a multipart form", "multipart/form-data; boundary=x", Object.entries(fields).map(([k, v]) => `--x\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + "--x--\r\n"],
      ["no content type", "", JSON.stringify(fields)],
    ];
    for (const route of [`qualtrics-config/${RIG_CONFIG}/test`, `qualtrics-config/${RIG_CONFIG}/lookup/surveys`]) {
      for (const [what, type, body] of bodies) {
        const r = await rig.nr.request("POST", route, body, { ...(type ? { "content-type": type } : {}), Origin: "https://evil.example", Referer: "https://evil.example/page" });
        t.expect(`${route} as ${what}: ${r.status} ${r.text.slice(0, 200)}`, r.status === 415);
        t.expect(`${route} as ${what}: the answer has no token`, !r.text.includes(rig.token));
      }
    }
    t.expect(`the foreign host got ${foreign.requests.length} requests`, foreign.requests.length === 0);
    t.expect(`the sandbox got ${rig.sb.requests.length} requests`, rig.sb.requests.length === 0);
    // the control: the dialog's own JSON is still served
    const fine = await rig.nr.request("POST", `qualtrics-config/${RIG_CONFIG}/test`, { dataCenter: "", baseUrl: rig.sb.apiBase, authType: "token", apiToken: "__PWRD__" });
    t.expect(`the dialog's JSON: ${fine.status} ${fine.text.slice(0, 200)}`, fine.status === 200 && /"ok":true/.test(fine.text));
    t.figures("admin POST routes × cross-site forms");
    assert.deepEqual(t.failed, []);
  });

  it("the ID of a node of another type: its credentials are not read, nothing is sent", async function () {
    const t = tally();
    // a qualtrics-api node, and the rig's http request node (a type with credentials of its own)
    for (const id of ["ah-refresh", "rig-send"]) {
      for (const route of [`qualtrics-config/${id}/test`, `qualtrics-config/${id}/lookup/surveys`]) {
        const r = await rig.nr.request("POST", route, { dataCenter: "", baseUrl: foreign.apiBase, authType: "token", apiToken: "__PWRD__" });
        t.expect(`${route}: ${r.status} ${r.text.slice(0, 200)}`, r.status === 400 && /is not a Qualtrics configuration node/.test(r.text));
      }
    }
    t.expect(`the foreign host got ${foreign.requests.length} requests`, foreign.requests.length === 0);
    t.expect(`the sandbox got ${rig.sb.requests.length} requests`, rig.sb.requests.length === 0);
    t.figures("admin POST routes × node IDs of other types");
    assert.deepEqual(t.failed, []);
  });

  /** a picker lookup as the read-only user */
  const lookup = (config: string, tail: string): Promise<HttpAnswer> => rig.nr.request("GET", `qualtrics-config/${config}/lookup/${tail}`, undefined, { Authorization: `Bearer ${reader}` });

  /** a flow's request on the account; how many lookups of `lookupPath` the sandbox got before it */
  async function flowAfter(unit: string, lookupPath: RegExp): Promise<number> {
    const ids = await rig.send(unit, [{}]);
    const ends = await rig.settle(unit, ids, 60_000, 0);
    assert.equal(ends.delivered, 1, `the flow's message came out: ${JSON.stringify(ends)}`);
    const at = rig.sb.requests.findIndex((r) => r.path === "/API/v3/whoami");
    return rig.sb.requests.slice(0, at).filter((r) => lookupPath.test(r.path)).length;
  }

  it("a read-only user's refresh flood: one reaches Qualtrics, the rest get 429 with the wait, a flow's request is next", async function () {
    const t = tally();
    const answers = await Promise.all(Array.from({ length: 40 }, () => lookup(CFG_REFRESH, "surveys?refresh=1")));
    const refused = answers.filter((a) => a.status === 429);
    t.expect(`${answers.filter((a) => a.status === 200).length} answered with the list`, answers.filter((a) => a.status === 200).length === 1);
    t.expect(`${refused.length} refused`, refused.length === 39);
    t.expect(
      `the refusals say why and when: ${refused[0]?.text}`,
      refused.every((a) => /loaded again from Qualtrics less than 10 s ago; it can be loaded again in \d+ s/.test(a.text) && Number(a.headers.get("retry-after")) >= 1),
    );
    const surveys = rig.sb.requests.filter((r) => r.path === "/API/v3/surveys").length;
    t.expect(`the sandbox got ${surveys} survey lists`, surveys === 1);
    const before = await flowAfter("ah-refresh", /\/surveys$/);
    t.expect(`the flow's request came after ${before} survey lists`, before <= 1);
    t.figures("editor lookups × refresh flood from a read-only user");
    assert.deepEqual(t.failed, []);
  });

  it("a read-only user's lookups that miss the cache: a flow's request queues behind a few at most; past 50 waiting they are refused", async function () {
    const t = tally();
    const dirs = Array.from({ length: 60 }, (_, i) => `POOL_${String(i).padStart(15, "0")}`);
    const answers: HttpAnswer[] = [];
    const pending = dirs.map((d) => lookup(CFG_SHARE, `mailinglists?directoryId=${d}`).then((a) => answers.push(a), () => undefined));
    // the lookups over the limit are answered at once; the others wait for the editor's share
    await waitFor("refusals", () => answers.filter((a) => a.status === 429).length >= 5, 5_000).catch(() => undefined);
    await sleep(200);
    const before = await flowAfter("ah-share", /\/mailinglists$/);
    t.expect(`the flow's request came after ${before} lookups`, before <= 3);
    const busy = answers.filter((a) => a.status === 429);
    t.expect(`${busy.length} lookups refused`, busy.length >= 5);
    t.expect(`the refusals say why: ${busy[0]?.text}`, busy.every((a) => /Too many lists are being loaded from Qualtrics for the editor; try again in \d+ s/.test(a.text)));
    void Promise.allSettled(pending);
    t.figures("editor lookups × cache misses from a read-only user");
    assert.deepEqual(t.failed, []);
  });
});
