// What the export node offers, read by its runtime adapter (nodes/qualtrics-export/qualtrics-export.ts), by
// src/export.ts for the formats, and, through the editor library, by its dialog. Data only:
// scripts/build.js bundles it for the browser.
import { FILE_FORMATS, RECORD_FORMATS } from "../../src/api-values";
import type { NodeSpec } from "../lib/node-spec";

export const exportSpec = {
  type: "qualtrics-export",
  recordFormats: RECORD_FORMATS,
  /** what Qualtrics can export; the last two only as a file */
  fileFormats: FILE_FORMATS,
  /** what the node sends: one message per response, one with all, the file as a Buffer, the file on disk */
  outputs: ["split", "array", "buffer", "file"],
  ids: { surveyId: "survey" },
} as const satisfies NodeSpec;
