// Every /API/v3 route, in matching order (literal paths before parameter paths).
import { Route } from "../router";
import { contactRoutes } from "./contacts";
import { directoryRoutes } from "./directories";
import { emailDistributionRoutes } from "./distributions-email";
import { smsDistributionRoutes } from "./distributions-sms";
import { libraryRoutes } from "./libraries";
import { mailingListRoutes } from "./mailing-lists";
import { subscriptionRoutes } from "./subscriptions";
import { surveyRoutes } from "./surveys";
import { userRoutes } from "./users";

export const apiRoutes: Route[] = [
  ...userRoutes,
  ...directoryRoutes,
  ...contactRoutes,
  ...mailingListRoutes,
  ...libraryRoutes,
  ...surveyRoutes,
  ...smsDistributionRoutes,
  ...emailDistributionRoutes,
  ...subscriptionRoutes,
];
