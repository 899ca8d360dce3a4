// An upstream that is broken or hostile in ways a fault rule cannot express: a gateway that serves
// the API under a path prefix and does not rewrite nextPage, nextPage on another host, a list that
// never ends, and error answers that echo the credential the request carried.
import { escapeHtml, jsonAnswer, type Answer } from "./http-io";

export interface HostileConfig {
  /** answer every API request 401 with the credential it carried, in a JSON errorMessage, a text/plain body or an HTML title */
  echoCredential?: "json" | "text" | "html";
  /** serve the API only under this prefix ("/gw" → /gw/API/v3/...), as a gateway would; nextPage still says /API/v3/... */
  pathPrefix?: string;
  /** the origin nextPage URLs name instead of the sandbox's own (another data-center host) */
  nextPageOrigin?: string;
  /** list answers never end: each nextPage is a URL not seen before, with the first page's elements again */
  endlessNextPage?: boolean;
}

export interface HostileController {
  set(cfg: HostileConfig): void;
  clear(): void;
  readonly config: HostileConfig;
}

export class HostileUpstream implements HostileController {
  private cfg: HostileConfig = {};
  private served = 0;

  get config(): HostileConfig {
    return { ...this.cfg };
  }

  set(cfg: HostileConfig): void {
    if (cfg.pathPrefix !== undefined && !/^(\/[A-Za-z0-9_-]+)+$/.test(cfg.pathPrefix)) throw new RangeError("pathPrefix must look like /gw or /a/b");
    this.cfg = { ...cfg };
  }

  clear(): void {
    this.cfg = {};
  }

  /** the path the API sees: the prefix taken off; null when a prefix is set and the request lacks it (the gateway answers 404) */
  apiPath(pathname: string): string | null {
    const p = this.cfg.pathPrefix;
    if (!p) return pathname;
    return pathname.startsWith(`${p}/`) ? pathname.slice(p.length) : null;
  }

  /** the answer as the hostile upstream gives it */
  decorate(answer: Answer, headers: Record<string, string>, requestUrl: string): Answer {
    const echo = this.cfg.echoCredential;
    if (echo) return echoAnswer(echo, headers["x-api-token"] ?? headers.authorization ?? "");
    if (!this.cfg.nextPageOrigin && !this.cfg.endlessNextPage) return answer;
    let body: { result?: { nextPage?: unknown; elements?: unknown } };
    try {
      body = JSON.parse(answer.text) as typeof body;
    } catch {
      return answer;
    }
    const result = body?.result;
    if (!result || typeof result !== "object" || !Array.isArray(result.elements)) return answer;
    let next = typeof result.nextPage === "string" ? result.nextPage : null;
    if (this.cfg.endlessNextPage && result.elements.length > 0) {
      const u = new URL(next ?? requestUrl);
      u.searchParams.set("endless", String(++this.served));
      next = u.toString();
    }
    if (next && this.cfg.nextPageOrigin) {
      const u = new URL(next);
      next = this.cfg.nextPageOrigin + u.pathname + u.search;
    }
    result.nextPage = next;
    return { ...answer, text: JSON.stringify(body) };
  }
}

function echoAnswer(kind: "json" | "text" | "html", credential: string): Answer {
  const said = `Access denied for credential ${credential}`;
  if (kind === "text") return { status: 401, headers: { "Content-Type": "text/plain" }, text: said };
  if (kind === "html") return { status: 401, headers: { "Content-Type": "text/html" }, text: `<html><head><title>${escapeHtml(said)}</title></head><body>${escapeHtml(said)}</body></html>` };
  return jsonAnswer(401, { meta: { httpStatus: "401 - Unauthorized", requestId: null, error: { errorMessage: said, errorCode: `AUTH_${credential}` } } });
}
