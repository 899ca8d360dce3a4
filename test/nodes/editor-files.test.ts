// The editor side of every node type, as built into build/nodes: the HTML Node-RED and the scorecard
// parser read, the message catalogues (en-US and de), icons, and the dialog definitions themselves,
// run in a small stand-in for the editor so their defaults and validators can be checked.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vm from "node:vm";
import { DEFAULT_OAUTH_SCOPES } from "../../src/oauth";
import { resolveApiBase } from "../../src/base-url";
import { HELP_SECTIONS, expectedSections, ports, property, readHelp, type HelpLang, type Property } from "../support/markdown-help";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const BUILT = path.join(ROOT, "build", "nodes");
const SOURCE = path.join(ROOT, "nodes");
const MODULE = "@xmflows/node-red-qualtrics";
const TYPES = ["qualtrics-config", "qualtrics-contact", "qualtrics-distribution", "qualtrics-api", "qualtrics-response-in", "qualtrics-response", "qualtrics-mailing-list", "qualtrics-survey", "qualtrics-export", "qualtrics-response-poll"] as const;
type NodeType = (typeof TYPES)[number];
/** every node folder (the help is checked for each; the other checks name theirs in TYPES) */
const ALL_TYPES: readonly string[] = fs.readdirSync(SOURCE).filter((d) => fs.existsSync(path.join(SOURCE, d, "locales")));
const LANGS = ["en-US", "de"] as const;

type Catalog = Record<string, unknown>;

function read(file: string): string {
  return fs.readFileSync(file, "utf8");
}

function html(type: string): string {
  return read(path.join(BUILT, type, `${type}.html`));
}

function catalog(lang: string, set: string): Catalog {
  return JSON.parse(read(path.join(BUILT, set, "locales", lang, `${set}.json`))) as Catalog;
}

function flatten(obj: Catalog, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) for (const [kk, vv] of flatten(v as Catalog, key)) out.set(kk, vv);
    else out.set(key, String(v));
  }
  return out;
}

function has(set: string, key: string, lang: string): boolean {
  return flatten(catalog(lang, set)).has(key);
}

/** the blocks of one kind: [attributes, body] */
function scripts(text: string): Array<{ attrs: string; body: string }> {
  const out: Array<{ attrs: string; body: string }> = [];
  const re = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push({ attrs: m[1], body: m[2] });
  return out;
}

