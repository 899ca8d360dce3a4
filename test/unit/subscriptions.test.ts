import assert from "node:assert/strict";
import { QualtricsInputError } from "../../src/errors";
import {
  checkPublicationUrl,
  createSubscription,
  deleteSubscription,
  ensureSubscription,
  keyFingerprint,
  listSubscriptions,
  markedUrl,
  removeOrphans,
  Subscription,
} from "../../src/subscriptions";
import { fail, metaOnly, ok, Recorded, RecordingServer, Reply } from "../support/fake-servers";
import { failure, useClients } from "./helpers";
import { useRecordingServer } from "../support/fixtures";

const TOPIC = "surveyengine.completedResponse.SV_22VlHYNeldrrrkp";
const HOOK = "https://nr.example.com/qualtrics/hook/abc";
const FP_NEW = keyFingerprint("new-shared-key", "account-secret");
const FP_OLD = keyFingerprint("old-shared-key", "account-secret");
const WANTED = markedUrl(HOOK, { fingerprint: FP_NEW });
const OLDER = markedUrl(HOOK, { fingerprint: FP_OLD });
/** as versions before the mark moved into the path wrote it */
const LEGACY = `${HOOK}?nrq=${FP_NEW}`;

/**
 * A fake /eventsubscriptions: GET lists `subs`, DELETE answers meta only, POST creates SUB_new,
 * whose publication URL GET /eventsubscriptions/SUB_new answers as `store` turned it.
 */
function eventSubscriptions(subs: Subscription[], store: (url: string) => string = (u) => u) {
  let stored = "";
  return (req: Recorded): Reply => {
    if (req.method === "GET" && req.path === "/API/v3/eventsubscriptions") return ok({ elements: subs, nextPage: null });
    if (req.method === "GET" && req.path === "/API/v3/eventsubscriptions/SUB_new") return ok({ id: "SUB_new", topics: TOPIC, publicationUrl: stored, encrypted: false, successfulCalls: 0 });
    if (req.method === "DELETE" && req.path.startsWith("/API/v3/eventsubscriptions/SUB_")) return metaOnly();
    if (req.method === "POST" && req.path === "/API/v3/eventsubscriptions") {
      stored = store((req.body as { publicationUrl: string }).publicationUrl);
      return ok({ id: "SUB_new" });
    }
    return { status: 404, body: { meta: { httpStatus: "404 - Not Found", error: { errorMessage: "no route", errorCode: "NF" } } } };
  };
}

function calls(api: RecordingServer): string[] {
  return api.requests.map((r) => `${r.method} ${r.path.replace("/API/v3", "")}`);
}

