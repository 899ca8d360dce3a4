// Lists from the account (directories, mailing lists, surveys, libraries, messages, ...), through the
// configuration node's admin routes (nodes/lib/admin-routes.ts), a page of matches at a time (the
// server searches and pages, so a big account is never loaded into the browser), cached for a short
// while per configuration version so an edited configuration (other data center, other token) is another list.
import { jqStatic, red, t, type Node } from "./browser";

export interface Item {
  value: string;
  label: string;
  group?: string;
  contactCount?: number;
}
export type Params = Record<string, string> & { error?: string };
/** more: the account has more matches than these; capped: the server stopped searching at its budget */
export type Done = (err: string | null, items?: Item[], more?: boolean, capped?: boolean) => void;
/** what the user typed, and how many matches to show */
export interface Want {
  q: string;
  limit: number;
}
/** matches a picker asks for at once, and the most it shows (the server's PAGE_MAX) */
export const PAGE = 50;
export const MOST = 500;
interface Answer {
  items: Item[];
  more: boolean;
  capped?: boolean;
}
export interface LookupSpec {
  kind: string;
  config(): string;
  params?(): Params | undefined;
}

const CACHE_MS = 30000;
const listCache: Record<string, { at: number; answer: Answer }> = {};

function dialogValues(cfg: Node): Record<string, string> {
  const creds = cfg.credentials || {};
  // a secret not typed in this session is sent as __PWRD__: the server uses the stored one
  const secret = (name: string) => (typeof creds[name] === "string" && creds[name] !== "" ? creds[name] : "__PWRD__");
  const values: Record<string, string> = { dataCenter: cfg.dataCenter || "", baseUrl: cfg.baseUrl || "", authType: cfg.authType || "token" };
  if (values.authType === "oauth") {
    values.clientId = secret("clientId");
    values.clientSecret = secret("clientSecret");
    values.scopes = cfg.scopes || "";
  } else {
    values.apiToken = secret("apiToken");
  }
  return values;
}

/** the credentials the configuration's kind of authentication needs */
function secretsOf(cfg: Node): string[] {
  return cfg.authType === "oauth" ? ["clientId", "clientSecret"] : ["apiToken"];
}

/** known to have no token (or OAuth client): the editor has loaded the credentials and one is missing, typed or stored */
function knownWithoutToken(cfg: Node): boolean {
  const c = cfg.credentials;
  if (!c) return false;
  return secretsOf(cfg).some((name) => {
    const typed = typeof c[name] === "string" && c[name] !== "" && c[name] !== "__PWRD__";
    return !typed && !c["has_" + name];
  });
}

/**
 * One lookup. GET uses the deployed configuration (and its server-side cache); a configuration
 * with unsaved or undeployed changes sends its dialog values by POST instead.
 */
/** the requests of one load, aborted when the user has typed on (the server stops reading for it) */
interface Asking {
  xhrs: Node[];
  cancelled: boolean;
}

function request(configId: string, kind: string, params: Params, refresh: boolean, cb: Done, asking: Asking): void {
  if (asking.cancelled) return;
  const $ = jqStatic();
  const cfg: Node | null = configId && configId !== "_ADD_" ? red().nodes.node(configId) : null;
  if (!cfg) return cb(t("qualtrics-config.picker.noConfig"));
  if (knownWithoutToken(cfg)) return cb(t(cfg.authType === "oauth" ? "qualtrics-config.picker.noClient" : "qualtrics-config.picker.noToken"));
  const query = $.param($.extend({}, params, refresh ? { refresh: "true" } : {}));
  const url = "qualtrics-config/" + encodeURIComponent(configId) + "/lookup/" + encodeURIComponent(kind) + (query ? "?" + query : "");
  const failed = (xhr: Node) => {
    const m = xhr && xhr.responseJSON && xhr.responseJSON.message;
    cb(t("qualtrics-config.picker.failed", { message: m || ((xhr && xhr.status ? xhr.status + " " : "") + ((xhr && xhr.statusText) || "")) }));
  };
  // a server before paging answered the whole list
  const ok = (body: unknown) => {
    if (Array.isArray(body)) return cb(null, body as Item[], false);
    const a = (body || {}) as Partial<Answer>;
    cb(null, Array.isArray(a.items) ? a.items : [], a.more === true, a.capped === true);
  };
  const viaPost = () => {
    if (asking.cancelled) return;
    asking.xhrs.push($.ajax({ url, method: "POST", contentType: "application/json", dataType: "json", data: JSON.stringify(dialogValues(cfg)) }).done(ok).fail(failed));
  };
  if (cfg.changed) return viaPost();
  asking.xhrs.push(
    $.ajax({ url, method: "GET", dataType: "json" })
      .done(ok)
      .fail((xhr: Node) => (xhr.status === 404 ? viaPost() : failed(xhr))),
  );
}

