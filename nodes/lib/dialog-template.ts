// The pieces every dialog is made of, written once. Each node's nodes/<type>/template.ts lists its
// rows with these; scripts/build.js renders the list into the node's built HTML (the
// `data-template-name` block, where the source HTML has the `<!-- template -->` marker), so Node-RED,
// the Flow Library and the scorecard see plain HTML. Runs at build time only, never in the runtime.
//
// Every label and placeholder is a catalogue key of the node (<type>.label.<prop>,
// <type>.placeholder.<prop>, <type>.tip.<key>), so both locales translate the generated rows.
// Typed inputs say their types in `data-qualtrics-types`; the editor library's `prepare` makes them
// typed inputs (editor/typed-fields.ts), so a dialog script only sets up what is special about it.

/** a piece of the dialog: rendered with the node type it belongs to */
export type Row = (type: string) => string;

/** what a row may say about itself; `part` classes tie it to the operations that use it */
export interface RowOptions {
  /** Font Awesome icon name without `fa-`; none for rows under a heading */
  icon?: string;
  /** extra classes of the row (the dialog script shows and hides rows by them) */
  cls?: string;
  /** a placeholder from the catalogue: true for <type>.placeholder.<prop>, or another key of <type> */
  placeholder?: boolean | string;
  /** the label's key under <type>, when it is not label.<prop> */
  label?: string;
  /** the input's width (CSS), 70% by default */
  width?: string;
  /** a text after the input, a key under <type> */
  after?: string;
}

/** The value types a typed input offers, by name; the first is its default. */
export const TYPES = {
  str: ["str", "msg", "flow", "global", "env", "jsonata"],
  json: ["json", "msg", "flow", "global", "jsonata"],
  num: ["num", "msg", "flow", "global", "env", "jsonata"],
  bool: ["bool", "msg", "flow", "global", "env"],
  msg: ["msg", "flow", "global"],
} as const;
export type TypeList = keyof typeof TYPES;

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

function classes(base: string, extra?: string): string {
  return extra ? `${base} ${extra}` : base;
}

function label(type: string, prop: string, o: RowOptions, key = o.label ?? `label.${prop}`): string {
  const icon = o.icon ? `<i class="fa fa-${o.icon}"></i> ` : "";
  return `<label for="node-input-${prop}">${icon}<span data-i18n="${type}.${key}"></span></label>`;
}

function placeholder(type: string, prop: string, o: RowOptions): string {
  if (!o.placeholder) return "";
  const key = o.placeholder === true ? `placeholder.${prop}` : o.placeholder;
  return ` data-i18n="[placeholder]${type}.${key}"`;
}

function after(type: string, o: RowOptions): string {
  return o.after ? ` <span data-i18n="${type}.${o.after}"></span>` : "";
}

function formRow(cls: string | undefined, lines: string[]): string {
  return [`<div class="${classes("form-row", cls)}">`, ...lines.map((l) => "    " + l), "</div>"].join("\n");
}

/** A typed input and its hidden type field; `types` names the list prepare() gives it. */
export function typed(prop: string, types: TypeList | null, o: RowOptions = {}): Row {
  return (type) => {
    const data = types ? ` data-qualtrics-types="${TYPES[types].join(",")}"` : "";
    return formRow(o.cls, [
      label(type, prop, o),
      `<input type="text" id="node-input-${prop}" style="width: ${o.width ?? "70%"};"${placeholder(type, prop, o)}${data}>${after(type, o)}`,
      `<input type="hidden" id="node-input-${prop}Type">`,
    ]);
  };
}

/** A text field a string ("str" and the usual msg/flow/global/env/JSONata types). */
export const text = (prop: string, o: RowOptions = {}): Row => typed(prop, "str", o);

/** An ID field: the dialog script makes it a picker by name (idInput), so it has no types here. */
export const id = (prop: string, o: RowOptions = {}): Row => typed(prop, null, { placeholder: true, ...o });

/** A plain input (a number of seconds, a page size), with an optional text after it. */
export function plain(prop: string, o: RowOptions = {}): Row {
  return input(prop, { ...o, width: o.width ?? "100px" });
}

/** A select; `options` are values labelled <type>.<optionKey>.<value>, or none when the script fills it from the spec. */
export function select(prop: string, o: RowOptions & { options?: readonly string[]; optionKey?: string } = {}): Row {
  return choices(prop, (o.options ?? []).map((v) => [v, `${o.optionKey ?? prop}.${v}`] as const), o);
}

