// A minimal method + path-pattern router for the /API/v3 routes.
import { HandlerResult } from "./envelope";
import { IdSource } from "./ids";
import { PageContext } from "./pagination";
import { SandboxState } from "./state";
import type { EmailSearchCase } from "./types";
import type { PublicationUrlSwitch } from "./publication-urls";
import type { TransactionRulesSwitch } from "./transaction-rules";

/** Options after defaults were applied. */
export interface ResolvedOptions {
  token: string;
  brandId: string;
  dataCenter: string;
  requireBrandAdmin: boolean;
  pageSize: number;
  webhookTimeoutMs: number;
  /** changed at run time through Sandbox.emailSearchCase */
  emailSearchCase: EmailSearchCase;
  /** how publicationUrls are stored (switched at run time) */
  publicationUrls?: PublicationUrlSwitch;
  /** the answers to what is UNCONFIRMED about transactions (switched at run time) */
  transactionRules: TransactionRulesSwitch;
}

export interface RequestContext {
  method: string;
  /** Path below /API/v3, without a trailing slash, e.g. "/directories/POOL_x/contacts". */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body, undefined when there was none. */
  body: unknown;
  /** "http://host:port" from the Host header. */
  origin: string;
  /** request headers, names in lower case (e.g. idempotency-key) */
  headers?: Record<string, string>;
  page: PageContext;
  state: SandboxState;
  ids: IdSource;
  options: ResolvedOptions;
}

export type Handler = (ctx: RequestContext) => HandlerResult;

export interface Route {
  method: string;
  pattern: string;
  handler: Handler;
}

export function route(method: string, pattern: string, handler: Handler): Route {
  return { method, pattern, handler };
}

interface Compiled {
  route: Route;
  regex: RegExp;
  names: string[];
}

export type Match =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "wrongMethod"; allowed: string[] }
  | { kind: "none" };

export class Router {
  private readonly compiled: Compiled[];

  constructor(routes: Route[]) {
    this.compiled = routes.map((r) => {
      const names: string[] = [];
      const source = r.pattern
        .split("/")
        .map((seg) => {
          if (seg.startsWith(":")) {
            names.push(seg.slice(1));
            return "([^/]+)";
          }
          return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        })
        .join("/");
      return { route: r, regex: new RegExp(`^${source}$`), names };
    });
  }

  /** First route in registration order wins, so literal routes must be listed before parameter routes. */
  match(method: string, path: string): Match {
    const allowed: string[] = [];
    for (const c of this.compiled) {
      const m = c.regex.exec(path);
      if (!m) continue;
      if (c.route.method !== method) {
        if (!allowed.includes(c.route.method)) allowed.push(c.route.method);
        continue;
      }
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => {
        params[name] = safeDecode(m[i + 1]);
      });
      return { kind: "found", route: c.route, params };
    }
    return allowed.length > 0 ? { kind: "wrongMethod", allowed } : { kind: "none" };
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
