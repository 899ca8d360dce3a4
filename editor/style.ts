// The library's styles, added once to the editor page (the editor's own CSS variables, so themes apply).
import { documentOf, jq } from "./browser";

const CSS = [
  ".qualtrics-picker { padding: 6px; box-sizing: border-box; }",
  ".qualtrics-picker-top { display: flex; gap: 4px; align-items: center; margin-bottom: 4px; }",
  ".qualtrics-picker-top input[type=text] { flex: 1 1 auto; margin: 0; width: auto; }",
  ".qualtrics-picker-status { color: var(--red-ui-secondary-text-color); font-size: 0.9em; padding: 2px 2px 4px; }",
  ".qualtrics-picker-status.qualtrics-error { color: var(--red-ui-text-color-error); }",
  ".qualtrics-picker-list { list-style: none; margin: 0; padding: 0; max-height: 260px; overflow-y: auto; }",
  ".qualtrics-picker-list li { list-style: none; margin: 0; padding: 0; }",
  ".qualtrics-picker-list a { display: block; padding: 3px 6px; color: var(--red-ui-primary-text-color); text-decoration: none; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }",
  ".qualtrics-picker-list a:hover, .qualtrics-picker-list a:focus { background: var(--red-ui-list-item-background-hover); outline: none; }",
  ".qualtrics-picker-list a.qualtrics-current { background: var(--red-ui-list-item-background-selected); }",
  ".qualtrics-picker-more { display: block; margin: 4px auto 0; }",
  ".qualtrics-picker-detail { color: var(--red-ui-secondary-text-color); font-size: 0.85em; margin-left: 8px; }",
  ".qualtrics-completion-detail { color: var(--red-ui-secondary-text-color); font-size: 0.85em; margin-left: 8px; white-space: nowrap; }",
  ".qualtrics-picked-name { color: var(--red-ui-secondary-text-color); font-size: 0.9em; margin: 2px 0 0 104px; }",
  ".qualtrics-picked-name.qualtrics-warn { color: var(--red-ui-text-color-warning); }",
  ".qualtrics-result { margin: 4px 0 0 0; }",
  ".qualtrics-result div { margin: 2px 0; }",
  ".qualtrics-ok { color: var(--red-ui-text-color-success); }",
  ".qualtrics-warn { color: var(--red-ui-text-color-warning); }",
  ".qualtrics-error { color: var(--red-ui-text-color-error); }",
  ".qualtrics-muted { color: var(--red-ui-secondary-text-color); }",
  ".qualtrics-section-toggle { color: var(--red-ui-text-color-link); cursor: pointer; }",
  ".qualtrics-url { font-family: monospace; word-break: break-all; color: var(--red-ui-primary-text-color); background: var(--red-ui-secondary-background); border: 1px solid var(--red-ui-secondary-border-color); border-radius: 2px; padding: 3px 6px; }",
].join("\n");

export function injectStyle(): void {
  if (documentOf().getElementById("qualtrics-editor-style")) return;
  jq("<style>", { id: "qualtrics-editor-style" }).text(CSS).appendTo("head");
}
