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
