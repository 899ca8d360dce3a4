// Reading the one file inside a response-export zip as it downloads (qualtrics-api.md §7.4: a zip
// "containing a single file named after the survey"). Only the first local header is parsed; a
// deflated entry is handed to node:zlib, whose raw inflater stops exactly where the deflate data
// ends. So the entry's end is never guessed by searching for signatures in compressed bytes, and
// the sizes may be unknown up front (a data descriptor, bit 3), as streaming zip writers leave them.
import * as zlib from "node:zlib";

/** The download is not a zip this reader can take apart. */
export class ZipFormatError extends Error {
  constructor(message: string) {
    super(`export file: ${message}`);
    this.name = "ZipFormatError";
  }
}

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const ZIP64_EXTRA = 0x0001;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
/** bytes kept after the deflate data to find the data descriptor and what follows it */
const TAIL_BYTES = 64;

export interface ZipEntryInfo {
  name: string;
  method: number;
}

/** True when the bytes start like a zip file (a local file header). */
export function looksLikeZip(head: Uint8Array): boolean {
  return head.length >= 4 && Buffer.from(head.subarray(0, 4)).readUInt32LE(0) === LOCAL_HEADER;
}

/**
 * A reader over an async byte source that can hand out exact counts of bytes and give back what it
 * read too far, so header parsing never loses data.
 */
class ByteReader {
  private buffered: Buffer = Buffer.alloc(0);
  private ended = false;
  constructor(private readonly it: AsyncIterator<Uint8Array>) {}

  /** at least n bytes buffered, unless the source ends first */
  async fill(n: number): Promise<boolean> {
    while (this.buffered.length < n && !this.ended) {
      const r = await this.it.next();
      if (r.done) this.ended = true;
      else if (r.value.length) this.buffered = this.buffered.length ? Buffer.concat([this.buffered, Buffer.from(r.value)]) : Buffer.from(r.value);
    }
    return this.buffered.length >= n;
  }

  async take(n: number, what: string): Promise<Buffer> {
    if (!(await this.fill(n))) throw new ZipFormatError(`the download ended inside the ${what}`);
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return out;
  }

  /** whatever is buffered, then the rest of the source, chunk by chunk */
  async *rest(): AsyncGenerator<Buffer> {
    if (this.buffered.length) {
      const b = this.buffered;
      this.buffered = Buffer.alloc(0);
      yield b;
    }
    while (!this.ended) {
      const r = await this.it.next();
      if (r.done) this.ended = true;
      else if (r.value.length) yield Buffer.from(r.value);
    }
  }

  unshift(b: Buffer): void {
    if (b.length) this.buffered = this.buffered.length ? Buffer.concat([b, this.buffered]) : b;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

interface LocalHeader {
  name: string;
  method: number;
  descriptor: boolean;
  crc: number;
  compressedSize: number;
}

async function readLocalHeader(reader: ByteReader): Promise<LocalHeader> {
  if (!(await reader.fill(1))) throw new ZipFormatError("the download is empty");
  const start = await reader.take(4, "zip header");
  if (start.readUInt32LE(0) !== LOCAL_HEADER) throw new ZipFormatError("not a zip file (no local file header at the start)");
  const fixed = Buffer.concat([start, await reader.take(26, "zip header")]);
  const flags = fixed.readUInt16LE(6);
  const method = fixed.readUInt16LE(8);
  const crc = fixed.readUInt32LE(14);
  let compressedSize = fixed.readUInt32LE(18);
  const nameLength = fixed.readUInt16LE(26);
  const extraLength = fixed.readUInt16LE(28);
  const nameBytes = await reader.take(nameLength, "file name");
  const extra = await reader.take(extraLength, "extra field");
  if (flags & FLAG_ENCRYPTED) throw new ZipFormatError("the zip is encrypted");
  // ZIP64: the real size is in the extra field when the header says 0xFFFFFFFF
  if (compressedSize === 0xffffffff) {
    for (let i = 0; i + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(i);
      const size = extra.readUInt16LE(i + 2);
      if (id === ZIP64_EXTRA && size >= 16 && i + 4 + 16 <= extra.length) {
        compressedSize = Number(extra.readBigUInt64LE(i + 4 + 8));
        break;
      }
      i += 4 + size;
    }
  }
  const name = nameBytes.toString(flags & FLAG_UTF8 ? "utf8" : "latin1");
  return { name, method, descriptor: (flags & FLAG_DESCRIPTOR) !== 0, crc, compressedSize };
}

/**
 * The uncompressed bytes of the zip's first (and, for Qualtrics, only) file, as they arrive.
 * `onEntry` hears the file's name before the first byte. The CRC-32 is checked at the end; a zip
 * holding a second file is refused rather than half read.
 */
export async function* unzipSingleFile(source: AsyncIterable<Uint8Array>, onEntry?: (info: ZipEntryInfo) => void): AsyncGenerator<Buffer> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  try {
    const header = await readLocalHeader(reader);
    onEntry?.({ name: header.name, method: header.method });
    let crc = 0;
    let tail: Buffer;
    if (header.method === 0) {
      if (header.descriptor) throw new ZipFormatError("a stored (uncompressed) entry of unknown size cannot be read as a stream");
      let left = header.compressedSize;
      for await (const chunk of reader.rest()) {
        const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
        left -= part.length;
        if (part.length) {
          crc = zlib.crc32(part, crc);
          yield part;
        }
        if (left === 0) {
          reader.unshift(chunk.subarray(part.length));
          break;
        }
      }
      if (left > 0) throw new ZipFormatError("the download ended inside the file");
      tail = await collectTail(reader);
    } else if (header.method === 8) {
      const inflated = inflateUntilEnd(reader);
      for await (const chunk of inflated.output) {
        crc = zlib.crc32(chunk, crc);
        yield chunk;
      }
      tail = await inflated.tail;
    } else {
      throw new ZipFormatError(`compression method ${header.method} is not supported (only stored and deflated)`);
    }
    const expected = header.descriptor ? descriptorCrc(tail) : header.crc;
    if (expected !== undefined && expected >>> 0 !== crc >>> 0) throw new ZipFormatError("the file's CRC-32 does not match: the download is damaged");
    checkSingleEntry(tail, header.descriptor);
    // the central directory is not needed, but the body is read to its end so the connection is clean
    for await (const _ of reader.rest()) void _;
  } finally {
    await reader.close();
  }
}

async function collectTail(reader: ByteReader): Promise<Buffer> {
  await reader.fill(TAIL_BYTES);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of reader.rest()) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= TAIL_BYTES) break;
  }
  const all = Buffer.concat(parts);
  const head = all.subarray(0, TAIL_BYTES);
  reader.unshift(all.subarray(head.length));
  return head;
}

