// Every node's specification by node type: the editor library exposes this very object as
// NodeRedQualtrics.specs, and each runtime adapter imports its own entry's module.
import { apiSpec } from "../qualtrics-api/spec";
import { configSpec } from "../qualtrics-config/spec";
import { contactSpec } from "../qualtrics-contact/spec";
import { distributionSpec } from "../qualtrics-distribution/spec";
import { exportSpec } from "../qualtrics-export/spec";
import { inviteSpec } from "../qualtrics-invite/spec";
import { mailingListSpec } from "../qualtrics-mailing-list/spec";
import { responseSpec } from "../qualtrics-response/spec";
import { responseInSpec } from "../qualtrics-response-in/spec";
import { responsePollSpec } from "../qualtrics-response-poll/spec";
import { surveySpec } from "../qualtrics-survey/spec";

export type { NodeSpec } from "./node-spec";

export const specs = {
  [apiSpec.type]: apiSpec,
  [configSpec.type]: configSpec,
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