export function describe(item: Item): string {
  const parts: string[] = [];
  if (item.group) parts.push(item.group);
  parts.push(item.value);
  if (typeof item.contactCount === "number") parts.push(t("qualtrics-config.picker.contacts", { count: item.contactCount }));
  return parts.join(" \u00b7 ");
}

/** matching mailing lists of every directory (an account usually has one or two), up to `page.limit` of each */
function allMailingLists(configId: string, page: Params, refresh: boolean, done: Done, asking: Asking): void {
  request(configId, "directories", { limit: "20" }, refresh, (err, dirs, moreDirs) => {
    if (err) return done(err);
    const todo = dirs ?? [];
    if (!todo.length) return done(null, [], false);
    const all: Item[] = [];
    let left = todo.length;
    let more = !!moreDirs;
    let capped = false;
    let firstError: string | null = null;
    for (const d of todo) {
      request(configId, "mailinglists", { ...page, directoryId: d.value }, refresh, (e, lists, m, c) => {
        if (e) firstError = firstError || e;
        else for (const l of lists ?? []) all.push({ value: l.value, label: l.label, contactCount: l.contactCount, group: todo.length > 1 ? d.label : undefined });
        more = more || !!m;
        capped = capped || !!c;
        left -= 1;
        if (left === 0) done(all.length || !firstError ? null : firstError, all, more, capped);
      }, asking);
    }
  }, asking);
}

/**
 * What a load asks, as one text: the configuration in its current version (another data center or
 * token is another list), the kind and the parameters. Two loads with the same key get the same answer.
 */
export function question(spec: LookupSpec, want: Want): { configId: string; params: Params; key: string; error?: string } {
  const configId = spec.config();
  const own = spec.params ? spec.params() : {};
  const params: Params = { ...own, q: want.q.trim(), limit: String(Math.min(Math.max(1, want.limit), MOST)) };
  const cfg: Node | null = configId ? red().nodes.node(configId) : null;
  const typed = cfg && cfg.credentials ? secretsOf(cfg).filter((n) => !!cfg.credentials[n]).join(",") : "";
  const version = cfg ? [cfg.dataCenter, cfg.baseUrl, cfg.authType || "token", cfg.scopes || "", cfg.changed ? "changed" : "deployed", typed].join("|") : "";
  const key = configId + "|" + version + "|" + spec.kind + "|" + JSON.stringify(params);
  return { configId, params, key, error: own && own.error ? own.error : undefined };
}

/**
 * The first `want.limit` items of the list matching `want.q` (by name or ID; contacts as Qualtrics
 * searches them). Returns a function that abandons the load (no answer comes then).
 */
export function load(spec: LookupSpec, refresh: boolean, cb: Done, want: Want = { q: "", limit: PAGE }): () => void {
  const asking: Asking = { xhrs: [], cancelled: false };
  const cancel = () => {
    asking.cancelled = true;
    for (const xhr of asking.xhrs) xhr.abort();
  };
  const { configId, params, key, error } = question(spec, want);
  if (error) {
    cb(error);
    return cancel;
  }
  const hit = listCache[key];
  if (!refresh && hit && Date.now() - hit.at < CACHE_MS) {
    cb(null, hit.answer.items, hit.answer.more, hit.answer.capped);
    return cancel;
  }
  const done: Done = (err, items, more, capped) => {
    if (asking.cancelled) return;
    if (!err) listCache[key] = { at: Date.now(), answer: { items: items ?? [], more: !!more, capped: !!capped } };
    cb(err, items, more, capped);
  };
  if (spec.kind === "allMailingLists") allMailingLists(configId, { q: params.q, limit: params.limit }, refresh, done, asking);
  else request(configId, spec.kind, params, refresh, done, asking);
  return cancel;
}
