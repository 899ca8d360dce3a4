// The response trigger's one ID field, read by its runtime adapter (nodes/qualtrics-response-in/qualtrics-response-in.ts)
// and, through the editor library, by its dialog. Data only: scripts/build.js bundles it.
import type { NodeSpec } from "../lib/node-spec";

export const responseInSpec = {
  type: "qualtrics-response-in",
  ids: { surveyId: "survey" },
} as const satisfies NodeSpec;
