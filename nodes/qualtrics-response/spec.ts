// What the response node can do, read by its runtime adapter (nodes/qualtrics-response/qualtrics-response.ts) and,
// through the editor library, by its dialog. Data only: scripts/build.js bundles it for the browser.
import type { NodeSpec } from "../lib/node-spec";

export const responseSpec = {
  type: "qualtrics-response",
  /** "msg" (the operation from msg.operation) comes last in the dialog */
  operations: ["get", "create", "update", "delete", "bulkUpdate"],
  /** the operations each part of the dialog serves (its rows carry the class qualtrics-response-<part>) */
  uses: {
    id: ["get", "update", "delete"],
    embedded: ["update"],
    values: ["create"],
    delete: ["delete"],
    bulk: ["bulkUpdate"],
  },
  ids: { surveyId: "survey", responseId: "response" },
} as const satisfies NodeSpec;
