// startSandbox(): a local HTTP server that behaves like the Qualtrics REST API v3
// (ground truth: docs/qualtrics-facts.md) plus sandbox-only control endpoints.
import { createHash, timingSafeEqual } from "node:crypto";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { handleControl } from "./control";
import {
  ApiError, badRequest, defaultMessage, ErrorCodes, errorEnvelope, metaOnlyEnvelope, newRequestId, successEnvelope,
} from "./envelope";
import { Faults, FaultRule } from "./faults";
import { Answer, flatHeaders, htmlAnswer, jsonAnswer, readBody, send } from "./http-io";
import { cryptoIds } from "./ids";
import { createResponse, UnknownSurveyError } from "./responses";
import { apiRoutes } from "./routes";
import { ResolvedOptions, Router } from "./router";
import { buildState } from "./seed";
import { SandboxState } from "./state";
import {
  CompleteOptions, CompleteResult, DEFAULT_BRAND_ID, DEFAULT_DATA_CENTER, DEFAULT_PAGE_SIZE, DEFAULT_TOKEN,
  DEFAULT_WEBHOOK_TIMEOUT_MS, RecordedRequest, Sandbox, SandboxOptions,
} from "./types";
import { mysqlDateTime } from "./validate";
import { DEFAULT_OAUTH_TTL_SECONDS, OAUTH_TOKEN_PATH, OAuthServer } from "./oauth";
import { ProxySwitch } from "./proxy";
import { PublicationUrlSwitch } from "./publication-urls";
import { TransactionRulesSwitch } from "./transaction-rules";
import { fireCompletedResponse } from "./webhooks";
import { HostileUpstream } from "./hostile-upstream";
import { readStateFile, StateSaver } from "./persist";

export type { Sandbox, SandboxOptions, RecordedRequest } from "./types";

export const API_PREFIX = "/API/v3";
/** a tag for the requests of one client: /__from/<tag>/API/v3/... (RecordedRequest.tag) */
const FROM_PREFIX = /^\/__from\/([A-Za-z0-9_-]{1,40})(?=\/)/;
export const UNAUTHORIZED_MESSAGE = "Invalid or missing API token";

function resolveOptions(opts: SandboxOptions): ResolvedOptions & { publicationUrls: PublicationUrlSwitch } {
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError("pageSize must be a positive integer");
  const token = opts.token ?? DEFAULT_TOKEN;
  if (token === "") throw new RangeError("token must not be empty");
  return {
    token,
    brandId: opts.brandId ?? DEFAULT_BRAND_ID,
    dataCenter: opts.dataCenter ?? DEFAULT_DATA_CENTER,
    requireBrandAdmin: opts.requireBrandAdmin ?? false,
    pageSize,
    webhookTimeoutMs: opts.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
    emailSearchCase: opts.emailSearchCase ?? "insensitive",
    publicationUrls: new PublicationUrlSwitch(opts.publicationUrls),
    transactionRules: new TransactionRulesSwitch(opts.transactionRules),
  };
}

