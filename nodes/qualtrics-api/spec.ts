// The API node's methods, read by its runtime adapter (nodes/qualtrics-api/qualtrics-api.ts) and, through the
// editor library, by its dialog. Data only: scripts/build.js bundles it for the browser.
import type { NodeSpec } from "../lib/node-spec";

export const apiSpec = {
  type: "qualtrics-api",
  /** "msg" (the method from msg.method) comes last in the dialog */
  methods: ["GET", "POST", "PUT", "DELETE", "PATCH"],
  ids: {},
} as const satisfies NodeSpec;
