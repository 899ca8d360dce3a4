// Flows saved by a released version (test/fixtures/saved-flows/<version>/) deployed unchanged to a
// real Node-RED, as a user's flows file is after an upgrade: every flow starts, no node logs an
// error or a warning (an unknown or missing property included), none shows a red status, and the
// runtime keeps every node exactly as it was saved.
import assert from "node:assert/strict";
import { CONFIG_TYPE } from "../support/config-node";
import { TYPES } from "../editor/harness";
import { loadSavedFlows, ownNodes, savedFlowsCredentials, savedVersions } from "../support/saved-flows";
import { sleep, waitFor } from "../support/wait";
import { untranslated } from "./capture";
import { watchComms, type CommsWatch } from "./comms";
import { useStack } from "./stack";

/** the survey the saved poll reads from the environment (its surveyId is of type env) */
const POLL_SURVEY_ENV = "QUALTRICS_POLL_SURVEY";

for (const version of savedVersions()) {
  const saved = loadSavedFlows(version);

  describe(`e2e: flows saved by ${version} deploy unchanged (${process.env.NR_PKG || "node-red"})`, function () {
    this.timeout(60_000);
    let deployMark = 0;
    let watch: CommsWatch | undefined;
    const { sb, nr } = useStack({
      nodeRed: (sandbox, port) => ({
        httpNodeRoot: "/",
        env: { QUALTRICS_PUBLIC_URL: `http://127.0.0.1:${port}`, [POLL_SURVEY_ENV]: sandbox.seedIds.surveyIds[0] },
      }),
      ready: async () => {
        // watching before the deploy: a status or a warning of a node's start is seen too
        watch = await watchComms(nr.url);
        deployMark = nr.mark();
        await nr.deploy(saved.flows, savedFlowsCredentials(saved.flows, sb.token));
        await nr.waitForLog(/Started flows/, 15_000, deployMark);
      },
    });
    after(() => watch?.close());

    it("holds every node type of the package, and no credentials", function () {
      const types = new Set(saved.flows.map((n) => n.type));
      for (const t of [CONFIG_TYPE, ...TYPES]) assert.ok(types.has(t), `no saved flow of ${version} has a ${t}`);
      const text = JSON.stringify(saved.flows);
      assert.equal(text.includes("credentials"), false);
      assert.equal(text.includes(sb.token), false);
    });

    it("starts every flow without an error or a warning in the log", async function () {
      // the nodes that work on their own have done their first work: the trigger registered its
      // subscription, the polls asked once
      await waitFor("the saved response trigger's event subscription", () => sb.state.subscriptions.size >= 1, 15_000);
      await waitFor("the saved polls' first requests", () => sb.requests.some((r) => r.method === "POST" && /\/export-responses$/.test(r.path)), 15_000);
      await sleep(500);
      assert.deepEqual(nr.problems(deployMark), []);
    });

    it("shows no error or warning in the debug sidebar, and no red or untranslated status", function () {
      const w = watch!;
      const logged = w.sidebar.filter((m) => m.level !== undefined).map((m) => `${m.id} (${m.name ?? ""}): ${JSON.stringify(m.msg)}`);
      assert.deepEqual(logged, []);
      const red = w.statuses.filter((st) => st.fill === "red").map((st) => `${st.id}: ${st.text}`);
      assert.deepEqual(red, []);
      assert.deepEqual(untranslated(w.statuses.map((st) => st.text ?? "")), []);
    });

    it("keeps every node as it was saved (GET /flows)", async function () {
      const { flows } = await nr.getFlows();
      const byId = new Map(flows.map((n) => [n.id, n]));
      for (const n of saved.flows) assert.deepEqual(byId.get(n.id), n, `${n.type} ${n.id}`);
      assert.equal(flows.length, saved.flows.length);
      assert.ok(ownNodes(saved.flows).length > 0);
    });
  });
}
