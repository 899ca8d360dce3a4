// A QualtricsClient for an account's settings, with either kind of authentication: the API token
// (X-API-TOKEN) or OAuth client credentials (a Bearer token that is fetched, cached and replaced).
// The config node and the editor's Test connection / picker routes build their clients here.
import { resolveApiBase } from "../../src/base-url";
import { ClientOptions, QualtricsClient } from "../../src/client";
import { OAuthTokenProvider, oauthTokenUrl } from "../../src/oauth";

export type AuthType = "token" | "oauth";

/** "oauth" only when set so; flows from before OAuth existed have no authType and use the token */
export function authTypeOf(v: unknown): AuthType {
  return v === "oauth" ? "oauth" : "token";
}

export interface AccountSettings {
  authType: AuthType;
  dataCenter?: string;
  baseUrl?: string;
  apiToken?: string;
  clientId?: string;
  clientSecret?: string;
  /** space-separated; empty = the default set (src/oauth.ts) */
  scopes?: string;
}

export type ClientTuning = Omit<ClientOptions, "auth" | "dataCenter" | "baseUrl" | "onUnauthorized" | "onClose">;

/**
 * The client for `account`. Missing secrets must be checked by the caller (each says so in its own
 * words); here they are QualtricsInputErrors naming the field. Closing the client also ends the
 * token provider.
 */
export function accountClient(account: AccountSettings, tuning: ClientTuning = {}): QualtricsClient {
  // every secret of the account is kept out of error texts, whichever kind of authentication is in use
  const own = [account.apiToken, account.clientId, account.clientSecret];
  const more = tuning.secrets;
  if (account.authType !== "oauth") {
    const token = account.apiToken ?? "";
    const secrets = () => [...own, ...(more?.() ?? [])];
    return new QualtricsClient({ ...tuning, dataCenter: account.dataCenter, baseUrl: account.baseUrl, auth: () => ({ "X-API-TOKEN": token }), secrets });
  }
  const base = resolveApiBase(account.dataCenter, account.baseUrl);
  const provider = new OAuthTokenProvider({
    tokenUrl: oauthTokenUrl(base),
    clientId: account.clientId ?? "",
    clientSecret: account.clientSecret ?? "",
    scopes: account.scopes,
    timeoutMs: tuning.timeoutMs,
    retries: Math.min(tuning.retry?.retries ?? 2, 2),
    retryBaseMs: tuning.retry?.baseMs,
    userAgent: tuning.userAgent,
  });
  return new QualtricsClient({
    ...tuning,
    dataCenter: account.dataCenter,
    baseUrl: account.baseUrl,
    auth: provider.auth,
    secrets: () => [...own, provider.currentToken, ...(more?.() ?? [])],
    onUnauthorized: provider.onUnauthorized,
    onClose: () => provider.close(),
  });
}
