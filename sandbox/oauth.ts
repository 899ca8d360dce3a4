// POST /oauth2/token, OAuth 2.0 client credentials (docs/qualtrics-facts.md §1.4): Basic authentication with
// a configured client ID and secret, a form body with grant_type=client_credentials and scope, and an
// access token that /API/v3 accepts as "Authorization: Bearer ..." until it expires.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import * as http from "node:http";
import { Answer, jsonAnswer } from "./http-io";

/** Not under /API/v3 (§1.4). */
export const OAUTH_TOKEN_PATH = "/oauth2/token";
export const DEFAULT_OAUTH_TTL_SECONDS = 3600;

export interface OAuthClientConfig {
  clientId: string;
  clientSecret: string;
  /** the scopes this client may ask for; absent = any */
  scopes?: string[];
}

export interface TokenRequestRecord {
  method: string;
  headers: Record<string, string>;
  rawBody: string;
  /** HTTP status of the answer */
  status: number;
  at: number;
}

export interface IssuedToken {
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

export interface OAuthController {
  /** every request to /oauth2/token, in order */
  readonly requests: TokenRequestRecord[];
  /** access token -> what it was issued for */
  readonly tokens: Map<string, IssuedToken>;
  /** expires_in of tokens issued from now on (whole seconds) */
  ttlSeconds: number;
  /** every issued token stops working at once (the next API call answers 401) */
  revokeAll(): void;
  /** accept one more client from now on (until reset) */
  addClient(client: OAuthClientConfig): void;
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

// UNCONFIRMED (docs/qualtrics-facts.md §1.4): the error body of the token endpoint; the sandbox answers as RFC 6749 §5.2.
function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}): Answer {
  return jsonAnswer(status, { error, error_description: description }, { "Cache-Control": "no-store", ...headers });
}

function checkClient(c: OAuthClientConfig): OAuthClientConfig {
  if (!c || !c.clientId || !c.clientSecret) throw new RangeError("every OAuth client needs a clientId and a clientSecret");
  if (c.clientId.includes(":")) throw new RangeError("an OAuth clientId cannot contain a colon (Basic authentication)");
  return c;
}

export function checkTtl(ttl: number): number {
  if (!Number.isInteger(ttl) || ttl < 1) throw new RangeError("oauthTokenTtlSeconds must be a positive whole number");
  return ttl;
}

export class OAuthServer implements OAuthController {
  readonly requests: TokenRequestRecord[] = [];
  readonly tokens = new Map<string, IssuedToken>();
  private ttl: number;
  private clients: OAuthClientConfig[];

  constructor(private readonly initialClients: readonly OAuthClientConfig[], ttlSeconds = DEFAULT_OAUTH_TTL_SECONDS) {
    initialClients.forEach(checkClient);
    this.clients = [...initialClients];
    this.ttl = checkTtl(ttlSeconds);
  }

  addClient(client: OAuthClientConfig): void {
    this.clients.push(checkClient(client));
  }

  get ttlSeconds(): number {
    return this.ttl;
  }

  set ttlSeconds(v: number) {
    this.ttl = checkTtl(v);
  }

  revokeAll(): void {
    this.tokens.clear();
  }

  reset(ttlSeconds: number): void {
    this.requests.length = 0;
    this.tokens.clear();
    this.clients = [...this.initialClients];
    this.ttl = ttlSeconds;
  }

  /** "Authorization: Bearer <t>" with a token this server issued that has not expired */
  accepts(headers: http.IncomingHttpHeaders, now = Date.now()): boolean {
    const auth = headers.authorization;
    const m = typeof auth === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
    if (!m) return false;
    const t = this.tokens.get(m[1]);
    if (!t) return false;
    if (now >= t.expiresAt) {
      this.tokens.delete(m[1]);
      return false;
    }
    return true;
  }

  handle(method: string, headers: Record<string, string>, contentType: string, rawBody: string, now = Date.now()): Answer {
    const answer = this.answer(method, headers, contentType, rawBody, now);
    this.requests.push({ method, headers, rawBody, status: answer.status, at: now });
    return answer;
  }

  private answer(method: string, headers: Record<string, string>, contentType: string, rawBody: string, now: number): Answer {
    if (method !== "POST") return oauthError(405, "invalid_request", "use POST", { Allow: "POST" });
    const client = this.authenticate(headers.authorization);
    if (!client) return oauthError(401, "invalid_client", "Client authentication failed", { "WWW-Authenticate": 'Basic realm="oauth2"' });
    if (!/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
      return oauthError(400, "invalid_request", "the body must be application/x-www-form-urlencoded");
    }
    const form = new URLSearchParams(rawBody);
    if (form.get("grant_type") !== "client_credentials") {
      return oauthError(400, "unsupported_grant_type", "only grant_type=client_credentials is supported");
    }
    const asked = (form.get("scope") ?? "").split(" ").filter((s) => s !== "");
    const allowed = client.scopes;
    const refused = allowed ? asked.filter((s) => !allowed.includes(s)) : [];
    if (refused.length > 0) return oauthError(400, "invalid_scope", `the client may not ask for ${refused.join(" ")}`);
    const scopes = asked.length > 0 ? [...new Set(asked)] : [...(allowed ?? [])];
    const accessToken = randomBytes(24).toString("hex");
    this.tokens.set(accessToken, { clientId: client.clientId, scopes, expiresAt: now + this.ttl * 1000 });
    return jsonAnswer(200, { access_token: accessToken, token_type: "Bearer", expires_in: this.ttl, scope: scopes.join(" ") }, { "Cache-Control": "no-store" });
  }

  private authenticate(header: string | undefined): OAuthClientConfig | undefined {
    const m = typeof header === "string" ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
    if (!m) return undefined;
    const decoded = Buffer.from(m[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    const id = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    const client = this.clients.find((c) => c.clientId === id);
    // the secret is compared even for an unknown ID, so timing says nothing about which IDs exist
    const ok = sameSecret(secret, client?.clientSecret ?? "\u0000no client");
    return client && ok ? client : undefined;
  }
}
