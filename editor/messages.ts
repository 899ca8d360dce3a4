// What the dialogs that send distributions (distribution, invite) share about the message: the
// library message picker lists the library chosen above it, and a message is a library one or a text.
import type { Node } from "./browser";
import { ID_PREFIX } from "../src/id-prefixes";
import { idOf } from "../src/input-shapes";
import type { Params } from "./lookup";
import { fixed, nodeText } from "./validation";

/**
 * The `params` of the messageId picker (idInput kind "messages"): the library chosen above and the
 * message category `category` returns (all categories when undefined); while no listable library
 * is chosen, the text of the node's catalogue key `needsLibrary`.
 */
export function messageParams(node: Node, needsLibrary: string, category: () => string | undefined): () => Params {
  return (): Params => {
    const libraryId = fixed(undefined, "libraryId");
    // a user's (UR_) or a group's (GR_) library, fixed in the dialog: only such a one can be listed
    if (!libraryId || !idOf(libraryId, ID_PREFIX.library)) return { error: node._(needsLibrary) };
    const c = category();
    return c ? { libraryId, category: c } : { libraryId };
  };
}

/**
 * The message is a library message or a text written in the dialog, not both, as src/distributions.ts
 * refuses; `bothKey` is the node's catalogue key of the error.
 */
export function textOrLibraryMessage(node: Node | undefined, bothKey: string): true | string {
  const text = fixed(node, "messageText");
  return text && (fixed(node, "libraryId") || fixed(node, "messageId")) ? nodeText(node, bothKey) : true;
}
