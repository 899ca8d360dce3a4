// What the configuration node checks and offers, read by its runtime adapter
// (nodes/qualtrics-config/qualtrics-config.ts) and, through the editor library, by its dialog: the
// data center and scope rules of the client (src/api-values.ts), so the dialog cannot drift from them.
import { DATA_CENTER_ID, DATA_CENTERS, DEFAULT_OAUTH_SCOPES, QUALTRICS_HOST, SCOPE_TOKEN } from "../../src/api-values";
import type { NodeSpec } from "../lib/node-spec";

export const configSpec = {
  type: "qualtrics-config",
  /** offered as the user types a data center */
  dataCenters: DATA_CENTERS,
  dataCenterId: DATA_CENTER_ID,
  qualtricsHost: QUALTRICS_HOST,
  /** what OAuth asks for when the scopes field is empty */
  defaultScopes: DEFAULT_OAUTH_SCOPES,
  scopeToken: SCOPE_TOKEN,
  /** the secrets, kept as Node-RED credentials (the client ID too: with the secret it is the account's key) */
  credentials: ["apiToken", "clientId", "clientSecret", "redisUrl"],
  ids: {},
} as const satisfies NodeSpec;
