// Restart: Node-RED is killed (SIGKILL: nothing closes, no context store flushes) during a burst of
// contact creates and webhook deliveries, one trigger is removed from the flows while it is down,
// and it starts again. Then: no duplicate event subscriptions, the removed trigger's subscription
// is deleted, and the response poll and the "new since last run" export go on from their bookmarks
// without a gap or a repeat.
//
// The context store is Node-RED's default (memory), the setting most users keep: the bookmarks
// survive through the durable copy in the user directory (nodes/lib/bookmark.ts).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { readPublicationUrl } from "../../src/publication-url";
import { addFigures, countEnds } from "./figures";
import { RIG_CONFIG, Rig, rigConfig, type Unit } from "./rig";
import { sleep, waitFor } from "../support/wait";

const SURVEY = "SV_VE5mzwCiii9FktA";
const SHARED_KEY = "FAULTS-SECRET-SHAREDKEY-restart-91c4a3";
const DIRECTORY = "POOL_i2nB6gG17IbvuSp";

describe(`faults: restart after a kill (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(240_000);
  let rig: Rig;
  const created: string[] = []; // responses completed during the test, in order
  // a trigger's mark follows its path as one more segment
  const subscriptionsOf = (path: string) => [...rig.sb.state.subscriptions.values()].filter((s) => new URL(readPublicationUrl(s.publicationUrl)!.route).pathname === path);

  const trigger = (id: string, path: string): Unit => ({
    node: {
      id, type: "qualtrics-response-in", name: id, qualtrics: RIG_CONFIG, surveyId: SURVEY, topic: "", path, autoRegister: true,
      publicBaseUrl: rig.nr.url.replace(/\/$/, ""), fetchResponse: false, dedupeSeconds: 600, maxBodyKb: 256,
    },
    idExpr: "msg.event && msg.event.responseId",
  });
  const units = (withB: boolean): Unit[] => [
    trigger("t-a", "/qualtrics/a"),
    ...(withB ? [trigger("t-b", "/qualtrics/b")] : []),
    {
      node: { id: "poll", type: "qualtrics-response-poll", name: "poll", qualtrics: RIG_CONFIG, surveyId: SURVEY, surveyIdType: "str", interval: 2, start: "now", startDate: "" },
      idExpr: "msg.event && msg.event.responseId",
    },
    {
      node: {
        id: "export", type: "qualtrics-export", name: "export new", qualtrics: RIG_CONFIG, surveyId: SURVEY, surveyIdType: "str", format: "json",
        since: "new", output: "split", directory: "", compress: true, allowContinuation: false, timeout: 30,
      },
      idExpr: "msg.payload && msg.payload.responseId",
    },
    {
      node: {
        // its own configuration, so its queue does not hold up the poll's and the export's requests
        id: "create", type: "qualtrics-contact", name: "create", qualtrics: "burst-config", operation: "create",
        directoryId: DIRECTORY, directoryIdType: "str", email: "payload.email", emailType: "msg", output: "array",
      },
    },
  ];
  const credentials = { "t-a": { sharedKey: SHARED_KEY }, "t-b": { sharedKey: SHARED_KEY } };

  async function complete(n: number): Promise<void> {
    for (let i = 0; i < n; i++) created.push((await rig.sb.completeResponse(SURVEY)).responseId);
  }

  /** the time of the poll's latest "polled" status, after `since` */
  const polledAfter = (since: number) => rig.statuses.filter((s) => s.unit === "poll" && s.fill === "green" && s.at > since).length > 0;

  before(async function () {
    rig = await Rig.start({
      nodeRed: { settings: { qualtricsResponsePollMinInterval: 1, qualtricsExportPollDelay: 100, qualtricsConfigRetryDelay: 50 } },
    });
  });
  after(() => rig?.dispose());

  it("keeps one subscription per trigger, deletes the removed trigger's, and resumes poll and export without a gap or a repeat", async function () {
    const seeded = [...rig.sb.state.surveys.get(SURVEY)!.responses.keys()];
    await rig.deploy(units(true), [rigConfig(), rigConfig({ id: "burst-config", name: "burst", rateLimit: 6000 })], credentials);
    await waitFor("both subscriptions", () => subscriptionsOf("/qualtrics/a").length === 1 && subscriptionsOf("/qualtrics/b").length === 1, 20_000);
    const subA = subscriptionsOf("/qualtrics/a")[0].id;
    // the configuration that made them is noted, so its next start looks for orphans even with no trigger left
    const registry = path.join(rig.nr.userDir, "qualtrics-subscriptions.json");
    await waitFor("the registry of subscribing configurations", () => fs.existsSync(registry) && RIG_CONFIG in JSON.parse(fs.readFileSync(registry, "utf8")), 10_000);
    const subB = subscriptionsOf("/qualtrics/b")[0].id;
    // the first poll has stored where it starts
    await waitFor("the first poll", () => polledAfter(0), 20_000);

    // before the kill: responses that reach the triggers, the poll and an export run
    await complete(5);
    await waitFor("the poll to send the first responses", () => created.every((id) => rig.endsOf("poll", [id]).length > 0), 30_000);
    await rig.send("export", [{ payload: {} }]);
    await waitFor("the first export", () => [...seeded, ...created].every((id) => rig.endsOf("export", [id]).length > 0), 30_000);

    // the burst: contact creates and more responses (webhooks) while the poll goes on
    const emails = Array.from({ length: 5000 }, (_, i) => ({ payload: { email: `restart-${i}@example.com` } }));
    const sending = rig.send("create", emails).catch(() => undefined); // the kill cuts this short
    await complete(6);
    // killed right after a poll has finished (its bookmark is written before its status shows), so
    // the kill lands in the burst but not inside a poll's sending
    const mark = Date.now();
    await waitFor("a poll after the burst started", () => polledAfter(mark), 20_000, 10);
    await rig.nr.kill();
    await sending;
    const ours = () => [...rig.sb.state.directories.get(DIRECTORY)!.contacts.values()].filter((c) => typeof c.email === "string" && c.email.startsWith("restart-"));
    const createdBeforeKill = ours().length;

    // while it is down: more responses, and trigger B is removed from the flows file
    await complete(4);
    const flows = rig.nr.readFlowsFile().filter((n) => n.id !== "t-b" && !String(n.id).endsWith("-t-b") && !String(n.id).endsWith("-t-b-0"));
    fs.writeFileSync(rig.nr.flowsFile(), JSON.stringify(flows));
    const restartedAt = Date.now();
    await rig.nr.start();

    // subscriptions: A's reused (not a new one), B's deleted by the sweep
    await waitFor("B's subscription to be deleted", () => !rig.sb.state.subscriptions.has(subB), 20_000);
    await waitFor("A to check its subscription", () => rig.sb.requests.some((r) => r.method === "GET" && r.path.endsWith("/eventsubscriptions") && r.at >= restartedAt), 20_000);
    await sleep(1000);
    const postsAfter = rig.sb.requests.filter((r) => r.method === "POST" && r.path.endsWith("/eventsubscriptions") && r.at >= restartedAt).length;
    const subsNow = [...rig.sb.state.subscriptions.values()];

    // the poll catches up with everything since its bookmark; then one more export run
    await complete(3);
    await waitFor("the poll to send every response", () => created.every((id) => rig.endsOf("poll", [id]).length > 0), 40_000);
    await rig.send("export", [{ payload: {} }]);
    await waitFor("the second export", () => created.every((id) => rig.endsOf("export", [id]).length > 0), 40_000);
    await sleep(2500); // one more poll interval: a repeat would show now

    const poll = countEnds(created, rig.endsOf("poll") as Array<{ id: string; kind: "output" | "error" }>);
    const exported = countEnds([...seeded, ...created], rig.endsOf("export") as Array<{ id: string; kind: "output" | "error" }>);
    const strayPoll = rig.endsOf("poll").filter((e) => !created.includes(e.id));
    const strayExport = rig.endsOf("export").filter((e) => e.kind === "output" && !seeded.includes(e.id) && !created.includes(e.id));
    const createdContacts = ours();
    const duplicateCreates = createdContacts.length - new Set(createdContacts.map((c) => c.email)).size;

    const checks: Array<[string, boolean]> = [
      ["one subscription for A, the same as before the kill", subsNow.length === 1 && subsNow[0].id === subA],
      ["no subscription created after the restart", postsAfter === 0],
      ["B's subscription deleted", !rig.sb.state.subscriptions.has(subB)],
      [`the kill came during the burst of creates (${createdBeforeKill} of ${emails.length} created)`, createdBeforeKill > 0 && createdBeforeKill < emails.length],
      ["no contact created twice", duplicateCreates === 0],
      ["the poll sent nothing it should not", strayPoll.length === 0],
      ["the export sent nothing it should not", strayExport.length === 0],
    ];
    addFigures({ area: "restart", what: "subscriptions and creates across a kill", faultsTried: checks.length, faultsSurvived: checks.filter(([, ok]) => ok).length });
    addFigures({ area: "restart", what: "response poll across a kill", ...poll });
    addFigures({ area: "restart", what: "export new-since-last-run across a kill", ...exported });

    for (const [what, ok] of checks) assert.ok(ok, what);
    assert.deepEqual(poll, { sent: created.length, delivered: created.length, errored: 0, lost: 0, duplicated: 0 });
    assert.deepEqual(exported, { sent: seeded.length + created.length, delivered: seeded.length + created.length, errored: 0, lost: 0, duplicated: 0 });
  });
});
