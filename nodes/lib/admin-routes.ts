// Editor endpoints of the config node, on RED.httpAdmin:
//   POST /qualtrics-config/:id/test            qualtrics-config.write   the "Test connection" button
//   GET  /qualtrics-config/:id/lookup/:kind    qualtrics-config.read    picker lists with the deployed config
//   POST /qualtrics-config/:id/lookup/:kind    qualtrics-config.write   picker lists with the dialog's values
// Anything that may use a stored secret with values from the request needs .write; secrets arrive
// only in POST bodies and are never returned or logged. Without adminAuth every visitor has .write,
// so a page on another site could post a form here with a base URL of its own: the POST routes take
// application/json only (a cross-site form cannot send it without a CORS preflight, which the
// admin API does not allow), and read stored credentials of qualtrics-config nodes only.
import type { NextFunction, Request, Response } from "express";
import { QualtricsClient, type Query } from "../../src/client";
import { QualtricsApiError, QualtricsInputError, errorText } from "../../src/errors";
import { collect, pages } from "../../src/paginate";
import { whoami } from "../../src/users";
import { oneOf, requireId } from "../../src/validate";
import { DISTRIBUTION_REQUEST_TYPES } from "../../src/distribution-reports";
import { accountClient, authTypeOf } from "./account-client";
import { contactLookup } from "./contact-lookup";
import { distributionLookup } from "./distribution-lookup";
import { inDialogTerms } from "./field-label";
import { LookupBudget, REFRESH_EVERY_MS, budgetOf, refreshWait } from "./lookup-budget";
import { ListWalk, PageRequestError, WALK_MAX, pageRequest, type Chunk, type LookupPage, type PageRequest } from "./lookup-pages";
import type { NodeAPI, QualtricsConfigNode } from "./types";

const CONFIG_TYPE = "qualtrics-config";
const PLACEHOLDER = "__PWRD__";
// the test helper makes a new admin app for every flow it loads
const registered = new WeakSet<object>();

interface DialogValues {
  dataCenter?: unknown;
  baseUrl?: unknown;
  authType?: unknown;
  apiToken?: unknown;
  clientId?: unknown;
  clientSecret?: unknown;
  scopes?: unknown;
}

type StoredCredentials = { apiToken?: string; clientId?: string; clientSecret?: string };

/** No token typed in the dialog and none stored for the node. */
export class NoTokenError extends Error {}

/** A request the route refuses before calling Qualtrics (answered with 400). */
export class LookupRequestError extends Error {}

/** The editor's budget has too many lookups waiting (answered with 429). */
class LookupBusyError extends Error {}

/** the budget of lookups for configurations that are not deployed yet */
const undeployed = {};

const ENV_REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * A whole-value ${NAME} from the dialog, as the runtime would substitute it (process.env only: an
 * undeployed node has no flow or group env). Names in settings.envVarExcludes stay unresolved.
 */
function fromEnv(RED: NodeAPI, value: unknown): { value: string | undefined; envName?: string } {
  if (typeof value !== "string") return { value: undefined };
  const m = ENV_REF.exec(value.trim());
  if (!m) return { value };
  const excludes = (RED.settings as unknown as { envVarExcludes?: unknown }).envVarExcludes;
  if (Array.isArray(excludes) && excludes.includes(m[1])) return { value: undefined, envName: m[1] };
  return { value: process.env[m[1]], envName: m[1] };
}

/** A secret typed in the dialog, else the stored one (the dialog sends __PWRD__ for an unchanged field). */
function secret(RED: NodeAPI, typed: unknown, stored: string | undefined): string | undefined {
  const own = typeof typed === "string" && typed !== "" && typed !== PLACEHOLDER ? typed : undefined;
  return fromEnv(RED, own ?? stored).value || undefined;
}

/** the type of the node `id` in the deployed flows (running or not), undefined for an ID not deployed */
function deployedType(RED: NodeAPI, id: string): string | undefined {
  const running = RED.nodes.getNode(id);
  if (running) return running.type;
  let type: string | undefined;
  RED.nodes.eachNode((n) => {
    if (n.id === id) type = n.type;
  });
  return type;
}

/** The stored secrets of a qualtrics-config node; none for a configuration not deployed yet. */
function storedCredentials(RED: NodeAPI, id: string): StoredCredentials {
  const type = deployedType(RED, id);
  if (type === undefined) return {};
  // another node's credentials (any package's) must never be sent to a base URL from the request
  if (type !== CONFIG_TYPE) throw new LookupRequestError(`${id} is not a Qualtrics configuration node`);
  return (RED.nodes.getCredentials(id) as StoredCredentials | undefined) ?? {};
}

