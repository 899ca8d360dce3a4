// A list read page by page, sent as one message with an array or as one message per item with
// msg.parts, so a join node in automatic mode rebuilds the array. One page is held at a time.
import type { Page } from "../../src/paginate";
import { QualtricsApiError, QualtricsInputError } from "../../src/errors";
import { isPlainObject } from "../../src/safe-object";
import type { InputContext } from "./qualtrics-node";
import type { Msg, NodeAPI } from "./types";

/** msg.limit when given, else the node's limit; a whole number, 0 for all. */
export function limitOf(msg: Msg, nodeLimit: number): number {
  const v = msg.limit ?? nodeLimit;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw new QualtricsInputError("limit", "must be a whole number, 0 for all");
  return n;
}

/** the most items one message holds when no setting says otherwise (settings.js qualtricsConfigMaxListItems) */
export const DEFAULT_MAX_LIST_ITEMS = 100_000;

/**
 * The pages of `source` until it ends, or until the node starts closing: a list is only read,
 * so stopping between two pages loses nothing (the message fails instead of waiting for the grace period).
 */
export async function* whileOpen<P>(ctx: InputContext, source: AsyncIterable<P>): AsyncGenerator<P> {
  for await (const page of source) {
    if (ctx.closing.aborted) throw new QualtricsApiError({ method: "GET", path: "-" }, "the node was closed (flow stopped or redeployed) while the list was being read; nothing was sent");
    yield page;
  }
}

/**
 * Every item of the list in one array, held in memory: refused past the configuration's maximum
 * (an endless nextPage would otherwise fill the memory), with what to do instead.
 */
export async function collectPages(
  msg: Msg,
  ctx: InputContext,
  source: AsyncIterable<Page<unknown>>,
  instead: { field: string; advice: string } = { field: "output", advice: "choose one message per item as the output, or set a limit" },
): Promise<unknown[]> {
  const max = ctx.config.maxListItems ?? DEFAULT_MAX_LIST_ITEMS;
  const all: unknown[] = [];
  for await (const page of whileOpen(ctx, source)) {
    if (all.length + page.elements.length > max) {
      throw new QualtricsInputError(instead.field, `the list has more than ${max} items, more than one message may hold; ${instead.advice}`);
    }
    all.push(...page.elements);
    ctx.record(msg, { requestId: page.requestId, statusCode: 200, notice: page.notice });
    ctx.status.progress(all.length);
  }
  return all;
}

/** All items in msg.payload of one message. */
export async function sendArray(msg: Msg, ctx: InputContext, source: AsyncIterable<Page<unknown>>): Promise<{ count: number }> {
  const all = await collectPages(msg, ctx, source);
  msg.payload = all;
  ctx.send(msg);
  return { count: all.length };
}

/**
 * One message per item. Each item is sent once the next is known, so the last one can carry
 * parts.count; an incoming msg.parts (an outer split) is kept underneath, as core split does.
 */
export async function sendEach(RED: NodeAPI, msg: Msg, ctx: InputContext, source: AsyncIterable<Page<unknown>>): Promise<{ count: number }> {
  const partsId = RED.util.generateId();
  let index = 0;
  let held: { item: unknown; requestId?: string; notice?: string } | undefined;
  const emit = (h: NonNullable<typeof held>, last: boolean) => {
    const out = RED.util.cloneMessage(msg) as Msg;
    out.payload = h.item;
    const outer = isPlainObject(msg.parts) ? { parts: msg.parts } : {};
    (out as Record<string, unknown>).parts = { id: partsId, index, type: "array", len: 1, ...(last ? { count: index + 1 } : {}), ...outer };
    ctx.record(out, { requestId: h.requestId, statusCode: 200, notice: h.notice });
    ctx.send(out);
    index++;
  };
  for await (const page of whileOpen(ctx, source)) {
    for (const item of page.elements) {
      if (held) emit(held, false);
      held = { item, requestId: page.requestId, notice: page.notice };
    }
    ctx.status.progress(index + (held ? 1 : 0));
  }
  if (held) emit(held, true);
  return { count: index };
}

/** sendEach or sendArray, as the node's output option says. */
export function sendList(RED: NodeAPI, msg: Msg, ctx: InputContext, source: AsyncIterable<Page<unknown>>, split: boolean): Promise<{ count: number }> {
  return split ? sendEach(RED, msg, ctx, source) : sendArray(msg, ctx, source);
}
