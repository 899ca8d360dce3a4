// Dialog validation with the runtime's own shapes (src/input-shapes.ts, src/id-prefixes.ts): fixed
// values are checked as src/validate.ts checks them; values from msg, context, env or expressions
// are left to the runtime.
import { EMAIL, ISO_LIKE, idFits, isCalendarDate } from "../src/input-shapes";
import { jq, red, t, type Node } from "./browser";

export const PICKER = "qualtrics";
const ENV_REF = /^\s*(\$\{[^}]+\}|\$\([A-Za-z_][A-Za-z0-9_]*\))\s*$/;

export type Verdict = true | string;
export type Rule = (v: string) => Verdict;

export function isEnv(v: unknown): boolean {
  return typeof v === "string" && ENV_REF.test(v);
}

/** the value in the open dialog, else the node's own (validation also runs outside the dialog) */
export function field(node: Node | undefined, prop: string, isConfig?: boolean): unknown {
  const el = jq("#node-" + (isConfig ? "config-" : "") + "input-" + prop);
  if (el.length) return el.attr("type") === "checkbox" ? el.prop("checked") : el.val();
  return node ? node[prop] : undefined;
}

export function typeOf(node: Node | undefined, prop: string, dflt?: string): string {
  const ty = field(node, prop + "Type");
  return (ty as string) || dflt || "str";
}

/** a value that is fixed in the dialog (not from msg, context, env or an expression) */
export function fixed(node: Node | undefined, prop: string, dflt?: string): string | undefined {
  const v = field(node, prop);
  if (v === undefined || v === null || v === "" || isEnv(String(v))) return undefined;
  const ty = typeOf(node, prop, dflt);
  return ty === "str" || ty === PICKER ? String(v).trim() : undefined;
}

/** set in the dialog in any way (a fixed value, msg, context, env, ...) */
export function isSet(node: Node | undefined, prop: string, dflt?: string): boolean {
  if (typeOf(node, prop, dflt) === "none") return false;
  const v = field(node, prop);
  return v !== undefined && v !== null && v !== "";
}


function embeddedData(v: string): Verdict {
  let obj: unknown;
  try {
    obj = JSON.parse(v);
  } catch (err) {
    return t("qualtrics-config.validation.json", { error: (err as Error).message });
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return t("qualtrics-config.validation.jsonObject");
  for (const [k, x] of Object.entries(obj as Record<string, unknown>)) {
    if (k.length > 200) return t("qualtrics-config.validation.embeddedName");
    if (x !== null && typeof x === "object") return t("qualtrics-config.validation.embeddedValue", { name: k });
    if (String(x).length > 1024) return t("qualtrics-config.validation.embeddedLength", { name: k });
  }
  return true;
}

export const rules = {
  /** as src/validate.ts: PREFIX_ then letters and digits; an unlisted prefix is accepted, one of another kind is not */
  id(prefixes: readonly string[]): Rule {
    return (v) => {
      return idFits(v, prefixes) ? true : t("qualtrics-config.validation.id", { prefixes: prefixes.join(" / ") });
    };
  },
  email: ((v) => (EMAIL.test(v) ? true : t("qualtrics-config.validation.email"))) as Rule,
  date: ((v) => {
    if (/^\d{11,}$/.test(v)) return true;
    // the calendar date as written must exist (no 2024-02-30), as in src/validate.ts
    return ISO_LIKE.test(v) && isCalendarDate(v) ? true : t("qualtrics-config.validation.date");
  }) as Rule,
  oneOf(list: readonly string[]): Rule {
    return (v) => (list.some((x) => x.toLowerCase() === v.toLowerCase()) ? true : t("qualtrics-config.validation.oneOf", { values: list.join(", ") }));
  },
  maxLength(n: number): Rule {
    return (v) => (v.length <= n ? true : t("qualtrics-config.validation.maxLength", { max: n }));
  },
  /** embedded data: an object of strings, numbers or booleans (names <= 200, values <= 1024) */
  embeddedData: embeddedData as Rule,
  wholeNumber(min: number, max: number): Rule {
    return (v) => {
      const n = Number(v);
      if (String(v).trim() === "" || !isFinite(n) || Math.floor(n) !== n || n < min || n > max) return t("qualtrics-config.validation.range", { min, max });
      return true;
    };
  },
};
export type Rules = typeof rules;

export interface TypedSpec {
  prop: string;
  label?: string;
  rule?: Rule | null;
  dflt?: string;
  also?: (node: Node) => Verdict | undefined;
}

/**
 * A typed field (value + <prop>Type): empty means "not set", ${ENV} is always valid, fixed values
 * (str or the picker) go through spec.rule, other types through Node-RED's own check.
 */
export function checkTyped(node: Node, v: unknown, spec: TypedSpec): Verdict {
  let result: unknown = true;
  const type = typeOf(node, spec.prop, spec.dflt);
  if (type !== "none" && v !== undefined && v !== null && v !== "" && !isEnv(String(v))) {
    const RED = red();
    if (type === "str" || type === PICKER) result = spec.rule ? spec.rule(String(v).trim()) : true;
    else if (type === "json") result = spec.rule ? spec.rule(String(v)) : true;
    else if (type !== "bool" && type !== "env" && RED.utils && RED.utils.validateTypedProperty) result = RED.utils.validateTypedProperty(v, type, {});
  }
  if (result === true && spec.also) result = spec.also(node);
  if (result === true || result === undefined) return true;
  return (spec.label ? spec.label + ": " : "") + (typeof result === "string" ? result : t("qualtrics-config.validation.invalid"));
}

/** a catalogue text in the node's own namespace */
export function nodeText(node: Node | undefined, key: string, vars?: Record<string, unknown>): string {
  return node && node._def && node._def._ ? node._def._(key, vars) : key;
}

type Applies = Record<string, boolean> | null | undefined;
type Validate = (this: Node, v: unknown, opt?: unknown) => Verdict;

/**
 * Validators for dialogs whose fields depend on their `operation` select; `applies` lists the
 * operations a field is used by (undefined: all), so a field the chosen operation ignores is valid.
 */
export const validator = {
  typed(prop: string, labelKey: string, rule?: ((r: Rules) => Rule) | null, applies?: Applies, dflt?: string): Validate {
    return function (v) {
      if (applies && !applies[field(this, "operation") as string]) return true;
      return checkTyped(this, v, { prop, dflt, label: nodeText(this, labelKey), rule: rule ? rule(rules) : null });
    };
  },
  number(labelKey: string, min: number, max: number, applies?: Applies): Validate {
    return function (v) {
      if ((applies && !applies[field(this, "operation") as string]) || isEnv(String(v))) return true;
      const r = rules.wholeNumber(min, max)(v as string);
      return r === true ? true : nodeText(this, labelKey) + ": " + r;
    };
  },
};

/** `validate:` for a dialog's defaults: validator[kind](...args), as `this` node */
export function V(kind: keyof typeof validator, ...args: unknown[]): Validate {
  const make = validator[kind] as (...a: unknown[]) => Validate;
  const check = make(...args);
  return function (v, opt) {
    return check.call(this, v, opt);
  };
}

/**
 * An http(s) address without a user name or password, as the dialogs that ask for a server's
 * address check it (the configuration's base URL, the webhook trigger's public address): the parsed
 * URL, "url" for no http(s) URL, "credentials" for one that carries them (they would be stored in
 * the flow in clear).
 */
export function httpUrl(v: string): URL | "url" | "credentials" {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return "url";
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return "url";
  return u.username || u.password ? "credentials" : u;
}
