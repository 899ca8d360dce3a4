// Public API of the Qualtrics REST API v3 sandbox.
export { startSandbox, isAuthorized, API_PREFIX, UNAUTHORIZED_MESSAGE } from "./server";
export type { Sandbox, SandboxOptions, RecordedRequest, CompleteResult, CompleteOptions } from "./types";
export { DEFAULT_TOKEN, DEFAULT_BRAND_ID, DEFAULT_DATA_CENTER, DEFAULT_PAGE_SIZE, DEFAULT_WEBHOOK_TIMEOUT_MS } from "./types";
export type { SandboxState, ContactRecord, DirectoryRecord, MailingListRecord, MembershipRecord, LibraryRecord, LibraryMessageRecord, SurveyRecord, ResponseRecord, EmailDistributionRecord, SmsDistributionRecord, SubscriptionRecord, UserRecord } from "./state";
export type { FaultConfig, FaultRule, FaultAction, FaultController, FaultStats } from "./faults";
export { parseFaultConfig } from "./faults";
export type { OAuthClientConfig, OAuthController, IssuedToken, TokenRequestRecord } from "./oauth";
export { OAUTH_TOKEN_PATH, DEFAULT_OAUTH_TTL_SECONDS } from "./oauth";
export type { ProxyConfig, ProxyController } from "./proxy";
export { proxiedNotice } from "./proxy";
export type { SeedIds } from "./seed";
export type { Delivery } from "./webhooks";
export { signMessage, topicMatches, completedMessage } from "./webhooks";
export { ErrorCodes, httpStatusText } from "./envelope";
export { encodeSkipToken, decodeSkipToken } from "./pagination";
export { hasIdFormat } from "./ids";
export type { HostileConfig, HostileController } from "./hostile-upstream";
