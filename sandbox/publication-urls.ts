// How the sandbox stores an event subscription's publicationUrl. Whether Qualtrics keeps it exactly
// as sent is UNCONFIRMED (docs/qualtrics-facts.md §6.2), so the sandbox can be switched to each way a
// server might change it. The stored URL is what GET answers and where webhooks are delivered.

export type PublicationUrlMode = "verbatim" | "strip-query" | "reorder-query" | "re-encode";
export const PUBLICATION_URL_MODES: readonly PublicationUrlMode[] = ["verbatim", "strip-query", "reorder-query", "re-encode"];

export interface PublicationUrlController {
  /** how new subscriptions' URLs are stored from now on */
  set(mode: PublicationUrlMode): void;
  readonly mode: PublicationUrlMode;
}

export function checkMode(mode: unknown): PublicationUrlMode {
  if (!PUBLICATION_URL_MODES.includes(mode as PublicationUrlMode)) throw new RangeError(`publication URL mode must be one of ${PUBLICATION_URL_MODES.join(", ")}`);
  return mode as PublicationUrlMode;
}

// every character but letters, digits and the delimiters, percent-encoded (an equivalent URI, RFC 3986 §6.2.2.2)
const NOTHING = /(?!)/;
const encodeAll = (text: string, keep: RegExp) => text.replace(/[^A-Za-z0-9]/g, (c) => (keep.test(c) ? c : "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")));

/** the URL as a server in `mode` would store it */
export function storePublicationUrl(url: string, mode: PublicationUrlMode): string {
  if (mode === "verbatim") return url;
  const u = new URL(url);
  const [beforeQuery, query = ""] = url.split("#")[0].split("?");
  switch (mode) {
    case "strip-query":
      return beforeQuery;
    case "reorder-query":
      return query ? `${beforeQuery}?${query.split("&").reverse().join("&")}` : url;
    case "re-encode": {
      // the host in capitals, the default port spelt out, path and query percent-encoded, a space as %20
      const port = u.port || (u.protocol === "https:" ? "443" : "80");
      const path = u.pathname.split("/").map((s) => encodeAll(decodeURIComponent(s), NOTHING)).join("/");
      const pairs = query.split("&").filter(Boolean).map((p) => p.split("=").map((x) => encodeAll(decodeURIComponent(x.replace(/\+/g, " ")), NOTHING)).join("="));
      return `${u.protocol.toUpperCase()}//${u.hostname.toUpperCase()}:${port}${path}${pairs.length ? "?" + pairs.join("&") : ""}`;
    }
  }
}

export class PublicationUrlSwitch implements PublicationUrlController {
  private current: PublicationUrlMode;

  constructor(private readonly initial: PublicationUrlMode = "verbatim") {
    this.current = checkMode(initial);
  }

  get mode(): PublicationUrlMode {
    return this.current;
  }

  set(mode: PublicationUrlMode): void {
    this.current = checkMode(mode);
  }

  reset(): void {
    this.current = this.initial;
  }
}
