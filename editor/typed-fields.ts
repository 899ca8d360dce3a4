// The typed inputs a dialog's template declares (nodes/lib/dialog-template.ts writes
// data-qualtrics-types="str,msg,..." on them), made typed inputs when the dialog opens, so the dialog
// scripts do not repeat the same typedInput call for every field.
import { jq } from "./browser";

/** Makes every declared, not yet prepared typed input of the open dialog one; the first type is its default. */
export function typedFields(): void {
  jq("input[id^='node-input-'][data-qualtrics-types]").each(function (this: unknown) {
    const input = jq(this);
    if (input.data("qualtrics-typed")) return;
    input.data("qualtrics-typed", true);
    const types = String(input.attr("data-qualtrics-types")).split(",");
    input.typedInput({ default: types[0], typeField: "#" + input.attr("id") + "Type", types });
  });
}

/**
 * A typed input that may stay "not set" (its first type, labelled <type>.type.none, sends nothing),
 * such as a contact's unsubscribed flag in the contact fields both the contact and the mailing list
 * dialogs have (nodes/lib/dialog-template.ts contactFields): otherwise true/false or from msg/context.
 */
export function optionalTyped(node: { _: (key: string) => string }, type: string, prop: string, types: readonly string[] = ["bool", "msg", "flow", "global"]): void {
  jq("#node-input-" + prop).typedInput({
    default: "none",
    typeField: "#node-input-" + prop + "Type",
    types: [{ value: "none", label: node._(type + ".type.none"), hasValue: false }, ...types],
  });
}
