// What the export node offers, read by its runtime adapter (nodes/qualtrics-export.ts), by
// src/export.ts for the formats, and, through the editor library, by its dialog. Data only:
// scripts/build.js bundles it for the browser.
import type { NodeSpec } from "./spec";

/** formats the node can read response by response (docs/qualtrics-api.md §7.2) */
const recordFormats = ["json", "ndjson", "csv", "tsv"] as const;

export const exportSpec = {
  type: "qualtrics-export",
  recordFormats,
  /** what Qualtrics can export; the last two only as a file */
  fileFormats: [...recordFormats, "spss", "xml"],
  /** what the node sends: one message per response, one with all, the file as a Buffer, the file on disk */
  outputs: ["split", "array", "buffer", "file"],
  ids: { surveyId: "survey" },
} as const satisfies NodeSpec;
