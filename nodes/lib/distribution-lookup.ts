// The editor's "distributions" picker: a survey's email distributions (GET /distributions?surveyId=,
// docs/qualtrics-facts.md §5.4), newest first, labelled by what they are, when they went and their subject.
import type { QualtricsClient } from "../../src/client";
import { collect } from "../../src/paginate";
import { listDistributionsQuery } from "../../src/distribution-reports";
import { isPlainObject } from "../../src/safe-object";
import type { LookupItem } from "./admin-routes";

function when(iso: unknown): string {
  return typeof iso === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso) ? iso.slice(0, 16).replace("T", " ") : "";
}

export async function distributionLookup(
  client: QualtricsClient,
  surveyId: string,
  distributionRequestType: string | undefined,
  opts: { limit: number; signal?: AbortSignal },
): Promise<LookupItem[]> {
  const query = listDistributionsQuery({ surveyId, distributionRequestType });
  const elements = await collect(client, "/distributions", { query, limit: opts.limit, signal: opts.signal });
  const rows: Array<LookupItem & { at: string }> = [];
  for (const e of elements) {
    if (typeof e.id !== "string" || e.id === "") continue;
    const headers = isPlainObject(e.headers) ? e.headers : {};
    const subject = typeof headers.subject === "string" && headers.subject ? headers.subject : typeof e.description === "string" ? e.description : "";
    const at = typeof e.sendDate === "string" ? e.sendDate : "";
    const label = [typeof e.requestType === "string" ? e.requestType : "", when(at), subject].filter(Boolean).join(" · ");
    rows.push({ value: e.id, label: label || e.id, at });
  }
  rows.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.value.localeCompare(b.value)));
  return rows.map(({ value, label }) => ({ value, label }));
}