function sameSecret(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** X-API-TOKEN (header names are case-insensitive), or Authorization: Bearer <token> (OAuth stand-in, §1.4). */
export function isAuthorized(headers: http.IncomingHttpHeaders, token: string): boolean {
  const apiToken = headers["x-api-token"];
  if (typeof apiToken === "string" && sameSecret(apiToken, token)) return true;
  const auth = headers.authorization;
  const m = typeof auth === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  return m !== null && sameSecret(m[1], token);
}

const BAD_GATEWAY_HTML = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
  + "<center><h1>502 Bad Gateway</h1></center><hr><center>sandbox-gateway</center></body></html>";

/** The state kept in `file`, or undefined (none yet, or unreadable: then the demo data, and a log line). */
function restoredState(file: string, log?: (line: string) => void): SandboxState | undefined {
  try {
    const state = readStateFile(file);
    if (state) log?.(`state restored from ${file}`);
    return state;
  } catch (err) {
    log?.(`sandbox: ignoring ${file} (${(err as Error).message}); starting from the demo data`);
    return undefined;
  }
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const options = resolveOptions(opts);
  const seedOpts = { brandId: options.brandId, dataCenter: options.dataCenter, demoData: opts.seed !== false, bulk: opts.bulk };
  const built = buildState(seedOpts);
  const log = opts.log;
  let state: SandboxState = (opts.stateFile ? restoredState(opts.stateFile, log) : undefined) ?? built.state;
  const saver = opts.stateFile ? new StateSaver(opts.stateFile, () => state, log) : undefined;
  const requests: RecordedRequest[] = [];
  const faults = new Faults();
  const oauthTtl = opts.oauthTokenTtlSeconds ?? DEFAULT_OAUTH_TTL_SECONDS;
  const oauth = new OAuthServer(opts.oauthClients ?? [], oauthTtl);
  const proxy = new ProxySwitch(opts.proxied);
  const hostile = new HostileUpstream();
  const router = new Router(apiRoutes);
  const pendingDelays = new Set<() => void>();
  let closed = false;
  let port = 0; // set once listening

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        pendingDelays.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      pendingDelays.add(done);
    });
  }

  /** The real answer to an /API/v3 request (auth, body, routing, handler). */
  function processApi(req: http.IncomingMessage, url: URL, origin: string, raw: { text: string; tooLarge: boolean }, parsed: { ok: boolean; value: unknown }): Answer {
    const requestId = newRequestId();
    try {
      if (!isAuthorized(req.headers, options.token) && !oauth.accepts(req.headers)) throw new ApiError(401, UNAUTHORIZED_MESSAGE, ErrorCodes.unauthorized);
      if (raw.tooLarge) throw new ApiError(413, "Request body is too large", ErrorCodes.bodyTooLarge);
      if (!parsed.ok) throw badRequest("Request body is not valid JSON", ErrorCodes.malformedJson);
      let path = url.pathname.slice(API_PREFIX.length) || "/";
      // UNCONFIRMED (docs/qualtrics-facts.md §6.1): a trailing slash is ignored on every path ([KYMA] POSTs /eventsubscriptions/).
      if (path.length > 1 && path.endsWith("/")) path = path.replace(/\/+$/, "");
      const method = (req.method ?? "GET").toUpperCase();
      const match = router.match(method, path);
      if (match.kind === "none") throw new ApiError(404, `No such endpoint: ${method} ${url.pathname}`, ErrorCodes.unknownEndpoint);
      if (match.kind === "wrongMethod") {
        // UNCONFIRMED (docs/qualtrics-facts.md §2.2): the real API's answer to a wrong method; the sandbox says 405 with Allow.
        throw new ApiError(405, `Method ${method} is not allowed on ${url.pathname}`, ErrorCodes.methodNotAllowed, { Allow: match.allowed.join(", ") });
      }
      const result = match.route.handler({
        method, path, params: match.params, query: url.searchParams, body: parsed.value, origin,
        page: { origin, pathname: url.pathname.replace(/(.)\/+$/, "$1"), query: url.searchParams },
        state, ids: cryptoIds, options, headers: flatHeaders(req),
      });
      if (result.kind === "file") return { status: 200, headers: { ...result.headers, "X-Request-Id": requestId }, text: "", bytes: result.bytes };
      return jsonAnswer(200, result.kind === "meta" ? metaOnlyEnvelope(requestId) : successEnvelope(result.result, requestId));
    } catch (err) {
      if (err instanceof ApiError) return jsonAnswer(err.status, errorEnvelope(err.status, err.message, err.errorCode, requestId), err.headers);
      log?.(`sandbox internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      return jsonAnswer(500, errorEnvelope(500, "Internal server error", ErrorCodes.internal, requestId));
    }
  }

  /** The answer a fault rule gives instead of (or after) the real one; null = drop the connection. */
  function faultAnswer(rule: FaultRule, real: Answer | undefined): Answer | null {
    switch (rule.action) {
      case "status": {
        const status = rule.status ?? 500;
        const headers: Record<string, string> = rule.retryAfter !== undefined ? { "Retry-After": String(rule.retryAfter) } : {};
        return jsonAnswer(status, errorEnvelope(status, defaultMessage(status)), headers);
      }
      case "malformed": {
        // a file (an export download) arrives cut off halfway
        if (real?.bytes) return { ...real, bytes: real.bytes.subarray(0, Math.max(1, Math.floor(real.bytes.length / 2))) };
        const full = real?.text ?? JSON.stringify(successEnvelope({ elements: [{ id: "truncated" }], nextPage: null }));
        return { status: 200, headers: { "Content-Type": "application/json" }, text: full.slice(0, Math.max(1, Math.floor(full.length / 2))) };
      }
      case "html":
        return htmlAnswer(502, BAD_GATEWAY_HTML);
      case "drop":
      case "delay":
        return null;
    }
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL, origin: string, tag: string | undefined): Promise<number | "dropped"> {
    const raw = await readBody(req);
    let parsed: { ok: boolean; value: unknown } = { ok: true, value: undefined };
    if (!raw.tooLarge && raw.text.trim() !== "") {
      try {
        parsed = { ok: true, value: JSON.parse(raw.text) as unknown };
      } catch {
        parsed = { ok: false, value: undefined };
      }
    }
    const record: RecordedRequest = {
      method: (req.method ?? "GET").toUpperCase(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: flatHeaders(req),
      body: parsed.value,
      rawBody: raw.text,
      at: Date.now(),
      ...(tag !== undefined ? { tag } : {}),
    };
    requests.push(record);
    const outcome = await answerApi(req, res, url, origin, raw, parsed);
    record.status = outcome === "dropped" ? null : outcome;
    return outcome;
  }

  async function answerApi(
    req: http.IncomingMessage, res: http.ServerResponse, url: URL, origin: string, raw: { text: string; tooLarge: boolean }, parsed: { ok: boolean; value: unknown },
  ): Promise<number | "dropped"> {
    const rate = faults.checkRateLimit();
    if (rate.limited) {
      const headers: Record<string, string> = rate.sendRetryAfter ? { "Retry-After": String(rate.retryAfterSeconds) } : {};
      const a = jsonAnswer(429, errorEnvelope(429, "Too many requests", ErrorCodes.rateLimited), headers);
      send(res, a);
      return a.status;
    }

    const rule = faults.pickRule(req.method ?? "GET", url.pathname);
    if (rule?.action === "delay") await sleep(rule.delayMs ?? 1000);
    const injectFirst = rule !== undefined && rule.action !== "delay" && rule.afterHandling !== true;
    if (rule && injectFirst) {
      const a = faultAnswer(rule, undefined);
      if (a === null) {
        res.socket?.destroy();
        return "dropped";
      }
      send(res, a);
      return a.status;
    }
    const real = hostile.decorate(proxy.decorate(processApi(req, url, origin, raw, parsed), url.pathname), flatHeaders(req), url.toString());
    if (rule && rule.action !== "delay") {
      const a = faultAnswer(rule, real);
      if (a === null) {
        res.socket?.destroy();
        return "dropped";
      }
      send(res, a);
      return a.status;
    }
    send(res, real);
    return real.status;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const origin = `http://${req.headers.host ?? `127.0.0.1:${port}`}`;
    let url: URL;
    try {
      url = new URL(req.url ?? "/", origin);
    } catch {
      send(res, jsonAnswer(400, errorEnvelope(400, "Bad request URL")));
      return;
    }
    let outcome: number | "dropped";
    // "/__from/<tag>/API/v3/..." is the API, recorded with the tag: replicas of one flow told apart
    const from = FROM_PREFIX.exec(url.pathname);
    const tag = from ? from[1] : undefined;
    if (from) url = new URL(url.pathname.slice(from[0].length) + url.search, origin);
    // a gateway serves the API under its prefix only
    const apiPath = hostile.apiPath(url.pathname);
    if (apiPath !== url.pathname) {
      if (apiPath === null && (url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`))) {
        send(res, { status: 404, headers: { "Content-Type": "text/plain" }, text: "gateway: no such route" });
        return;
      }
      if (apiPath !== null) url = new URL(apiPath + url.search, origin);
    }
    if (url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`)) {
      outcome = await handleApi(req, res, url, origin, tag);
    } else if (url.pathname === OAUTH_TOKEN_PATH) {
      const raw = await readBody(req);
      const a = oauth.handle((req.method ?? "GET").toUpperCase(), flatHeaders(req), String(req.headers["content-type"] ?? ""), raw.text);
      send(res, a);
      outcome = a.status;
    } else {
      const raw = await readBody(req);
      const a = await handleControl({ sandbox, faults }, {
        method: (req.method ?? "GET").toUpperCase(), url, contentType: String(req.headers["content-type"] ?? ""), rawBody: raw.text,
      });
      send(res, a);
      outcome = a.status;
    }
    // only requests other than GET change what is kept (exports number responses when they start)
    if (req.method !== "GET" && req.method !== "HEAD") saver?.changed();
    log?.(`${req.method ?? "GET"} ${url.pathname}${url.search} -> ${outcome} (${Date.now() - started} ms)`);
  }

  async function completeResponse(surveyId: string, values?: Record<string, unknown>, extra: CompleteOptions = {}): Promise<CompleteResult> {
    const survey = state.surveys.get(surveyId);
    if (!survey) throw new UnknownSurveyError(surveyId);
    const now = new Date();
    const response = createResponse(survey, cryptoIds, { values, recipientId: extra.recipientId, distributionId: extra.distributionId }, now);
    // UNCONFIRMED (docs/qualtrics-facts.md §6.3, §5.7): RecipientID/DistributionID are "" for anonymous responses;
    // CompletedDate is UTC.
    const deliveries = await fireCompletedResponse(state, {
      surveyId, responseId: response.responseId, recipientId: response.recipientId,
      distributionId: response.distributionId, completedDate: mysqlDateTime(now),
    }, options.webhookTimeoutMs, () => faults.dropWebhook());
    saver?.changed();
    return { responseId: response.responseId, deliveries };
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log?.(`sandbox error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      send(res, jsonAnswer(500, errorEnvelope(500, "Internal server error", ErrorCodes.internal)));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const sandbox: Sandbox = {
    url,
    apiBase: `${url}${API_PREFIX}`,
    token: options.token,
    brandId: options.brandId,
    requests,
    get state(): SandboxState {
      return state;
    },
    set state(value: SandboxState) {
      state = value;
    },
    faults,
    oauth,
    proxy,
    get emailSearchCase() {
      return options.emailSearchCase;
    },
    set emailSearchCase(value) {
      if (value !== "insensitive" && value !== "sensitive") throw new RangeError('emailSearchCase must be "insensitive" or "sensitive"');
      options.emailSearchCase = value;
    },
    publicationUrls: options.publicationUrls,
    transactionRules: options.transactionRules,
    hostile,
    seedIds: built.seedIds,
    completeResponse,
    reset(): void {
      requests.length = 0;
      faults.clear();
      faults.resetStats();
      oauth.reset(oauthTtl);
      if (opts.proxied) proxy.set(opts.proxied);
      else proxy.clear();
      options.emailSearchCase = opts.emailSearchCase ?? "insensitive";
      options.publicationUrls.reset();
      options.transactionRules.reset();
      hostile.clear();
      state = buildState(seedOpts).state;
      saver?.changed();
    },
    close(): Promise<void> {
      if (closed) return Promise.resolve();
      closed = true;
      saver?.flush();
      for (const wake of [...pendingDelays]) wake();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return sandbox;
}