/** A short-lived client from the dialog's values, falling back to the stored token or OAuth client. */
export function clientFromDialog(RED: NodeAPI, id: string, body: DialogValues): QualtricsClient {
  const stored = storedCredentials(RED, id);
  const authType = authTypeOf(body.authType);
  const apiToken = authType === "token" ? secret(RED, body.apiToken, stored.apiToken) : undefined;
  const clientId = authType === "oauth" ? secret(RED, body.clientId, stored.clientId) : undefined;
  const clientSecret = authType === "oauth" ? secret(RED, body.clientSecret, stored.clientSecret) : undefined;
  if (authType === "token" && !apiToken) throw new NoTokenError(RED._("@xmflows/node-red-qualtrics/qualtrics-config:qualtrics-config.test.noToken"));
  if (authType === "oauth" && (!clientId || !clientSecret)) throw new NoTokenError(RED._("@xmflows/node-red-qualtrics/qualtrics-config:qualtrics-config.test.noClient"));
  const dc = fromEnv(RED, body.dataCenter);
  const base = fromEnv(RED, body.baseUrl);
  const scopes = typeof body.scopes === "string" ? body.scopes : undefined;
  try {
    return accountClient(
      { authType, dataCenter: dc.value, baseUrl: base.value, apiToken, clientId, clientSecret, scopes },
      { timeoutMs: 15_000, retry: { retries: 1 } },
    );
  } catch (err) {
    // the error text quotes the value; a value that came from the environment is not shown
    const viaEnv = err instanceof QualtricsInputError ? (err.field === "baseUrl" ? base.envName : err.field === "dataCenter" ? dc.envName : undefined) : undefined;
    if (viaEnv && err instanceof QualtricsInputError) throw new QualtricsInputError(err.field, `the value of \${${viaEnv}} is not valid here`);
    throw err;
  }
}

// --- lookups for the editor's pickers (docs/qualtrics-facts.md §8.3) ---

export const LOOKUP_KINDS = ["directories", "mailinglists", "surveys", "libraries", "messages", "distributions", "filters", "contacts"] as const;
export type LookupKind = (typeof LOOKUP_KINDS)[number];
export const MESSAGE_CATEGORIES = ["invite", "reminder", "thankYou", "smsInvite"] as const;

export interface LookupItem {
  value: string;
  label: string;
  /** mailing lists only */
  contactCount?: number;
}

interface LookupParams {
  directoryId?: string;
  libraryId?: string;
  category?: string;
  /** distributions: the survey, and optionally one distributionRequestType */
  surveyId?: string;
  distributionRequestType?: string;
  /** contacts: what the user typed (searched on the server, so a big directory is never read whole) */
  q?: string;
}

/** longest list a picker gets; collect() stops there instead of paging on */
const MAX_ITEMS = WALK_MAX;
const CACHE_MS = 30_000;
const LOOKUP_TIMEOUT_MS = 60_000;
const CONFIG_ID = /^[A-Za-z0-9._-]{1,64}$/;

function param(req: Request, name: string): unknown {
  const fromBody = (req.body as Record<string, unknown> | undefined)?.[name];
  if (fromBody !== undefined && fromBody !== "") return fromBody;
  const q = req.query[name];
  return Array.isArray(q) ? q[0] : q;
}

