// The polling trigger's one ID field, read by its runtime adapter (nodes/qualtrics-response-poll/qualtrics-response-poll.ts)
// and, through the editor library, by its dialog. Data only: scripts/build.js bundles it.
import type { NodeSpec } from "../lib/node-spec";

export const responsePollSpec = {
  type: "qualtrics-response-poll",
  ids: { surveyId: "survey" },
} as const satisfies NodeSpec;
