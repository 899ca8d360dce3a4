// GET /whoami (qualtrics-api.md §1.5): the connection test.
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
  requestId?: string;
}

export async function whoami(client: QualtricsClient, signal?: AbortSignal): Promise<ConnectionReport> {
  const res = await client.request<Record<string, unknown>>({ method: "GET", path: "/whoami", signal });
  const r = res.result ?? {};
  if (typeof r.userId !== "string") {
    throw new QualtricsApiError({ method: "GET", path: "/whoami", statusCode: res.statusCode, requestId: res.requestId }, "answered without result.userId");
  }
  const user = r as unknown as WhoAmI;
  const configured = client.base.dataCenter;
  const reported = typeof r.datacenter === "string" ? r.datacenter : undefined;
  return {
    user,
    notice: res.notice,
    otherDataCenter: configured && reported && reported !== configured ? reported : undefined,
    requestId: res.requestId,
  };
}
