// The coordination a configuration node hands its nodes, from its dialog: "none" (this Node-RED
// alone) or "redis" (replicas through the Redis URL credential). A Redis URL that is missing, names
// an unset environment variable or is not a redis:// URL is an error naming the dialog field; the
// nodes then get that error from coordination() rather than running uncoordinated, which on
// replicas would run every schedule N times.
import type { ApiBase } from "../../../src/base-url";
import type { RateGate } from "../../../src/limiter";
import { redactor } from "../../../src/redact";
import { unresolvedEnvVar } from "../env-credential";
import { inDialogTerms } from "../field-label";
import type { NodeAPI, QualtricsConfigNode } from "../types";
import { QualtricsInputError } from "../../../src/errors";
import { checkRedisUrl } from "./redis-connection";
import { redisCoordination, type RedisCoordination } from "./redis";
import type { Coordination } from "./types";

export interface ConfigCoordination {
  /** what config.coordination() returns; throws the start-up error when Redis is misconfigured */
  get(): Coordination;
  /** set when the dialog's settings cannot work, in the dialog's words */
  error?: Error;
  /** the shared rate for the account, or undefined on a Node-RED alone */
  rateGate(base: ApiBase, identity: string | undefined, perMinute: number): RateGate | undefined;
  /** the Redis URL and its password taken out of a text */
  redact(text: string): string;
  close(): Promise<void>;
}

function redisUrlOf(RED: NodeAPI, node: QualtricsConfigNode): string {
  const name = unresolvedEnvVar(RED, node, "redisUrl");
  if (name) throw new QualtricsInputError("redisUrl", `environment variable ${name} is not set`);
  return checkRedisUrl(node.credentials?.redisUrl?.trim());
}

function secretsOf(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const u = new URL(url);
    return [url, u.password, decodeURIComponent(u.password)];
  } catch {
    return [url];
  }
}

export function coordinationFor(RED: NodeAPI, node: QualtricsConfigNode, mode: string | undefined, local: Coordination): ConfigCoordination {
  const clean = redactor(secretsOf(node.credentials?.redisUrl?.trim()));
  if (mode !== "redis") {
    return { get: () => local, rateGate: () => undefined, redact: clean, close: () => local.close() };
  }
  let redis: RedisCoordination;
  try {
    redis = redisCoordination({
      url: redisUrlOf(RED, node),
      configId: node.id,
      fallbackJournal: (opts) => local.journal(opts),
    });
  } catch (err) {
    const error = inDialogTerms(RED, node.type, err as Error);
    return {
      get: () => {
        throw error;
      },
      error,
      rateGate: () => undefined,
      redact: clean,
      close: () => local.close(),
    };
  }
  return {
    get: () => redis,
    rateGate: (base, identity, perMinute) => redis.rateGate(`${base.origin}${base.basePath}\n${identity ?? ""}`, perMinute),
    redact: clean,
    close: async () => {
      await redis.close();
      await local.close();
    },
  };
}
