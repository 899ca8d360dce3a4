// What the invite node needs, read by its runtime adapter (nodes/qualtrics-invite/qualtrics-invite.ts) and, through
// the editor library, by its dialog. Data only: scripts/build.js bundles it for the browser.
import { contactSpec } from "../qualtrics-contact/spec";
import { distributionSpec } from "../qualtrics-distribution/spec";
import type { NodeSpec } from "../lib/node-spec";

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
