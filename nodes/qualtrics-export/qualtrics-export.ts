// Response export (docs/qualtrics-facts.md §7): start it, show its progress, download the file and send
// one message per response (streamed: constant memory), one message with all, or the file itself.
// "New since last run" keeps Qualtrics' continuation token in the node's context and moves it on
// only after the whole export was sent; when Qualtrics refuses the token, it goes on from the
// bookmark's date without sending a response twice (nodes/lib/continuation.ts).
import * as fs from "node:fs";
import * as path from "node:path";
import { QualtricsInputError } from "../../src/errors";
import { ExportBody, ExportColumn, ExportFormat, FILE_FORMATS, FileFormat, RECORD_FORMATS, exportBody, exportedResponses } from "../../src/export";
import { isPlainObject } from "../../src/safe-object";
import { optionalDate, requireId } from "../../src/validate";
import { bookmarkIsVolatile, forgetBookmarks, readBookmark, sharedBookmarks, writeBookmark } from "../lib/bookmark";
import { exportFromBookmark, SentResponses } from "../lib/continuation";
import { ExportRun, exportLimits, exportPollDelay, runExport } from "../lib/export-run";
import { KeyedQueue } from "../lib/keyed-queue";
import { InputContext, setupQualtricsNode } from "../lib/qualtrics-node";
import { evaluate, sanitizeOrThrow, typed } from "../lib/typed-input";
import type { Msg, Node, NodeAPI, NodeDef, Typed } from "../lib/types";
import { exportSpec } from "./spec";

const OUTPUTS = exportSpec.outputs;
type Output = (typeof OUTPUTS)[number];

export interface ExportDef extends NodeDef {
  qualtrics: string;
  format?: string;
  since?: "all" | "new";
  output?: Output;
  directory?: string;
  limit?: number | string;
  useLabels?: boolean;
  exportResponsesInProgress?: boolean;
  compress?: boolean;
  allowContinuation?: boolean;
  timeout?: number | string;
  [prop: string]: unknown;
}

/** typed fields that msg.payload may supply when the dialog leaves them empty */
const TYPED = ["surveyId", "startDate", "endDate", "filterId", "questionIds", "embeddedDataIds"] as const;

function number(v: unknown, fallback: number, min: number, max: number): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

/** the later of two ISO dates (either may be missing) */
function later(a: string | undefined, b: string | undefined): string | undefined {
  if (!a || !b) return a ?? b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function stamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/:/g, "-");
}

