// Hostile webhook deliveries against a real Node-RED through the rig: one valid signed MSG+HMAC
// replayed under other Topics (Topic is not covered by the HMAC), a replay after a kill, a MSG
// nested thousands of levels deep, and a shared key written as an environment reference that
// resolved to nothing. Each delivery is emitted at most once, and nothing is accepted with a key
// that is not the one meant.
import assert from "node:assert/strict";
import { signMessage } from "../../sandbox";
import { addFigures, countEnds } from "./figures";
import { RIG_CONFIG, Rig, rigConfig, type Unit } from "./rig";
import { sleep, waitFor } from "../support/wait";

const RUN = process.env.NR_PKG || "node-red";
const SHARED_KEY = "FAULTS-SECRET-SHAREDKEY-webhook-5d81e0";
const SURVEY = "SV_hostile000000001";
const BRAND = "hostilebrand";
/** the variables the two misconfigured triggers' shared keys name: one not set, one set to "" */
const [UNSET_VAR, EMPTY_VAR] = ["QUALTRICS_FAULTS_UNSET_SHARED_KEY", "QUALTRICS_FAULTS_EMPTY_SHARED_KEY"];

const trigger = (id: string, path: string, over: Record<string, unknown> = {}): Unit => ({
  node: {
    id, type: "qualtrics-response-in", name: id, qualtrics: RIG_CONFIG, surveyId: SURVEY, topic: "", path,
    autoRegister: false, publicBaseUrl: "", fetchResponse: false, dedupeSeconds: 600, maxBodyKb: 256, ...over,
  },
  idExpr: "msg.event && msg.event.responseId",
});

function signed(responseId: string, extra = ""): { Topic: string; MSG: string; HMAC: string } {
  const MSG = `{"Status":"Complete","SurveyID":"${SURVEY}","ResponseID":"${responseId}","CompletedDate":"2030-01-01 10:00:00","BrandID":"${BRAND}"${extra}}`;
  return { Topic: `${BRAND}.surveyengine.completedResponse.${SURVEY}`, MSG, HMAC: signMessage(SHARED_KEY, MSG) };
}

