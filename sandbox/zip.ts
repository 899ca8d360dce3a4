// Zip files with one entry, as a response-export download is (docs/qualtrics-facts.md §7.4), written two
// ways: whole (sizes in the local header, or a data descriptor after the data), and as a stream
// whose entry size is unknown until the end (a data descriptor, as streaming zip writers do).
import * as zlib from "node:zlib";

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;

export interface ZipOptions {
  /** sizes and CRC after the data instead of in the local header (default true) */
  descriptor?: boolean;
  /** write the descriptor without its optional signature */
  descriptorWithoutSignature?: boolean;
  /** store instead of deflate (only without a descriptor) */
  store?: boolean;
  date?: Date;
}

function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

interface Entry {
  name: Buffer;
  flags: number;
  method: number;
  crc: number;
  compressed: number;
  size: number;
  time: number;
  date: number;
}

function localHeader(e: Entry, sizesKnown: boolean): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(LOCAL_HEADER, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(e.flags, 6);
  h.writeUInt16LE(e.method, 8);
  h.writeUInt16LE(e.time, 10);
  h.writeUInt16LE(e.date, 12);
  h.writeUInt32LE(sizesKnown ? e.crc : 0, 14);
  h.writeUInt32LE(sizesKnown ? e.compressed : 0, 18);
  h.writeUInt32LE(sizesKnown ? e.size : 0, 22);
  h.writeUInt16LE(e.name.length, 26);
  h.writeUInt16LE(0, 28);
  return Buffer.concat([h, e.name]);
}

function descriptor(e: Entry, signature: boolean): Buffer {
  const d = Buffer.alloc(signature ? 16 : 12);
  let at = 0;
  if (signature) at = d.writeUInt32LE(DATA_DESCRIPTOR, 0);
  at = d.writeUInt32LE(e.crc, at);
  at = d.writeUInt32LE(e.compressed, at);
  d.writeUInt32LE(e.size, at);
  return d;
}

function centralDirectory(e: Entry, localOffset: number, centralOffset: number): Buffer {
  const c = Buffer.alloc(46);
  c.writeUInt32LE(CENTRAL_HEADER, 0);
  c.writeUInt16LE(20, 4);
  c.writeUInt16LE(20, 6);
  c.writeUInt16LE(e.flags, 8);
  c.writeUInt16LE(e.method, 10);
  c.writeUInt16LE(e.time, 12);
  c.writeUInt16LE(e.date, 14);
  c.writeUInt32LE(e.crc, 16);
  c.writeUInt32LE(e.compressed, 20);
  c.writeUInt32LE(e.size, 24);
  c.writeUInt16LE(e.name.length, 28);
  c.writeUInt32LE(localOffset, 42);
  const central = Buffer.concat([c, e.name]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([central, end]);
}

/** A zip holding one file called `name`. */
export function zipOneFile(name: string, data: Buffer, opts: ZipOptions = {}): Buffer {
  const useDescriptor = opts.descriptor ?? true;
  const store = opts.store === true && !useDescriptor;
  const body = store ? data : zlib.deflateRawSync(data);
  const { time, date } = dosTime(opts.date ?? new Date());
  const e: Entry = {
    name: Buffer.from(name, "utf8"),
    flags: FLAG_UTF8 | (useDescriptor ? FLAG_DESCRIPTOR : 0),
    method: store ? 0 : 8,
    crc: zlib.crc32(data),
    compressed: body.length,
    size: data.length,
    time,
    date,
  };
  const parts = [localHeader(e, !useDescriptor), body];
  if (useDescriptor) parts.push(descriptor(e, !opts.descriptorWithoutSignature));
  const centralOffset = parts.reduce((n, p) => n + p.length, 0);
  parts.push(centralDirectory(e, 0, centralOffset));
  return Buffer.concat(parts);
}

/**
 * A one-file zip written as the data comes: the local header at once, deflated pieces as `write`
 * is called (each flushed, so a reader can inflate everything sent so far), then the data
 * descriptor and the central directory from `end`.
 */
export class ZipStreamWriter {
  private readonly deflate = zlib.createDeflateRaw();
  private readonly entry: Entry;
  private compressed = 0;
  private size = 0;
  private crc = 0;
  private started = false;

  constructor(name: string, private readonly out: (chunk: Buffer) => Promise<void>) {
    const { time, date } = dosTime(new Date());
    this.entry = { name: Buffer.from(name, "utf8"), flags: FLAG_UTF8 | FLAG_DESCRIPTOR, method: 8, crc: 0, compressed: 0, size: 0, time, date };
  }

  private async deflated(data: Buffer | undefined, final: boolean): Promise<Buffer> {
    const pieces: Buffer[] = [];
    const onData = (c: Buffer) => pieces.push(c);
    this.deflate.on("data", onData);
    try {
      if (final) {
        await new Promise<void>((resolve) => {
          this.deflate.once("end", resolve);
          this.deflate.end(data);
        });
      } else {
        this.deflate.write(data!);
        await new Promise<void>((resolve) => this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
      }
    } finally {
      this.deflate.off("data", onData);
    }
    return Buffer.concat(pieces);
  }

  async write(data: Buffer): Promise<void> {
    if (!this.started) {
      this.started = true;
      await this.out(localHeader(this.entry, false));
    }
    this.crc = zlib.crc32(data, this.crc);
    this.size += data.length;
    const piece = await this.deflated(data, false);
    this.compressed += piece.length;
    if (piece.length) await this.out(piece);
  }

  async end(): Promise<void> {
    if (!this.started) {
      this.started = true;
      await this.out(localHeader(this.entry, false));
    }
    const last = await this.deflated(undefined, true);
    this.compressed += last.length;
    if (last.length) await this.out(last);
    const e = { ...this.entry, crc: this.crc, compressed: this.compressed, size: this.size };
    const desc = descriptor(e, true);
    await this.out(desc);
    const localLength = 30 + e.name.length;
    await this.out(centralDirectory(e, 0, localLength + this.compressed + desc.length));
  }
}
