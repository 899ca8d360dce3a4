// What the mailing list node can do, read by its runtime adapter (nodes/qualtrics-mailing-list/qualtrics-mailing-list.ts) and,
// through the editor library, by its dialog. Data only: scripts/build.js bundles it for the browser.
import type { NodeSpec } from "../lib/node-spec";

/** the dialog's option groups (catalogue key qualtrics-mailing-list.group.<name>), in its order */
const groups = {
  lists: ["lists", "get", "create", "rename", "delete"],
  members: ["members", "getMember", "addMember", "updateMember", "removeMember", "import"],
  reach: ["optedOut", "directoryOptedOut", "bounced"],
} as const;

export const mailingListSpec = {
  type: "qualtrics-mailing-list",
  /** "msg" (the operation from msg.operation) comes last in the dialog */
  operations: [...groups.lists, ...groups.members, ...groups.reach],
  groups,
  /** the operations each part of the dialog serves (its rows carry the class qualtrics-ml-<part>) */
  uses: {
    list: ["get", "rename", "delete", "members", "getMember", "addMember", "updateMember", "removeMember", "import", "optedOut", "bounced"],
    contact: ["getMember", "updateMember", "removeMember"],
    name: ["create", "rename"],
    fields: ["addMember", "updateMember"],
    paging: ["lists", "members", "optedOut", "directoryOptedOut", "bounced"],
    import: ["import"],
  },
  /** a member's own fields a write sends */
  fields: ["firstName", "lastName", "email", "phone", "extRef", "embeddedData", "language", "unsubscribed"],
  ids: { directoryId: "directory", mailingListId: "mailingList", contactId: "contact" },
} as const satisfies NodeSpec;
