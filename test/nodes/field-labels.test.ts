// Statuses and errors name a field as the dialog labels it ("invalid Directory", "Base URL: ..."),
// never by its property name (directoryId, baseUrl); err.field keeps the property for flows.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { QualtricsInputError } from "../../src/errors";
import { inDialogTerms } from "../../nodes/lib/field-label";
import { NodeStatus } from "../../nodes/lib/status";
import { credentials, FlowNode, helper, http, spyDone } from "../support/nr-helper";
import { ok, RecordingServer, startRecordingServer } from "../support/fake-servers";
import { until } from "../support/wait";
import { configNode } from "../support/config-node";
import { DIR } from "../support/ids";

const N = http.nodes;
/** a property name as code writes it: directoryId, baseUrl, sendDate */
const CAMEL = /\b[a-z]+[A-Z][A-Za-z]*\b/;

interface Case {
  what: string;
  node: { type: string; [prop: string]: unknown };
  msg?: Record<string, unknown>;
  config?: Record<string, unknown>;
  field: string;
  status: string;
  error: RegExp;
}

const CASES: Case[] = [
  {
    what: "a directory ID of another kind",
    node: { type: "qualtrics-contact", operation: "list", directoryId: "CG_1", directoryIdType: "str" },
    field: "directoryId",
    status: "invalid Directory",
    error: /^Directory: "CG_1" is not a directory ID/,
  },
  {
    what: "a contact ID from a JSONata expression that does not parse",
    node: { type: "qualtrics-contact", operation: "get", directoryId: DIR, directoryIdType: "str", contactId: "$$$(", contactIdType: "jsonata" },
    field: "contactId",
    status: "invalid Contact",
    error: /^Contact: could not be read from jsonata/,
  },
  {
    what: "an embedded data value that is an object (a nested property keeps its path)",
    node: { type: "qualtrics-contact", operation: "create", directoryId: DIR, directoryIdType: "str" },
    msg: { payload: { firstName: "Jane", embeddedData: { tier: { a: 1 } } } },
    field: "embeddedData.tier",
    status: "invalid Embedded data",
    error: /^Embedded data \(embeddedData\.tier\): must be a string/,
  },
  {
    what: "an SMS type that is not one",
    node: { type: "qualtrics-distribution", channel: "sms" },
    msg: { payload: { method: "Broadcast", surveyId: "SV_abc", mailingListId: "CG_abc", messageText: "Hi" } },
    field: "method",
    status: "invalid SMS type",
    error: /^SMS type: must be one of Invite/,
  },
  {
    what: "a send date that is not a date",
    node: { type: "qualtrics-distribution", channel: "email" },
    msg: { payload: { fromEmail: "a@example.com", fromName: "A", subject: "S", messageText: "Hi", mailingListId: "CG_abc", surveyId: "SV_abc", sendDate: "tomorrow" } },
    field: "sendDate",
    status: "invalid Send at",
    error: /^Send at: "tomorrow" is not an ISO 8601 date/,
  },
  {
    what: "an email distribution with no sender (a place in the Qualtrics body a dialog field fills)",
    node: { type: "qualtrics-distribution", channel: "email" },
    msg: { payload: 1767225600000 },
    field: "header.fromEmail",
    status: "invalid From",
    error: /^From \(header\.fromEmail\): is required/,
  },
  {
    what: "a distribution's mailing list of another kind",
    node: { type: "qualtrics-distribution", channel: "email" },
    msg: { payload: { fromEmail: "a@example.com", fromName: "A", subject: "S", messageText: "Hi", mailingListId: "POOL_abc", surveyId: "SV_abc" } },
    field: "recipients.mailingListId",
    status: "invalid Mailing list",
    error: /^Mailing list \(recipients\.mailingListId\): /,
  },
  {
    what: "a survey ID of another kind",
    node: { type: "qualtrics-survey", operation: "get", surveyId: "CG_1", surveyIdType: "str" },
    field: "surveyId",
    status: "invalid Survey",
    error: /^Survey: "CG_1" is not a survey ID/,
  },
  {
    what: "an API path with a placeholder",
    node: { type: "qualtrics-api", method: "GET", url: "/surveys/{surveyId}" },
    field: "url",
    status: "invalid Path",
    error: /^Path: "\/surveys\/\{surveyId\}" still has a \{placeholder\}/,
  },
  {
    what: "a configuration with an http:// base URL to another host",
    node: { type: "qualtrics-api", method: "GET", url: "/whoami" },
    config: { baseUrl: "http://qualtrics.example.com/API/v3" },
    field: "baseUrl",
    status: "invalid Base URL",
    error: /^Base URL: http:\/\/ would send the API token or OAuth secret unencrypted to qualtrics\.example\.com; use https:\/\//,
  },
  {
    what: "a configuration with neither data center nor base URL",
    node: { type: "qualtrics-survey", operation: "list" },
    config: { baseUrl: "", dataCenter: "" },
    field: "dataCenter",
    status: "invalid Data center",
    error: /^Data center: is required/,
  },
];

