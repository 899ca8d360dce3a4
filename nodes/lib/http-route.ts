// A route on Node-RED's own HTTP server (RED.httpNode, under httpNodeRoot) that honours the
// operator's httpNodeMiddleware, reads the body itself when nothing parsed it yet (with a size cap),
// and is removed again when the node closes.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { safeJsonParse } from "../../src/safe-object";
import type { NodeAPI } from "./types";

export interface RouteHandle {
  /** the path as Node-RED serves it, including httpNodeRoot */
  fullPath: string;
  remove(): void;
}

export class BodyTooLargeError extends Error {}

export function normalisePath(p: string): string {
  const clean = "/" + String(p ?? "").trim().replace(/^\/+/, "").replace(/\/+$/, "");
  return clean.replace(/\/{2,}/g, "/");
}

/** httpNodeRoot without a trailing slash: "" for "/", "/api" for "/api/". */
export function nodeRoot(RED: NodeAPI): string {
  const r = (RED.settings as unknown as { httpNodeRoot?: string | false }).httpNodeRoot;
  if (typeof r !== "string") return "";
  return r.replace(/\/+$/, "");
}

function operatorMiddleware(RED: NodeAPI): RequestHandler[] {
  const mw = (RED.settings as unknown as { httpNodeMiddleware?: unknown }).httpNodeMiddleware;
  if (typeof mw === "function") return [mw as RequestHandler];
  if (Array.isArray(mw)) return mw.filter((m): m is RequestHandler => typeof m === "function");
  return [];
}

/**
 * The request's form or JSON fields. In a standard runtime the admin app's body parsers have
 * already run (docs/node-red-facts.md §1.6) and req.body is an object; otherwise the stream is read here.
 */
export function readBody(req: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > maxBytes) return Promise.reject(new BodyTooLargeError());
  const already = (req as Request & { _body?: boolean })._body;
  if (already || req.readableEnded) {
    const b: unknown = req.body;
    // a chunked body has no Content-Length, and the admin app's parsers took it up to apiMaxLength
    // (5 MB): what it parsed into is measured instead, never more than the body was
    if (leafBytes(b, maxBytes) > maxBytes) return Promise.reject(new BodyTooLargeError());
    if (Buffer.isBuffer(b)) return Promise.resolve(parseText(b.toString("utf8"), req.headers["content-type"]));
    if (typeof b === "string") return Promise.resolve(parseText(b, req.headers["content-type"]));
    return Promise.resolve(b);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > maxBytes) {
        failed = true;
        reject(new BodyTooLargeError());
        req.resume();
      } else chunks.push(c);
    });
    req.on("end", () => {
      if (failed) return;
      try {
        resolve(parseText(Buffer.concat(chunks).toString("utf8"), req.headers["content-type"]));
      } catch (err) {
        reject(err);
      }
    });
    req.on("error", (err) => {
      if (!failed) reject(err);
    });
  });
}

/**
 * A lower bound of the size of the body a parsed value came from: the bytes of its keys and text
 * (numbers and the like as one byte each). Form and JSON syntax only add to it. Stops counting
 * once past `stopAt`.
 */
export function leafBytes(value: unknown, stopAt: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length && total <= stopAt) {
    const v = stack.pop();
    if (typeof v === "string") total += Buffer.byteLength(v, "utf8");
    else if (Buffer.isBuffer(v)) total += v.length;
    else if (v instanceof URLSearchParams) for (const [k, x] of v) total += Buffer.byteLength(k, "utf8") + Buffer.byteLength(x, "utf8");
    else if (typeof v === "object" && v !== null) {
      for (const k of Object.keys(v)) {
        if (!Array.isArray(v)) total += Buffer.byteLength(k, "utf8");
        stack.push((v as Record<string, unknown>)[k]);
      }
    } else if (v !== undefined) total += 1;
  }
  return total;
}

function parseText(text: string, contentType: string | undefined): unknown {
  if (/json/i.test(contentType ?? "")) return safeJsonParse(text);
  return new URLSearchParams(text);
}

export interface RouteOptions {
  /**
   * also serve the path plus one more segment, when this says the segment is one of ours; other
   * segments pass on to whatever else serves them
   */
  tail?: (segment: string) => boolean;
}

export function addRoute(
  RED: NodeAPI,
  path: string,
  handlers: { get?: RequestHandler; post: RequestHandler },
  options: RouteOptions = {},
): RouteHandle {
  const app = RED.httpNode;
  const mw = operatorMiddleware(RED);
  const post = handlers.post;
  const get = handlers.get ?? ((_req: Request, res: Response) => res.status(200).send("OK"));
  // a failing handler must not take Node-RED down; express 4 does not catch promise rejections
  const guard = (h: RequestHandler): RequestHandler => (req: Request, res: Response, next: NextFunction) => {
    try {
      const r: unknown = h(req, res, next);
      if (r && typeof (r as Promise<unknown>).catch === "function") (r as Promise<unknown>).catch(next);
    } catch (err) {
      next(err);
    }
  };
  const ours: RequestHandler[] = [guard(get), guard(post)];
  app.get(path, ...mw, ours[0]);
  app.post(path, ...mw, ours[1]);
  const tail = options.tail;
  if (tail) {
    // before the operator's middleware, so a segment that is not ours costs nothing
    const onlyOurs: RequestHandler = (req, _res, next) => next(tail(String(req.params[TAIL_PARAM] ?? "")) ? undefined : "route");
    const tailPath = `${path.replace(/\/+$/, "")}/:${TAIL_PARAM}`;
    app.get(tailPath, onlyOurs, ...mw, ours[0]);
    app.post(tailPath, onlyOurs, ...mw, ours[1]);
    ours.push(onlyOurs);
  }
  return {
    fullPath: nodeRoot(RED) + path,
    remove() {
      // the same route surgery core http-in does; Express 5 keeps the router at app.router
      const holder = app as unknown as { _router?: { stack: Layer[] }; router?: { stack: Layer[] } };
      const stack = (holder._router ?? holder.router)?.stack;
      if (!stack) return;
      for (let i = stack.length - 1; i >= 0; i--) {
        const route = stack[i].route;
        // only our own layers: another node may serve the same path
        if (route && route.stack.some((l) => ours.includes(l.handle as RequestHandler))) stack.splice(i, 1);
      }
    },
  };
}

const TAIL_PARAM = "qualtricsTail";

interface Layer {
  route?: { path: string; stack: { handle: unknown }[] };
}
