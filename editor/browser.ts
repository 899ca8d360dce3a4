// The editor's page globals, typed only as far as this library uses them. The library runs in the
// Node-RED editor (jQuery and RED are there before any node's script), never in the runtime.
/* eslint-disable @typescript-eslint/no-explicit-any */
export type JQuery = any;
export type Node = Record<string, any>;

const page = globalThis as unknown as { RED: any; $: any; document: any; window: any };

export function red(): any {
  return page.RED;
}
export function jq(selector?: unknown, attrs?: unknown): JQuery {
  return attrs === undefined ? page.$(selector) : page.$(selector, attrs);
}
export function jqStatic(): any {
  return page.$;
}
export function documentOf(): any {
  return page.document;
}
export function windowOf(): any {
  return page.window ?? globalThis;
}

const NS = "@xmflows/node-red-qualtrics/qualtrics-config:";
/** a text of the library's catalogue (the configuration node's, loaded with the package) */
export function t(key: string, vars?: Record<string, unknown>): string {
  return red()._(NS + key, vars);
}