/** A checkbox with its text beside it (<type>.label.<prop>). */
export function checkbox(prop: string, o: RowOptions = {}): Row {
  return (type) =>
    formRow(o.cls, [
      `<label>&nbsp;</label>`,
      `<input type="checkbox" id="node-input-${prop}" style="display: inline-block; width: auto; vertical-align: top;">`,
      `<label for="node-input-${prop}" style="width: 70%;"><span data-i18n="${type}.${o.label ?? `label.${prop}`}"></span></label>`,
    ]);
}

/** A tip under the rows it explains: <type>.tip.<key>. */
export function tip(key: string, o: { cls?: string; last?: boolean } = {}): Row {
  return (type) => `<div class="${classes("form-tips", o.cls)}" data-i18n="${type}.tip.${key}"${o.last ? "" : ' style="margin-bottom: 12px;"'}></div>`;
}

/** A bold heading over a group of rows: <type>.label.<key>. */
export function heading(key: string, icon: string, o: { cls?: string } = {}): Row {
  return (type) => formRow(o.cls, [`<label style="width: auto;"><i class="fa fa-${icon}"></i> <b data-i18n="${type}.label.${key}"></b></label>`]);
}

/** Rows shown and hidden together. */
export function group(cls: string, rows: readonly Row[]): Row {
  return (type) => [`<div class="${cls}">`, ...rows.map((r) => indent(r(type))), "</div>"].join("\n");
}

function indent(block: string): string {
  return block
    .split("\n")
    .map((l) => "    " + l)
    .join("\n");
}

/** The node's name, as Node-RED's core nodes have it. */
export const name: Row = () =>
  formRow(undefined, [
    `<label for="node-input-name"><i class="fa fa-tag"></i> <span data-i18n="node-red:common.label.name"></span></label>`,
    `<input type="text" id="node-input-name" data-i18n="[placeholder]node-red:common.label.name">`,
  ]);

/** The qualtrics-config select (Node-RED fills it from the `qualtrics` default's type). */
export const config: Row = (type) => formRow(undefined, [label(type, "qualtrics", { icon: "server" }), `<input type="text" id="node-input-qualtrics">`]);

/** The operation select, filled from the node's specification by the dialog script. */
export const operation = (o: RowOptions = {}): Row => select("operation", { icon: "wrench", ...o });

/** What every node with a configuration starts with: name, then configuration. */
export const head: readonly Row[] = [name, config];

/**
 * The rows of a node that sends a list: how many items at most, the page size it asks Qualtrics
 * for, and one message or one per item. Tips after the numbers are <type>.tip.limit / tip.pageSize.
 */
export function listing(cls: string, o: { pageSize?: boolean } = {}): Row {
  return group(cls, [
    plain("limit", { icon: "filter", after: "tip.limit" }),
    ...(o.pageSize === false ? [] : [plain("pageSize", { icon: "files-o", after: "tip.pageSize" })]),
    select("output", { icon: "sign-out", options: ["array", "split"] }),
  ]);
}

/** A contact's own fields, as a contact write and a mailing list member write send them. */
export function contactFields(cls: string): Row {
  return group(cls, [
    heading("fields", "id-card-o"),
    ...["firstName", "lastName", "email", "phone", "extRef"].map((p) => text(p, { placeholder: "placeholder.field" })),
    text("language", { placeholder: true }),
    typed("embeddedData", "json", { placeholder: true }),
    typed("unsubscribed", null),
    tip("fields"),
  ]);
}

/** The whole template block of `type`'s dialog. */
export function template(type: string, rows: readonly Row[]): string {
  return [`<script type="text/html" data-template-name="${type}">`, ...rows.map((r) => indent(r(type))), "</script>"].join("\n");
}

/**
 * A distribution's message: a library message picked by ID, or a text written here (the email or
 * SMS invitations of the distribution and invitation nodes).
 */
export function messageRows(): Row[] {
  return [id("libraryId"), id("messageId"), text("messageText", { placeholder: true })];
}

/**
 * An email distribution's sender, subject, link type and expiry, rows of class `cls`; the link type
 * is the dialog's own (a select or a typed input with fixed choices).
 */
export function senderRows(cls: string, linkType: Row): Row[] {
  return [
    text("fromEmail", { placeholder: true, cls }),
    text("fromName", { placeholder: true, cls }),
    text("replyToEmail", { placeholder: true, cls }),
    text("subject", { placeholder: true, cls }),
    linkType,
    text("expirationDate", { placeholder: true, cls }),
  ];
}