export default function (RED: NodeAPI): void {
  function QualtricsExport(this: Node, def: ExportDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const fields: Record<string, Typed> = {};
    for (const p of TYPED) fields[p] = typed(def, p);
    const format = (FILE_FORMATS as readonly string[]).includes(String(def.format)) ? (def.format as (typeof FILE_FORMATS)[number]) : "json";
    const output: Output = (OUTPUTS as readonly string[]).includes(String(def.output)) ? (def.output as Output) : "split";
    const incremental = def.since === "new";
    // whole minutes in the dialog; a flow may set less (down to 0.01 min)
    const timeoutMs = number(def.timeout, 10, 0.01, 24 * 60) * 60_000;
    const pollDelayMs = exportPollDelay(RED);
    const limits = exportLimits(RED);
    // runs that share a bookmark go one after the other, or two would send the same responses
    const queues = new KeyedQueue();
    let toldMemory = false;

    setupQualtricsNode(RED, node, def, async (msg, ctx) => {
      const payload = isPlainObject(msg.payload) ? (sanitizeOrThrow("payload", msg.payload) as Record<string, unknown>) : {};
      const given: Record<string, unknown> = {};
      for (const p of TYPED) given[p] = (await evaluate(RED, node, msg, p, fields[p])) ?? payload[p];
      const surveyId = requireId("surveyId", given.surveyId, "survey");
      if (output !== "buffer" && output !== "file" && !(RECORD_FORMATS as readonly string[]).includes(format)) {
        throw new QualtricsInputError("format", `${format} files can only be output as a file or a Buffer`);
      }
      if (output === "file" && !String(def.directory ?? "").trim()) throw new QualtricsInputError("directory", "is required to write the export file");
      const options = {
        format,
        compress: def.compress !== false,
        startDate: given.startDate,
        endDate: given.endDate,
        limit: def.limit,
        filterId: given.filterId,
        useLabels: def.useLabels === true ? true : undefined,
        questionIds: given.questionIds,
        embeddedDataIds: given.embeddedDataIds,
        exportResponsesInProgress: def.exportResponsesInProgress === true ? true : undefined,
      };
      if (!incremental) {
        const body = exportBody({ ...options, allowContinuation: def.allowContinuation === true ? true : undefined, continuationToken: payload.continuationToken });
        return exportOnce(msg, ctx, surveyId, body);
      }
      if (payload.continuationToken !== undefined) throw new QualtricsInputError("payload.continuationToken", "is kept by the node itself in \"new since last run\" mode");
      if (given.endDate !== undefined) throw new QualtricsInputError("endDate", "cannot be used with \"new since last run\": responses after it would never be exported");
      // check everything before waiting in the queue
      exportBody({ ...options, allowContinuation: true });
      if (!toldMemory && bookmarkIsVolatile(RED)) {
        toldMemory = true;
        node.log(RED._("qualtrics-export.log.memoryContext"));
      }
      return queues.run(surveyId, async () => {
        // with replicas, the run of one of them: the same inject fires on every replica, and two
        // runs from one bookmark would send the same responses twice
        const leaseName = `export:${node.id}:${surveyId}`;
        const outcome = await ctx.config.coordination().lease(leaseName).run(async (held) => {
          const shared = sharedBookmarks(ctx.config, leaseName, held);
          const bookmark = (await readBookmark(RED, node, surveyId, shared)) ?? { surveyId, updated: "" };
          const from = await exportFromBookmark(RED, node, bookmark, (b) => {
            const body = b.continuationToken
              ? exportBody({ ...options, startDate: undefined, continuationToken: b.continuationToken })
              : exportBody({ ...options, allowContinuation: true, startDate: later(optionalDate("startDate", options.startDate), b.since) });
            return runExport({ client: ctx.client, surveyId, body, signal: ctx.signal, timeoutMs, pollDelayMs, status: ctx.status, needsToken: true, limits });
          }, shared);
          // responses sent before (after a refused token the export starts a little earlier) go out once
          const sent = new SentResponses(from.bookmark.sent);
          const result = await sendRun(msg, ctx, surveyId, from.run, format, sent);
          // only now is every response of this export out: the next run starts after it
          await writeBookmark(RED, node, sent.next(from.bookmark, surveyId, from.startedAt, result.token), shared);
          return { count: result.count };
        });
        if (outcome.ran) return outcome.value;
        node.debug(RED._("qualtrics-export.log.leaseHeld", { surveyId }));
        return { count: 0 };
      });
    });

    node.on("close", (removed: boolean, done: () => void) => {
      void (removed ? forgetBookmarks(RED, node.id) : Promise.resolve()).finally(() => done());
    });

    async function exportOnce(msg: Msg, ctx: InputContext, surveyId: string, body: ExportBody): Promise<{ count?: number; token?: string }> {
      const run = await runExport({ client: ctx.client, surveyId, body, signal: ctx.signal, timeoutMs, pollDelayMs, status: ctx.status, limits });
      return sendRun(msg, ctx, surveyId, run, body.format);
    }

    /** count: the responses sent (undefined for a file, whose responses are not read); `sent` skips those sent before */
    async function sendRun(msg: Msg, ctx: InputContext, surveyId: string, run: ExportRun, fmt: FileFormat, sent?: SentResponses): Promise<{ count?: number; token?: string }> {
      const meta: Record<string, unknown> = {
        surveyId,
        format: fmt,
        progressId: run.started.progressId,
        fileId: run.final.fileId,
        ...(run.final.continuationToken ? { continuationToken: run.final.continuationToken } : {}),
        ...(run.download.fileName ? { fileName: run.download.fileName } : {}),
      };
      const record = (m: Msg) => ctx.record(m, { requestId: run.final.requestId, statusCode: run.download.statusCode });
      let count: number | undefined;
      switch (output) {
        case "split":
          count = await sendEach(msg, ctx, run, fmt as ExportFormat, meta, record, sent);
          break;
        case "array":
          count = await sendAll(msg, ctx, run, fmt as ExportFormat, meta, record, sent);
          break;
        case "buffer":
          await sendBuffer(msg, ctx, run, meta, record);
          break;
        case "file":
          await sendFile(msg, ctx, run, surveyId, fmt, meta, record);
          break;
      }
      return { count, token: run.final.continuationToken };
    }

    // One message per response; each is sent once the next is known, so the last carries
    // parts.count. The download (or, for a zip, the file inside it) is read only as fast as messages
    // are sent.
    /** how responses are read: stopped with the message, each within the size limit */
    const reading = (ctx: InputContext, onColumns?: (c: ExportColumn[]) => void) => ({ signal: ctx.signal, onColumns, maxRecordBytes: limits.maxRecordBytes, limitHint: limits.recordHint });

    async function sendEach(msg: Msg, ctx: InputContext, run: ExportRun, fmt: ExportFormat, meta: Record<string, unknown>, record: (m: Msg) => void, sent?: SentResponses): Promise<number> {
      const partsId = RED.util.generateId();
      const outer = isPlainObject(msg.parts) ? { parts: msg.parts } : {};
      let index = 0;
      let held: { item: unknown } | undefined;
      const emit = (item: unknown, last: boolean) => {
        const out = RED.util.cloneMessage(msg) as Msg;
        out.payload = item;
        (out as Record<string, unknown>).parts = { id: partsId, index, type: "array", len: 1, ...(last ? { count: index + 1 } : {}), ...outer };
        (out as Record<string, unknown>).export = { ...meta, index, ...(last ? { count: index + 1 } : {}) };
        record(out);
        ctx.send(out);
        index++;
      };
      for await (const item of exportedResponses(run.download.chunks, fmt, reading(ctx))) {
        if (sent && !sent.take(item)) continue;
        if (held) emit(held.item, false);
        held = { item };
        if ((index + 1) % 100 === 0) ctx.status.progress(index + 1);
      }
      if (held) emit(held.item, true);
      return index;
    }

    async function sendAll(msg: Msg, ctx: InputContext, run: ExportRun, fmt: ExportFormat, meta: Record<string, unknown>, record: (m: Msg) => void, sent?: SentResponses): Promise<number> {
      const all: unknown[] = [];
      let columns: ExportColumn[] | undefined;
      for await (const item of exportedResponses(run.download.chunks, fmt, reading(ctx, (c) => (columns = c)))) {
        if (sent && !sent.take(item)) continue;
        all.push(item);
        if (all.length % 1000 === 0) ctx.status.progress(all.length);
      }
      msg.payload = all;
      msg.export = { ...meta, count: all.length, ...(columns ? { columns } : {}) };
      record(msg);
      ctx.send(msg);
      return all.length;
    }

    async function sendBuffer(msg: Msg, ctx: InputContext, run: ExportRun, meta: Record<string, unknown>, record: (m: Msg) => void): Promise<void> {
      const parts: Buffer[] = [];
      for await (const chunk of run.download.chunks) parts.push(chunk);
      msg.payload = Buffer.concat(parts);
      msg.export = { ...meta, bytes: (msg.payload as Buffer).length, zip: isZip(msg.payload as Buffer) };
      record(msg);
      ctx.send(msg);
    }

    async function sendFile(msg: Msg, ctx: InputContext, run: ExportRun, surveyId: string, fmt: string, meta: Record<string, unknown>, record: (m: Msg) => void): Promise<void> {
      const base = (RED.settings as unknown as { userDir?: string }).userDir ?? process.cwd();
      const dir = path.resolve(base, String(def.directory).trim());
      await fs.promises.mkdir(dir, { recursive: true });
      const partial = path.join(dir, `.${surveyId}_${stamp()}_${RED.util.generateId()}.part`);
      let bytes = 0;
      let zip: boolean | undefined;
      const handle = await fs.promises.open(partial, "wx");
      try {
        for await (const chunk of run.download.chunks) {
          if (zip === undefined) zip = isZip(chunk);
          await handle.write(chunk);
          bytes += chunk.length;
        }
      } catch (err) {
        await handle.close().catch(() => undefined);
        await fs.promises.unlink(partial).catch(() => undefined);
        throw err;
      }
      await handle.close();
      // the progress ID makes the name unique; Qualtrics' own name (the survey's) is in msg.export.fileName
      const file = path.join(dir, `${surveyId}_${stamp()}_${run.started.progressId.replace(/[^A-Za-z0-9_-]/g, "")}.${fmt}${zip ? ".zip" : ""}`);
      await fs.promises.rename(partial, file);
      msg.payload = file;
      msg.filename = file;
      msg.export = { ...meta, bytes, zip: zip === true };
      record(msg);
      ctx.send(msg);
    }
  }

  RED.nodes.registerType("qualtrics-export", QualtricsExport as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1], {
    settings: {
      qualtricsExportPollDelay: { value: 1000, exportable: false },
    },
  });
}

function isZip(b: Buffer): boolean {
  return b.length >= 4 && b.readUInt32LE(0) === 0x04034b50;
}
