// GET /whoami (docs/qualtrics-facts.md §1.5)
import { ok } from "../envelope";
import { route, Route } from "../router";

export const userRoutes: Route[] = [
  route("GET", "/whoami", (ctx) => {
    const u = ctx.state.user;
    return ok({
      brandId: ctx.state.brandId,
      userId: u.userId,
      userName: u.userName,
      accountType: u.accountType,
      firstName: u.firstName,
      lastName: u.lastName,
      email: u.email,
      datacenter: ctx.state.dataCenter,
    });
  }),
];
