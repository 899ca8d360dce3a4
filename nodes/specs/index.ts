// Every node's specification by node type: the editor library exposes this very object as
// NodeRedQualtrics.specs, and each runtime adapter imports its own entry's module.
import { contactSpec } from "./qualtrics-contact";
import { distributionSpec } from "./qualtrics-distribution";
import { mailingListSpec } from "./qualtrics-mailing-list";
import { responseSpec } from "./qualtrics-response";
import { surveySpec } from "./qualtrics-survey";

export type { NodeSpec } from "./spec";

export const specs = {
  [contactSpec.type]: contactSpec,
  [distributionSpec.type]: distributionSpec,
  [mailingListSpec.type]: mailingListSpec,
  [responseSpec.type]: responseSpec,
  [surveySpec.type]: surveySpec,
} as const;
