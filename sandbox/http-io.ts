// Reading requests and writing answers.
import * as http from "node:http";

/** Request bodies above this answer 413. // UNCONFIRMED (docs/qualtrics-facts.md §2.4): the real limit is unknown. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface ReadBody {
  text: string;
  tooLarge: boolean;
}

/** Reads the whole body; beyond `limit` bytes the rest is drained and dropped. */
export function readBody(req: http.IncomingMessage, limit: number = MAX_BODY_BYTES): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      } else if (!tooLarge) {
        chunks.push(chunk);
      }
    });
    req.on("end", () => resolve({ text: tooLarge ? "" : Buffer.concat(chunks).toString("utf8"), tooLarge }));
    req.on("error", reject);
  });
}

export function flatHeaders(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

/** A fully prepared answer (status, headers, body text). */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** bytes sent instead of `text` (a binary file) */
  bytes?: Buffer;
}

export function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { "Content-Type": "application/json", ...headers }, text: JSON.stringify(value) };
}

export function htmlAnswer(status: number, html: string): Answer {
  return { status, headers: { "Content-Type": "text/html; charset=utf-8" }, text: html };
}

export function send(res: http.ServerResponse, a: Answer): void {
  if (res.destroyed || res.writableEnded) return;
  const body = a.bytes ?? Buffer.from(a.text, "utf8");
  res.writeHead(a.status, { ...a.headers, "Content-Length": String(body.length) });
  res.end(body);
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