describe(`faults: hostile webhook deliveries (${RUN})`, function () {
  this.timeout(180_000);
  let rig: Rig;
  let pid: number | undefined;
  const units = [
    trigger("wh-survey", "/wh/survey"),
    trigger("wh-any", "/wh/any", { surveyId: "", topic: "*" }),
    trigger("wh-unset", "/wh/unset"),
    trigger("wh-empty", "/wh/empty"),
  ];
  const credentials = {
    "wh-survey": { sharedKey: SHARED_KEY },
    "wh-any": { sharedKey: SHARED_KEY },
    "wh-unset": { sharedKey: `\${${UNSET_VAR}}` },
    "wh-empty": { sharedKey: `\${${EMPTY_VAR}}` },
  };

  /** POSTs a form to a trigger's route: the status and the answer's text */
  async function deliver(path: string, fields: Record<string, string>): Promise<{ status: number; text: string }> {
    const r = await fetch(rig.nr.nodeUrl + path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: r.status, text: (await r.text()).slice(0, 300) };
  }

  before(async function () {
    rig = await Rig.start({ nodeRed: { env: { [EMPTY_VAR]: "" } } });
    await rig.deploy(units, [rigConfig()], credentials);
    pid = rig.nr.pid;
  });
  after(() => rig?.dispose());
  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`--- Node-RED log (last 4000 chars) ---\n${rig?.nr.log.slice(-4000)}`);
  });

  it("replayed topic: one signed MSG+HMAC replayed under other Topics is emitted exactly once", async function () {
    const original = signed("R_replayed1");
    const variants = [
      `${BRAND}.`,
      `${BRAND}.surveyengine.completedResponse.SV_x1`,
      `${BRAND}.surveyengine.completedResponse.SV_x2`,
      "",
      `${BRAND}..`,
      `${BRAND}.surveyengine.completedResponse.*`,
      `otherbrand.surveyengine.completedResponse.${SURVEY}`,
      `${BRAND}.controlpanel.activateSurvey`,
      original.Topic,
    ];
    const problems: string[] = [];
    let crashes = 0;
    let tried = 0;
    for (const unit of ["wh-survey", "wh-any"]) {
      const path = unit === "wh-survey" ? "/wh/survey" : "/wh/any";
      const first = await deliver(path, original);
      if (first.status !== 200) problems.push(`${unit}: the original got ${first.status} ${first.text}`);
      for (const Topic of variants) {
        tried++;
        const a = await deliver(path, { ...original, Topic });
        if (a.status >= 500) crashes++;
        // refused (400: the Topic contradicts the signed MSG or names no event) or acknowledged as a repeat
        if (a.status !== 200 && a.status !== 400) problems.push(`${unit} Topic ${JSON.stringify(Topic)}: ${a.status} ${a.text}`);
      }
    }
    await rig.settle("wh-any", ["R_replayed1"], 10_000, 800);
    const final = ["wh-survey", "wh-any"].map((unit) => ({ unit, ends: countEndsOf(unit, ["R_replayed1"]) }));
    for (const { unit, ends: e } of final) {
      addFigures({ area: "faults", what: `${unit === "wh-any" ? "qualtrics-response-in (topic *)" : "qualtrics-response-in"} × replayed topic`, faultsTried: variants.length, faultsSurvived: e.duplicated === 0 && e.lost === 0 ? variants.length : 0, ...e });
      if (e.delivered !== 1 || e.duplicated !== 0) problems.push(`${unit}: ${JSON.stringify(e)}`);
    }
    addFigures({ area: "fuzz", what: "qualtrics-response-in × replayed topic", fuzzed: tried, crashes });
    assert.deepEqual(problems, []);
    assert.equal(crashes, 0);
  });

  it("deep MSG: a signed MSG nested thousands of levels is refused before acknowledging, and Node-RED lives on", async function () {
    const mark = rig.nr.mark();
    const bodies = [
      signed("R_deep_objects", `,"x":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`),
      signed("R_deep_arrays", `,"x":${"[".repeat(20_000)}${"]".repeat(20_000)}`),
    ];
    const problems: string[] = [];
    let crashes = 0;
    for (const b of bodies) {
      const a = await deliver("/wh/any", b);
      if (a.status >= 500) crashes++;
      if (a.status !== 400 && a.status !== 413) problems.push(`${a.status} ${a.text}`);
      else if (!/nested deeper than \d+ levels/.test(a.text)) problems.push(`no clear reason: ${a.status} ${a.text}`);
    }
    // a shallow event after them still gets through
    const after = await deliver("/wh/any", signed("R_after_deep"));
    const ends = await rig.settle("wh-any", ["R_after_deep"], 10_000, 800);
    const deepEnds = rig.endsOf("wh-any", ["R_deep_objects", "R_deep_arrays"]);
    if (deepEnds.length) problems.push(`${deepEnds.length} messages came out of a deep MSG`);
    if (after.status !== 200 || ends.delivered !== 1) problems.push(`the next event: ${after.status} ${JSON.stringify(ends)}`);
    const bad = rig.nr.logSince(mark).split("\n").filter((l) => /Maximum call stack|Unhandled|uncaught/i.test(l));
    crashes += bad.length;
    if (rig.nr.pid !== pid) crashes++;
    addFigures({ area: "fuzz", what: "qualtrics-response-in × deep MSG", fuzzed: bodies.length, crashes });
    assert.deepEqual([...problems, ...bad], []);
    assert.equal(crashes, 0);
  });

  it("a shared key written as ${VAR} that resolved to nothing accepts no webhook, and says so naming Shared key", async function () {
    const checks: Array<[string, boolean]> = [];
    const literal = (name: string) => `\${${name}}`;
    for (const [unit, path, name] of [["wh-unset", "/wh/unset", UNSET_VAR], ["wh-empty", "/wh/empty", EMPTY_VAR]] as const) {
      const ev = signed(`R_${unit}`);
      const withLiteral = { ...ev, HMAC: signMessage(literal(name), ev.MSG) };
      for (const [what, body] of [["signed with the literal text", withLiteral], ["unsigned", { Topic: ev.Topic, MSG: ev.MSG }]] as const) {
        const a = await deliver(path, body);
        checks.push([`${unit} ${what}: ${a.status} ${a.text}`, a.status === 503 && /shared key is not configured/.test(a.text)]);
      }
      checks.push([`${unit}: the log names Shared key and ${name}`, new RegExp(`Shared key: the environment variable ${name} is not set`).test(rig.nr.log)]);
    }
    await sleep(800);
    const out = rig.ends.filter((e) => e.unit === "wh-unset" || e.unit === "wh-empty");
    checks.push([`no message came out (${out.length})`, out.length === 0]);
    addFigures({ area: "access", what: "qualtrics-response-in × shared key ${VAR} unset or empty", faultsTried: checks.length, faultsSurvived: checks.filter(([, ok]) => ok).length });
    assert.deepEqual(checks.filter(([, ok]) => !ok).map(([w]) => w), []);
  });

  it("a replay after a kill: an event emitted before is acknowledged and not emitted again", async function () {
    const before = signed("R_before_kill");
    assert.equal((await deliver("/wh/survey", before)).status, 200);
    const first = await rig.settle("wh-survey", ["R_before_kill"], 10_000, 200);
    // the record of deliveries is written at most a second after one (docs/nodes/qualtrics-response-in.md)
    await sleep(1500);
    await rig.nr.kill();
    await rig.nr.start();
    await waitFor("the trigger's route", async () => (await fetch(rig.nr.nodeUrl + "/wh/survey")).status === 200, 20_000, 100);
    const replay = await deliver("/wh/survey", before);
    const fresh = await deliver("/wh/survey", signed("R_after_kill"));
    await rig.settle("wh-survey", ["R_after_kill"], 10_000, 800);
    const ends = countEnds(["R_before_kill", "R_after_kill"], rig.endsOf("wh-survey", ["R_before_kill", "R_after_kill"]) as Array<{ id: string; kind: "output" | "error" }>);
    addFigures({ area: "restart", what: "qualtrics-response-in replay across a kill", ...ends });
    assert.deepEqual(first, { sent: 1, delivered: 1, errored: 0, lost: 0, duplicated: 0 });
    assert.equal(replay.status, 200, "the replay is acknowledged");
    assert.equal(fresh.status, 200);
    assert.deepEqual(ends, { sent: 2, delivered: 2, errored: 0, lost: 0, duplicated: 0 });
  });

  function countEndsOf(unit: string, ids: string[]) {
    return countEnds(ids, rig.endsOf(unit, ids) as Array<{ id: string; kind: "output" | "error" }>);
  }
});
