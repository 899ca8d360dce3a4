// Libraries and library messages (docs/qualtrics-facts.md §8.3).
import { notFound, ok } from "../envelope";
import { pageByOffset, pageBySkipToken } from "../pagination";
import { route, Route, RequestContext } from "../router";
import { LibraryRecord, MESSAGE_CATEGORIES } from "../state";
import { oneOf } from "../validate";

function getLibrary(ctx: RequestContext): LibraryRecord {
  const lib = ctx.state.libraries.get(ctx.params.libraryId);
  if (!lib) throw notFound(`Library not found: ${ctx.params.libraryId}`);
  return lib;
}

export const libraryRoutes: Route[] = [
  route("GET", "/libraries", (ctx) => {
    const all = [...ctx.state.libraries.values()].map((l) => ({ libraryId: l.libraryId, libraryName: l.libraryName }));
    // UNCONFIRMED (docs/qualtrics-facts.md §8.3): paging scheme of GET /libraries; skipToken like other lists.
    const { elements, nextPage } = pageBySkipToken(all, ctx.page, { defaultPageSize: ctx.options.pageSize });
    return ok({ elements, nextPage });
  }),

  route("GET", "/libraries/:libraryId/messages", (ctx) => {
    const lib = getLibrary(ctx);
    const raw = ctx.query.get("category");
    // UNCONFIRMED (docs/qualtrics-facts.md §8.3): an unknown category is refused with 400 rather than giving an empty list.
    const category = raw === null || raw === "" ? undefined : oneOf(raw, MESSAGE_CATEGORIES, "category");
    const all = [...lib.messages.values()]
      .filter((m) => category === undefined || m.category === category)
      .map((m) => ({ id: m.id, description: m.description, category: m.category }));
    const { elements, nextPage } = pageByOffset(all, ctx.page, { defaultPageSize: ctx.options.pageSize });
    return ok({ elements, nextPage });
  }),

  route("GET", "/libraries/:libraryId/messages/:messageId", (ctx) => {
    const lib = getLibrary(ctx);
    const m = lib.messages.get(ctx.params.messageId);
    if (!m) throw notFound(`Message not found: ${ctx.params.messageId}`);
    return ok({ id: m.id, description: m.description, category: m.category, messages: { ...m.messages } });
  }),
];
