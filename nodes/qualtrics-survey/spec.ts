// What the survey node can do, read by its runtime adapter (nodes/qualtrics-survey/qualtrics-survey.ts) and, through
// the editor library, by its dialog. Data only: scripts/build.js bundles it for the browser.
import type { NodeSpec } from "../lib/node-spec";

export const surveySpec = {
  type: "qualtrics-survey",
  /** "msg" (the operation from msg.operation) comes last in the dialog */
  operations: ["list", "get", "definition", "questions", "questionMap", "label"],
  /** the operations each row of the dialog serves */
  uses: {
    survey: ["get", "definition", "questions", "questionMap", "label"],
    limit: ["list"],
    output: ["list", "questions"],
    target: ["label"],
  },
  ids: { surveyId: "survey" },
} as const satisfies NodeSpec;
