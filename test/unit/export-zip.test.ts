import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import sinon from "sinon";
import { looksLikeZip, unzipSingleFile, UnzipOptions, ZipFormatError } from "../../src/export-zip";
import { ZipStreamWriter, zipOneFile } from "../../sandbox/zip";
import { failure } from "./helpers";
// the module object itself (not an import's copy of it), so a stub reaches yauzl
import zlibModule = require("node:zlib");
import { sleep } from "../support/wait";

/** the bytes in pieces of the given sizes (cycled), as a network would deliver them */
async function* pieces(bytes: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length];
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

const SPLITS: Array<[string, number[]]> = [
  ["one piece", [1 << 30]],
  ["1-byte pieces", [1]],
  ["odd pieces", [7, 3, 1000, 1, 65536, 13]],
];

/** a zip holding two files: both entries, then both central directory records */
function zipTwoFiles(a: Buffer, b: Buffer): Buffer {
  const split = (zip: Buffer) => {
    const cd = zip.indexOf(Buffer.from("PK\x01\x02", "latin1"));
    const end = zip.length - 22;
    return { local: zip.subarray(0, cd), central: Buffer.from(zip.subarray(cd, end)) };
  };
  const one = split(zipOneFile("a.json", a, { descriptor: false }));
  const two = split(zipOneFile("b.json", b, { descriptor: false }));
  two.central.writeUInt32LE(one.local.length, 42);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(2, 8);
  end.writeUInt16LE(2, 10);
  end.writeUInt32LE(one.central.length + two.central.length, 12);
  end.writeUInt32LE(one.local.length + two.local.length, 16);
  return Buffer.concat([one.local, two.local, one.central, two.central, end]);
}

