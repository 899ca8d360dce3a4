// The sandbox's public types (other code is written against these exact shapes).
import { FaultController } from "./faults";
import { OAuthClientConfig, OAuthController } from "./oauth";
import { ProxyConfig, ProxyController } from "./proxy";
import { PublicationUrlController, PublicationUrlMode } from "./publication-urls";
import type { HostileController } from "./hostile-upstream";
import type { TransactionRules, TransactionRulesController } from "./transaction-rules";
import { BulkSeed, SeedIds } from "./seed";
import { SandboxState } from "./state";
import { Delivery } from "./webhooks";

export interface SandboxOptions {
  /** default 0 (ephemeral); binds 127.0.0.1 only */
  port?: number;
  /** API token expected in X-API-TOKEN; default "sandbox-token-00000000000000000000000000" (40 chars) */
  token?: string;
  /** default "sandboxbrand" */
  brandId?: string;
  /** reported by whoami, default "iad1" */
  dataCenter?: string;
  /** default true: load demo data */
  seed?: boolean;
  /** generated surveys and mailing lists besides the demo data (a big account for the pickers) */
  bulk?: BulkSeed;
  /** when true, POST /eventsubscriptions answers 403 (not a brand admin) */
  requireBrandAdmin?: boolean;
  /** default page size for list endpoints (100) */
  pageSize?: number;
  /** for outgoing webhook POSTs, default 5000 */
  webhookTimeoutMs?: number;
  /** optional request log */
  log?: (line: string) => void;
  /** OAuth clients POST /oauth2/token accepts (Basic client ID and secret); none = every token request is refused */
  oauthClients?: OAuthClientConfig[];
  /** expires_in of issued access tokens, whole seconds (default 3600) */
  oauthTokenTtlSeconds?: number;
  /** answer as a proxied account from the start (see Sandbox.proxy) */
  proxied?: ProxyConfig;
  /** how contact search compares emails (UNCONFIRMED, docs/qualtrics-facts.md §4.4); default "insensitive" */
  emailSearchCase?: EmailSearchCase;
  /** how event subscriptions' publicationUrls are stored from the start (default "verbatim"; see Sandbox.publicationUrls) */
  publicationUrls?: PublicationUrlMode;
  /**
   * keep the account's data in this JSON file: read at start when it exists, written shortly after
   * every change and on close (see persist.ts); default: in memory only, the demo data on every start
   */
  stateFile?: string;
  /** answers to what is UNCONFIRMED about transactions from the start (see Sandbox.transactionRules) */
  transactionRules?: Partial<TransactionRules>;
}

export type EmailSearchCase = "insensitive" | "sensitive";

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  rawBody: string;
  at: number;
  /** the status it was answered with once answered (null: the connection was dropped) */
  status?: number | null;
  /** the <tag> of a request sent to /__from/<tag>/API/v3/... (which replica sent it) */
  tag?: string;
}

export interface CompleteResult {
  responseId: string;
  deliveries: Delivery[];
}

/** Extra, optional details for completeResponse (e.g. from a generated link's Q_DL). */
export interface CompleteOptions {
  recipientId?: string;
  distributionId?: string;
}

export interface Sandbox {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** url + "/API/v3" */
  apiBase: string;
  token: string;
  brandId: string;
  /** every /API/v3 request received, in order (including ones answered with faults) */
  requests: RecordedRequest[];
  /** the in-memory data */
  state: SandboxState;
  faults: FaultController;
  /** POST /oauth2/token: its requests, the tokens it issued, their lifetime */
  oauth: OAuthController;
  /** "Request proxied ..." notices and another whoami datacenter, switched on and off */
  proxy: ProxyController;
  /** how contact search compares emails, switched at run time; reset() puts back the option */
  emailSearchCase: EmailSearchCase;
  /** stores new subscriptions' publicationUrls as sent, or without the query, reordered or re-encoded */
  publicationUrls: PublicationUrlController;
  /** batch ID prefix, whether an SMS to a batch needs a mailing list, the transaction date forms accepted; reset() puts back the option */
  transactionRules: TransactionRulesController;
  seedIds: SeedIds;
  /** a gateway prefix, nextPage on another host, endless lists, credentials echoed in errors */
  hostile: HostileController;
  completeResponse(surveyId: string, values?: Record<string, unknown>, options?: CompleteOptions): Promise<CompleteResult>;
  /** clear requests, faults, OAuth tokens, the proxy, search, publication URL and transaction switches (back to the options), and restore seeded state */
  reset(): void;
  /** also closes keep-alive sockets (server.closeAllConnections) */
  close(): Promise<void>;
}

export const DEFAULT_TOKEN = "sandbox-token-00000000000000000000000000";
export const DEFAULT_BRAND_ID = "sandboxbrand";
export const DEFAULT_DATA_CENTER = "iad1";
export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 5000;