describe("event subscriptions (docs/qualtrics-facts.md §6.1, §6.2)", function () {
  const api = useRecordingServer();
  const clients = useClients();

  describe("ensureSubscription", function () {
    it("reuses an exact match: no POST, no DELETE", async function () {
      const client = clients.make(api.apiBase);
      api.reply(
        eventSubscriptions([
          { id: "SUB_other", topics: "controlpanel.activateSurvey", publicationUrl: "https://elsewhere.example/x", encrypted: false },
          { id: "SUB_mine", topics: TOPIC, publicationUrl: WANTED, encrypted: false, successfulCalls: 109 },
        ]),
      );
      const r = await ensureSubscription(client, { publicationUrl: WANTED, topics: TOPIC, sharedKey: "new-shared-key" });
      assert.deepEqual(r, { id: "SUB_mine", created: false, removed: [] });
      assert.deepEqual(calls(api), ["GET /eventsubscriptions"]);
    });

    it("creates one when none exists, with {publicationUrl, topics, encrypt:false, sharedKey}", async function () {
      const client = clients.make(api.apiBase);
      api.reply(eventSubscriptions([]));
      const r = await ensureSubscription(client, { publicationUrl: WANTED, topics: TOPIC, sharedKey: "new-shared-key" });
      assert.deepEqual(r, { id: "SUB_new", created: true, removed: [], check: { stored: WANTED, verdict: "verbatim" } });
      // read back, to see whether Qualtrics kept the URL (§6.2 does not say)
      assert.deepEqual(calls(api), ["GET /eventsubscriptions", "POST /eventsubscriptions", "GET /eventsubscriptions/SUB_new"]);
      assert.deepEqual(api.requests[1].body, { publicationUrl: WANTED, topics: TOPIC, encrypt: false, sharedKey: "new-shared-key" });
    });

    it("without a shared key, none is sent", async function () {
      const client = clients.make(api.apiBase);
      api.reply(eventSubscriptions([]));
      await ensureSubscription(client, { publicationUrl: HOOK, topics: TOPIC });
      assert.deepEqual(api.requests[1].body, { publicationUrl: HOOK, topics: TOPIC, encrypt: false });
    });

    it("deletes duplicates and older-fingerprint variants, leaves other subscriptions alone", async function () {
      const client = clients.make(api.apiBase);
      api.reply(
        eventSubscriptions([
          { id: "SUB_keep", topics: TOPIC, publicationUrl: WANTED },
          { id: "SUB_dup", topics: TOPIC, publicationUrl: WANTED },
          { id: "SUB_oldkey", topics: TOPIC, publicationUrl: OLDER },
          { id: "SUB_nokey", topics: TOPIC, publicationUrl: HOOK },
          { id: "SUB_othertopic", topics: "surveyengine.completedResponse.SV_other", publicationUrl: WANTED },
          { id: "SUB_otherurl", topics: TOPIC, publicationUrl: "https://nr.example.com/qualtrics/hook/xyz?nrq=" + FP_OLD },
          { id: "SUB_otherhost", topics: TOPIC, publicationUrl: "https://other.example.com/qualtrics/hook/abc" },
          { id: "SUB_nourl", topics: TOPIC },
        ]),
      );
      const r = await ensureSubscription(client, { publicationUrl: WANTED, topics: TOPIC, sharedKey: "new-shared-key" });
      assert.equal(r.id, "SUB_keep");
      assert.equal(r.created, false);
      assert.deepEqual([...r.removed].sort(), ["SUB_dup", "SUB_nokey", "SUB_oldkey"]);
      const deleted = api.requests.filter((q) => q.method === "DELETE").map((q) => q.path.split("/").pop());
      assert.deepEqual([...deleted].sort(), ["SUB_dup", "SUB_nokey", "SUB_oldkey"]);
      assert.equal(api.requests.filter((q) => q.method === "POST").length, 0);
    });

    it("replaces a subscription of an older key: create the new one first, then delete the old one", async function () {
      const client = clients.make(api.apiBase);
      api.reply(eventSubscriptions([{ id: "SUB_oldkey", topics: TOPIC, publicationUrl: OLDER }]));
      const r = await ensureSubscription(client, { publicationUrl: WANTED, topics: TOPIC, sharedKey: "new-shared-key" });
      assert.deepEqual({ ...r, check: undefined }, { id: "SUB_new", created: true, removed: ["SUB_oldkey"], check: undefined });
      assert.deepEqual(calls(api), ["GET /eventsubscriptions", "POST /eventsubscriptions", "GET /eventsubscriptions/SUB_new", "DELETE /eventsubscriptions/SUB_oldkey"]);
      assert.equal((api.requests[1].body as { publicationUrl: string }).publicationUrl, WANTED);
    });

    it("recognises its own however Qualtrics wrote the URL: host case, default port, trailing slash, encoding, query", async function () {
      const seg = WANTED.slice(HOOK.length + 1);
      const rewritten = [
        WANTED.replace("https://nr.example.com", "HTTPS://NR.Example.COM:443"),
        WANTED + "/",
        `${HOOK}/${seg.replace(/-/g, "%2D").replace(/k/g, "%6B")}`,
        WANTED.replace("qualtrics", "%71ualtrics"),
      ];
      for (const url of rewritten) {
        api.requests.length = 0;
        const client = clients.make(api.apiBase);
        api.reply(eventSubscriptions([{ id: "SUB_mine", topics: TOPIC, publicationUrl: url }]));
        const r = await ensureSubscription(client, { publicationUrl: WANTED, topics: TOPIC, sharedKey: "new-shared-key" });
        assert.deepEqual(r, { id: "SUB_mine", created: false, removed: [] }, url);
        assert.deepEqual(calls(api), ["GET /eventsubscriptions"], url);
      }
    });

    it("migrates a subscription an older version made (mark in the query, in any order or encoding): a new one in the path, then the old one goes", async function () {
      for (const legacy of [LEGACY, `${HOOK}?nrq=${FP_OLD}`, `${HOOK}?nrqn=n1&nrq=${FP_NEW}&nrqc=c1&nrqi=i1`, `${HOOK}?%6Erq=${FP_NEW}`, HOOK]) {
        api.requests.length = 0;
        const client = clients.make(api.apiBase);
        api.reply(eventSubscriptions([{ id: "SUB_legacy", topics: TOPIC, publicationUrl: legacy }]));
        const r = await ensureSubscription(client, { publicationUrl: WANTED, topics: TOPIC, sharedKey: "new-shared-key" });
        assert.deepEqual({ id: r.id, created: r.created, removed: r.removed }, { id: "SUB_new", created: true, removed: ["SUB_legacy"] }, legacy);
        assert.deepEqual(calls(api), ["GET /eventsubscriptions", "POST /eventsubscriptions", "GET /eventsubscriptions/SUB_new", "DELETE /eventsubscriptions/SUB_legacy"], legacy);
        assert.equal((api.requests[1].body as { publicationUrl: string }).publicationUrl, WANTED);
      }
    });

    it("reads a new subscription back and says whether Qualtrics kept the URL, an equivalent one, or lost the mark", async function () {
      const cases: Array<[string, (u: string) => string, string]> = [
        ["query stripped", (u) => u.split("?")[0], "verbatim"],
        ["host in capitals, default port", (u) => u.replace("https://nr.example.com", "https://NR.EXAMPLE.COM:443"), "equivalent"],
        ["segment percent-encoded", (u) => u.replace(/-/g, "%2D"), "equivalent"],
        ["last segment dropped", (u) => u.slice(0, u.lastIndexOf("/")), "lost"],
        ["another path", (u) => u.replace("/hook/", "/other/"), "lost"],
      ];
      for (const [what, store, verdict] of cases) {
        const client = clients.make(api.apiBase);
        api.reply(eventSubscriptions([], store));
        const r = await ensureSubscription(client, { publicationUrl: WANTED, topics: TOPIC, sharedKey: "new-shared-key" });
        assert.equal(r.check?.verdict, verdict, what);
        assert.equal(r.check?.stored, store(WANTED), what);
      }
    });

    it("a failed read-back does not fail the registration", async function () {
      const client = clients.make(api.apiBase);
      const list = eventSubscriptions([]);
      api.reply((req) => (req.method === "GET" && req.path.endsWith("/SUB_new") ? fail(404, "Subscription not found", "NF") : list(req)));
      const r = await ensureSubscription(client, { publicationUrl: WANTED, topics: TOPIC, sharedKey: "new-shared-key" });
      assert.equal(r.id, "SUB_new");
      assert.equal(r.check?.verdict, "unread");
      assert.equal((r.check?.error as { statusCode?: number }).statusCode, 404);
    });

    it("reuses the ID it made before although its URL is past recognition, and still removes the rest", async function () {
      const client = clients.make(api.apiBase);
      api.reply(
        eventSubscriptions([
          { id: "SUB_made", topics: TOPIC, publicationUrl: "https://nr.example.com/mangled" },
          { id: "SUB_dup", topics: TOPIC, publicationUrl: HOOK },
        ]),
      );
      const r = await ensureSubscription(client, { publicationUrl: WANTED, topics: TOPIC, sharedKey: "new-shared-key" }, undefined, { reuse: "SUB_made" });
      assert.deepEqual(r, { id: "SUB_made", created: false, removed: ["SUB_dup"] });
      assert.deepEqual(calls(api), ["GET /eventsubscriptions", "DELETE /eventsubscriptions/SUB_dup"]);
    });

    it("reads every page of the list", async function () {
      const client = clients.make(api.apiBase);
      api.reply(
        ok({ elements: [{ id: "SUB_a", topics: "x", publicationUrl: "https://a.example/" }], nextPage: `${api.apiBase}/eventsubscriptions?skipToken=2` }),
        ok({ elements: [{ id: "SUB_mine", topics: TOPIC, publicationUrl: WANTED }], nextPage: null }),
      );
      const r = await ensureSubscription(client, { publicationUrl: WANTED, topics: TOPIC });
      assert.equal(r.id, "SUB_mine");
      assert.equal(api.requests.length, 2);
    });

    it("refuses a bad publication URL before any request", async function () {
      const client = clients.make(api.apiBase);
      api.reply(eventSubscriptions([]));
      const e = await failure<QualtricsInputError>(ensureSubscription(client, { publicationUrl: "ftp://nr.example.com/x", topics: TOPIC }));
      assert.equal(e.field, "publicBaseUrl");
      assert.equal(api.requests.length, 0);
    });
  });

  describe("create, list, delete", function () {
    it("createSubscription needs topics and an ID in the answer", async function () {
      const client = clients.make(api.apiBase);
      api.reply(eventSubscriptions([]));
      const e = await failure<QualtricsInputError>(createSubscription(client, { publicationUrl: HOOK, topics: "" }));
      assert.equal(e.field, "topics");
      assert.equal(api.requests.length, 0);
      api.reply(ok({}));
      await failure(createSubscription(client, { publicationUrl: HOOK, topics: TOPIC }));
    });

    it("listSubscriptions returns the elements", async function () {
      const client = clients.make(api.apiBase);
      const subs = [{ id: "SUB_8BXPypz7dWUm8e1", scope: "x", topics: "controlpanel.activateSurvey", publicationUrl: "https://kyma-project.io/qualtrics", encrypted: false, successfulCalls: 109 }];
      api.reply(eventSubscriptions(subs));
      assert.deepEqual(await listSubscriptions(client), subs);
    });

    it("deleteSubscription: DELETE /eventsubscriptions/{id}, SUB_ only", async function () {
      const client = clients.make(api.apiBase);
      api.reply(eventSubscriptions([]));
      const res = await deleteSubscription(client, "SUB_8pSh6Kbqjgvwynb");
      assert.equal(res.result, undefined);
      assert.deepEqual(calls(api), ["DELETE /eventsubscriptions/SUB_8pSh6Kbqjgvwynb"]);
      const e = await failure<QualtricsInputError>(() => deleteSubscription(client, "../surveys"));
      assert.equal(e.field, "subscriptionId");
      assert.equal(api.requests.length, 1);
    });
  });

  describe("keyFingerprint", function () {
    it("is stable, 16 hex characters, and does not show the key", function () {
      assert.equal(keyFingerprint("k", "s"), keyFingerprint("k", "s"));
      assert.match(FP_NEW, /^[0-9a-f]{16}$/);
      assert.ok(!FP_NEW.includes("new-shared-key"));
    });

    it("differs per key and per account secret", function () {
      assert.notEqual(keyFingerprint("key-1", "secret"), keyFingerprint("key-2", "secret"));
      assert.notEqual(keyFingerprint("key-1", "secret-a"), keyFingerprint("key-1", "secret-b"));
      assert.notEqual(FP_NEW, FP_OLD);
    });
  });

  describe("removeOrphans", function () {
    const mine = { instance: "inst1", config: "cfg1", deployments: ["dep1"] };
    const depUrl = (deployment: string, config: string, node: string) => markedUrl(HOOK, { owner: { deployment, flow: "tab1", config, node }, fingerprint: FP_NEW });
    const url = (instance: string, config: string, node: string) => markedUrl(HOOK, { owner: { instance, config, node }, fingerprint: FP_NEW });
    const legacyUrl = (instance: string, config: string, node: string) => `${HOOK}?nrq=${FP_NEW}&nrqi=${instance}&nrqc=${config}&nrqn=${node}`;

    it("deletes ours whose trigger is gone, and nothing of other instances, other configurations or without an owner", async function () {
      const client = clients.make(api.apiBase);
      api.reply(
        eventSubscriptions([
          { id: "SUB_live", topics: TOPIC, publicationUrl: url("inst1", "cfg1", "live") },
          { id: "SUB_gone", topics: TOPIC, publicationUrl: url("inst1", "cfg1", "gone") },
          { id: "SUB_otherInstance", topics: TOPIC, publicationUrl: url("inst2", "cfg1", "gone") },
          { id: "SUB_otherConfig", topics: TOPIC, publicationUrl: url("inst1", "cfg2", "gone") },
          { id: "SUB_untagged", topics: TOPIC, publicationUrl: WANTED },
          { id: "SUB_noUrl", topics: TOPIC },
        ]),
      );
      const removed = await removeOrphans(client, mine, (o) => o.node === "live");
      assert.deepEqual(removed, ["SUB_gone"]);
      assert.deepEqual(calls(api), ["GET /eventsubscriptions", "DELETE /eventsubscriptions/SUB_gone"]);
    });

    it("finds the owner however Qualtrics wrote the URL, and in older versions' query (reordered, re-encoded)", async function () {
      const client = clients.make(api.apiBase);
      api.reply(
        eventSubscriptions([
          { id: "SUB_encoded", topics: TOPIC, publicationUrl: url("inst1", "cfg1", "gone1").replace(/-/g, "%2D").replace("https://nr.example.com", "HTTPS://NR.EXAMPLE.COM:443") },
          { id: "SUB_slash", topics: TOPIC, publicationUrl: url("inst1", "cfg1", "gone2") + "/?x=1" },
          { id: "SUB_legacy", topics: TOPIC, publicationUrl: legacyUrl("inst1", "cfg1", "gone3") },
          { id: "SUB_legacyReordered", topics: TOPIC, publicationUrl: `${HOOK}?nrqn=gone4&%6Erqc=cfg1&nrqi=inst1` },
          { id: "SUB_legacyLive", topics: TOPIC, publicationUrl: legacyUrl("inst1", "cfg1", "live") },
          { id: "SUB_legacyOther", topics: TOPIC, publicationUrl: legacyUrl("inst2", "cfg1", "gone") },
        ]),
      );
      const removed = await removeOrphans(client, mine, (o) => o.node === "live");
      assert.deepEqual(removed, ["SUB_encoded", "SUB_slash", "SUB_legacy", "SUB_legacyReordered"]);
    });

    it("sweeps its deployments' subscriptions, never another deployment's (staging and production run the same flow)", async function () {
      const client = clients.make(api.apiBase);
      api.reply(
        eventSubscriptions([
          { id: "SUB_live", topics: TOPIC, publicationUrl: depUrl("dep1", "cfg1", "live") },
          { id: "SUB_gone", topics: TOPIC, publicationUrl: depUrl("dep1", "cfg1", "gone") },
          { id: "SUB_staging", topics: TOPIC, publicationUrl: depUrl("dep2", "cfg1", "gone") },
          { id: "SUB_otherConfig", topics: TOPIC, publicationUrl: depUrl("dep1", "cfg2", "gone") },
          // an older version's mark of this instance is still ours: swept (migration)
          { id: "SUB_oldInstance", topics: TOPIC, publicationUrl: url("inst1", "cfg1", "gone") },
        ]),
      );
      const removed = await removeOrphans(client, mine, (o) => o.node === "live");
      assert.deepEqual(removed, ["SUB_gone", "SUB_oldInstance"]);
      api.reply(eventSubscriptions([{ id: "SUB_oldInstance", topics: TOPIC, publicationUrl: url("inst1", "cfg1", "gone") }]));
      assert.deepEqual(await removeOrphans(client, { config: "cfg1", deployments: ["dep1"] }, () => false), [], "without an instance ID, instance marks are nobody's");
    });

    it("one already deleted (404) counts as removed; another failure is thrown", async function () {
      const client = clients.make(api.apiBase);
      const list = eventSubscriptions([
        { id: "SUB_gone1", topics: TOPIC, publicationUrl: url("inst1", "cfg1", "a") },
        { id: "SUB_gone2", topics: TOPIC, publicationUrl: url("inst1", "cfg1", "b") },
      ]);
      api.reply((req) => (req.method === "DELETE" && req.path.endsWith("SUB_gone1") ? fail(404, "not found", "NF") : list(req)));
      assert.deepEqual(await removeOrphans(client, mine, () => false), ["SUB_gone1", "SUB_gone2"]);
      api.reply((req) => (req.method === "DELETE" ? fail(403, "not a brand administrator", "FORBIDDEN") : list(req)));
      await assert.rejects(removeOrphans(client, mine, () => false), (e: Error & { statusCode?: number }) => e.statusCode === 403);
    });
  });

  describe("publication URLs", function () {
    it("checkPublicationUrl accepts http(s)", function () {
      assert.equal(checkPublicationUrl(HOOK), HOOK);
      assert.equal(checkPublicationUrl("http://10.0.0.5:1880/qualtrics/hook"), "http://10.0.0.5:1880/qualtrics/hook");
    });

    it("checkPublicationUrl refuses other schemes, non-URLs and credentials", function () {
      for (const bad of ["ftp://nr.example.com/x", "javascript:alert(1)", "file:///etc/passwd", "nr.example.com/hook", "", "https://user:pass@nr.example.com/x", "https://user@nr.example.com/x"]) {
        assert.throws(() => checkPublicationUrl(bad), (e: QualtricsInputError) => e instanceof QualtricsInputError && e.field === "publicBaseUrl", bad);
      }
    });
  });
});