function checkRequest(req: Request): { kind: LookupKind; params: LookupParams; page: PageRequest | undefined } {
  const kind = String(req.params.kind);
  if (!(LOOKUP_KINDS as readonly string[]).includes(kind)) {
    throw new LookupRequestError(`unknown lookup "${kind.slice(0, 40)}"; use one of ${LOOKUP_KINDS.join(", ")}`);
  }
  const params: LookupParams = {};
  let page: PageRequest | undefined;
  try {
    page = pageRequest((name) => param(req, name));
    if (kind === "contacts") {
      params.directoryId = requireId("directoryId", param(req, "directoryId"), "directory");
      const q = param(req, "q");
      if (q !== undefined && typeof q !== "string") throw new LookupRequestError("q must be text");
      params.q = typeof q === "string" ? q.slice(0, 200) : "";
    }
    if (kind === "mailinglists") params.directoryId = requireId("directoryId", param(req, "directoryId"), "directory");
    if (kind === "filters") params.surveyId = requireId("surveyId", param(req, "surveyId"), "survey");
    if (kind === "distributions") {
      params.surveyId = requireId("surveyId", param(req, "surveyId"), "survey");
      const type = param(req, "distributionRequestType");
      if (type !== undefined && type !== "") params.distributionRequestType = oneOf("distributionRequestType", type, DISTRIBUTION_REQUEST_TYPES);
    }
    if (kind === "messages") {
      params.libraryId = requireId("libraryId", param(req, "libraryId"), "library");
      const category = param(req, "category");
      if (category !== undefined && category !== "") {
        if (typeof category !== "string" || !(MESSAGE_CATEGORIES as readonly string[]).includes(category)) {
          throw new LookupRequestError(`category must be one of ${MESSAGE_CATEGORIES.join(", ")}`);
        }
        params.category = category;
      }
    }
  } catch (err) {
    if (err instanceof QualtricsInputError || err instanceof PageRequestError) throw new LookupRequestError(err.message);
    throw err;
  }
  return { kind: kind as LookupKind, params, page };
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** the account's items in the account's order (a list read page by page cannot be sorted by name) */
function itemsOf(elements: Record<string, unknown>[], valueKey: string, labelKey: string, withCount = false): LookupItem[] {
  const out: LookupItem[] = [];
  for (const e of elements) {
    const value = str(e[valueKey]);
    if (!value) continue;
    const item: LookupItem = { value, label: str(e[labelKey]) ?? value };
    if (withCount && typeof e.contactCount === "number") item.contactCount = e.contactCount;
    out.push(item);
  }
  return out;
}

const byLabel = (items: LookupItem[]) => items.sort((a, b) => a.label.localeCompare(b.label));

function mapped(elements: Record<string, unknown>[], valueKey: string, labelKey: string, withCount = false): LookupItem[] {
  return byLabel(itemsOf(elements, valueKey, labelKey, withCount));
}

/** the lists an account may hold by the thousand, read page by page: [path, query, ID key, name key, counts] */
function pagedList(kind: LookupKind, p: LookupParams): [string, Query, string, string, boolean] | undefined {
  if (kind === "surveys") return ["/surveys", {}, "id", "name", false];
  if (kind === "directories") return ["/directories", {}, "directoryId", "name", false];
  // UNCONFIRMED (docs/qualtrics-facts.md §4.5, QualtricsAPI #21): contactCount is 0 without includeCount=true
  if (kind === "mailinglists") return [`/directories/${encodeURIComponent(p.directoryId!)}/mailinglists`, { includeCount: true }, "mailingListId", "name", true];
  return undefined;
}

/**
 * A list as pages of items: the big lists as the account pages them, the others (a survey's
 * filters, a library's messages, found contacts) in one piece, sorted as before. A big list that
 * comes in one page (most lists of most accounts) is sorted by name; a longer one keeps the
 * account's order, as it cannot be sorted before it is read whole.
 */
async function* lookupSource(client: QualtricsClient, kind: LookupKind, p: LookupParams, signal?: AbortSignal): AsyncGenerator<Chunk> {
  const paged = pagedList(kind, p);
  if (!paged) return yield { items: await lookup(client, kind, p, signal), last: true };
  const [path, query, valueKey, labelKey, withCount] = paged;
  for await (const page of pages(client, path, { query, signal })) {
    const items = itemsOf(page.elements, valueKey, labelKey, withCount);
    yield { items: page.index === 0 && page.next === null ? byLabel(items) : items, last: page.next === null };
  }
}

/** a walk through one list; contacts are searched by Qualtrics, so the walk does not filter them again */
function walkOf(client: QualtricsClient, kind: LookupKind, p: LookupParams, signal?: AbortSignal): ListWalk {
  return new ListWalk(lookupSource(client, kind, p, signal), WALK_MAX, kind === "contacts");
}

/** the answer: `{items, more}` for a page request, else the whole list sorted by name as before */
async function answer(walk: ListWalk, kind: LookupKind, page: PageRequest | undefined, signal?: AbortSignal): Promise<LookupPage | LookupItem[]> {
  if (page) return walk.page(page, signal);
  const all = await walk.all(signal);
  return pagedList(kind, {}) ? byLabel(all) : all;
}

export async function lookup(client: QualtricsClient, kind: LookupKind, p: LookupParams, signal?: AbortSignal): Promise<LookupItem[]> {
  const opts = { limit: MAX_ITEMS, signal };
  switch (kind) {
    case "directories":
    case "mailinglists":
    case "surveys":
      return byLabel(await walkOf(client, kind, p, signal).all(signal));
    case "libraries":
      return mapped(await collect(client, "/libraries", opts), "libraryId", "libraryName");
    case "distributions":
      return distributionLookup(client, p.surveyId!, p.distributionRequestType, opts);
    case "filters": {
      // UNCONFIRMED (docs/qualtrics-facts.md §7.1): the element shape of GET /surveys/{id}/filters; filterId
      // and filterName are looked for, id and name accepted too
      const elements = await collect(client, `/surveys/${encodeURIComponent(p.surveyId!)}/filters`, opts);
      return mapped(elements.map((e) => ({ value: e.filterId ?? e.id, label: e.filterName ?? e.name })), "value", "label");
    }
    case "contacts":
      return contactLookup(client, p.directoryId!, p.q ?? "", signal);
    case "messages":
      return mapped(
        await collect(client, `/libraries/${encodeURIComponent(p.libraryId!)}/messages`, { ...opts, query: { category: p.category } }),
        "id",
        "description",
      );
  }
}

/**
 * Recent walks of GET lookups, per deployed config node object (a redeploy makes a new one) and
 * list: what the account's list held CACHE_MS ago at most, shared by every editor, read further
 * only as far as an answer needs (a user typing a search does not read the list again).
 */
const cache = new WeakMap<object, Map<string, { at: number; walk: ListWalk }>>();

function cachedWalk(config: object, key: string, start: () => ListWalk, refresh: boolean): { walk: ListWalk; forget: () => void } {
  let entries = cache.get(config);
  if (!entries) cache.set(config, (entries = new Map()));
  const now = Date.now();
  for (const [k, e] of entries) if (now - e.at > CACHE_MS) entries.delete(k);
  let entry = entries.get(key);
  if (!entry || refresh) entries.set(key, (entry = { at: now, walk: start() }));
  const mine = entry;
  // a failure is not remembered
  return { walk: entry.walk, forget: () => entries!.get(key) === mine && entries!.delete(key) };
}

function sendError(RED: NodeAPI, res: Response, err: unknown): void {
  if (res.headersSent) return;
  if (err instanceof LookupRequestError || err instanceof QualtricsInputError || err instanceof NoTokenError) {
    res.status(400).json({ message: errorText(inDialogTerms(RED, CONFIG_TYPE, err)) });
  } else if (err instanceof Error && err.name === "TimeoutError") {
    res.status(504).json({ message: `no complete answer from Qualtrics within ${LOOKUP_TIMEOUT_MS / 1000} s` });
  } else if (err instanceof QualtricsApiError) {
    res.status(502).json({ message: errorText(err), statusCode: err.statusCode });
  } else {
    res.status(500).json({ message: errorText(err) });
  }
}

/** aborted when the editor goes away before the answer, or after LOOKUP_TIMEOUT_MS */
function requestSignal(res: Response): AbortSignal {
  const gone = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) gone.abort(new Error("the editor closed the request"));
  });
  return AbortSignal.any([gone.signal, AbortSignal.timeout(LOOKUP_TIMEOUT_MS)]);
}