describe("export zip reading with yauzl (docs/qualtrics-facts.md §7.4)", function () {
  const text = Buffer.from(JSON.stringify({ responses: Array.from({ length: 300 }, (_, i) => ({ responseId: `R_${i}`, values: { QID1: i % 11, text: "ünïcode ✓ ".repeat(3) } })) }));
  let tmpDir: string;
  beforeEach(() => (tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "nrq-unzip-"))));
  afterEach(() => {
    sinon.restore();
    // every reading, whatever its end, leaves no temporary file behind
    const left = fs.readdirSync(tmpDir);
    fs.rmSync(tmpDir, { recursive: true, force: true });
    assert.deepEqual(left, [], "the temporary file was deleted");
  });

  async function unzip(bytes: Buffer, sizes: number[] = [65536], opts: UnzipOptions = {}): Promise<Buffer> {
    const out: Buffer[] = [];
    for await (const c of unzipSingleFile(pieces(bytes, sizes), { tmpDir, ...opts })) out.push(c);
    return Buffer.concat(out);
  }

  for (const [layout, opts] of [
    ["a data descriptor with its signature", { descriptor: true }],
    ["a data descriptor without signature", { descriptor: true, descriptorWithoutSignature: true }],
    ["sizes in the local header", { descriptor: false }],
    ["a stored (uncompressed) entry", { descriptor: false, store: true }],
  ] as const) {
    for (const [how, sizes] of SPLITS) {
      it(`reads the one file of a zip with ${layout}, arriving in ${how}`, async function () {
        const zip = zipOneFile("Customer Satisfaction.json", text, opts);
        let name = "";
        const out = await unzip(zip, sizes, { onEntry: (e) => (name = e.name) });
        assert.equal(name, "Customer Satisfaction.json");
        assert.ok(out.equals(text));
      });
    }
  }

  it("reads data that holds zip signatures itself", async function () {
    // random bytes do not compress: the signatures written into them are in the compressed data as they are
    const noise = randomBytes(200_000);
    for (let at = 1000; at < noise.length - 100; at += 9973) Buffer.from("PK\x07\x08PK\x01\x02PK\x03\x04", "latin1").copy(noise, at);
    const zip = zipOneFile("noise.bin", noise, { descriptor: true });
    assert.ok(zip.subarray(40, zip.length - 100).includes(Buffer.from("PK\x03\x04", "latin1")), "the test's premise: a local header signature inside the data");
    assert.ok((await unzip(zip, [997])).equals(noise));
  });

  it("reads a zip written as a stream (deflate flushed piece by piece, sizes at the end)", async function () {
    const parts: Buffer[] = [];
    const w = new ZipStreamWriter("big.ndjson", async (c) => void parts.push(c));
    const lines: Buffer[] = [];
    for (let i = 0; i < 50; i++) {
      const chunk = Buffer.from(`{"responseId":"R_${i}","n":${i}}\n`.repeat(20));
      lines.push(chunk);
      await w.write(chunk);
    }
    await w.end();
    assert.ok((await unzip(Buffer.concat(parts), [4096])).equals(Buffer.concat(lines)));
  });

  it("streams the file inside: the first bytes come out before it has been inflated whole", async function () {
    const inflaters: zlib.InflateRaw[] = [];
    const real = zlibModule.createInflateRaw;
    sinon.stub(zlibModule, "createInflateRaw").callsFake((o?: zlib.ZlibOptions) => {
      const inflater = real(o);
      inflaters.push(inflater);
      return inflater;
    });
    const big = randomBytes(4_000_000);
    const zip = zipOneFile("big.json", big, { descriptor: true });
    const it = unzipSingleFile(pieces(zip, [65536]), { tmpDir });
    const first = await it.next();
    assert.equal(first.done, false);
    // time for a reader that does not wait for its consumer to run ahead
    await sleep(50);
    assert.equal(inflaters.length, 1);
    assert.ok(inflaters[0].bytesWritten < big.length / 4, `only the start was inflated (${inflaters[0].bytesWritten} of ${big.length} bytes)`);
    assert.equal(fs.readdirSync(tmpDir).length, 1, "the download is kept in a temporary file while it is read");
    await it.return(undefined);
  });

  it("refuses a damaged file: a CRC-32 that does not match", async function () {
    // a changed byte in the data of a stored file
    const stored = zipOneFile("a.json", text, { descriptor: false, store: true });
    stored[30 + "a.json".length + 100] ^= 0x01;
    const err = await failure(unzip(stored));
    assert.ok(err instanceof ZipFormatError);
    assert.match(err.message, /^export file: the file in the zip is damaged: its CRC-32 does not match/);
    // the CRC-32 in the central directory changed
    for (const opts of [{ descriptor: true }, { descriptor: false }]) {
      const zip = zipOneFile("a.json", text, opts);
      const cd = zip.indexOf(Buffer.from("PK\x01\x02", "latin1"));
      zip.writeUInt32LE((zip.readUInt32LE(cd + 16) ^ 0xff) >>> 0, cd + 16);
      assert.match((await failure(unzip(zip))).message, /CRC-32 does not match/);
    }
  });

  it("refuses damaged compressed data", async function () {
    const zip = zipOneFile("a.json", text, { descriptor: false });
    for (let at = 40; at < 60; at++) zip[at] = 0xff;
    const err = await failure(unzip(zip));
    assert.ok(err instanceof ZipFormatError);
    assert.match(err.message, /damaged/);
  });

  it("refuses a download that was cut off", async function () {
    const zip = zipOneFile("a.json", text, { descriptor: true });
    for (const cut of [zip.subarray(0, Math.floor(zip.length / 2)), zip.subarray(0, zip.length - 10), zip.subarray(0, 20)]) {
      const err = await failure(unzip(cut));
      assert.ok(err instanceof ZipFormatError);
      assert.match(err.message, /^export file: the zip is damaged or incomplete; the download may have been cut off/);
    }
  });

  it("refuses what it cannot read: not a zip, empty, encrypted, another method", async function () {
    assert.match((await failure(unzip(Buffer.from('{"responses":[]}')))).message, /damaged or incomplete/);
    assert.match((await failure(unzip(Buffer.alloc(0)))).message, /damaged or incomplete/);
    const cdFlag = (zip: Buffer, at: number, value: (v: number) => number) => {
      const cd = zip.indexOf(Buffer.from("PK\x01\x02", "latin1"));
      zip.writeUInt16LE(value(zip.readUInt16LE(cd + at)), cd + at);
      return zip;
    };
    assert.match((await failure(unzip(cdFlag(zipOneFile("a.json", text, { descriptor: true }), 8, (f) => f | 1)))).message, /encrypted/);
    assert.match((await failure(unzip(cdFlag(zipOneFile("a.json", text, { descriptor: false }), 10, () => 12)))).message, /compression method 12/);
  });

  it("refuses a zip with more than one file before reading any", async function () {
    const two = zipTwoFiles(text, Buffer.from("{}"));
    let entries = 0;
    const err = await failure(unzip(two, [4096], { onEntry: () => entries++ }));
    assert.ok(err instanceof ZipFormatError);
    assert.match(err.message, /^export file: the zip holds more than one file; a response export has one/);
    assert.equal(entries, 0);
  });

  it("a broken download fails with its own error, and leaves no file", async function () {
    const zip = zipOneFile("a.json", text);
    const broken = new Error("the download broke off");
    async function* source(): AsyncGenerator<Buffer> {
      yield zip.subarray(0, 100);
      throw broken;
    }
    const read = async () => {
      for await (const _ of unzipSingleFile(source(), { tmpDir })) void _;
    };
    assert.equal(await failure(read), broken);
  });

  it("a reader that stops early, or an abort, ends the reading and deletes the file", async function () {
    const zip = zipOneFile("a.json", randomBytes(1_000_000), { descriptor: true });
    for await (const _ of unzipSingleFile(pieces(zip, [65536]), { tmpDir })) break;
    const abort = new AbortController();
    const reason = new Error("the node was closed");
    let chunks = 0;
    const err = await failure(
      (async () => {
        for await (const _ of unzipSingleFile(pieces(zip, [65536]), { tmpDir, signal: abort.signal })) {
          if (++chunks === 1) abort.abort(reason);
        }
      })(),
    );
    assert.equal(err, reason);
    assert.equal(chunks, 1);
  });

  it("tells a zip from other files by its first four bytes", function () {
    assert.equal(looksLikeZip(zipOneFile("a", Buffer.from("x"))), true);
    assert.equal(looksLikeZip(Buffer.from('{"responses"')), false);
    assert.equal(looksLikeZip(Buffer.from("PK")), false);
    assert.equal(looksLikeZip(zlib.deflateRawSync(Buffer.from("x"))), false);
  });
});
