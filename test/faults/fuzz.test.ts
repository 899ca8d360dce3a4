// Hostile input: fast-check values (wrong types, 1 MB strings, 1200-level nesting, prototype keys
// as own properties, bad IDs and dates) sent into every palette node in a real Node-RED through
// the rig, hostile webhook bodies sent to the response trigger over HTTP, and the pure parsers
// and validators fuzzed in-process. Afterwards Node-RED still answers, every message ended exactly
// once, nothing was rejected unhandled, every error text is readable, and the prototypes of the
// Node-RED process itself (read by a function node, see PROBE) did not change.
import assert from "node:assert/strict";
import * as http from "node:http";
import fc from "fast-check";
import { addFigures } from "./figures";
import { describeValue, HUGE, deep, fieldValue, hostileFields, hostileScalar, hostileValue, idLike, mutated, protoObject, unclear } from "./hostile";
import { Rig, RIG_CONFIG, rigConfig, type Unit } from "./rig";
import { signMessage } from "../../sandbox";
import type { FlowNode } from "../support/runtime";
import { QualtricsInputError } from "../../src/errors";
import { isForbiddenKey, safeJsonParse, sanitize } from "../../src/safe-object";
import * as validate from "../../src/validate";
import { WebhookFormatError, formFields, parseWebhook, signMsg, verifyHmac } from "../../src/webhook";

const RUN = process.env.NR_PKG || "node-red";
const SEED = 20260601;
/** hostile messages per node under test */
const PER_UNIT = 100;
const SHARED_KEY = "FUZZ-SHARED-KEY-0c4f9a1e7b3d52";
const HOOK_PATH = "/fuzz/hook";
const HOOK_MAX_KB = 64;

// --- the prototype probe: a function node that reads the prototypes of the Node-RED process ---
// A function node runs in a vm context with its own Object; msg comes from the http in node, so the
// root of msg's prototype chain is the runtime's own Object.prototype, msg.req.rawHeaders an
// Array of the runtime, and a method of the Express response a Function of the runtime.
const PROBE = `
let O = msg; while (Object.getPrototypeOf(O)) O = Object.getPrototypeOf(O);
const A = Object.getPrototypeOf(msg.req.rawHeaders);
const F = Object.getPrototypeOf(msg.res._res.send);
const shape = (p) => Object.getOwnPropertyNames(p).concat(Object.getOwnPropertySymbols(p).map(String)).sort().map((k) => {
  const d = Object.getOwnPropertyDescriptor(p, k) || {};
  return k + ":" + (d.get || d.set ? "accessor" : typeof d.value);
});
if (msg.req.method === "POST") {
  if (msg.payload && msg.payload.canary) O.fuzzCanary = "set by the probe's self-test"; else delete O.fuzzCanary;
}
msg.payload = {
  object: shape(O), array: shape(A), fn: shape(F),
  rootIsNull: Object.getPrototypeOf(O) === null,
  polluted: [O.polluted, O.isAdmin, A.polluted, F.polluted].map(String),
};
return msg;`;

interface ProbeAnswer {
  object: string[];
  array: string[];
  fn: string[];
  rootIsNull: boolean;
  polluted: string[];
}

function probeFlows(): FlowNode[] {
  const z = "fz-tab";
  return [
    { id: z, type: "tab", label: "fuzz probes", disabled: false, info: "" },
    { id: "fz-probe-in", type: "http in", z, name: "", url: "/fuzz/probe", method: "get", upload: false, swaggerDoc: "", x: 0, y: 0, wires: [["fz-probe"]] },
    { id: "fz-canary-in", type: "http in", z, name: "", url: "/fuzz/probe", method: "post", upload: false, swaggerDoc: "", x: 0, y: 0, wires: [["fz-probe"]] },
    { id: "fz-probe", type: "function", z, name: "prototype probe", func: PROBE, outputs: 1, timeout: 0, noerr: 0, initialize: "", finalize: "", libs: [], x: 0, y: 0, wires: [["fz-probe-out"]] },
    { id: "fz-probe-out", type: "http response", z, name: "", statusCode: "", headers: {}, x: 0, y: 0, wires: [] },
  ];
}

/** what changed between two probe answers: each added, removed or retyped prototype property */
function protoChanges(before: ProbeAnswer, after: ProbeAnswer): string[] {
  const out: string[] = [];
  for (const k of ["object", "array", "fn"] as const) {
    const b = new Set(before[k]);
    const a = new Set(after[k]);
    for (const x of a) if (!b.has(x)) out.push(`${k} prototype gained ${x}`);
    for (const x of b) if (!a.has(x)) out.push(`${k} prototype lost ${x}`);
  }
  if (!after.rootIsNull) out.push("Object.prototype has a prototype");
  if (after.polluted.some((p) => p !== "undefined")) out.push(`inherited values: ${after.polluted.join(", ")}`);
  return out;
}

