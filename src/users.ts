// GET /whoami (docs/qualtrics-facts.md §1.5): the connection test.
import type { QualtricsClient } from "./client";
import { QualtricsApiError } from "./errors";

export interface WhoAmI {
  userId: string;
  userName?: string;
  brandId?: string;
  datacenter?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  accountType?: string;
}

export interface ConnectionReport {
  user: WhoAmI;
  notice?: string;
  /** the data center Qualtrics reports when it differs from the configured one */
  otherDataCenter?: string;
  /**
   * the data center (or organisation host) to configure instead: the host a "Request proxied ... use
   * this host instead" notice names, else a reported data center that differs from the configured one
   */
  suggestedDataCenter?: string;
  requestId?: string;
}

const PROXIED_HOST = /use this host instead:\s*([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\.qualtrics\.com)\b/i;
const SIMPLE_DC = /^[a-z0-9][a-z0-9-]{0,30}$/;

/**
 * "Request proxied. For faster response times, use this host instead: sjc1.qualtrics.com" (docs/qualtrics-facts.md §1.2)
 * -> "sjc1"; an organisation host (myorg.sjc1.qualtrics.com) is returned whole, as the data center field takes it.
 */
export function dataCenterFromNotice(notice: string | undefined): string | undefined {
  const m = PROXIED_HOST.exec(notice ?? "");
  if (!m) return undefined;
  const host = m[1].toLowerCase();
  const short = host.slice(0, -".qualtrics.com".length);
  return SIMPLE_DC.test(short) ? short : host;
}

const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

export async function whoami(client: QualtricsClient, signal?: AbortSignal): Promise<ConnectionReport> {
  const res = await client.request<Record<string, unknown>>({ method: "GET", path: "/whoami", signal });
  const r = res.result ?? {};
  if (typeof r.userId !== "string") {
    throw new QualtricsApiError({ method: "GET", path: "/whoami", statusCode: res.statusCode, requestId: res.requestId }, "answered without result.userId");
  }
  const user = r as unknown as WhoAmI;
  const configured = client.base.dataCenter;
  const reported = typeof r.datacenter === "string" && r.datacenter !== "" ? r.datacenter : undefined;
  const other = configured && reported && !same(reported, configured) ? reported : undefined;
  // the notice names the host that serves the account; whoami's datacenter can be a legacy name (az1)
  const fromNotice = dataCenterFromNotice(res.notice);
  const configuredHost = new URL(client.base.origin).hostname;
  const suggested = fromNotice ?? other?.toLowerCase();
  const alreadyThere = same(suggested, configured) || same(suggested, configuredHost) || same(`${suggested}.qualtrics.com`, configuredHost);
  return {
    user,
    notice: res.notice,
    otherDataCenter: other,
    suggestedDataCenter: suggested && !alreadyThere ? suggested : undefined,
    requestId: res.requestId,
  };
}
