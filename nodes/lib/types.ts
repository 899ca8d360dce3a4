// Node-RED types our nodes share. @types/node-red models the 1.3 API, which is what we use.
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from "node-red";
import type { QualtricsClient } from "../../src/client";
import type { Coordination } from "./coordination/types";
export type { Held } from "./coordination/types";

export type { Node, NodeAPI, NodeDef };
export type Msg = NodeMessageInFlow & Record<string, unknown>;
export type Send = (msg: Msg | Msg[] | (Msg | Msg[] | null)[] | null) => void;
export type Done = (err?: Error) => void;

/** the typed-input pair a dialog stores for one property: `foo` and `fooType` */
export interface Typed {
  value: string;
  type: string;
}

/** what a trigger tells its configuration node when it starts */
export interface TriggerInfo {
  type: string;
  /** the deployment its subscription is marked with (src/publication-url.ts deploymentOf), when it registers one */
  deployment?: string;
}

export interface QualtricsConfigNode extends Node<{ apiToken?: string; clientId?: string; clientSecret?: string; redisUrl?: string }> {
  /** the shared client; throws a clear error when the token (or the OAuth client) is missing */
  client(): QualtricsClient;
  /**
   * A client for a last call that may come after this node has closed (a trigger removed together
   * with its configuration deletes its subscription): the shared client while the node runs, else
   * a client of its own; either way, call release() when done.
   */
  borrowClient(): { client: QualtricsClient; release(): Promise<void> };
  /** a secret of the account, used to key fingerprints (never sent anywhere) */
  accountSecret(): string;
  /** `text` with every secret of the account (token, client ID and secret, access token) taken out */
  redact(text: string): string;
  /** how this Node-RED shares work and state with other replicas ("none": it is alone) */
  coordination(): Coordination;
  /** the registry of the triggers that use this configuration (the orphan sweep asks it) */
  registerTrigger(node: Node, info: TriggerInfo): void;
  deregisterTrigger(node: Node): void;
  triggers(): ReadonlyMap<string, TriggerInfo>;
  timeoutMs: number;
  /** the most items a list sent as one message may hold (settings.js qualtricsConfigMaxListItems) */
  maxListItems: number;
}