const ALIVE_LOG = /Unhandled|uncaught|UnhandledPromiseRejection|Maximum call stack|FATAL|exited \(code/i;

describe(`faults: hostile input (${RUN})`, function () {
  this.timeout(240_000);
  let rig: Rig;
  let baseline: ProbeAnswer;
  let pid: number | undefined;
  const counterexamples: string[] = [];

  const probe = async (): Promise<ProbeAnswer> => {
    // a probe that fails (a function node error) would never answer: not waited for forever
    const r = await fetch(`${rig.nr.url}fuzz/probe`, { signal: AbortSignal.timeout(10_000) });
    const text = await r.text();
    assert.equal(r.status, 200, `the probe answers (${r.status} ${text.slice(0, 200)})`);
    return JSON.parse(text) as ProbeAnswer;
  };

  const units: Unit[] = [
    { node: { id: "fz-contact", type: "qualtrics-contact", name: "fuzz contact", qualtrics: RIG_CONFIG, operation: "msg", output: "array", limit: 20, pageSize: 10 } },
    {
      node: {
        id: "fz-contact-typed", type: "qualtrics-contact", name: "fuzz contact typed", qualtrics: RIG_CONFIG, operation: "msg",
        directoryId: "dir", directoryIdType: "msg", contactId: "cid", contactIdType: "msg", email: "payload.email", emailType: "msg",
        embeddedData: "ed", embeddedDataType: "msg", searchField: "email", searchValue: "sv", searchValueType: "msg", upsertKey: "email", output: "array", limit: 20,
      },
    },
    { node: { id: "fz-distribution", type: "qualtrics-distribution", name: "fuzz distribution", qualtrics: RIG_CONFIG, operation: "msg", channel: "msg", output: "array", limit: 20 } },
    { node: { id: "fz-api", type: "qualtrics-api", name: "fuzz api", qualtrics: RIG_CONFIG, method: "msg", url: "", paging: "first" } },
    { node: { id: "fz-api-all", type: "qualtrics-api", name: "fuzz api all pages", qualtrics: RIG_CONFIG, method: "msg", url: "", paging: "all", limit: 50 } },
    { node: { id: "fz-response", type: "qualtrics-response", name: "fuzz response", qualtrics: RIG_CONFIG, operation: "msg" } },
    { node: { id: "fz-mailing-list", type: "qualtrics-mailing-list", name: "fuzz mailing list", qualtrics: RIG_CONFIG, operation: "msg", output: "array", limit: 20, importTimeout: 10 } },
    { node: { id: "fz-survey", type: "qualtrics-survey", name: "fuzz survey", qualtrics: RIG_CONFIG, operation: "msg", output: "array", limit: 20 } },
    { node: { id: "fz-export", type: "qualtrics-export", name: "fuzz export", qualtrics: RIG_CONFIG, format: "json", output: "array", limit: 20, timeout: 0.5 } },
    {
      node: {
        id: "fz-hook", type: "qualtrics-response-in", name: "fuzz trigger", qualtrics: RIG_CONFIG, surveyId: "", topic: "*", path: HOOK_PATH,
        autoRegister: false, publicBaseUrl: "", fetchResponse: false, dedupeSeconds: 600, maxBodyKb: HOOK_MAX_KB,
      },
      idExpr: `(msg.payload && typeof msg.payload.FuzzID === "string" && msg.payload.FuzzID) || (msg.event && msg.event.responseId) || "untagged"`,
    },
  ];

  before(async function () {
    rig = await Rig.start({ nodeRed: { logLevel: "debug", settings: { qualtricsExportPollDelay: 50 } } });
    await rig.deploy(units, [rigConfig({ rateLimit: 60_000, maxConcurrent: 20 }), ...probeFlows()], { "fz-hook": { sharedKey: SHARED_KEY } });
    pid = rig.nr.pid;
    baseline = await probe();
    assert.ok(baseline.object.includes("hasOwnProperty:function"), "the probe reads the runtime's Object.prototype");
  });

  after(async function () {
    if (counterexamples.length) console.log(`--- fuzz counterexamples ---\n${counterexamples.slice(0, 100).map((c) => c.replace(/\s+/g, " ").slice(0, 600)).join("\n")}`);
    await rig?.dispose();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`--- Node-RED log (last 6000 chars) ---\n${rig?.nr.log.slice(-6000)}`);
  });

  /** Node-RED is the same process, answers, and its log has no unhandled rejection since `mark` */
  async function aliveProblems(mark: number): Promise<string[]> {
    const out: string[] = [];
    if (!rig.nr.running || rig.nr.pid !== pid) out.push("Node-RED is not the process it was (it exited)");
    const bad = rig.nr.logSince(mark).split("\n").filter((l) => ALIVE_LOG.test(l));
    out.push(...bad.map((l) => `log: ${l.slice(0, 300)}`));
    try {
      const changes = protoChanges(baseline, await probe());
      out.push(...changes);
    } catch (err) {
      out.push(`the probe failed: ${(err as Error).message}`);
    }
    return out;
  }

  /** sends messages in requests of at most ~3 MB (the http in node takes 5 MB) */
  async function sendSized(unit: string, msgs: Array<Record<string, unknown>>): Promise<string[]> {
    const ids: string[] = [];
    let batch: Array<Record<string, unknown>> = [];
    let size = 0;
    const flush = async () => {
      if (batch.length) ids.push(...(await rig.send(unit, batch)));
      batch = [];
      size = 0;
    };
    for (const m of msgs) {
      const s = JSON.stringify(m).length;
      if (size + s > 3_000_000) await flush();
      batch.push(m);
      size += s;
    }
    await flush();
    return ids;
  }

  function seeds() {
    const s = rig.sb.seedIds;
    return {
      dir: [s.directoryId],
      contacts: s.contactIds.slice(0, 3),
      lists: s.mailingListIds.slice(0, 2),
      surveys: s.surveyIds.slice(0, 2),
      library: [s.libraryId],
      messages: [s.messageIds.invite, s.messageIds.reminder],
    };
  }

  const op = (ops: string[]) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom<unknown>(...ops) }, { weight: 1, arbitrary: hostileValue });
  const payloadOf = (fields: Record<string, fc.Arbitrary<unknown>>) =>
    fc.oneof({ weight: 4, arbitrary: hostileFields(fields) }, { weight: 1, arbitrary: hostileValue });

  /** the hostile message shape for each unit */
  function arbitraries(): Record<string, fc.Arbitrary<Record<string, unknown>>> {
    const s = seeds();
    const id = idLike;
    const any = fieldValue;
    const contactFields = {
      directoryId: id(s.dir), contactId: id(s.contacts), id: id(s.contacts), firstName: any, lastName: any, email: fc.oneof(fc.constant("fuzz@example.com"), any),
      phone: any, extRef: any, language: any, embeddedData: fc.oneof(fc.constant({ tier: "gold" }), any), unsubscribed: any, creationDate: any,
    };
    const distFields = {
      surveyId: id(s.surveys), mailingListId: id(s.lists), libraryId: id(s.library), messageId: id(s.messages), messageText: any, fromEmail: fc.oneof(fc.constant("from@example.com"), any),
      fromName: any, subject: any, replyToEmail: any, sendDate: any, expirationDate: any, linkType: any, embeddedData: any, method: any, smsName: any,
      parentDistributionId: any, distributionId: any, id: any, contactId: id(s.contacts), transactionBatchId: any, distributionRequestType: any,
      sendStartDate: any, sendEndDate: any, description: any, header: any, recipients: any, surveyLink: any, message: any,
    };
    const paths = fc.constantFrom(
      "/whoami", "/surveys", `/directories/${s.dir[0]}/contacts`, "/API/v3/surveys", `${rig.sb.apiBase}/surveys`, `/surveys/${s.surveys[0]}`,
      "/distributions", `/directories/${s.dir[0]}/mailinglists`, "/eventsubscriptions", "/nothing/here",
    );
    const hostile: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
      "fz-contact": fc.record({ operation: op(["list", "search", "get", "create", "update", "upsert", "delete"]), payload: payloadOf(contactFields), limit: hostileScalar }, { requiredKeys: ["operation"] }),
      "fz-contact-typed": fc.record(
        { operation: op(["list", "search", "get", "create", "update", "upsert", "delete"]), dir: id(s.dir), cid: id(s.contacts), payload: payloadOf({ email: any, firstName: any }), ed: any, sv: any },
        { requiredKeys: ["operation"] },
      ),
      "fz-distribution": fc.record(
        { operation: op(["create", "list", "get", "reminder", "thankYou", "generateLinks", "links", "history"]), channel: op(["email", "sms"]), payload: payloadOf(distFields), limit: hostileScalar },
        { requiredKeys: ["operation"] },
      ),
      "fz-api": fc.record(
        {
          method: op(["GET", "POST", "PUT", "DELETE", "PATCH", "get"]), url: fc.oneof({ weight: 3, arbitrary: paths }, { weight: 2, arbitrary: any }),
          query: fc.oneof(any, fc.dictionary(fc.string({ maxLength: 8 }), hostileScalar, { maxKeys: 3 })),
          headers: fc.oneof(any, fc.constantFrom<unknown>({ "X-API-TOKEN": "mine" }, { "Content-Length": "5" }, { host: "evil.example" }, { "Transfer-Encoding": "chunked" }, { "x-a": "b\r\nc: d" }, { "": "x" })),
          payload: any,
        },
        { requiredKeys: ["method", "url"] },
      ),
      "fz-api-all": fc.record({ method: op(["GET"]), url: fc.oneof({ weight: 3, arbitrary: paths }, { weight: 2, arbitrary: any }), query: fc.oneof(any, fc.constant({ pageSize: 1 })) }, { requiredKeys: ["method", "url"] }),
      "fz-response": fc.record(
        {
          operation: op(["get", "create", "update", "delete", "bulkUpdate"]),
          payload: payloadOf({ surveyId: id(s.surveys), responseId: any, values: any, embeddedData: any, resetRecordedDate: any, decrementQuotas: any, updates: any, ignoreMissingResponses: any }),
          idempotencyKey: any,
        },
        { requiredKeys: ["operation"] },
      ),
      "fz-mailing-list": fc.record(
        {
          operation: op(["lists", "get", "create", "rename", "delete", "members", "getMember", "addMember", "updateMember", "removeMember", "import", "optedOut", "directoryOptedOut", "bounced"]),
          payload: payloadOf({ ...contactFields, mailingListId: id(s.lists), name: any, listName: any, ownerId: any, prioritizeListMetadata: any, contacts: any, transactionMeta: any }),
          limit: hostileScalar,
        },
        { requiredKeys: ["operation"] },
      ),
      "fz-survey": fc.record(
        { operation: op(["list", "get", "definition", "questions", "questionMap", "label"]), payload: payloadOf({ surveyId: id(s.surveys), id: any, values: any, labels: any }), surveyId: any, refresh: any },
        { requiredKeys: ["operation"] },
      ),
      "fz-export": fc.record(
        {
          payload: payloadOf({ surveyId: id(s.surveys), startDate: any, endDate: any, filterId: any, questionIds: any, embeddedDataIds: any, continuationToken: any, limit: any, format: any }),
          limit: hostileScalar, filename: any,
        },
        { requiredKeys: ["payload"] },
      ),
    };
    const [dir, sv, ml, cid] = [s.dir[0], s.surveys[0], s.lists[0], s.contacts[0]];
    const valid: Record<string, Array<Record<string, unknown>>> = {
      "fz-contact": [{ operation: "list", payload: { directoryId: dir } }, { operation: "get", payload: { directoryId: dir, contactId: cid } }, { operation: "create", payload: { directoryId: dir, email: "fz@example.com", firstName: "F", embeddedData: { a: "1" } } }],
      "fz-contact-typed": [{ operation: "list", dir }, { operation: "get", dir, cid }, { operation: "upsert", dir, payload: { email: "up@example.com" } }],
      "fz-distribution": [
        { operation: "list", payload: { surveyId: sv } },
        { operation: "create", channel: "email", payload: { surveyId: sv, mailingListId: ml, fromEmail: "f@example.com", fromName: "F", subject: "S", messageText: "Hi", sendDate: "2030-01-01T00:00:00Z" } },
      ],
      "fz-api": [{ method: "GET", url: "/whoami" }, { method: "GET", url: "/surveys", query: { pageSize: 2 } }, { method: "POST", url: `/directories/${dir}/contacts`, payload: { email: "p@example.com" } }],
      "fz-api-all": [{ method: "GET", url: "/surveys" }, { method: "GET", url: `/directories/${dir}/contacts`, query: { pageSize: 5 } }],
      "fz-response": [{ operation: "create", payload: { surveyId: sv, values: { QID1: 3 } } }],
      "fz-mailing-list": [{ operation: "lists", payload: { directoryId: dir } }, { operation: "members", payload: { directoryId: dir, mailingListId: ml } }],
      "fz-survey": [{ operation: "list" }, { operation: "get", payload: { surveyId: sv } }, { operation: "questions", payload: { surveyId: sv } }],
      "fz-export": [{ payload: { surveyId: sv } }, { payload: { surveyId: sv, startDate: "2020-01-01" } }],
    };
    const top = ["operation", "method", "url", "query", "headers", "limit", "channel", "dir", "cid", "ed", "sv", "payload", "idempotencyKey"];
    const out: Record<string, fc.Arbitrary<Record<string, unknown>>> = {};
    for (const [unit, arb] of Object.entries(hostile)) {
      const fields = [...new Set([...top, ...Object.keys(contactFields), ...Object.keys(distFields), "surveyId", "values", "startDate", "endDate", "mailingListId", "name"])];
      out[unit] = fc.oneof({ weight: 3, arbitrary: arb }, { weight: 2, arbitrary: mutated(valid[unit], fields, top) });
    }
    return out;
  }

  const totals = { fuzzed: 0, crashes: 0 };

  for (const unitId of ["fz-contact", "fz-contact-typed", "fz-distribution", "fz-api", "fz-api-all", "fz-response", "fz-mailing-list", "fz-survey", "fz-export"]) {
    it(`${unitId}: ${PER_UNIT} hostile messages each end once, with a readable error or a result, and nothing breaks`, async function () {
      const arb = arbitraries()[unitId];
      const msgs = fc.sample(arb, { seed: SEED + unitId.length * 7919 + unitId.charCodeAt(3), numRuns: PER_UNIT });
      // one message with a prototype key on msg itself, and one whose payload is 1200 levels deep
      msgs.push(JSON.parse('{"__proto__":{"operation":"get","payload":{"polluted":"msg"}},"operation":"get","payload":{}}') as Record<string, unknown>);
      msgs.push({ operation: "create", method: "POST", url: "/surveys", payload: deep(1200) });
      const described = new Map<string, string>();
      const inputs = new Map<string, unknown>();
      const tagged = msgs.map((m, i) => {
        const rigId = `${unitId}-${i}`;
        described.set(rigId, describeValue(m));
        inputs.set(rigId, m);
        return Object.assign(m, { rigId });
      });
      const mark = rig.nr.mark();
      const ids = await sendSized(unitId, tagged);
      const ends = await rig.settle(unitId, ids, 120_000, 400);
      const alive = await aliveProblems(mark);
      const crashes = alive.length;
      addFigures({ area: "fuzz", what: `${unitId} × hostile msg`, fuzzed: ids.length, crashes, ...ends });
      totals.fuzzed += ids.length;
      totals.crashes += crashes;

      const problems: string[] = [...alive];
      if (ends.lost || ends.duplicated) {
        const count = new Map<string, number>();
        for (const e of rig.endsOf(unitId, ids)) count.set(e.id, (count.get(e.id) ?? 0) + 1);
        for (const i of ids) if ((count.get(i) ?? 0) !== 1) problems.push(`${i} ended ${count.get(i) ?? 0} times: ${described.get(i)}`);
      }
      for (const e of rig.endsOf(unitId, ids)) {
        if (e.kind !== "error") continue;
        const wrong = unclear(e.text, inputs.get(e.id));
        if (wrong) problems.push(`${e.id}: error text ${wrong}: ${String(e.text).slice(0, 300)} ← ${described.get(e.id)}`);
        if (e.source !== units.find((u) => u.node.id === unitId)!.node.type) problems.push(`${e.id}: error from ${e.source}: ${e.text}`);
      }
      for (const st of rig.statuses.filter((x) => x.unit === unitId)) {
        if (st.text && (st.text.includes("[object Object]") || /\bundefined\b/.test(st.text))) problems.push(`status "${st.text}"`);
      }
      counterexamples.push(...problems.map((p) => `${unitId}: ${p}`));
      assert.deepEqual(problems, [], `${unitId}: ${problems.length} problems (see the counterexamples below)`);
      assert.equal(ends.sent, ids.length);
      // the run reached Qualtrics at least sometimes, or it fuzzed nothing but the first check
      if (process.env.FUZZ_VERBOSE) for (const e of rig.endsOf(unitId, ids)) console.log(`      ${e.id} ${e.kind} ${String(e.text ?? "").slice(0, 160)}`);
      assert.ok(ends.delivered > 0 || unitId === "fz-export" || unitId === "fz-response", `${unitId}: no message got a result: the fuzz never got past validation`);
    });
  }

  // ------------------------------------------------------------------ webhook bodies

  interface Body {
    kind: string;
    /** what to send */
    contentType?: string;
    headers?: Record<string, string>;
    body: Buffer;
    chunked?: boolean;
    method?: string;
    /** the FuzzID a message carries when this body is accepted */
    fuzzId: string;
    /** a body over the limit: must get 413 */
    oversized?: boolean;
  }

  function form(fields: Array<[string, string]>): Buffer {
    const p = new URLSearchParams();
    for (const [k, v] of fields) p.append(k, v);
    return Buffer.from(p.toString(), "utf8");
  }

  function bodies(n: number): Body[] {
    const topic = (brand = "fuzzbrand") => fc.oneof(
      { weight: 3, arbitrary: fc.constant(`${brand}.surveyengine.completedResponse.SV_fuzz0000000001`) },
      { weight: 1, arbitrary: fc.constantFrom("", "*", ".", "surveyengine", "a".repeat(5000), "__proto__", "constructor.prototype", "x.surveyengine.completedResponse.SV_../../x") },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
    );
    const eventFields = hostileFields({ SurveyID: hostileValue, ResponseID: hostileValue, BrandID: hostileValue, CompletedDate: hostileValue, Status: hostileValue, RecipientID: hostileValue });
    const kinds = fc.oneof(
      // random form fields, no signature
      fc.record({ k: fc.constant("form"), fields: fc.array(fc.tuple(fc.oneof(fc.constantFrom("Topic", "MSG", "HMAC", "__proto__", "constructor", "topic[__proto__]", "MSG[]"), fc.string({ maxLength: 10 })), fc.string({ unit: "binary", maxLength: 60 })), { maxLength: 6 }) }),
      // a good event with a wrong signature
      fc.record({ k: fc.constant("badsig"), topic: topic(), hmac: fc.oneof(fc.stringMatching(/^[0-9a-f]{128}$/), fc.constantFrom("", "00", "zz".repeat(64), "g".repeat(128), "0".repeat(127), "0".repeat(129), "0".repeat(256), "other key", "wrong msg", "twice")) }),
      // the right signature over a hostile MSG
      fc.record({ k: fc.constant("signed"), topic: topic(), fields: eventFields, text: fc.option(fc.constantFrom("null", "[]", "1", '"s"', "{", '{"a":}', "{}", "DEEP", "PROTO"), { freq: 3 }) }),
      // the right signature, sent as another content type
      fc.record({ k: fc.constant("ctype"), ctype: fc.constantFrom("application/json", "text/plain", "multipart/form-data; boundary=xyz", "none", "application/x-www-form-urlencoded; charset=latin1", "application/x-www-form-urlencoded; charset=utf-16", "application/xml", "application/x-www-form-urlencoded; charset=UTF-8") }),
      // bytes that are not UTF-8, chunked or not
      fc.record({ k: fc.constant("bytes"), bytes: fc.uint8Array({ maxLength: 200 }), chunked: fc.boolean(), ctype: fc.constantFrom("application/x-www-form-urlencoded", "application/json", "none") }),
      // over the body limit
      fc.record({ k: fc.constant("big"), kb: fc.constantFrom(HOOK_MAX_KB + 1, 200, 1100, 6000), chunked: fc.boolean(), ctype: fc.constantFrom("application/x-www-form-urlencoded", "application/json", "text/plain") }),
      // encodings and methods a body parser may stumble on
      fc.record({ k: fc.constant("odd"), what: fc.constantFrom("gzip-garbage", "br", "identity-json-bad", "put", "head", "get") }),
    );
    const out: Body[] = [];
    const samples = fc.sample(kinds, { seed: SEED + 17, numRuns: n });
    samples.forEach((s, i) => {
      const fuzzId = `W${i}`;
      const signedFields = (extra: Record<string, unknown> = {}) => {
        const msg = JSON.stringify({ SurveyID: "SV_fuzz0000000001", ResponseID: `R_fuzz${i}`, BrandID: "fuzzbrand", FuzzID: fuzzId, ...extra });
        return { Topic: "fuzzbrand.surveyengine.completedResponse.SV_fuzz0000000001", MSG: msg, HMAC: signMessage(SHARED_KEY, msg) };
      };
      const r = s as Record<string, unknown> & { k: string };
      switch (r.k) {
        case "form":
          out.push({ kind: "form", contentType: "application/x-www-form-urlencoded", body: form([...(r.fields as Array<[string, string]>), ["FuzzID", fuzzId]]), fuzzId });
          break;
        case "badsig": {
          const f = signedFields();
          const h = r.hmac as string;
          const hmac = h === "other key" ? signMessage("not the shared key", f.MSG) : h === "wrong msg" ? signMessage(SHARED_KEY, f.MSG + " ") : h;
          const fields: Array<[string, string]> = [["Topic", r.topic as string], ["MSG", f.MSG], ["HMAC", hmac]];
          if (h === "twice") fields.push(["HMAC", f.HMAC]);
          out.push({ kind: "badsig", contentType: "application/x-www-form-urlencoded", body: form(fields), fuzzId });
          break;
        }
        case "signed": {
          const base = { ...(r.fields as Record<string, unknown>) };
          if (typeof base.ResponseID === "string") base.ResponseID = `${base.ResponseID.slice(0, 50)}-${i}`;
          let text: string;
          if (r.text === "DEEP") text = JSON.stringify({ FuzzID: fuzzId, deep: deep(1500) });
          else if (r.text === "PROTO") text = `{"FuzzID":"${fuzzId}","__proto__":{"polluted":"webhook"},"constructor":{"prototype":{"polluted":"webhook"}}}`;
          else if (r.text === "{}") text = `{"FuzzID":"${fuzzId}"}`;
          else if (typeof r.text === "string") text = r.text;
          else text = JSON.stringify({ ...base, FuzzID: fuzzId });
          out.push({ kind: "signed", contentType: "application/x-www-form-urlencoded", body: form([["Topic", r.topic as string], ["MSG", text], ["HMAC", signMessage(SHARED_KEY, text)]]), fuzzId, oversized: false });
          break;
        }
        case "ctype": {
          const f = signedFields();
          const ct = r.ctype as string;
          if (ct === "application/json") out.push({ kind: "ctype json", contentType: ct, body: Buffer.from(JSON.stringify(f)), fuzzId });
          else if (ct.startsWith("multipart")) {
            const parts = Object.entries(f).map(([k, v]) => `--xyz\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + "--xyz--\r\n";
            out.push({ kind: "ctype multipart", contentType: ct, body: Buffer.from(parts), fuzzId });
          } else out.push({ kind: `ctype ${ct}`, contentType: ct === "none" ? undefined : ct, body: form(Object.entries(f)), fuzzId });
          break;
        }
        case "bytes": {
          const f = signedFields();
          const prefix = form(Object.entries(f));
          const ct = r.ctype as string;
          out.push({ kind: `bytes ${ct}`, contentType: ct === "none" ? undefined : ct, body: Buffer.concat([prefix, Buffer.from("&junk="), Buffer.from(r.bytes as Uint8Array), Buffer.from([0xff, 0xfe, 0xc3, 0x28])]), chunked: r.chunked as boolean, fuzzId });
          break;
        }
        case "big": {
          const kb = r.kb as number;
          const f = signedFields({ filler: "y".repeat(kb * 1024) });
          const ct = r.ctype as string;
          const body = ct === "application/json" ? Buffer.from(JSON.stringify(f)) : form(Object.entries(f));
          out.push({ kind: `big ${kb} KB ${ct}${r.chunked ? " chunked" : ""}`, contentType: ct, body, chunked: r.chunked as boolean, fuzzId, oversized: true });
          break;
        }
        case "odd": {
          const f = signedFields();
          const w = r.what as string;
          if (w === "gzip-garbage") out.push({ kind: w, contentType: "application/x-www-form-urlencoded", headers: { "content-encoding": "gzip" }, body: form(Object.entries(f)), fuzzId });
          else if (w === "br") out.push({ kind: w, contentType: "application/x-www-form-urlencoded", headers: { "content-encoding": "br" }, body: Buffer.from("\x00\x01garbage"), fuzzId });
          else if (w === "identity-json-bad") out.push({ kind: w, contentType: "application/json", body: Buffer.from('{"Topic": "x", "MSG": '), fuzzId });
          else out.push({ kind: w, method: w.toUpperCase(), contentType: "application/x-www-form-urlencoded", body: w === "put" ? form(Object.entries(f)) : Buffer.alloc(0), fuzzId });
          break;
        }
      }
    });
    return out;
  }

  /** Express' final handler answering an error of a body parser (body-parser's own error names) */
  function coreParserAnswer(status: number, text: string): boolean {
    return [400, 413, 415].includes(status) && /^<!DOCTYPE html>/.test(text) && /<pre>(SyntaxError|PayloadTooLargeError|UnsupportedMediaTypeError|BadRequestError|Error): /.test(text);
  }

  /** POSTs one body; "hang" when no answer within 15 s */
  function deliver(b: Body): Promise<{ status: number | "hang" | "reset"; text: string }> {
    const url = new URL(rig.nr.nodeUrl + HOOK_PATH);
    return new Promise((resolve) => {
      const headers: Record<string, string> = { ...b.headers };
      if (b.contentType) headers["content-type"] = b.contentType;
      if (!b.chunked) headers["content-length"] = String(b.body.length);
      let answered = false;
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: b.method ?? "POST", headers, agent: false }, (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8").slice(0, 500) }));
        res.on("error", () => resolve({ status: res.statusCode ?? 0, text: "" }));
      });
      req.setTimeout(15_000, () => {
        req.destroy();
        resolve({ status: "hang", text: "" });
      });
      req.on("error", () => {
        // a server may answer 413 and close before the whole body was written
        if (!answered) setTimeout(() => resolve({ status: "reset", text: "" }), 200);
      });
      if (b.method === "GET" || b.method === "HEAD") return void req.end();
      if (b.chunked) {
        const step = Math.max(1, Math.ceil(b.body.length / 4));
        for (let i = 0; i < b.body.length; i += step) req.write(b.body.subarray(i, i + step));
        req.end();
      } else req.end(b.body);
    });
  }

  it("hostile webhook bodies: always a 2xx or 4xx answer, never a hang; a message only for a right signature, exactly once", async function () {
    const list = bodies(140);
    const mark = rig.nr.mark();
    const answers: Array<{ b: Body; status: number | "hang" | "reset"; text: string }> = [];
    // a few at a time, as deliveries arrive
    for (let i = 0; i < list.length; i += 4) {
      const group = list.slice(i, i + 4);
      const got = await Promise.all(group.map((b) => deliver(b)));
      group.forEach((b, j) => answers.push({ b, ...got[j] }));
    }
    await rig.settle("fz-hook", answers.filter((a) => a.status === 200).map((a) => a.b.fuzzId), 20_000, 800);
    const alive = await aliveProblems(mark);
    const problems: string[] = [...alive];
    let crashes = alive.length;
    const coreAnswers: string[] = [];
    const endsById = new Map<string, number>();
    for (const e of rig.endsOf("fz-hook")) endsById.set(e.id, (endsById.get(e.id) ?? 0) + 1);
    for (const a of answers) {
      const what = `${a.b.kind} (${a.b.body.length} bytes): ${a.status}`;
      if (a.status === "hang" || (typeof a.status === "number" && a.status >= 500)) {
        crashes++;
        problems.push(`${what} ${a.text.slice(0, 200)}`);
      } else if (a.status === "reset" && !a.b.oversized) problems.push(`${what}: the connection was dropped`);
      if (a.b.oversized && a.status !== 413 && a.status !== "reset") problems.push(`${what}: a body over ${HOOK_MAX_KB} KB was not refused with 413`);
      const n = endsById.get(a.b.fuzzId) ?? 0;
      if (a.status === 200 && a.b.method === undefined && n !== 1) problems.push(`${what}: acknowledged, and ended ${n} times`);
      if (a.status !== 200 && n !== 0) problems.push(`${what}: refused, but a message came out`);
      if (a.b.kind === "badsig" && a.status !== 401) problems.push(`${what}: a wrong signature must get 401`);
      if (typeof a.status === "number" && /\n\s+at |\/node_modules\//.test(a.text)) {
        // the admin app's body parsers run before any httpNode route (docs/node-red-facts.md §1.6); what they
        // refuse is answered by Express' final handler, for core http in routes the same
        if (coreParserAnswer(a.status, a.text)) coreAnswers.push(`${a.status} ${/<pre>([^<]*)/.exec(a.text)?.[1] ?? ""}`);
        else problems.push(`${what}: the answer shows a stack trace: ${a.text.slice(0, 200)}`);
      }
    }
    if (coreAnswers.length) console.log(`    (${coreAnswers.length} bodies were refused by Node-RED's own body parsers before the route: ${[...new Set(coreAnswers)].join("; ")})`);
    const untagged = endsById.get("untagged") ?? 0;
    if (untagged) problems.push(`${untagged} messages without a FuzzID came out`);
    for (const e of rig.endsOf("fz-hook")) if (e.kind === "error") problems.push(`error ${e.text}`);
    addFigures({ area: "fuzz", what: "qualtrics-response-in × hostile webhook body", fuzzed: answers.length, crashes });
    totals.fuzzed += answers.length;
    totals.crashes += crashes;
    counterexamples.push(...problems.map((p) => `webhook: ${p}`));
    const byStatus: Record<string, number> = {};
    for (const a of answers) byStatus[String(a.status)] = (byStatus[String(a.status)] ?? 0) + 1;
    assert.deepEqual(problems, [], `webhook: ${problems.length} problems; answers by status ${JSON.stringify(byStatus)}`);
    // the run tried both sides: some accepted, some refused for the signature, some too large
    assert.ok((byStatus["200"] ?? 0) > 5 && (byStatus["401"] ?? 0) > 5 && (byStatus["413"] ?? 0) > 0, `answers by status ${JSON.stringify(byStatus)}`);
  });

  it("the prototype probe sees a change when there is one (self-test)", async function () {
    const set = await rig.nr.request("POST", "fuzz/probe", { canary: true });
    assert.equal(set.status, 200);
    try {
      assert.deepEqual(protoChanges(baseline, set.json<ProbeAnswer>()), ["object prototype gained fuzzCanary:string"]);
    } finally {
      const cleared = await rig.nr.request("POST", "fuzz/probe", { canary: false });
      assert.deepEqual(protoChanges(baseline, cleared.json<ProbeAnswer>()), []);
    }
  });

  it("Node-RED is still the same process and answers", async function () {
    assert.equal(rig.nr.pid, pid);
    assert.equal((await rig.nr.request("GET", "settings")).status, 200);
    assert.ok(totals.fuzzed >= 9 * PER_UNIT, `fuzzed ${totals.fuzzed}`);
    assert.equal(totals.crashes, 0);
  });
});

// ------------------------------------------------------------------ in-process, pure functions

describe(`faults: hostile input to the parsers and validators (${RUN})`, function () {
  this.timeout(60_000);
  const anything = fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withBigInt: true, withObjectString: true });
  const hostile = fc.oneof(anything, hostileValue, protoObject);
  let fuzzed = 0;
  let crashes = 0;
  const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort().join();

  /** runs a property; a failure counts as a crash, and every run as fuzzed */
  function check<T>(name: string, arb: fc.Arbitrary<T>, predicate: (v: T) => void, numRuns = 400): void {
    let runs = 0;
    try {
      fc.assert(
        fc.property(arb, (v) => {
          runs++;
          predicate(v);
        }),
        { seed: SEED, numRuns },
      );
    } catch (err) {
      crashes++;
      throw err;
    } finally {
      fuzzed += Math.min(runs, numRuns);
      void name;
    }
  }

  function onlyInputErrors(fn: () => unknown, input?: unknown): void {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof QualtricsInputError)) throw new Error(`threw ${(err as Error)?.name}: ${(err as Error)?.message}`);
      const wrong = unclear(err.message, input);
      if (wrong) throw new Error(`error text ${wrong}: ${err.message.slice(0, 200)}`);
    }
  }

  after(function () {
    addFigures({ area: "fuzz", what: "parsers and validators in-process", fuzzed, crashes });
  });

  it("formFields takes anything and keeps only string fields, never a prototype key", function () {
    check("formFields", fc.oneof(hostile, fc.dictionary(fc.string(), hostile)), (v) => {
      const f = formFields(v);
      assert.equal(Object.getPrototypeOf(f), null);
      for (const k of Object.keys(f)) {
        assert.equal(typeof f[k], "string");
        assert.ok(!isForbiddenKey(k));
      }
    });
  });

  it("parseWebhook refuses bad bodies only with WebhookFormatError, and never returns a prototype key", function () {
    const fields = fc.record({ Topic: fc.oneof(fc.string(), fc.constant("b.surveyengine.completedResponse.SV_1")), MSG: fc.oneof(fc.string(), fc.json(), hostile.map((v) => { try { return JSON.stringify(v) ?? "x"; } catch { return "y"; } })), HMAC: fc.string() }, { requiredKeys: [] });
    check("parseWebhook", fc.oneof(fields, fc.dictionary(fc.string(), fc.string())), (form) => {
      try {
        const e = parseWebhook(formFields(form));
        const walk = (x: unknown, d = 0): void => {
          if (d > 3000 || typeof x !== "object" || x === null) return;
          for (const k of Object.keys(x)) {
            assert.ok(!isForbiddenKey(k), `a ${k} key got through`);
            walk((x as Record<string, unknown>)[k], d + 1);
          }
        };
        walk(e.fields);
        assert.equal(typeof e.topic, "string");
      } catch (err) {
        if (!(err instanceof WebhookFormatError)) throw err;
        assert.equal(unclear(err.message), undefined);
      }
    });
  });

  it("verifyHmac: false for anything but the right signature, true for it, never a throw", function () {
    check("verifyHmac", fc.tuple(fc.string({ unit: "binary" }), fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-fA-F]{128}$/), fc.constant(undefined)), fc.string({ minLength: 1 })), ([msg, sig, key]) => {
      const right = signMsg(msg, key);
      assert.equal(verifyHmac(msg, right, key), true);
      assert.equal(verifyHmac(msg, right.toUpperCase(), key), true);
      assert.equal(verifyHmac(msg, sig, key), sig !== undefined && sig.toLowerCase() === right);
      const flipped = right.slice(0, 10) + (right[10] === "0" ? "1" : "0") + right.slice(11);
      assert.equal(verifyHmac(msg, flipped, key), false);
      assert.equal(verifyHmac(undefined, right, key), false);
    });
  });

  it("safeJsonParse and sanitize drop prototype keys at every depth and fail deep input with a RangeError only", function () {
    check("sanitize", hostile, (v) => {
      try {
        const out = sanitize(v);
        const walk = (x: unknown, d = 0): void => {
          if (typeof x !== "object" || x === null) return;
          for (const k of Object.keys(x)) {
            assert.ok(!isForbiddenKey(k));
            walk((x as Record<string, unknown>)[k], d + 1);
          }
          if (!Array.isArray(x) && !(x instanceof Date)) assert.equal(Object.getPrototypeOf(x), Object.prototype);
        };
        walk(out);
      } catch (err) {
        if (!(err instanceof RangeError) || !/nested deeper than/.test(err.message)) throw err;
      }
    });
    check("safeJsonParse", fc.constantFrom('{"__proto__":{"x":1}}', '{"a":{"constructor":{"prototype":{"x":1}}}}', '[{"prototype":1}]', JSON.stringify(deep(2000))), (t) => {
      const parsed = safeJsonParse(t);
      assert.equal(({} as Record<string, unknown>).x, undefined);
      assert.ok(!JSON.stringify(parsed).includes("__proto__"));
    }, 20);
  });

  it("the validators throw nothing but QualtricsInputError, with readable text", function () {
    const kinds = Object.keys(validate.ID_PREFIX) as validate.IdKind[];
    check("validators", fc.tuple(hostile, fc.constantFrom(...kinds)), ([v, kind]) => {
      onlyInputErrors(() => validate.idText("f", v), v);
      onlyInputErrors(() => validate.requireString("f", v), v);
      onlyInputErrors(() => validate.optionalString("f", v), v);
      onlyInputErrors(() => validate.requireId("f", v, kind), v);
      onlyInputErrors(() => validate.optionalId("f", v, kind), v);
      onlyInputErrors(() => validate.optionalBoolean("f", v), v);
      onlyInputErrors(() => validate.optionalObject("f", v), v);
      onlyInputErrors(() => validate.optionalEmail("f", v), v);
      onlyInputErrors(() => validate.requireEmail("f", v), v);
      onlyInputErrors(() => validate.oneOf("f", v, ["a", "b"]), v);
      onlyInputErrors(() => validate.optionalEmbeddedData("f", v), v);
      onlyInputErrors(() => validate.toQualtricsDate("f", v), v);
      onlyInputErrors(() => validate.optionalDate("f", v), v);
    }, 600);
    check("embedded data keys", fc.dictionary(fc.oneof(fc.string(), fc.constant("k".repeat(5000))), hostile), (v) => onlyInputErrors(() => validate.optionalEmbeddedData("embeddedData", v), v));
    check("dates", fc.oneof(fc.string(), fc.date({ noInvalidDate: false }), fc.double(), fc.integer(), fc.constant(HUGE), fc.stringMatching(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/)), (v) => onlyInputErrors(() => validate.toQualtricsDate("sendDate", v), v));
  });

  it("no prototype of this process changed", function () {
    assert.equal(Object.getOwnPropertyNames(Object.prototype).sort().join(), protoBefore);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
