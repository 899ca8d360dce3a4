// Where the API lives: https://{dc}.qualtrics.com/API/v3, an organisation host such as
// myorg.iad1.qualtrics.com (docs/qualtrics-facts.md §1.1), or an explicit base URL for sandboxes.
import { DATA_CENTER_ID, QUALTRICS_HOST } from "./api-values";
import { QualtricsInputError } from "./errors";

export interface ApiBase {
  /** e.g. "https://iad1.qualtrics.com" */
  origin: string;
  /** e.g. "/API/v3" (no trailing slash) */
  basePath: string;
  /** the data center the host names, when it names one (iad1 in myorg.iad1.qualtrics.com) */
  dataCenter?: string;
}


export function resolveApiBase(dataCenter: string | undefined, baseUrl?: string): ApiBase {
  const override = (baseUrl ?? "").trim();
  if (override) return fromBaseUrl(override);

  let dc = (dataCenter ?? "").trim().toLowerCase();
  if (!dc) throw new QualtricsInputError("dataCenter", "is required (a data center ID such as iad1 or fra1, or your organisation's host)");
  // people paste what their browser shows: https://myorg.fra1.qualtrics.com/Q/... or fra1.qualtrics.com/API/v3
  dc = dc.replace(/^https?:\/\//, "").replace(/[/?#].*$/, "").replace(/:443$/, "");
  if (DATA_CENTER_ID.test(dc)) return { origin: `https://${dc}.qualtrics.com`, basePath: "/API/v3", dataCenter: dc };
  if (QUALTRICS_HOST.test(dc)) return { origin: `https://${dc}`, basePath: "/API/v3", dataCenter: dataCenterOf(dc) };
  throw new QualtricsInputError(
    "dataCenter",
    `"${dc.slice(0, 60)}" is neither a data center ID (iad1, fra1, ca1, ...) nor a host ending in .qualtrics.com`,
  );
}

function fromBaseUrl(text: string): ApiBase {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new QualtricsInputError("baseUrl", `"${text.slice(0, 80)}" is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new QualtricsInputError("baseUrl", "must start with http:// or https://");
  if (url.username || url.password) throw new QualtricsInputError("baseUrl", "must not contain a user name or password");
  // plain http would carry the token (or the OAuth client secret) across the network unencrypted
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new QualtricsInputError("baseUrl", `http:// would send the API token or OAuth secret unencrypted to ${url.hostname.slice(0, 80)}; use https:// (http:// is allowed only for localhost, 127.0.0.1 and ::1)`);
  }
  const basePath = url.pathname.replace(/\/+$/, "");
  // §1.2: a base URL without /API/v3 is the most common cause of unexplained 400s
  if (!/\/API\/v3$/i.test(basePath)) throw new QualtricsInputError("baseUrl", "must be the full API root, ending in /API/v3");
  // a Qualtrics host names its data center here too, so whoami can still spot a mismatch
  const dataCenter = dataCenterOf(url.hostname);
  return dataCenter ? { origin: url.origin, basePath, dataCenter } : { origin: url.origin, basePath };
}

/**
 * localhost, 127.0.0.0/8 or ::1, as URL writes them (it turns 127.1 and 0x7f.0.0.1 into 127.0.0.1
 * and ::1 into [::1]), so no spelling of another host gets through.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === "localhost" || h === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** iad1 in myorg.iad1.qualtrics.com or iad1.qualtrics.com; undefined for other hosts. */
function dataCenterOf(host: string): string | undefined {
  if (!QUALTRICS_HOST.test(host)) return undefined;
  const labels = host.split(".");
  return labels.length >= 3 ? labels[labels.length - 3] : undefined;
}
