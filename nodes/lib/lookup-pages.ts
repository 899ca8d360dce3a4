// A picker's list one page at a time, so an account with thousands of surveys or mailing lists is
// never read whole for a picker that shows fifty of them. A walk goes through the account's list
// page by page (src/paginate.ts) only as far as the answers asked of it need: the first page of
// names costs one request; a search reads on until it has a page of matches, the list ends, or
// WALK_MAX items were read (then the answer says `capped`). The items a walk has read stay with it,
// so the next page, or the next letter typed, only reads further where it must. Items keep the order
// the source gives them, so the pages of one walk never overlap or skip.
import type { LookupItem } from "./admin-routes";

/** items a walk reads at most: the budget of one list (a search for nothing stops here) */
export const WALK_MAX = 10_000;
export const PAGE_MAX = 500;

export interface PageRequest {
  /** matched, ignoring case, against the name and the ID; "" = everything */
  q: string;
  offset: number;
  limit: number;
}

/** what a source gives at a time: the items of one page of the account's list, and whether it was the last */
export interface Chunk {
  items: LookupItem[];
  last: boolean;
}

export interface LookupPage {
  items: LookupItem[];
  /** more matches after these */
  more: boolean;
  /** the walk stopped at WALK_MAX: items after those were not searched */
  capped?: boolean;
}

export function matchesText(item: LookupItem, q: string): boolean {
  if (!q) return true;
  const s = q.toLowerCase();
  return item.label.toLowerCase().includes(s) || item.value.toLowerCase().includes(s);
}

export class ListWalk {
  private readonly read: LookupItem[] = [];
  private readonly seen = new Set<string>();
  private finished = false;
  private capped = false;
  private failure: unknown;
  private pulling: Promise<void> | undefined;
  private readonly source: AsyncIterator<Chunk>;

  /** `filtered`: the source has matched the search already (contacts), so every item counts */
  constructor(
    source: AsyncIterable<Chunk>,
    private readonly max = WALK_MAX,
    private readonly filtered = false,
  ) {
    this.source = source[Symbol.asyncIterator]();
  }

  /** a page could not be read: the walk answers nothing more (a request that merely gave up leaves it whole) */
  get broken(): boolean {
    return this.failure !== undefined;
  }

  /** the page of matches `want` asks for, reading on only as far as it needs */
  async page(want: PageRequest, signal?: AbortSignal): Promise<LookupPage> {
    const q = this.filtered ? "" : want.q.trim();
    const end = want.offset + want.limit;
    const hits: LookupItem[] = [];
    let checked = 0;
    for (;;) {
      for (; checked < this.read.length; checked++) if (matchesText(this.read[checked], q)) hits.push(this.read[checked]);
      // one match past the page tells whether there is more
      if (hits.length > end || this.finished) break;
      signal?.throwIfAborted();
      await this.pull();
    }
    const page: LookupPage = { items: hits.slice(want.offset, end), more: hits.length > end };
    if (this.capped) page.capped = true;
    return page;
  }

  /** everything up to the budget (the answer to a request that asks for no page) */
  async all(signal?: AbortSignal): Promise<LookupItem[]> {
    while (!this.finished) {
      signal?.throwIfAborted();
      await this.pull();
    }
    return [...this.read];
  }

  /** one more page of the source; requests sharing the walk wait for the same one */
  private pull(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    this.pulling ??= this.source.next().then(
      (r) => {
        this.pulling = undefined;
        if (r.done) return void (this.finished = true);
        for (const item of r.value.items) {
          if (this.seen.has(item.value)) continue;
          if (this.read.length >= this.max) {
            this.finished = this.capped = true;
            void this.source.return?.();
            return;
          }
          this.seen.add(item.value);
          this.read.push(item);
        }
        if (!r.value.last) return;
        this.finished = true;
        void this.source.return?.();
      },
      (err: unknown) => {
        this.pulling = undefined;
        this.failure = err;
        throw err;
      },
    );
    return this.pulling;
  }
}

/** `{items, more}` asked for by `limit` (with `offset` and `q`); undefined = the whole list, the older answer */
export function pageRequest(param: (name: string) => unknown): PageRequest | undefined {
  const limit = param("limit");
  if (limit === undefined || limit === "") return undefined;
  const q = param("q");
  return {
    q: typeof q === "string" ? q.slice(0, 200) : "",
    offset: whole("offset", param("offset") ?? 0, 0, WALK_MAX),
    limit: whole("limit", limit, 1, PAGE_MAX),
  };
}

/** thrown for a limit or offset out of range (the route answers 400) */
export class PageRequestError extends Error {}

function whole(name: string, raw: unknown, min: number, max: number): number {
  const text = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim() : "";
  if (!/^\d{1,6}$/.test(text) || Number(text) < min || Number(text) > max) throw new PageRequestError(`${name} must be a whole number from ${min} to ${max}`);
  return Number(text);
}
