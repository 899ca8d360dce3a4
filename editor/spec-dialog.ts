// A dialog built from its node's specification (nodes/<type>/spec.ts), the same module the runtime
// adapter imports: the operations offered, the rows each operation shows and the ID prefixes checked.
import { specs, type NodeSpec } from "../nodes/lib/specs";
import { ID_PREFIX } from "../src/id-prefixes";
import { idOf } from "../src/input-shapes";
import { jq, type Node } from "./browser";
import { idInput, type IdFieldSpec } from "./picker";
import { fixed, nodeText, type Rule, type Rules } from "./validation";

/** the "operation from msg.operation" choice, which every part serves */
export const FROM_MSG = "msg";

function specOf(type: string): NodeSpec {
  const spec = (specs as Record<string, NodeSpec>)[type];
  if (!spec) throw new Error("qualtrics: no specification for " + type);
  return spec;
}

/** the operations a part of `type`'s dialog serves, as the `applies` map of a validator */
export function applies(type: string, part: string): Record<string, boolean> {
  const out: Record<string, boolean> = { [FROM_MSG]: true };
  for (const op of specOf(type).uses?.[part] ?? []) out[op] = true;
  return out;
}

/** the prefixes of an ID field, from the runtime's table */
export function prefixes(type: string, prop: string): readonly string[] {
  const kind = specOf(type).ids[prop];
  if (!kind) throw new Error("qualtrics: " + type + " has no ID field " + prop);
  return ID_PREFIX[kind];
}

/** the validator rule of an ID field, for V("typed", ...) */
export function idRule(type: string, prop: string): (r: Rules) => Rule {
  return (r) => r.id(prefixes(type, prop));
}

function option(node: Node, value: string, key: string) {
  return jq("<option></option>").val(value).text(nodeText(node, key));
}

/**
 * Fills a select with `values` (labels from the node's catalogue, key `keyPrefix` + value, the empty
 * value's `keyPrefix` + "default") and selects the node's value: Node-RED set the value before the
 * options existed.
 */
export function selectOptions(node: Node, prop: string, values: readonly string[], keyPrefix: string): void {
  const select = jq("#node-input-" + prop);
  select.empty();
  for (const v of values) select.append(option(node, v, keyPrefix + (v === "" ? "default" : v)));
  select.val(node[prop] ?? values[0]);
}

/** The operation select: the specification's operations (in its groups, if it has them) and the msg choice. */
export function operationSelect(node: Node, type: string, prop = "operation"): void {
  const spec = specOf(type);
  const operations = spec.operations ?? [];
  if (!spec.groups) return selectOptions(node, prop, [...operations, FROM_MSG], type + ".operation.");
  const select = jq("#node-input-" + prop);
  select.empty();
  for (const [name, ops] of Object.entries(spec.groups)) {
    const group = jq("<optgroup></optgroup>").attr("label", nodeText(node, type + ".group." + name));
    for (const op of ops) group.append(option(node, op, type + ".operation." + op));
    select.append(group);
  }
  select.append(option(node, FROM_MSG, type + ".operation." + FROM_MSG));
  select.val(node[prop] || operations[0]);
}

/**
 * Shows the rows of the parts the operation uses: an element of class <prefix><part> shows when any
 * of its parts apply (a tip can belong to two parts).
 */
export function showParts(type: string, operation: string, prefix: string): void {
  const uses = specOf(type).uses ?? {};
  for (const part of Object.keys(uses)) jq("." + prefix + part).hide();
  for (const part of Object.keys(uses)) if (applies(type, part)[operation]) jq("." + prefix + part).show();
}

export { specs };

/**
 * Shows the rows of the chosen operation's parts (showParts) as the dialog opens and whenever the
 * operation changes; the tip of class <prefix>msg shows for the operation from msg.operation, and
 * `also` shows what else the dialog has per operation.
 */
export function followOperation(type: string, prefix: string, also?: (operation: string) => void, prop = "operation"): void {
  const select = jq("#node-input-" + prop);
  const update = (): void => {
    const operation = select.val();
    showParts(type, operation, prefix);
    jq("." + prefix + FROM_MSG).toggle(operation === FROM_MSG);
    if (also) also(operation);
  };
  select.on("change", update);
  update();
}

/**
 * `type`'s ID field `prop` as a picker of `kind` (editor/picker.ts idInput), checked against the
 * prefixes its specification gives the field.
 */
export function picker(type: string, prop: string, kind: string, field: Omit<IdFieldSpec, "kind" | "prefixes"> = {}): void {
  idInput(prop, { ...field, kind, prefixes: prefixes(type, prop) });
}

/**
 * The parameters of a picker listing what is in the directory chosen above it; a directory from msg
 * or context is not known in the editor, so the picker says to choose one (`errorKey` of the node).
 */
export function inDirectory(node: Node, errorKey: string): () => { directoryId: string } | { error: string } {
  return () => {
    const d = fixed(node, "directoryId");
    return d ? { directoryId: d } : { error: nodeText(node, errorKey) };
  };
}

/**
 * The ID fixed in the dialog for `type`'s field `prop` when it has one of the field's prefixes, else
 * undefined: what a dependent picker can list for (the distributions or filters of a survey).
 */
export function fixedIdOf(type: string, prop: string): string | undefined {
  const v = fixed(undefined, prop);
  return v !== undefined && idOf(v, prefixes(type, prop)) ? v : undefined;
}