function jsOf(type: string): string {
  const js = scripts(html(type)).filter((s) => /type=["']text\/javascript["']/.test(s.attrs));
  assert.equal(js.length, 1, `${type}: exactly one <script type="text/javascript">`);
  return js[0].body;
}

/** the one block of a kind: the dialog is text/html, the help text/markdown */
function block(type: string, attr: "data-template-name" | "data-help-name", text = html(type)): string {
  const found = scripts(text).filter((s) => new RegExp(`${attr}=["']${type}["']`).test(s.attrs));
  assert.equal(found.length, 1, `${type}: exactly one ${attr} block`);
  const kind = attr === "data-help-name" ? "text/markdown" : "text/html";
  assert.match(found[0].attrs, new RegExp(`type=["']${kind}["']`), `${type}: the ${attr} block is ${kind}`);
  return found[0].body;
}

// ------------------------------------------------------------------------------------------------
// A small stand-in for the editor: enough of RED and jQuery to run the definitions and validators.
// ------------------------------------------------------------------------------------------------
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Def = Record<string, any>;

function loadDefinitions(): { defs: Record<string, Def>; rendered: string[] } {
  const defs: Record<string, Def> = {};
  const rendered: string[] = [];
  const emptyQuery = () => {
    const q: Record<string, unknown> = { length: 0 };
    for (const fn of ["val", "attr", "prop", "on", "closest", "show", "hide", "toggle", "next", "text", "typedInput", "appendTo"]) {
      q[fn] = (..._args: unknown[]) => (fn === "val" || fn === "attr" || fn === "prop" ? undefined : q);
    }
    return q;
  };
  const $ = Object.assign(() => emptyQuery(), { param: () => "", extend: Object.assign, ajax: () => undefined });
  const context: Record<string, unknown> = {
    $,
    jQuery: $,
    console,
    URL,
    document: { getElementById: () => null },
    setTimeout,
    RED: {
      nodes: {
        registerType(type: string, def: Def) {
          const ns = `${MODULE}/${type}`;
          def._ = (key: string, vars?: Record<string, unknown>) => (key.includes(":") ? key : `${ns}:${key}`) + (vars ? " " + JSON.stringify(vars) : "");
          defs[type] = def;
        },
        node: () => null,
      },
      _: (key: string, vars?: Record<string, unknown>) => {
        rendered.push(key);
        return key + (vars ? " " + JSON.stringify(vars) : "");
      },
      settings: { httpNodeRoot: "/" },
      utils: {
        validateTypedProperty(v: string, type: string) {
          if (type === "msg" || type === "flow" || type === "global") return /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*|\[\d+\])*$/.test(v) ? true : "invalid property";
          return true;
        },
      },
      validators: {
        number: () => () => true,
        regex: (re: RegExp) => (v: string) => re.test(v),
        typedInput: () => () => true,
      },
    },
  };
  context.window = context;
  vm.createContext(context);
  // the editor library first, as Node-RED loads each file's <script src> before its definitions
  vm.runInContext(read(path.join(ROOT, "resources", "qualtrics-editor.js")), context, { filename: "qualtrics-editor.js" });
  for (const type of ALL_TYPES) vm.runInContext(jsOf(type), context, { filename: `${type}.html` });
  return { defs, rendered };
}

/** validate one property as the editor does: `this` is the node, fields come from the node */
function validate(def: Def, prop: string, node: Record<string, unknown>): true | string {
  const spec = def.defaults[prop];
  const self = { _def: def, ...node };
  const v = node[prop] ?? spec.value;
  if (spec.required && (v === "" || v === undefined)) return "required";
  if (!spec.validate) return true;
  const r = spec.validate.call(self, v, {});
  return r === true ? true : typeof r === "string" ? r : "invalid";
}

// The flow contract: property names the runtime reads (the lead's brief).
// "names": what the pickers showed for the IDs, kept for the workspace label (issue 15)
const CONTRACT: Record<NodeType, string[]> = {
  "qualtrics-config": ["name", "dataCenter", "baseUrl", "authType", "scopes", "timeout", "retries", "rateLimit", "maxConcurrent", "coordination"],
  "qualtrics-contact": [
    "name", "qualtrics", "names", "operation", "directoryId", "directoryIdType", "contactId", "contactIdType", "firstName", "firstNameType",
    "lastName", "lastNameType", "email", "emailType", "phone", "phoneType", "extRef", "extRefType", "language", "languageType",
    "embeddedData", "embeddedDataType", "unsubscribed", "unsubscribedType", "limit", "pageSize", "output",
    "searchField", "searchValue", "searchValueType", "upsertKey",
    ...["mailingListId", "transactionData", "transactionDate", "transactionIds", "transactionBatchId"].flatMap((p) => [p, p + "Type"]),
  ],
  "qualtrics-distribution": [
    "name", "qualtrics", "names", "channel",
    ...["surveyId", "sendDate", "libraryId", "messageId", "messageText", "mailingListId", "contactId", "transactionBatchId",
      "fromEmail", "fromName", "replyToEmail", "subject", "expirationDate", "linkType", "embeddedData",
      "method", "smsName", "parentDistributionId", "sampleId", "transactionId",
      "distributionId", "distributionRequestType", "sendStartDate", "sendEndDate", "description"].flatMap((p) => [p, p + "Type"]),
    "operation", "limit", "output",
  ],
  "qualtrics-api": ["name", "qualtrics", "method", "url", "paging", "limit"],
  "qualtrics-response-in": ["name", "qualtrics", "names", "surveyId", "topic", "path", "autoRegister", "publicBaseUrl", "fetchResponse", "dedupeSeconds", "maxBodyKb", "catchUpMinutes"],
  "qualtrics-response": [
    "name", "qualtrics", "names", "operation",
    ...["surveyId", "responseId", "embeddedData", "values"].flatMap((p) => [p, p + "Type"]),
    "resetRecordedDate", "decrementQuotas", "ignoreMissing",
  ],
  "qualtrics-mailing-list": [
    "name", "qualtrics", "names", "operation",
    ...["directoryId", "mailingListId", "contactId", "listName", "firstName", "lastName", "email", "phone", "extRef", "language",
      "embeddedData", "unsubscribed"].flatMap((p) => [p, p + "Type"]),
    "limit", "pageSize", "output", "waitForImport", "importTimeout",
  ],
  "qualtrics-survey": ["name", "qualtrics", "names", "operation", "surveyId", "surveyIdType", "limit", "output", "labelTarget"],
  "qualtrics-export": [
    "name", "qualtrics", "names", "format", "since", "output", "directory", "limit", "useLabels", "exportResponsesInProgress", "compress",
    "allowContinuation", "timeout",
    ...["surveyId", "startDate", "endDate", "filterId", "questionIds", "embeddedDataIds"].flatMap((p) => [p, p + "Type"]),
  ],
  "qualtrics-response-poll": ["name", "qualtrics", "names", "surveyId", "surveyIdType", "interval", "start", "startDate"],
};

const KEY_LITERAL = /["']((?:@xmflows\/node-red-qualtrics\/([a-z-]+):)?((?:qualtrics-(?:config|contact|distribution|api|response-in|response|mailing-list|survey|export|response-poll)|common)\.[A-Za-z0-9_.]+))["']/g;

/** every catalogue key a piece of code names: [catalogue, key] */
function keysIn(code: string, ownSet: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let m: RegExpExecArray | null;
  KEY_LITERAL.lastIndex = 0;
  while ((m = KEY_LITERAL.exec(code)) !== null) {
    if (/\.(svg|png|html|json|js|ts)$/.test(m[3]) || m[3].endsWith(".")) continue;
    out.push([m[2] ?? ownSet, m[3]]);
  }
  return out;
}

function dataI18nKeys(text: string, ownSet: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const m of text.matchAll(/data-i18n=["']([^"']+)["']/g)) {
    for (const part of m[1].split(";")) {
      const key = part.replace(/^\[[^\]]+\]/, "").trim();
      const colon = key.indexOf(":");
      if (colon < 0) out.push([ownSet, key]);
      else if (key.slice(0, colon) !== "node-red") out.push([key.slice(0, colon).split("/").pop()!, key.slice(colon + 1)]);
    }
  }
  return out;
}

