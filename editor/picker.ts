// The "qualtrics" typedInput type: the ID as text, with suggestions (names) while typing and a button
// that opens the list with a search and a reload button. The server searches and pages (an account
// may hold thousands of surveys): the panel shows the first matches and loads more on request.
import { documentOf, jq, red, t } from "./browser";
import { keepName } from "./dialog";
import { describe, load, MOST, PAGE, question, type Item, type LookupSpec } from "./lookup";
import { injectStyle } from "./style";
import { isEnv, PICKER, rules } from "./validation";

/** the pause in typing after which the server is asked */
const TYPING_MS = 300;
const KEY_ENTER = 13;
const KEY_DOWN = 40;
const KEY_ESCAPE = 27;

export interface PickerSpec extends LookupSpec {
  /** the id of the typedInput's <input> */
  input: string;
  prefixes?: readonly string[];
}

function openPanel(spec: PickerSpec): void {
  injectStyle();
  const input = jq("#" + spec.input);
  let target = input.next(".red-ui-typedInput-container");
  if (!target.length) target = input;
  const current = input.typedInput("value");
  const box = jq('<div class="qualtrics-picker"></div>');
  const top = jq('<div class="qualtrics-picker-top"></div>').appendTo(box);
  // contacts are found by what XM Directory searches (nodes/lib/contact-lookup.ts), the rest by name or ID
  const filterText = t(spec.kind === "contacts" ? "qualtrics-config.picker.filterContacts" : "qualtrics-config.picker.filter");
  const filter = jq('<input type="text" autocomplete="off">').attr("placeholder", filterText).appendTo(top);
  const reload = jq('<button type="button" class="red-ui-button red-ui-button-small"><i class="fa fa-refresh"></i></button>')
    .attr("title", t("qualtrics-config.picker.refresh"))
    .attr("aria-label", t("qualtrics-config.picker.refresh"))
    .appendTo(top);
  const status = jq('<div class="qualtrics-picker-status" role="status"></div>').appendTo(box);
  const list = jq('<ul class="qualtrics-picker-list" role="listbox"></ul>').appendTo(box);
  const moreButton = jq('<button type="button" class="red-ui-button red-ui-button-small qualtrics-picker-more"></button>').text(t("qualtrics-config.picker.loadMore")).hide().appendTo(box);
  let items: Item[] = [];
  let more = false;
  let capped = false;
  let limit = PAGE;
  const panel = red().popover.panel(box);

  function render(): void {
    list.empty();
    for (const item of items) {
      const a = jq('<a href="#" role="option"></a>').attr("title", item.label + " (" + item.value + ")");
      jq("<span></span>").text(item.label).appendTo(a);
      jq('<span class="qualtrics-picker-detail"></span>').text(describe(item)).appendTo(a);
      if (item.value === current) a.addClass("qualtrics-current");
      a.data("value", item.value);
      jq("<li></li>").append(a).appendTo(list);
    }
    moreButton.toggle(more && limit < MOST);
    if (status.hasClass("qualtrics-error") || !items.length) return;
    if (capped) status.text(t("qualtrics-config.picker.capped", { shown: items.length }));
    else status.text(more ? t("qualtrics-config.picker.first", { shown: items.length }) : t("qualtrics-config.picker.count", { count: items.length }));
  }

  // chosen on the press, not the click: the list may be drawn again (an answer arriving) between
  // press and release, and a click needs both on the same element. The panel goes at the release,
  // so the release cannot land on the dialog under it. Enter on the filter still clicks.
  function choose(evt: Event): void {
    evt.preventDefault();
    input.typedInput("value", jq(evt.currentTarget).data("value"));
  }
  list.on("mousedown", "a", (evt: MouseEvent) => {
    if (evt.button !== 0) return;
    choose(evt);
    jq(documentOf()).one("mouseup", () => panel.hide());
  });
  list.on("click", "a", (evt: Event) => {
    choose(evt);
    panel.hide();
  });

  let asked = 0;
  let abandon = () => {};
  function fetch(refresh: boolean): void {
    status.removeClass("qualtrics-error").text(t("qualtrics-config.picker.loading"));
    reload.prop("disabled", true);
    const mine = ++asked;
    // what the user typed before is no longer wanted: the server stops reading the account for it
    abandon();
    abandon = load(spec, refresh, (err, got, hasMore, wasCapped) => {
      if (mine !== asked) return; // an answer to what the user typed before
      reload.prop("disabled", false);
      if (err) {
        items = [];
        more = capped = false;
        status.addClass("qualtrics-error").text(err);
      } else {
        items = got || [];
        more = !!hasMore;
        capped = !!wasCapped;
        if (!items.length) status.text(t(capped ? "qualtrics-config.picker.cappedEmpty" : "qualtrics-config.picker.empty"));
      }
      render();
    }, { q: String(filter.val() || ""), limit });
  }

  // the server is asked once the user pauses typing, for the first page of what they typed
  let typing: ReturnType<typeof setTimeout> | undefined;
  let typed = "";
  filter.on("keyup input", () => {
    const now = String(filter.val() || "");
    if (now === typed) return;
    typed = now;
    if (typing) clearTimeout(typing);
    typing = setTimeout(() => {
      limit = PAGE;
      fetch(false);
    }, TYPING_MS);
  });
  moreButton.on("click", (evt: Event) => {
    evt.preventDefault();
    limit = Math.min(limit + PAGE, MOST);
    fetch(false);
  });
  filter.on("keydown", (evt: KeyboardEvent) => {
    if (evt.keyCode === KEY_ENTER) {
      evt.preventDefault();
      list.find("a").first().trigger("click");
    } else if (evt.keyCode === KEY_DOWN) {
      evt.preventDefault();
      list.find("a").first().trigger("focus");
    }
  });
  reload.on("click", (evt: Event) => {
    evt.preventDefault();
    fetch(true);
  });
  // Escape closes the panel here, before the editor's own key handling sees a removed element
  box.on("keydown", (evt: KeyboardEvent) => {
    if (evt.keyCode === KEY_ESCAPE) {
      evt.preventDefault();
      evt.stopPropagation();
      panel.hide();
      input.next(".red-ui-typedInput-container").find("input.red-ui-typedInput-input").trigger("focus");
    }
  });
  panel.container.css({ width: Math.max(320, target.outerWidth() || 0) + "px" });
  // a cached list is there at once, so the panel is measured with it
  fetch(false);
  panel.show({ target, align: "right" });
  setTimeout(() => filter.trigger("focus"), 50);
}

