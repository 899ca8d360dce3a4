// What the invite node needs, read by its runtime adapter (nodes/qualtrics-invite.ts) and, through
// the editor library, by its dialog. Data only: scripts/build.js bundles it for the browser.
import { contactSpec } from "./qualtrics-contact";
import { distributionSpec } from "./qualtrics-distribution";
import type { NodeSpec } from "./spec";

export const inviteSpec = {
  type: "qualtrics-invite",
  channels: distributionSpec.channels,
  /** what finds the person among the directory's contacts: the contact node's upsert keys */
  matchKeys: contactSpec.upsertKeys,
  linkTypes: distributionSpec.linkTypes,
  ids: {
    directoryId: "directory",
    mailingListId: "mailingList",
    surveyId: "survey",
    libraryId: "library",
    messageId: "message",
  },
} as const satisfies NodeSpec;
