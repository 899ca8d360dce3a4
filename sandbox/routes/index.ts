// Every /API/v3 route, in matching order (literal paths before parameter paths).
import { Route } from "../router";
import { contactRoutes } from "./contacts";
import { directoryRoutes } from "./directories";
import { distributionHistoryRoutes } from "./distribution-history";
import { emailDistributionRoutes } from "./distributions-email";
import { exportRoutes } from "./export";
import { smsDistributionRoutes } from "./distributions-sms";
import { libraryRoutes } from "./libraries";
import { mailingListImportRoutes } from "./mailing-list-imports";
import { mailingListRoutes } from "./mailing-lists";
import { responseRoutes } from "./responses";
import { subscriptionRoutes } from "./subscriptions";
import { surveyDefinitionRoutes } from "./survey-definitions";
import { surveyRoutes } from "./surveys";
import { transactionRoutes } from "./transactions";
import { userRoutes } from "./users";

export const apiRoutes: Route[] = [
  ...userRoutes,
  ...directoryRoutes,
  ...mailingListImportRoutes, // before contactRoutes: /contacts/optedOutContacts is not a contact ID
  ...contactRoutes,
  ...transactionRoutes,
  ...mailingListRoutes,
  ...libraryRoutes,
  ...surveyRoutes,
  ...exportRoutes,
  ...surveyDefinitionRoutes,
  ...responseRoutes,
  ...smsDistributionRoutes,
  ...emailDistributionRoutes,
  ...distributionHistoryRoutes,
  ...subscriptionRoutes,
];
