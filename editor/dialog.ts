// Pieces every dialog uses: which configuration the dialog has selected, rows shown per operation,
// and the configuration preselected when the workspace has exactly one.
import { jq, red, type Node } from "./browser";

export const CONFIG_TYPE = "qualtrics-config";

/** the config node a user node's dialog has selected */
export function selectedConfig(prop?: string): () => string {
  return () => jq("#node-input-" + (prop || "qualtrics")).val();
}

/** show or hide a field's whole form row */
export function showRow(prop: string, visible: boolean): void {
  const row = jq("#node-input-" + prop).closest(".form-row");
  if (visible) row.show();
  else row.hide();
}

/** the only qualtrics-config of the workspace, if there is exactly one */
export function onlyConfig(): string | undefined {
  const found: string[] = [];
  red().nodes.eachConfig((n: Node) => {
    if (n.type === CONFIG_TYPE) found.push(n.id);
  });
  return found.length === 1 ? found[0] : undefined;
}

/**
 * A node dropped from the palette (its `onadd`) or a dialog opened without a configuration gets the
 * only configuration there is, so a newcomer does not meet "none" beside the one they made. In a
 * dialog only the select changes: Cancel leaves the node as it was.
 */
export function preselectConfig(node: Node, prop = "qualtrics"): void {
  if (node[prop]) return;
  const only = onlyConfig();
  if (!only) return;
  const select = jq("#node-input-" + prop);
  if (!select.length) {
    node[prop] = only;
    return;
  }
  const current = select.val();
  if (!current || current === "_ADD_" || current === "none") select.val(only).trigger("change");
}