function checkConfigId(id: unknown): string {
  const s = String(id ?? "");
  if (!CONFIG_ID.test(s)) throw new LookupRequestError("not a node ID");
  return s;
}

/** the deployed configuration's budget when there is one (the same account, most likely) */
function dialogBudget(config: QualtricsConfigNode | null, dialogClient: QualtricsClient): LookupBudget {
  if (config?.type === CONFIG_TYPE && typeof config.client === "function") {
    try {
      return budgetOf(config, config.client().limiter.perMinute);
    } catch {
      // deployed without a token: only the dialog's values can be used
    }
  }
  return budgetOf(undeployed, dialogClient.limiter.perMinute);
}

/** 415 for a POST that is not JSON: the dialog always sends JSON, a cross-site form cannot */
function jsonOnly(req: Request, res: Response, next: NextFunction): void {
  if (req.is("application/json")) return next();
  res.status(415).json({ ok: false, message: "this route takes application/json only" });
}

function userOf(req: Request): string {
  const user = (req as Request & { user?: { username?: unknown } }).user;
  return typeof user?.username === "string" ? user.username : "";
}

/** 429 with Retry-After, in the editor's language */
function tooMany(RED: NodeAPI, res: Response, waitMs: number, key: string): void {
  const wait = Math.max(1, Math.ceil(waitMs / 1000));
  res.setHeader("Retry-After", String(wait));
  res.status(429).json({ message: RED._(`@xmflows/node-red-qualtrics/qualtrics-config:qualtrics-config.lookup.${key}`, { wait, every: REFRESH_EVERY_MS / 1000 }) });
}