/** A checkbox inside its own label (<type>.label.<prop>), for an option under a heading. */
export function inlineCheckbox(prop: string, o: { cls?: string } = {}): Row {
  return (type) =>
    formRow(o.cls, [
      `<label for="node-input-${prop}" style="width: auto;">`,
      `    <input type="checkbox" id="node-input-${prop}" style="display: inline-block; width: auto; vertical-align: top; margin-right: 6px;">`,
      `    <span data-i18n="${type}.label.${prop}"></span>`,
      `</label>`,
    ]);
}

/**
 * The survey a trigger watches, picked by name; `plain` where the survey is a plain property without
 * types (the webhook trigger's, which Qualtrics needs fixed to register the subscription).
 */
export function survey(o: { plain?: boolean } = {}): Row {
  return o.plain ? plain("surveyId", { icon: "list-alt", width: "70%", placeholder: true }) : id("surveyId", { icon: "list-alt" });
}

/** What an input without types may say beyond RowOptions. */
export interface InputOptions extends Omit<RowOptions, "width"> {
  /** the input's width (CSS), 70% by default; null for none (a configuration node's form sizes its own) */
  width?: string | null;
  /** a secret (a credential): the browser shows dots */
  password?: boolean;
  /** the browser's autocomplete, "off" where it would offer a saved password for a client secret */
  autocomplete?: string;
}

/** A text or password input without types: an address, a key, a configuration node's field. */
export function input(prop: string, { width: w, ...o }: InputOptions = {}): Row {
  return (type) => {
    const width = w === null ? "" : ` style="width: ${w ?? "70%"};"`;
    const auto = o.autocomplete ? ` autocomplete="${escape(o.autocomplete)}"` : "";
    const field = `<input type="${o.password ? "password" : "text"}" id="node-input-${prop}"${width}${auto}${placeholder(type, prop, o)}>`;
    return formRow(o.cls, [label(type, prop, o), field + after(type, o)]);
  };
}

/** A row of lines of its own (a button, a computed address): `lines` gets the node type for its keys. */
export function custom(lines: (type: string) => readonly string[], o: { cls?: string } = {}): Row {
  return (type) => formRow(o.cls, [...lines(type)]);
}

/** `row` with an inline style on its outer element, which must have none of its own (a tip with `last`). */
export function styled(style: string, row: Row): Row {
  return (type) => row(type).replace(">", ` style="${escape(style)}">`);
}

/** `row` hidden until the dialog script shows it (rows of an option that is off by default). */
export const hidden = (row: Row): Row => styled("display: none;", row);

/**
 * Rows that open and close under a link (<type>.label.<key>), closed at first: the link is
 * `<id>-toggle`, the rows are in `<id>`; the dialog script opens them.
 */
export function section(id: string, key: string, rows: readonly Row[]): Row {
  return (type) =>
    [
      formRow(undefined, [
        `<a href="#" id="${id}-toggle" class="qualtrics-section-toggle" aria-controls="${id}" aria-expanded="false"><i class="fa fa-caret-right"></i> <span data-i18n="${type}.label.${key}"></span></a>`,
      ]),
      `<div id="${id}" style="display: none;">`,
      ...rows.map((r) => indent(r(type))),
      "</div>",
    ].join("\n");
}

/**
 * `rows` in a configuration node's form: Node-RED finds its inputs by node-config-input-<prop>
 * (the node-input- ids and labels' `for` of the other pieces, renamed; keys are left alone).
 */
export function configForm(rows: readonly Row[]): Row[] {
  return rows.map((r) => (type: string) => r(type).replace(/ (id|for)="node-input-/g, ' $1="node-config-input-'));
}

/** A checkbox whose label stands left like the other rows' (<type>.label.<prop>), with a text after it. */
export function labelledCheckbox(prop: string, o: RowOptions = {}): Row {
  return (type) =>
    formRow(o.cls, [
      label(type, prop, o),
      `<input type="checkbox" id="node-input-${prop}" style="display: inline-block; width: auto; vertical-align: top;">`,
      ...(o.after ? [`<span data-i18n="${type}.${o.after}"></span>`] : []),
    ]);
}

/**
 * A select whose options are labelled by the keys given (under <type>), value first:
 * [["", "choice.payload"], ...]; none when the dialog script fills it (from the spec).
 */
export function choices(prop: string, options: readonly (readonly [string, string])[], o: RowOptions = {}): Row {
  return (type) => {
    const open = `<select id="node-input-${prop}" style="width: ${o.width ?? "70%"};">`;
    const opts = options.map(([v, key]) => `    <option value="${escape(v)}" data-i18n="${type}.${key}"></option>`);
    return formRow(o.cls, [label(type, prop, o), ...(opts.length ? [open, ...opts, "</select>"] : [open + "</select>"])]);
  };
}