/**
 * Inflate from the reader until the deflate stream ends. zlib ignores input past the end; its
 * bytesWritten then says where the compressed data stopped, so the bytes after it (the data
 * descriptor) are recovered from the chunks fed last.
 */
function inflateUntilEnd(reader: ByteReader): { output: AsyncIterable<Buffer>; tail: Promise<Buffer> } {
  const inflater = zlib.createInflateRaw();
  const fed: Buffer[] = [];
  let fedBytes = 0;
  let droppedBytes = 0;
  let streamEnded = false;
  let feedError: unknown;
  inflater.once("end", () => (streamEnded = true));

  const feeding = (async () => {
    try {
      for await (const chunk of reader.rest()) {
        if (streamEnded || inflater.destroyed) {
          reader.unshift(chunk);
          break;
        }
        fed.push(chunk);
        fedBytes += chunk.length;
        // keep only what the inflater may not have consumed yet, plus room for the descriptor
        while (fed.length > 2 && fedBytes - droppedBytes - fed[0].length > inflater.writableLength + 4 * TAIL_BYTES + 65536) {
          droppedBytes += fed.shift()!.length;
        }
        if (!inflater.write(chunk)) {
          await new Promise<void>((resolve) => {
            const go = () => {
              inflater.off("drain", go);
              inflater.off("end", go);
              inflater.off("close", go);
              resolve();
            };
            inflater.on("drain", go);
            inflater.on("end", go);
            inflater.on("close", go);
          });
        }
      }
      if (!streamEnded && !inflater.destroyed) inflater.end();
    } catch (err) {
      feedError = err;
      inflater.destroy(err as Error);
    }
  })();

  let resolveTail!: (b: Buffer) => void;
  let rejectTail!: (e: unknown) => void;
  const tail = new Promise<Buffer>((res, rej) => {
    resolveTail = res;
    rejectTail = rej;
  });
  tail.catch(() => undefined);

  async function* output(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of inflater) yield chunk as Buffer;
    } catch (err) {
      if (feedError !== undefined) throw feedError;
      const code = (err as { code?: string }).code;
      throw new ZipFormatError(code === "Z_BUF_ERROR" ? "the download ended inside the compressed file" : `the compressed data is damaged (${(err as Error).message})`);
    } finally {
      // a reader that stops early (an abort) must not leave the feeder waiting for room
      if (!streamEnded) inflater.destroy();
      await feeding;
    }
    if (!streamEnded) {
      rejectTail(new ZipFormatError("the compressed data did not end"));
      return;
    }
    // bytes fed after the end of the deflate data: the start of the data descriptor
    const consumed = inflater.bytesWritten;
    const kept = Buffer.concat(fed);
    const after = kept.subarray(Math.max(0, consumed - droppedBytes));
    reader.unshift(Buffer.from(after));
    resolveTail(await collectTail(reader));
  }
  return { output: output(), tail };
}

/** the CRC-32 in a data descriptor (with or without its optional signature) */
function descriptorCrc(tail: Buffer): number | undefined {
  if (tail.length < 4) return undefined;
  const first = tail.readUInt32LE(0);
  if (first === DATA_DESCRIPTOR) return tail.length >= 8 ? tail.readUInt32LE(4) : undefined;
  return first;
}

/** What follows the first entry must be the central directory, not a second file. */
function checkSingleEntry(tail: Buffer, descriptor: boolean): void {
  // a data descriptor is 12 or 20 bytes, plus 4 when it has a signature; without one the next record starts at once
  const offsets = descriptor ? [12, 16, 20, 24] : [0];
  for (const at of offsets) {
    if (tail.length < at + 4) continue;
    const sig = tail.readUInt32LE(at);
    if (sig === CENTRAL_HEADER) return;
    if (sig === LOCAL_HEADER) throw new ZipFormatError("the zip holds more than one file; a response export has one");
  }
}