describe("editor files", function () {
  before(function () {
    if (!fs.existsSync(BUILT)) throw new Error("run node scripts/build.js first");
  });

  for (const type of TYPES) {
    describe(type, function () {
      it("has its HTML next to the built JS, with the three blocks Node-RED and the scorecard parser need", () => {
        assert.ok(fs.existsSync(path.join(BUILT, type, `${type}.js`)), "built JS");
        const text = html(type);
        const js = jsOf(type);
        assert.match(text, /<script\s+type="text\/javascript">/, "exactly type=\"text/javascript\" (node-red-dev)");
        assert.match(js, new RegExp(`RED\\.nodes\\.registerType\\(\\s*['"]${type}['"]\\s*,\\s*\\{`), "a literal registerType with an inline object");
        assert.doesNotThrow(() => new vm.Script(js, { filename: `${type}.html` }), "the script parses");
        block(type, "data-template-name");
        assert.doesNotMatch(text, /data-help-name/, "the help is in locales/, as in Node-RED's core nodes");
      });

      it("names only catalogue keys that exist in en-US and de", () => {
        const text = html(type);
        const keys = [...dataI18nKeys(text, type), ...keysIn(jsOf(type), type)];
        assert.ok(keys.length > 10, "the dialog is translated");
        const missing: string[] = [];
        for (const [set, key] of keys) for (const lang of LANGS) if (!has(set, key, lang)) missing.push(`${lang}/${set}.json: ${key}`);
        assert.deepEqual([...new Set(missing)], []);
      });

      it("has a German catalogue with exactly the keys of the English one", () => {
        const en = flatten(catalog("en-US", type));
        const de = flatten(catalog("de", type));
        assert.deepEqual([...de.keys()].sort(), [...en.keys()].sort());
        for (const [k, v] of en) {
          const vars = (s: string) => [...s.matchAll(/__([A-Za-z0-9_]+)__/g)].map((m) => m[1]).sort();
          assert.deepEqual(vars(de.get(k)!), vars(v), `${k}: the same __variables__`);
          assert.ok(de.get(k)!.trim() !== "", `${k}: translated`);
        }
      });

      it("uses the flow contract's property names, with a <prop>Type default for every typedInput", () => {
        const def = loadDefinitions().defs[type];
        assert.deepEqual(Object.keys(def.defaults).sort(), [...CONTRACT[type]].sort());
        const template = block(type, "data-template-name");
        const prefix = def.category === "config" ? "node-config-input-" : "node-input-";
        const hidden = [...template.matchAll(new RegExp(`<input type="hidden" id="${prefix}(\\w+)Type">`, "g"))].map((m) => m[1]);
        for (const prop of hidden) {
          assert.ok(def.defaults[prop], `${prop} is a property`);
          const t = def.defaults[prop + "Type"];
          assert.ok(t && typeof t.value === "string" && t.value !== "", `${prop}Type has a default type`);
          // the response node's answers (values) and a transaction's data are a JSON object like embedded data
          // an ID the account can list is picked by name unless the user chooses otherwise (issue 15)
          const picked = new RegExp(`Q\\.(?:idInput\\(|picker\\(TYPE, )"${prop}"`).test(jsOf(type));
          const expected = prop === "embeddedData" || prop === "values" || prop === "transactionData" ? "json" : prop === "unsubscribed" ? "none" : picked ? "qualtrics" : "str";
          assert.equal(t.value, expected, `${prop}Type default`);
        }
        const isTypeField = (k: string) => k.endsWith("Type") && k.length > 4 && def.defaults[k.slice(0, -4)] !== undefined;
        for (const key of Object.keys(def.defaults).filter(isTypeField)) {
          assert.ok(hidden.includes(key.slice(0, -4)), `${key} has its hidden input in the template`);
        }
        for (const prop of Object.keys(def.defaults)) {
          // names: what the pickers showed, kept by the library (editor/dialog.ts), no field of its own
          if (isTypeField(prop) || prop === "names") continue;
          assert.match(template, new RegExp(`id="${prefix}${prop}"`), `${prop} has a field in the dialog`);
        }
        if (def.credentials) {
          for (const c of Object.keys(def.credentials)) {
            assert.equal(def.credentials[c].type, "password", `${c} is a password credential`);
            assert.match(template, new RegExp(`<input type="password" id="${prefix}${c}"`), `${c} has a password field`);
          }
        }
      });

      it("has its palette look: one category and colour, an icon from icons/", () => {
        const def = loadDefinitions().defs[type];
        if (type === "qualtrics-config") {
          assert.equal(def.category, "config");
          assert.deepEqual(Object.keys(def.credentials), ["apiToken", "clientId", "clientSecret", "redisUrl"]);
        } else {
          assert.equal(def.category, "Qualtrics");
          assert.equal(def.color, loadDefinitions().defs["qualtrics-contact"].color);
          assert.match(def.color, /^#[0-9A-Fa-f]{6}$/);
          assert.equal(typeof def.label, "function");
          assert.equal(typeof def.paletteLabel, "function");
        }
        if (def.icon) {
          assert.match(def.icon, /^qualtrics[a-z-]*\.svg$/, "an icon name unique to us");
          // in the node's own folder, where the Flow Library takes the palette icon from
          assert.ok(fs.existsSync(path.join(SOURCE, type, "icons", def.icon)), `nodes/${type}/icons/${def.icon}`);
          assert.ok(fs.existsSync(path.join(BUILT, type, "icons", def.icon)), `build/nodes/${type}/icons/${def.icon}`);
          assert.match(read(path.join(SOURCE, type, "icons", def.icon)), /^<svg[^>]*viewBox="0 0 40 60"/);
        } else {
          assert.equal(type, "qualtrics-config");
        }
      });

      it("has no hard-coded colours in the dialog's CSS", () => {
        const text = html(type).replace(/\bcolor:\s*'#[0-9A-Fa-f]{6}'/, "");
        const bad = text.match(/(?:color|background|border)[a-z-]*\s*:\s*(?:#[0-9A-Fa-f]{3,8}\b|rgba?\(|hsla?\(|(?:white|black|red|green|blue|gray|grey)\b)/gi);
        assert.equal(bad, null);
      });
    });
  }

  for (const type of ALL_TYPES) {
    describe(`${type} help`, function () {
      it("has Markdown help in Node-RED's format, in English and German in locales/", () => {
        const def = loadDefinitions().defs[type];
        const helpOf = (lang: HelpLang) => block(type, "data-help-name", read(path.join(BUILT, type, "locales", lang, `${type}.html`)));
        const props: Partial<Record<HelpLang, Property[]>> = {};
        const links: Partial<Record<HelpLang, string[]>> = {};
        for (const lang of LANGS) {
          const text = helpOf(lang);
          const where = `${type} ${lang}`;
          // Markdown is whitespace-sensitive: an indented line would be a code block
          assert.deepEqual(text.split("\n").filter((l) => /^\s+\S/.test(l)), [], `${where}: no indented lines`);
          const prose = text.replace(/`[^`\n]*`/g, "");
          assert.doesNotMatch(prose, /<\/?[a-z][^>]*>/i, `${where}: Markdown, no HTML tags`);
          assert.doesNotMatch(prose, /&[a-z]+;|&#\d+;/i, `${where}: no HTML entities`);
          const help = readHelp(text);
          assert.equal(help.summary.length, 1, `${where}: a one-line summary (the palette tooltip) first`);
          assert.match(help.summary[0], /^[^#:\-\d\s][^\n]{20,}$/, `${where}: the summary is a sentence`);
          assert.deepEqual(help.sections.map((s) => s.heading), expectedSections(lang, def), `${where}: the sections`);
          const lines = help.sections.flatMap((s) => s.lines);
          const bad = lines.filter((l) => l.startsWith(":") && !property(l));
          assert.deepEqual(bad, [], `${where}: every property as \`: name (type) : text\` with no colon in the text`);
          props[lang] = lines.filter((l) => l.startsWith(":")).map((l) => property(l)!);
          const section = (heading: string) => help.sections.find((s) => s.heading === heading)!;
          if (def.category === "config") {
            assert.ok(section(HELP_SECTIONS[lang].properties).lines.some((l) => property(l)), `${where}: the properties as a list`);
          } else {
            if (def.inputs > 0) assert.ok(section(HELP_SECTIONS[lang].inputs).lines.some((l) => property(l)), `${where}: the inputs as message properties`);
            const list = ports(section(HELP_SECTIONS[lang].outputs));
            assert.deepEqual(list.map((p) => p.number), Array.from({ length: def.outputs }, (_, i) => i + 1), `${where}: one numbered port per output`);
            for (const p of list) assert.ok(p.properties.length > 0, `${where}: port ${p.number} (${p.label}) lists its message properties`);
          }
          const refs = help.sections[help.sections.length - 1].lines;
          assert.ok(refs.length > 0 && refs.every((l) => /^- \[[^\]]+\]\(https:\/\/[^)\s]+\)/.test(l)), `${where}: references as a list of links`);
          links[lang] = [...text.matchAll(/\]\((https?:\/\/[^)\s]+)\)/g)].map((m) => m[1]);
        }
        // the German help is complete: the same properties and links (a configuration node's properties are its
        // dialog's translated labels and types, so only their number and which are optional compare)
        const sig = (ps: Property[] | undefined) =>
          (ps ?? []).map((p) => (def.category === "config" ? "" : `${p.name} (${p.type})`) + (p.optional ? " optional" : ""));
        assert.deepEqual(sig(props.de), sig(props["en-US"]), "the German help has the English properties");
        assert.deepEqual(links.de, links["en-US"], "the German help has the English links");
      });
    });
  }

  describe("message keys the runtime uses", function () {
    const status = ["requesting", "requestingMany", "received", "done", "doneCount", "noConfig", "invalidField", "badConfig", "noHttpNode", "badSignature", "fetching", "fetchFailed", "registering", "registered", "notRegistered", "listening"];
    const listed: Array<[string, string]> = [
      ...status.map((s): [string, string] => ["qualtrics-config", `common.status.${s}`]),
      ["qualtrics-config", "qualtrics-config.warn.notice"],
      ["qualtrics-config", "qualtrics-config.test.noToken"],
      ["qualtrics-config", "qualtrics-config.test.noClient"],
      ["qualtrics-config", "qualtrics-config.warn.noticeDataCenter"],
      ["qualtrics-response-in", "qualtrics-response-in.warn.noHttpNode"],
      ["qualtrics-response-in", "qualtrics-response-in.error.notAdmin"],
      ["qualtrics-response-in", "qualtrics-response-in.error.register"],
      ["qualtrics-response-in", "qualtrics-response-in.log.created"],
      ["qualtrics-response-in", "qualtrics-response-in.log.reused"],
      ["qualtrics-response-in", "qualtrics-response-in.log.deleted"],
      ["qualtrics-response-in", "qualtrics-response-in.log.removedOld"],
    ];

    it("has every key of the brief in en-US and de", () => {
      for (const [set, key] of listed) for (const lang of LANGS) assert.ok(has(set, key, lang), `${lang}/${set}.json: ${key}`);
    });

    it("keeps the English status texts short", () => {
      const en = flatten(catalog("en-US", "qualtrics-config"));
      // NodeStatus.failed cuts longer texts at 24 characters
      for (const s of status) assert.ok(en.get(`common.status.${s}`)!.length <= 24, `${s} is short`);
      assert.equal(en.get("common.status.requestingMany"), "__count__ requests");
      assert.equal(en.get("common.status.received"), "__count__ received");
      assert.equal(en.get("common.status.doneCount"), "done: __count__");
      assert.equal(en.get("common.status.listening"), "listening on __path__");
      assert.equal(en.get("qualtrics-config.warn.notice"), "Qualtrics: __notice__");
      const ri = flatten(catalog("en-US", "qualtrics-response-in"));
      assert.match(ri.get("qualtrics-response-in.error.register")!, /__error__.*__hint__/);
      assert.match(ri.get("qualtrics-response-in.log.created")!, /__id__.*__topics__/);
      assert.match(ri.get("qualtrics-response-in.log.removedOld")!, /__ids__/);
    });

    it("has every key the runtime code names (scanned from nodes/<type>/*.ts and nodes/lib/*.ts)", () => {
      const files = [
        ...TYPES.flatMap((t) => fs.readdirSync(path.join(SOURCE, t)).filter((f) => f.endsWith(".ts")).map((f) => path.join(SOURCE, t, f))),
        ...fs.readdirSync(path.join(SOURCE, "lib")).filter((f) => f.endsWith(".ts")).map((f) => path.join(SOURCE, "lib", f)),
      ];
      const missing: string[] = [];
      let count = 0;
      for (const file of files) {
        const code = read(file);
        const own = path.basename(file, ".ts");
        for (const [set, key] of keysIn(code, own)) {
          if (!(TYPES as readonly string[]).includes(set)) continue;
          count++;
          for (const lang of LANGS) if (!has(set, key, lang)) missing.push(`${lang}/${set}.json: ${key} (${path.basename(file)})`);
        }
        // status keys: NodeStatus.problem("x"), .show(fill, shape, "x"), and the ones status.ts renders itself
        for (const m of code.matchAll(/\.(?:problem|show)\(([^)]*)\)/g)) {
          const lits = [...m[1].matchAll(/"([A-Za-z]+)"/g)].map((x) => x[1]).filter((x) => !["red", "green", "yellow", "blue", "grey", "ring", "dot"].includes(x));
          for (const s of lits) {
            count++;
            for (const lang of LANGS) if (!has("qualtrics-config", `common.status.${s}`, lang)) missing.push(`${lang}: common.status.${s} (${path.basename(file)})`);
          }
        }
        for (const m of code.matchAll(/this\.t\("([A-Za-z]+)"/g)) {
          count++;
          for (const lang of LANGS) if (!has("qualtrics-config", `common.status.${m[1]}`, lang)) missing.push(`${lang}: common.status.${m[1]} (${path.basename(file)})`);
        }
      }
      assert.ok(count > 10, "found the runtime's keys");
      assert.deepEqual(missing, []);
    });
  });

  describe("dialog validation (run in a stand-in editor)", function () {
    let defs: Record<string, Def>;
    before(() => (defs = loadDefinitions().defs));

    it("checks the export node's survey, dates, limit, format, directory and question IDs", () => {
      const e = defs["qualtrics-export"];
      assert.equal(validate(e, "surveyId", { surveyId: "SV_abc", surveyIdType: "qualtrics" }), true);
      assert.match(String(validate(e, "surveyId", { surveyId: "CG_abc", surveyIdType: "str" })), /SV_/);
      assert.equal(validate(e, "startDate", { startDate: "2025-05-01T00:00:00Z", startDateType: "str" }), true);
      assert.notEqual(validate(e, "startDate", { startDate: "yesterday", startDateType: "str" }), true);
      assert.equal(validate(e, "endDate", { since: "all", endDate: "2025-06-01", endDateType: "str" }), true);
      assert.notEqual(validate(e, "endDate", { since: "new", endDate: "2025-06-01", endDateType: "str" }), true);
      assert.equal(validate(e, "limit", { limit: "" }), true);
      assert.equal(validate(e, "limit", { limit: 100 }), true);
      assert.notEqual(validate(e, "limit", { limit: -1 }), true);
      assert.notEqual(validate(e, "limit", { limit: 100, since: "new" }), true);
      assert.notEqual(validate(e, "limit", { limit: 100, allowContinuation: true }), true);
      assert.equal(validate(e, "format", { format: "spss", output: "file" }), true);
      assert.notEqual(validate(e, "format", { format: "xml", output: "split" }), true);
      assert.notEqual(validate(e, "directory", { output: "file", directory: "" }), true);
      assert.equal(validate(e, "directory", { output: "array", directory: "" }), true);
      assert.equal(validate(e, "questionIds", { questionIds: "QID1, QID2", questionIdsType: "str" }), true);
      assert.notEqual(validate(e, "questionIds", { questionIds: "QID1, Q2", questionIdsType: "str" }), true);
      assert.notEqual(validate(e, "timeout", { timeout: 0 }), true);
      assert.equal(validate(e, "timeout", { timeout: 10 }), true);
    });

    it("checks the polling trigger's survey, interval and start date", () => {
      const p = defs["qualtrics-response-poll"];
      assert.notEqual(validate(p, "surveyId", { surveyId: "", surveyIdType: "str" }), true);
      assert.equal(validate(p, "surveyId", { surveyId: "SV_abc", surveyIdType: "qualtrics" }), true);
      assert.equal(validate(p, "surveyId", { surveyId: "SURVEY", surveyIdType: "env" }), true);
      assert.notEqual(validate(p, "surveyId", { surveyId: "POOL_1", surveyIdType: "str" }), true);
      assert.notEqual(validate(p, "interval", { interval: 5 }), true);
      assert.equal(validate(p, "interval", { interval: 60 }), true);
      assert.equal(validate(p, "startDate", { start: "now", startDate: "" }), true);
      assert.notEqual(validate(p, "startDate", { start: "date", startDate: "" }), true);
      assert.notEqual(validate(p, "startDate", { start: "date", startDate: "2025-02-30" }), true);
      assert.equal(validate(p, "startDate", { start: "date", startDate: "2025-02-28T00:00:00Z" }), true);
    });

    it("checks ID prefixes on fixed values, and lets ${ENV}, empty and message values through", () => {
      const c = defs["qualtrics-contact"];
      assert.equal(validate(c, "directoryId", { directoryId: "POOL_0123abc", directoryIdType: "str" }), true);
      assert.equal(validate(c, "directoryId", { directoryId: "POOL_0123abc", directoryIdType: "qualtrics" }), true);
      assert.match(String(validate(c, "directoryId", { directoryId: "CG_0123abc", directoryIdType: "str" })), /POOL_/);
      assert.match(String(validate(c, "directoryId", { directoryId: "SV_1", directoryIdType: "qualtrics" })), /POOL_/);
      // as the runtime decides (src/input-shapes.ts idFits): a prefix no kind has passes, ES_ and UT_ are known and refused
      assert.equal(validate(c, "directoryId", { directoryId: "XYZ_0123abc", directoryIdType: "str" }), true);
      assert.match(String(validate(c, "directoryId", { directoryId: "UT_0123abc", directoryIdType: "str" })), /POOL_/);
      assert.equal(validate(c, "directoryId", { directoryId: "${DIRECTORY}", directoryIdType: "str" }), true);
      assert.equal(validate(c, "directoryId", { directoryId: "", directoryIdType: "str" }), true);
      assert.equal(validate(c, "directoryId", { directoryId: "payload.dir", directoryIdType: "msg" }), true);
      assert.notEqual(validate(c, "directoryId", { directoryId: "payload..dir", directoryIdType: "msg" }), true);
      // contactId only matters where the operation uses it
      assert.notEqual(validate(c, "contactId", { operation: "get", contactId: "POOL_x", contactIdType: "str" }), true);
      assert.equal(validate(c, "contactId", { operation: "list", contactId: "POOL_x", contactIdType: "str" }), true);
      assert.notEqual(validate(c, "email", { operation: "create", email: "not-an-address", emailType: "str" }), true);
      assert.equal(validate(c, "email", { operation: "create", email: "jane@example.com", emailType: "str" }), true);
      assert.notEqual(validate(c, "embeddedData", { operation: "update", embeddedData: "[1,2]", embeddedDataType: "json" }), true);
      assert.notEqual(validate(c, "embeddedData", { operation: "update", embeddedData: '{"a": {"b": 1}}', embeddedDataType: "json" }), true);
      assert.equal(validate(c, "embeddedData", { operation: "update", embeddedData: '{"tier": "gold", "n": 3}', embeddedDataType: "json" }), true);
      assert.equal(validate(c, "unsubscribed", { operation: "update", unsubscribed: "", unsubscribedType: "none" }), true);
      assert.notEqual(validate(c, "pageSize", { operation: "list", pageSize: 1001 }), true);
      assert.notEqual(validate(c, "limit", { operation: "list", limit: -1 }), true);
      assert.equal(validate(c, "limit", { operation: "list", limit: 0 }), true);
    });

    it("mirrors the distribution rules a field can show", () => {
      const d = defs["qualtrics-distribution"];
      const base = { channel: "email" };
      assert.equal(validate(d, "surveyId", { ...base, surveyId: "SV_abc123", surveyIdType: "str" }), true);
      assert.match(String(validate(d, "surveyId", { ...base, surveyId: "SMSD_1", surveyIdType: "str" })), /SV_/);
      assert.equal(validate(d, "libraryId", { ...base, libraryId: "GR_abc", libraryIdType: "qualtrics" }), true);
      assert.notEqual(validate(d, "messageId", { ...base, messageId: "CG_1", messageIdType: "str" }), true);
      // a library message or a text, not both
      assert.notEqual(validate(d, "messageText", { ...base, messageText: "Hi", messageTextType: "str", messageId: "MS_1", messageIdType: "str" }), true);
      assert.equal(validate(d, "messageText", { ...base, messageText: "Hi", messageTextType: "str" }), true);
      // email: a mailing list or a batch; a contact only with a list
      assert.notEqual(validate(d, "transactionBatchId", { ...base, transactionBatchId: "BT_1", transactionBatchIdType: "str", mailingListId: "CG_1", mailingListIdType: "str" }), true);
      assert.notEqual(validate(d, "contactId", { ...base, contactId: "CID_1", contactIdType: "str", transactionBatchId: "BT_1", transactionBatchIdType: "str" }), true);
      assert.equal(validate(d, "contactId", { ...base, contactId: "CGC_1", contactIdType: "str", mailingListId: "CG_1", mailingListIdType: "str" }), true);
      assert.notEqual(validate(d, "fromEmail", { ...base, fromEmail: "nobody", fromEmailType: "str" }), true);
      assert.notEqual(validate(d, "sendDate", { ...base, sendDate: "tomorrow", sendDateType: "str" }), true);
      assert.equal(validate(d, "sendDate", { ...base, sendDate: "2030-01-01T09:00:00Z", sendDateType: "str" }), true);
      assert.equal(validate(d, "sendDate", { ...base, sendDate: "1893456000000", sendDateType: "str" }), true);
      assert.notEqual(validate(d, "sendDate", { ...base, sendDate: "2030-02-30T09:00:00Z", sendDateType: "str" }), true);
      assert.equal(validate(d, "sendDate", { ...base, sendDate: "2028-02-29 09:00", sendDateType: "str" }), true);
      assert.notEqual(validate(d, "expirationDate", { ...base, sendDate: "2030-01-02", sendDateType: "str", expirationDate: "2030-01-01", expirationDateType: "str" }), true);
      assert.notEqual(validate(d, "linkType", { ...base, linkType: "Everyone", linkTypeType: "str" }), true);
      // SMS: follow-ups go to the parent's recipients; invites have no parent
      const sms = { channel: "sms" };
      assert.notEqual(validate(d, "mailingListId", { ...sms, method: "Reminder", methodType: "str", mailingListId: "CG_1", mailingListIdType: "str" }), true);
      assert.equal(validate(d, "mailingListId", { ...sms, method: "Invite", methodType: "str", mailingListId: "CG_1", mailingListIdType: "str" }), true);
      assert.notEqual(validate(d, "parentDistributionId", { ...sms, method: "Invite", methodType: "str", parentDistributionId: "SMSD_1", parentDistributionIdType: "str" }), true);
      assert.equal(validate(d, "parentDistributionId", { ...sms, method: "ThankYou", methodType: "str", parentDistributionId: "SMSD_1", parentDistributionIdType: "str" }), true);
      assert.notEqual(validate(d, "parentDistributionId", { ...sms, method: "Reminder", methodType: "str", parentDistributionId: "EMD_1", parentDistributionIdType: "str" }), true);
      assert.notEqual(validate(d, "method", { ...sms, method: "Broadcast", methodType: "str" }), true);
      assert.notEqual(validate(d, "smsName", { ...sms, smsName: "x".repeat(101), smsNameType: "str" }), true);
      // email-only fields do not matter for SMS
      assert.equal(validate(d, "fromEmail", { ...sms, fromEmail: "nobody", fromEmailType: "str" }), true);
    });

    it("checks the config node's data center and base URL like src/base-url.ts", () => {
      const cfg = defs["qualtrics-config"];
      for (const dc of ["iad1", "fra1", "g1-iad", "myorg.fra1.qualtrics.com", "https://myorg.fra1.qualtrics.com/Q/MyProjectsSection", "${QUALTRICS_DC}"]) {
        assert.equal(validate(cfg, "dataCenter", { dataCenter: dc, baseUrl: "" }), true, dc);
      }
      assert.notEqual(validate(cfg, "dataCenter", { dataCenter: "not a dc!", baseUrl: "" }), true);
      assert.notEqual(validate(cfg, "dataCenter", { dataCenter: "evil.example.com", baseUrl: "" }), true);
      assert.notEqual(validate(cfg, "dataCenter", { dataCenter: "", baseUrl: "" }), true);
      assert.equal(validate(cfg, "dataCenter", { dataCenter: "", baseUrl: "http://127.0.0.1:4010/API/v3" }), true);
      assert.equal(validate(cfg, "baseUrl", { baseUrl: "http://127.0.0.1:4010/API/v3/" }), true);
      assert.notEqual(validate(cfg, "baseUrl", { baseUrl: "https://iad1.qualtrics.com" }), true);
      assert.notEqual(validate(cfg, "baseUrl", { baseUrl: "ftp://x/API/v3" }), true);
      assert.notEqual(validate(cfg, "baseUrl", { baseUrl: "https://u:p@x.example/API/v3" }), true);
      // plain http only to this machine, the same hosts as the runtime allows, and the message says why
      for (const url of ["http://localhost:4010/API/v3", "http://127.0.0.1/API/v3", "http://127.1/API/v3", "http://[::1]:4010/API/v3", "http://gw.example.com/API/v3", "http://10.0.0.5/API/v3", "http://127.0.0.1.nip.io/API/v3", "http://[::ffff:127.0.0.1]/API/v3", "https://gw.example.com/API/v3"]) {
        let runtime: true | string = true;
        try {
          resolveApiBase(undefined, url);
        } catch (err) {
          runtime = (err as Error).message;
        }
        const editor = validate(cfg, "baseUrl", { baseUrl: url });
        assert.equal(editor === true, runtime === true, `${url}: editor ${String(editor)}, runtime ${String(runtime)}`);
        if (/^(https:|http:\/\/(localhost|127\.0\.0\.1|127\.1|\[::1\])[:/])/.test(url)) assert.equal(editor, true, url);
        else assert.match(String(editor), /qualtrics-config\.validation\.baseUrlHttp$/, url);
      }
      assert.notEqual(validate(cfg, "timeout", { timeout: 0 }), true);
      assert.equal(validate(cfg, "timeout", { timeout: 30 }), true);
      assert.notEqual(validate(cfg, "retries", { retries: 11 }), true);
    });

    it("offers the API token by default and OAuth with the scopes src/oauth.ts requests by default", () => {
      const cfg = defs["qualtrics-config"];
      assert.equal(cfg.defaults.authType.value, "token");
      assert.equal(cfg.defaults.scopes.value, DEFAULT_OAUTH_SCOPES.join(" "));
      assert.equal(validate(cfg, "scopes", { authType: "oauth", scopes: "read:surveys  write:distributions,manage:all" }), true);
      assert.equal(validate(cfg, "scopes", { authType: "oauth", scopes: "" }), true, "empty = the default set");
      assert.notEqual(validate(cfg, "scopes", { authType: "oauth", scopes: 'read:surveys "quoted"' }), true);
      assert.equal(validate(cfg, "scopes", { authType: "token", scopes: 'not "checked" without OAuth' }), true);
      const template = block("qualtrics-config", "data-template-name");
      assert.match(template, /<option value="token"/);
      assert.match(template, /<option value="oauth"/);
      for (const id of ["apiToken"]) assert.match(template, new RegExp(`class="form-row qualtrics-auth-token">\\s*<label for="node-config-input-${id}"`));
      for (const id of ["clientId", "clientSecret", "scopes"]) assert.match(template, new RegExp(`class="form-row qualtrics-auth-oauth"[^>]*>\\s*<label for="node-config-input-${id}"`));
    });

    it("checks the API path and the response trigger's settings", () => {
      const api = defs["qualtrics-api"];
      assert.equal(validate(api, "url", { url: "/surveys" }), true);
      assert.equal(validate(api, "url", { url: "" }), true);
      assert.notEqual(validate(api, "url", { url: "/surveys/{surveyId}" }), true);
      assert.notEqual(validate(api, "url", { url: "https://evil.example/steal" }), true);
      assert.equal(validate(api, "url", { url: "https://iad1.qualtrics.com/API/v3/surveys?offset=100" }), true);

      const r = defs["qualtrics-response-in"];
      assert.equal(validate(r, "qualtrics", { qualtrics: "", autoRegister: false, fetchResponse: false }), true);
      assert.notEqual(validate(r, "qualtrics", { qualtrics: "", autoRegister: true, fetchResponse: false }), true);
      assert.notEqual(validate(r, "qualtrics", { qualtrics: "_ADD_", autoRegister: false, fetchResponse: true }), true);
      assert.notEqual(validate(r, "surveyId", { surveyId: "", topic: "" }), true);
      assert.equal(validate(r, "surveyId", { surveyId: "", topic: "surveyengine.partialResponse.SV_1" }), true);
      assert.notEqual(validate(r, "surveyId", { surveyId: "CG_1", topic: "" }), true);
      assert.notEqual(validate(r, "publicBaseUrl", { autoRegister: true, publicBaseUrl: "" }), true);
      assert.equal(validate(r, "publicBaseUrl", { autoRegister: false, publicBaseUrl: "" }), true);
      assert.equal(validate(r, "publicBaseUrl", { autoRegister: true, publicBaseUrl: "https://nodered.example.com" }), true);
      assert.notEqual(validate(r, "path", { path: "/a b" }), true);
      assert.notEqual(validate(r, "path", { path: "/hook/:id" }), true);
      assert.equal(validate(r, "path", { path: "/qualtrics/responses" }), true);
    });
  });
});
