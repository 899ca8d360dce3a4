// Pieces every dialog uses: which configuration the dialog has selected, rows shown per operation,
// and the configuration preselected when the workspace has exactly one.
import { jq, red, type Node } from "./browser";
import { typedFields } from "./typed-fields";

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

/** the node whose dialog is open: the pickers keep the names they show on it */
let editing: Node | undefined;

/**
 * What every dialog does as it opens: the configuration preselected, the node's names kept fresh,
 * the typed inputs its template declares made typed inputs.
 */
export function prepare(node: Node, prop = "qualtrics"): void {
  editing = node;
  preselectConfig(node, prop);
  typedFields();
}

/**
 * Keeps the name a picker shows for `prop` on the node being edited (`names`, saved with the flow),
 * so the workspace label shows it without asking Qualtrics; an ID that is gone drops its name.
 */
export function keepName(prop: string, id: string, name: string | undefined): void {
  if (!editing) return;
  const names: Record<string, { id: string; name: string }> = { ...(editing.names || {}) };
  if (name) names[prop] = { id, name };
  else delete names[prop];
  editing.names = names;
}

/** the saved name of `prop`, while the node still holds the ID it was saved for */
function savedName(node: Node, prop: string): string | undefined {
  const n = node.names && node.names[prop];
  return n && n.id === node[prop] && typeof n.name === "string" ? n.name : undefined;
}

/**
 * A node label with the name of the first of `props` that has one: the ID in the label is replaced
 * by it, or it is added after a colon. A node's own name wins, as in Node-RED's core nodes.
 */
export function named(props: readonly string[], label: (this: Node) => string): (this: Node) => string {
  return function () {
    const base = label.call(this);
    if (this.name) return base;
    for (const prop of props) {
      const name = savedName(this, prop);
      if (!name) continue;
      return base.includes(this[prop]) ? base.replace(this[prop], name) : base + ": " + name;
    }
    return base;
  };
}

/**
 * A node's workspace label by its operation: <type>.nodeLabel.<operation>, the "from msg" label when
 * the operation has none. A node's own name wins, as in Node-RED's core nodes.
 */
export function operationLabel(type: string, prop = "operation"): (this: Node) => string {
  return function () {
    if (this.name) return this.name;
    const key = type + ".nodeLabel." + (this[prop] || "msg");
    const text = this._(key);
    return text && text !== key ? text : this._(type + ".nodeLabel.msg");
  };
}
