// Reading the one file inside a response-export zip (docs/qualtrics-facts.md §7.4: a zip "containing a
// single file named after the survey") with yauzl. A zip is only readable from its end (the central
// directory), so the download goes to a temporary file first; the file inside is then streamed out
// of it, so memory stays the same however large the export. The temporary file is deleted however
// the reading ends: done, failed, stopped early or aborted.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Readable } from "node:stream";
import * as zlib from "node:zlib";
import * as yauzl from "yauzl";
import { ERROR_NAME } from "./errors";

/** The download is not a zip this reader can take apart. */
export class ZipFormatError extends Error {
  constructor(message: string) {
    super(`export file: ${message}`);
    this.name = ERROR_NAME;
  }
}

const LOCAL_HEADER = 0x04034b50;

export interface ZipEntryInfo {
  name: string;
  method: number;
}

export interface UnzipOptions {
  /** hears the name of the file inside before its first byte */
  onEntry?: (info: ZipEntryInfo) => void;
  /** where the temporary copy of the download goes (os.tmpdir()) */
  tmpDir?: string;
  /** stops the reading (and deletes the temporary file) with the signal's reason */
  signal?: AbortSignal;
}

/** True when the bytes start like a zip file (a local file header). */
export function looksLikeZip(head: Uint8Array): boolean {
  return head.length >= 4 && Buffer.from(head.subarray(0, 4)).readUInt32LE(0) === LOCAL_HEADER;
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The uncompressed bytes of the zip's one file, chunk by chunk. The download is saved to a
 * temporary file, which yauzl reads; the file's CRC-32 (which yauzl does not check) is compared at
 * the end. A zip holding more than one file is refused before anything is read from it.
 */
export async function* unzipSingleFile(source: AsyncIterable<Uint8Array>, opts: UnzipOptions = {}): AsyncGenerator<Buffer> {
  const stopIfAborted = () => {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error("aborted");
  };
  const file = path.join(opts.tmpDir ?? os.tmpdir(), `qualtrics-export-${randomBytes(8).toString("hex")}.zip`);
  let zip: yauzl.ZipFile | undefined;
  let stream: Readable | undefined;
  try {
    // the download errors (a broken connection, an abort) pass through as they are
    const handle = await fs.promises.open(file, "wx", 0o600);
    try {
      for await (const chunk of source) {
        stopIfAborted();
        await handle.write(chunk);
      }
    } finally {
      await handle.close();
    }
    stopIfAborted();

    try {
      zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
    } catch (err) {
      throw new ZipFormatError(`the zip is damaged or incomplete; the download may have been cut off (${text(err)})`);
    }
    // an error after the entry was read (closing the file) must not go unheard
    zip.on("error", () => undefined);
    if (zip.entryCount === 0) throw new ZipFormatError("the zip holds no file");
    if (zip.entryCount > 1) throw new ZipFormatError("the zip holds more than one file; a response export has one");
    let entry: yauzl.Entry;
    try {
      const next = await zip.eachEntry().next();
      if (next.done) throw new Error("no entry");
      entry = next.value;
    } catch (err) {
      throw new ZipFormatError(`the zip is damaged (${text(err)})`);
    }
    if (entry.isEncrypted()) throw new ZipFormatError("the zip is encrypted");
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) throw new ZipFormatError(`the zip uses compression method ${entry.compressionMethod}, which cannot be read`);
    opts.onEntry?.({ name: entry.fileName, method: entry.compressionMethod });
    try {
      stream = await zip.openReadStreamPromise(entry);
    } catch (err) {
      throw new ZipFormatError(`the zip is damaged (${text(err)})`);
    }

    let crc = 0;
    const chunks = stream[Symbol.asyncIterator]();
    for (;;) {
      let r: IteratorResult<Buffer>;
      try {
        r = (await chunks.next()) as IteratorResult<Buffer>;
      } catch (err) {
        throw new ZipFormatError(`the compressed data is damaged (${text(err)})`);
      }
      if (r.done) break;
      stopIfAborted();
      crc = zlib.crc32(r.value, crc);
      yield r.value;
    }
    if (crc >>> 0 !== entry.crc32 >>> 0) throw new ZipFormatError("the file in the zip is damaged: its CRC-32 does not match");
  } finally {
    stream?.destroy();
    zip?.close();
    await fs.promises.rm(file, { force: true });
  }
}
