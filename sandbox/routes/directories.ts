// GET /directories (docs/qualtrics-facts.md §4.2)
import { ok } from "../envelope";
import { pageBySkipToken } from "../pagination";
import { route, Route } from "../router";

export const directoryRoutes: Route[] = [
  route("GET", "/directories", (ctx) => {
    const all = [...ctx.state.directories.values()].map((d) => ({
      directoryId: d.directoryId,
      name: d.name,
      contactCount: d.contacts.size,
      isDefault: d.isDefault,
      deduplicationCriteria: { ...d.deduplicationCriteria },
    }));
    const { elements, nextPage } = pageBySkipToken(all, ctx.page, { defaultPageSize: ctx.options.pageSize });
    return ok({ elements, nextPage });
  }),
];
