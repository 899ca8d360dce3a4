// Event subscriptions against a Qualtrics that does not keep the publication URL as sent (whether it
// does is undocumented, docs/qualtrics-facts.md §6.2): the sandbox stores it verbatim, without its query,
// with the query reordered, or re-encoded (host in capitals, default port, everything
// percent-encoded). For each way, on a real Node-RED:
//   - a subscription an older version made (owner in the query) is migrated: a new one, the old one deleted;
//   - a completed response reaches each trigger once, at the URL as stored;
//   - a redeploy creates nothing and deletes nothing;
//   - a restart after a trigger was removed while Node-RED was down deletes its subscription and the
//     other orphans it can recognise, creates nothing, and leaves what is not ours alone.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { markedUrl } from "../../src/subscriptions";
import { deploymentOf } from "../../src/publication-url";
import { PUBLICATION_URL_MODES, storePublicationUrl, type PublicationUrlMode } from "../../sandbox";
import type { SubscriptionRecord } from "../../sandbox/state";
import { addFigures, countEnds } from "./figures";
import { RIG_CONFIG, Rig, rigConfig, type Unit } from "./rig";
import { sleep, waitFor } from "../support/wait";

const SURVEY = "SV_VE5mzwCiii9FktA";
const TOPIC = `surveyengine.completedResponse.${SURVEY}`;
const OTHER_TOPIC = "surveyengine.completedResponse.SV_otherSurvey000";
const SHARED_KEY = "FAULTS-SECRET-SHAREDKEY-subs-7e21c0";