export function pickerType(spec: PickerSpec): Record<string, unknown> {
  const expand = Object.assign(() => openPanel(spec), { icon: "fa-search" });
  const idRule = spec.prefixes ? rules.id(spec.prefixes) : null;
  return {
    value: PICKER,
    label: t("qualtrics-config.picker.type"),
    icon: "fa fa-list-ul",
    validate: (v: string) => (!v || isEnv(v) || !idRule ? true : idRule(String(v).trim()) === true),
    autoComplete(value: string, done: (out: unknown[]) => void) {
      load(spec, false, (err, items) => {
        if (err || !items) return done([]);
        const out: unknown[] = [];
        for (const item of items) {
          const row = jq('<div style="display: flex; justify-content: space-between;"></div>');
          jq('<div class="red-ui-autoComplete-completion"></div>').text(item.label).appendTo(row);
          jq('<div class="qualtrics-completion-detail"></div>').text(describe(item)).appendTo(row);
          out.push({ value: item.value, label: row });
        }
        done(out);
      }, { q: String(value || ""), limit: PAGE });
    },
    expand,
  };
}

/** "custom ID": the plain text type, named for what it holds beside the list of names */
export function customIdType(): Record<string, unknown> {
  return { value: "str", label: t("qualtrics-config.picker.custom"), icon: "red/images/typedInput/az.svg" };
}

export interface IdFieldSpec {
  kind: string;
  prefixes?: readonly string[];
  config?: () => string;
  params?: LookupSpec["params"];
  /** a plain property (no <prop>Type): the list is the only type */
  plain?: boolean;
  /** the types offered after the list and "custom ID" (msg, flow, global, env by default) */
  rest?: readonly string[];
  /** the typedInput's id, when it is not node-input-<prop> */
  input?: string;
}

/**
 * An ID field as a picker by default: the list of names first, then "custom ID" and the usual
 * msg/flow/global/env types. The name of the chosen item is shown under the field, looked up
 * again each time the dialog opens or the configuration changes; a saved ID the account no longer has
 * is said to be gone, and a value of no ID shape of the field gets the field's format message instead.
 */
export function idInput(prop: string, field: IdFieldSpec): void {
  const input = field.input ?? "node-input-" + prop;
  const spec: PickerSpec = { input, kind: field.kind, prefixes: field.prefixes, params: field.params, config: field.config ?? (() => jq("#node-input-qualtrics").val()) };
  const el = jq("#" + input);
  if (field.plain) el.typedInput({ types: [pickerType(spec)] });
  else el.typedInput({ default: PICKER, typeField: "#" + input + "Type", types: [pickerType(spec), customIdType(), ...(field.rest ?? ["msg", "flow", "global", "env"])] });
  showName(el, spec, prop);
}

function showName(el: ReturnType<typeof jq>, spec: PickerSpec, prop: string): void {
  injectStyle();
  const container = el.next(".red-ui-typedInput-container");
  const hint = jq('<div class="qualtrics-picked-name"></div>').attr("id", spec.input + "-name").insertAfter(container.length ? container : el);
  const idRule = spec.prefixes ? rules.id(spec.prefixes) : null;
  let asked = 0;
  let shown = "";
  const refresh = () => {
    const id = String(el.typedInput("value") || "").trim();
    const listed = el.typedInput("type") === PICKER && id !== "" && !isEnv(id);
    // true, or the format message when the value has no ID shape of this field
    const shape = listed && idRule ? idRule(id) : true;
    // Node-RED fires change on every field after oneditprepare, and the configuration select again
    // once it is filled (docs/node-red-facts.md §6.1): the same question is asked once
    const now = !listed ? "" : shape !== true ? "shape|" + id : "ask|" + question(spec, { q: id, limit: PAGE }).key;
    if (now === shown) return;
    shown = now;
    const mine = ++asked;
    hint.removeClass("qualtrics-warn").text("");
    if (!listed) return;
    // a value of no ID shape of this field never was one: the server is not asked, and nothing is "gone"
    if (shape !== true) {
      hint.addClass("qualtrics-warn").text(shape);
      keepName(prop, id, undefined);
      return;
    }
    load(spec, false, (err, items) => {
      if (mine !== asked || err || !items) return;
      const found = items.find((i) => i.value === id);
      if (found) hint.text(found.label);
      else hint.addClass("qualtrics-warn").text(t("qualtrics-config.picker.gone", { id }));
      keepName(prop, id, found?.label);
    }, { q: id, limit: PAGE });
  };
  el.on("change", refresh);
  // another configuration chosen, or the chosen one edited in its own tray (Update fills the select
  // again and fires change, docs/node-red-facts.md §6.1): its account may know the name now
  jq("#node-input-qualtrics").on("change", refresh);
  refresh();
}
