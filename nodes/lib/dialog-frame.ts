// The frame every palette node's dialog HTML shares, written once: scripts/build.js composes each
// node's built HTML from its definition (nodes/<type>/editor.js), this frame and its rows
// (nodes/<type>/template.ts). Runs at build time only.
//
// Why at build time: the Flow Library and node-red-dev read a literal
// `RED.nodes.registerType('<type>', { … })` with inline category, colour, icon and defaults, and
// node-red-dev fails on a spread inside it (docs/node-red-facts.md §1.3), so the shared members cannot come
// from a library call in the browser. They are added to the literal here, where the definition
// leaves them out; a member the definition writes itself is its own and is left alone.

export const LIBRARY_SRC = "resources/@xmflows/node-red-qualtrics/qualtrics-editor.js";

const CATEGORY = "Qualtrics";
const COLOR = "#7EB6CE";

/** what every palette node's definition has, unless it writes its own */
function members(type: string, inputs: boolean): [string, string][] {
  return [
    ["paletteLabel", `function () { return this._("${type}.paletteLabel"); }`],
    // a node's own name shows in italics, as in Node-RED's core nodes
    ["labelStyle", `function () { return this.name ? "node_label_italic" : ""; }`],
    ...(inputs ? [["inputLabels", `function () { return this._("${type}.inputLabel"); }`] as [string, string]] : []),
    ["outputLabels", `function () { return this._("${type}.outputLabel"); }`],
    // a node dropped from the palette gets the only configuration there is (editor/dialog.ts)
    ["onadd", `function () { Q.preselectConfig(this); }`],
  ];
}

const DEFAULTS: [string, string][] = [
  ["name", `{ value: "" }`],
  ["qualtrics", `{ value: "", type: "qualtrics-config", required: true }`],
];

function declares(definition: string, member: string, indent: number): boolean {
  return new RegExp(`^ {${indent}}${member}:`, "m").test(definition);
}

function lines(pairs: [string, string][], indent: number): string {
  return pairs.map(([k, v]) => `${" ".repeat(indent)}${k}: ${v},\n`).join("");
}

/**
 * A palette node's definition with the shared members added (category, colour, name and
 * configuration defaults, palette and port labels, the label style, the configuration on add). A
 * configuration node's definition (category 'config') is returned as it is.
 */
export function framed(type: string, definition: string): string {
  const open = new RegExp(`^RED\\.nodes\\.registerType\\('${type}', \\{\\n`, "m").exec(definition);
  if (!open) throw new Error(`${type}: editor.js has no line RED.nodes.registerType('${type}', {`);
  if (declares(definition, "category", 4)) return definition;
  const defaultsAt = definition.indexOf("    defaults: {\n", open.index);
  const iconLine = /^ {4}icon: .*\n/m.exec(definition);
  if (defaultsAt < 0 || !iconLine) throw new Error(`${type}: editor.js needs its defaults and its icon`);
  const inputs = !/^ {4}inputs: 0,/m.test(definition);
  const ownDefaults = DEFAULTS.filter(([k]) => !declares(definition, k, 8));
  const ownMembers = members(type, inputs).filter(([k]) => !declares(definition, k, 4));
  const afterDefaults = defaultsAt + "    defaults: {\n".length;
  const afterIcon = iconLine.index + iconLine[0].length;
  return (
    definition.slice(0, open.index + open[0].length) +
    lines([["category", `'${CATEGORY}'`], ["color", `'${COLOR}'`]], 4) +
    definition.slice(open.index + open[0].length, afterDefaults) +
    lines(ownDefaults, 8) +
    definition.slice(afterDefaults, afterIcon) +
    lines(ownMembers, 4) +
    definition.slice(afterIcon)
  );
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => (line ? "    " + line : line))
    .join("\n");
}

/**
 * A node's dialog HTML: the editor library's <script src>, its framed definition in a function that
 * hands it the library as Q, its type as TYPE and the validators as V, then its rows.
 */
export function dialogHtml(type: string, definition: string, template: string): string {
  return [
    `<script src="${LIBRARY_SRC}"></script>`,
    `<script type="text/javascript">`,
    `(function (Q, TYPE) {`,
    `    "use strict";`,
    `    var V = Q.V, tr = Q.nodeText, val = Q.field;`,
    indent(framed(type, definition.replace(/\n+$/, ""))),
    `})(window.NodeRedQualtrics, ${JSON.stringify(type)});`,
    `</script>`,
    ``,
    template,
    ``,
  ].join("\n");
}