describe(`faults: publication URLs Qualtrics rewrites (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(240_000);
  let rig: Rig;
  let instance = "";

  const base = () => rig.nr.url.replace(/\/$/, "");
  const trigger = (id: string, route: string): Unit => ({
    node: {
      id, type: "qualtrics-response-in", name: id, qualtrics: RIG_CONFIG, surveyId: SURVEY, topic: "", path: route, autoRegister: true,
      publicBaseUrl: base(), fetchResponse: false, dedupeSeconds: 600, maxBodyKb: 256,
    },
    idExpr: "msg.event && msg.event.responseId",
  });
  const units = (name = "t-a"): Unit[] => [{ ...trigger("t-a", "/hostile/a"), node: { ...trigger("t-a", "/hostile/a").node, name } }, trigger("t-b", "/hostile/b")];
  const credentials = { "t-a": { sharedKey: SHARED_KEY }, "t-b": { sharedKey: SHARED_KEY } };
  const subs = () => [...rig.sb.state.subscriptions.values()];
  const routeOf = (s: SubscriptionRecord) => decodeURIComponent(new URL(s.publicationUrl).pathname);
  const subsOf = (route: string) => subs().filter((s) => s.topics === TOPIC && (routeOf(s) === route || routeOf(s).startsWith(route + "/")));
  const count = (method: string, since: number) => rig.sb.requests.filter((r) => r.method === method && /\/eventsubscriptions(\/|$)/.test(r.path) && r.at >= since).length;
  const creates = (since: number) => rig.sb.requests.filter((r) => r.method === "POST" && /\/eventsubscriptions$/.test(r.path) && r.at >= since).length;

  function seed(id: string, url: string, mode: PublicationUrlMode, topics = OTHER_TOPIC): void {
    rig.sb.state.subscriptions.set(id, { id, scope: "brand", topics, publicationUrl: storePublicationUrl(url, mode), encrypted: false, sharedKey: SHARED_KEY, successfulCalls: 0 });
  }

  before(async function () {
    rig = await Rig.start({ nodeRed: { logLevel: "debug" } });
    // the instance ID Node-RED keeps in its user directory names this instance in our marks
    await rig.deploy([], [rigConfig()]);
    const runtime = path.join(rig.nr.userDir, ".config.runtime.json");
    instance = await waitFor("the instance ID", () => (fs.existsSync(runtime) ? (JSON.parse(fs.readFileSync(runtime, "utf8")) as { instanceId?: string }).instanceId : undefined));
  });
  after(() => rig?.dispose());

  for (const mode of PUBLICATION_URL_MODES) {
    it(`${mode}: migrates, delivers once, redeploys and restarts without a duplicate, sweeps the orphans it can recognise`, async function () {
      rig.sb.reset();
      rig.sb.publicationUrls.set(mode);
      rig.clear();
      const logMark = rig.nr.mark();
      const owner = (node: string) => `nrqi=${instance}&nrqc=${RIG_CONFIG}&nrqn=${node}`;
      // as the previous version registered trigger A (owner and fingerprint in the query)
      seed("SUB_legacyA", `${base()}/hostile/a?nrq=0123456789abcdef&${owner("t-a")}`, mode, TOPIC);
      // orphans of this instance and configuration, made by the previous version and by this one
      seed("SUB_legacyGone", `${base()}/hostile/legacy-gone?${owner("t-legacy-gone")}`, mode);
      seed("SUB_gone", markedUrl(`${base()}/hostile/gone`, { owner: { instance, config: RIG_CONFIG, node: "t-gone" } }), mode);
      const deployment = deploymentOf(base(), "");
      seed("SUB_goneDeployment", markedUrl(`${base()}/hostile/gone2`, { owner: { deployment, flow: "tab", config: RIG_CONFIG, node: "t-gone2" } }), mode);
      // not ours to touch: another instance's, another deployment's (staging running the same flow), and one made by hand
      seed("SUB_otherInstance", markedUrl(`${base()}/hostile/gone`, { owner: { instance: "0000aaaa1111bbbb", config: RIG_CONFIG, node: "t-gone" } }), mode);
      const staging = deploymentOf("https://staging.example.com", "");
      seed("SUB_staging", markedUrl("https://staging.example.com/hostile/gone2", { owner: { deployment: staging, flow: "tab", config: RIG_CONFIG, node: "t-gone2" } }), mode);
      seed("SUB_byHand", `${base()}/hostile/by-hand?x=1`, mode);

      // 1. deploy: A's old subscription is replaced, B gets one
      const deployed = Date.now();
      await rig.deploy(units(), [rigConfig()], credentials);
      await waitFor("one subscription per trigger, A's old one gone", () => subsOf("/hostile/a").length === 1 && subsOf("/hostile/b").length === 1 && !rig.sb.state.subscriptions.has("SUB_legacyA"), 20_000);
      await sleep(500);
      const [subA] = subsOf("/hostile/a");
      const [subB] = subsOf("/hostile/b");
      const madeOnDeploy = creates(deployed);

      // 2. a completed response reaches each trigger once, at the URL as stored
      const { responseId, deliveries } = await rig.sb.completeResponse(SURVEY);
      const delivered = deliveries.filter((d) => d.subscriptionId === subA.id || d.subscriptionId === subB.id);
      const endsA = await rig.settle("t-a", [responseId], 15_000);
      const endsB = await rig.settle("t-b", [responseId], 15_000, 0);

      // 3. a redeploy (A renamed) creates nothing and deletes nothing
      const redeployed = Date.now();
      await rig.deploy(units("t-a renamed"), [rigConfig()], credentials);
      await waitFor("A to check its subscription", () => rig.sb.requests.some((r) => r.method === "GET" && r.path.endsWith("/eventsubscriptions") && r.at >= redeployed), 15_000);
      await sleep(1000);
      const redeployCalls = { posts: creates(redeployed), deletes: count("DELETE", redeployed) };

      // 4. B removed while Node-RED is down; the restart sweeps its subscription and the orphans
      await rig.nr.stop();
      const flows = rig.nr.readFlowsFile().filter((n) => n.id !== "t-b" && !/-t-b(-\d+)?$/.test(String(n.id)));
      fs.writeFileSync(rig.nr.flowsFile(), JSON.stringify(flows));
      const restarted = Date.now();
      await rig.nr.start();
      await waitFor("B's subscription to be swept", () => !rig.sb.state.subscriptions.has(subB.id), 20_000);
      await waitFor("A to check its subscription after the restart", () => rig.sb.requests.some((r) => r.method === "GET" && r.path.endsWith("/eventsubscriptions") && r.at >= restarted), 15_000);
      await sleep(1500);
      const left = new Set(subs().map((s) => s.id));
      const lostWarnings = rig.nr.logSince(logMark).split("\n").filter((l) => /mark in it is lost/.test(l));

      const checks: Array<[string, boolean]> = [
        ["A's old subscription (owner in the query) migrated: one new one, the old one deleted", madeOnDeploy === 2 && !left.has("SUB_legacyA")],
        [`the new ones carry their mark in the path (${subA.publicationUrl})`, /\/hostile\/a\/nrq(-|%2D)/i.test(subA.publicationUrl)],
        ["Qualtrics' webhook reached both triggers at the stored URLs", delivered.length === 2 && delivered.every((d) => d.status === 200)],
        ["a redeploy created and deleted nothing", redeployCalls.posts === 0 && redeployCalls.deletes === 0],
        ["the restart created nothing and kept A's", creates(restarted) === 0 && left.has(subA.id)],
        ["the removed trigger's subscription swept", !left.has(subB.id)],
        ["the instance-marked orphan (the version before) swept", !left.has("SUB_gone")],
        ["this version's orphan (marked with the deployment) swept", !left.has("SUB_goneDeployment")],
        ["another deployment's subscription left alone", left.has("SUB_staging")],
        // with the query gone, nothing says the older version's orphan is ours: it stays
        [`the older version's orphan ${mode === "strip-query" ? "left (its owner is lost)" : "swept"}`, left.has("SUB_legacyGone") === (mode === "strip-query")],
        ["another instance's and a hand-made subscription left alone", left.has("SUB_otherInstance") && left.has("SUB_byHand")],
        ["no warning that the mark was lost", lostWarnings.length === 0],
        ["no error or warning in the log", rig.nr.problems(logMark).length === 0],
      ];
      const ends = { sent: 2, delivered: endsA.delivered + endsB.delivered, errored: endsA.errored + endsB.errored, lost: endsA.lost + endsB.lost, duplicated: endsA.duplicated + endsB.duplicated };
      addFigures({ area: "faults", what: `qualtrics-response-in subscriptions × publication URL ${mode}`, faultsTried: checks.length, faultsSurvived: checks.filter(([, ok]) => ok).length, ...ends });

      for (const [what, ok] of checks) assert.ok(ok, `${what}\n${JSON.stringify({ madeOnDeploy, redeployCalls, left: [...left], deliveries, problems: rig.nr.problems(logMark) }, null, 1)}`);
      assert.deepEqual(ends, { sent: 2, delivered: 2, errored: 0, lost: 0, duplicated: 0 });
      assert.deepEqual(countEnds([responseId], rig.endsOf("t-a")), { sent: 1, delivered: 1, errored: 0, lost: 0, duplicated: 0 });
    });
  }
});