describe("field names in statuses and errors are the dialog's labels", function () {
  let api: RecordingServer;
  let done: ReturnType<typeof spyDone>;
  before(async () => (api = await startRecordingServer()));
  after(() => api.close());
  beforeEach(() => (done = spyDone()));
  afterEach(async () => {
    await helper.unload();
    done.restore();
  });

  /** the node's error and every status it set, from its construction on */
  async function refused(c: Case, qualtrics = "cfg"): Promise<{ error: Error & { field?: string }; status: Array<{ text?: string; fill?: string }>; configErrors: string[] }> {
    const flow: FlowNode[] = [
      { id: "tab", type: "tab" },
      configNode(api.apiBase, c.config ?? {}),
      { ...c.node, id: "n", z: "tab", qualtrics, wires: [["out"]] },
      { id: "out", z: "tab", type: "helper" },
    ];
    await helper.load([N.config, N.contact, N.distribution, N.survey, N.api], flow, credentials);
    const configErrors = ((helper.getNode("cfg") as unknown as { error: { args: unknown[][] } }).error.args ?? []).map((a) => String(a[0]));
    const status = (helper.getNode("n") as unknown as { status: { args: Array<[{ text?: string; fill?: string }]> } }).status.args;
    api.reply(ok({}));
    helper.getNode("n").receive(c.msg ?? {});
    await until(() => done.of("n").length === 1, 5000, "done()");
    return { error: done.of("n")[0].error as Error & { field?: string }, status: status.map((a) => a[0]), configErrors };
  }

  for (const c of CASES) {
    it(`${c.what}: "${c.status}", the error in the dialog's words, err.field for flows`, async () => {
      const { error, status } = await refused(c);
      assert.equal(api.requests.length, 0, "nothing is sent");
      assert.match(error.message, c.error);
      assert.equal(error.field, c.field);
      const last = status[status.length - 1];
      assert.deepEqual({ fill: last.fill, text: last.text }, { fill: "red", text: c.status });
      for (const s of status) assert.doesNotMatch(String(s.text), CAMEL, `status "${s.text}" names a property`);
    });
  }

  it("no configuration selected: the status says to select one, the error names the Qualtrics field", async () => {
    const { error, status } = await refused({ ...CASES[0], node: { type: "qualtrics-survey", operation: "list" } }, "missing-config");
    assert.match(error.message, /^Qualtrics: no configuration node is selected, or it is disabled/);
    assert.equal(error.field, "qualtrics");
    assert.deepEqual(status.map((s) => s.text).filter(Boolean), ["select a configuration"]);
    assert.equal(api.requests.length, 0);
  });

  for (const trigger of [
    { type: "qualtrics-response-poll", props: { surveyId: "CID_1", surveyIdType: "str", interval: 60 } },
    { type: "qualtrics-response-in", props: { surveyId: "CID_1", path: "/field-label-hook" } },
  ]) {
    it(`${trigger.type}: settings refused at start name the field in the status ("invalid Survey") and the log`, async () => {
      const flow: FlowNode[] = [
        { id: "tab", type: "tab" },
        configNode(api.apiBase),
        { id: "n", z: "tab", type: trigger.type, qualtrics: "cfg", ...trigger.props, wires: [[]] },
      ];
      await helper.load([N.config, N.responsePoll, N.responseIn], flow, credentials);
      const n = helper.getNode("n") as unknown as { status: { args: Array<[{ text?: string; fill?: string }]> }; error: { args: unknown[][] } };
      const texts = n.status.args.map((a) => a[0].text);
      assert.deepEqual(texts, ["invalid Survey"]);
      assert.ok(n.error.args.some((a) => /^Survey: /.test(String(a[0]))), n.error.args.map((a) => String(a[0])).join(" | "));
      assert.equal(api.requests.length, 0, "nothing is sent");
    });
  }

  it("the configuration node reports a refused base URL at start by its label", async () => {
    const { configErrors } = await refused(CASES.find((c) => c.field === "baseUrl")!);
    assert.ok(configErrors.some((e) => /^Base URL: http:\/\/ would send the API token/.test(e)), configErrors.join(" | "));
  });

  it("a loopback http:// base URL (the sandbox) is accepted", async () => {
    const flow: FlowNode[] = [
      { id: "tab", type: "tab" },
      configNode(api.apiBase.replace("127.0.0.1", "localhost")),
      { id: "n", z: "tab", type: "qualtrics-api", qualtrics: "cfg", method: "GET", url: "/whoami", wires: [["out"]] },
      { id: "out", z: "tab", type: "helper" },
    ];
    await helper.load([N.config, N.api], flow, credentials);
    api.reply(ok({ userName: "u" }));
    helper.getNode("n").receive({});
    await until(() => done.of("n").length === 1, 5000, "done()");
    assert.equal(done.of("n")[0].error, undefined);
    assert.equal(api.requests.length, 1);
  });

  it("in German with the German catalogue: \"Verzeichnis ungültig\", \"Basis-URL: ...\"", () => {
    // RED._ as Node-RED's runtime answers it with lang de: the text, or the bare key when missing
    const nodes = path.join(__dirname, "..", "..", "..", "nodes");
    const _ = (key: string, vars?: Record<string, string | number>): string => {
      const [ns, k] = key.split(":");
      const set = ns.split("/").pop()!;
      const file = path.join(nodes, set, "locales", "de", `${set}.json`);
      let v: unknown = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
      for (const part of k.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined;
      return typeof v === "string" ? v.replace(/__(\w+)__/g, (m, name: string) => String(vars?.[name] ?? m)) : k;
    };
    const RED = { _ } as never;
    const shown: Array<{ text?: string }> = [];
    const node = { type: "qualtrics-contact", status: (s: { text?: string }) => shown.push(s) } as never;
    new NodeStatus(RED, node).invalid("directoryId");
    assert.deepEqual(shown.map((s) => s.text), ["Verzeichnis ungültig"]);
    const err = inDialogTerms(RED, "qualtrics-contact", new QualtricsInputError("baseUrl", "must be the full API root, ending in /API/v3"));
    assert.equal(err.message, "Basis-URL: must be the full API root, ending in /API/v3");
    assert.equal(err.field, "baseUrl");
    // a property no dialog shows keeps its name
    assert.equal(inDialogTerms(RED, "qualtrics-mailing-list", new QualtricsInputError("contacts[1].email", "x")).message, "contacts[1].email: x");
  });
});
