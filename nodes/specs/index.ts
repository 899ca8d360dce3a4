// Every node's specification by node type: the editor library exposes this very object as
// NodeRedQualtrics.specs, and each runtime adapter imports its own entry's module.
import { apiSpec } from "./qualtrics-api";
import { contactSpec } from "./qualtrics-contact";
import { distributionSpec } from "./qualtrics-distribution";
import { exportSpec } from "./qualtrics-export";
import { inviteSpec } from "./qualtrics-invite";
import { mailingListSpec } from "./qualtrics-mailing-list";
import { responseSpec } from "./qualtrics-response";
import { responseInSpec } from "./qualtrics-response-in";
import { responsePollSpec } from "./qualtrics-response-poll";
import { surveySpec } from "./qualtrics-survey";

export type { NodeSpec } from "./spec";

export const specs = {
  [apiSpec.type]: apiSpec,
  [contactSpec.type]: contactSpec,
  [distributionSpec.type]: distributionSpec,
  [exportSpec.type]: exportSpec,
  [inviteSpec.type]: inviteSpec,
  [mailingListSpec.type]: mailingListSpec,
  [responseSpec.type]: responseSpec,
  [responseInSpec.type]: responseInSpec,
  [responsePollSpec.type]: responsePollSpec,
  [surveySpec.type]: surveySpec,
} as const;