export function registerAdminRoutes(RED: NodeAPI): void {
  if (!RED.httpAdmin || registered.has(RED.httpAdmin)) return;
  registered.add(RED.httpAdmin);

  RED.httpAdmin.post("/qualtrics-config/:id/test", RED.auth.needsPermission("qualtrics-config.write"), jsonOnly, (req: Request, res: Response) => {
    void (async () => {
      let client: QualtricsClient | undefined;
      try {
        client = clientFromDialog(RED, checkConfigId(req.params.id), (req.body ?? {}) as DialogValues);
        const report = await whoami(client);
        res.json({
          ok: true,
          user: {
            userName: report.user.userName,
            firstName: report.user.firstName,
            lastName: report.user.lastName,
            brandId: report.user.brandId,
            datacenter: report.user.datacenter,
          },
          notice: report.notice,
          otherDataCenter: report.otherDataCenter,
          suggestedDataCenter: report.suggestedDataCenter,
        });
      } catch (err) {
        if (res.headersSent) return;
        if (err instanceof LookupRequestError) res.status(400);
        res.json({ ok: false, message: errorText(inDialogTerms(RED, CONFIG_TYPE, err)) });
      } finally {
        await client?.close(0);
      }
    })();
  });

  // the deployed config node's own client, so its limiter and pool are shared with the flows
  RED.httpAdmin.get("/qualtrics-config/:id/lookup/:kind", RED.auth.needsPermission("qualtrics-config.read"), (req: Request, res: Response) => {
    void (async () => {
      try {
        const id = checkConfigId(req.params.id);
        const { kind, params, page } = checkRequest(req);
        const config = RED.nodes.getNode(id) as QualtricsConfigNode | null;
        if (!config || config.type !== "qualtrics-config" || typeof config.client !== "function") {
          res.status(404).json({ message: RED._("@xmflows/node-red-qualtrics/qualtrics-config:qualtrics-config.lookup.notDeployed") });
          return;
        }
        const account = config.client();
        const budget = budgetOf(config, account.limiter.perMinute);
        // one walk per list: the search of a page request is matched within it (contacts are searched by Qualtrics)
        const key = `${kind}|${params.directoryId ?? ""}|${params.libraryId ?? ""}|${params.category ?? ""}|${params.surveyId ?? ""}|${params.distributionRequestType ?? ""}|${params.q ?? ""}`;
        const refresh = req.query.refresh === "true" || req.query.refresh === "1";
        if (refresh) {
          const wait = refreshWait(config, userOf(req), key);
          if (wait > 0) return tooMany(RED, res, wait, "refreshLimited");
        }
        // the walk is shared by every editor asking within CACHE_MS, so not tied to this request's
        // connection; this request stops asking it for more when the editor goes away
        const { walk, forget } = cachedWalk(config, key, () => {
          if (budget.full) throw new LookupBusyError();
          return walkOf(budget.wrap(account), kind, params, AbortSignal.timeout(CACHE_MS + LOOKUP_TIMEOUT_MS));
        }, refresh);
        try {
          res.json(await answer(walk, kind, page, requestSignal(res)));
        } catch (err) {
          // an editor that went away (the user typed on) leaves the walk to the next one
          if (walk.broken) forget();
          throw err;
        }
      } catch (err) {
        if (err instanceof LookupBusyError && !res.headersSent) return tooMany(RED, res, 5000, "busy");
        sendError(RED, res, err);
      }
    })();
  });

  // undeployed or edited configs: the dialog's values, the stored token behind __PWRD__
  RED.httpAdmin.post("/qualtrics-config/:id/lookup/:kind", RED.auth.needsPermission("qualtrics-config.write"), jsonOnly, (req: Request, res: Response) => {
    void (async () => {
      let client: QualtricsClient | undefined;
      try {
        const id = checkConfigId(req.params.id);
        const { kind, params, page } = checkRequest(req);
        client = clientFromDialog(RED, id, (req.body ?? {}) as DialogValues);
        const budget = dialogBudget(RED.nodes.getNode(id) as QualtricsConfigNode | null, client);
        if (budget.full) return tooMany(RED, res, 5000, "busy");
        // the client lives for this request only, so its walk is not kept: it reads as far as this page needs
        const signal = requestSignal(res);
        res.json(await answer(walkOf(budget.wrap(client), kind, params, signal), kind, page, signal));
      } catch (err) {
        sendError(RED, res, err);
      } finally {
        await client?.close(0);
      }
    })();
  });
}
