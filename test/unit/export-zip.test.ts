import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as zlib from "node:zlib";
import { looksLikeZip, unzipSingleFile, ZipFormatError } from "../../src/export-zip";
import { ZipStreamWriter, zipOneFile } from "../sandbox/zip";
import { failure } from "./helpers";

/** the bytes in pieces of the given sizes (cycled), as a network would deliver them */
async function* pieces(bytes: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length];
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

async function unzip(bytes: Buffer, sizes: number[] = [65536], onEntry?: (e: { name: string }) => void): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of unzipSingleFile(pieces(bytes, sizes), onEntry)) out.push(c);
  return Buffer.concat(out);
}

const SPLITS: Array<[string, number[]]> = [
  ["one piece", [1 << 30]],
  ["1-byte pieces", [1]],
  ["odd pieces", [7, 3, 1000, 1, 65536, 13]],
];

describe("export zip reading (qualtrics-api.md §7.4)", function () {
  const text = Buffer.from(JSON.stringify({ responses: Array.from({ length: 300 }, (_, i) => ({ responseId: `R_${i}`, values: { QID1: i % 11, text: "ünïcode ✓ ".repeat(3) } })) }));

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
        const out = await unzip(zip, sizes, (e) => (name = e.name));
        assert.equal(name, "Customer Satisfaction.json");
        assert.ok(out.equals(text));
      });
    }
  }

  it("finds the end of the compressed data by inflating, not by looking for signatures in it", async function () {
    // random bytes do not compress: deflate stores them as they are, so the zip signatures written
    // into the data appear literally in the compressed stream, where a signature scanner would stop
    const noise = randomBytes(200_000);
    for (let at = 1000; at < noise.length - 100; at += 9973) {
      Buffer.from("PK\x07\x08PK\x01\x02PK\x03\x04", "latin1").copy(noise, at);
    }
    const zip = zipOneFile("noise.bin", noise, { descriptor: true });
    const compressed = zip.subarray(30 + "noise.bin".length, zip.length - 16 - 46 - "noise.bin".length - 22);
    assert.ok(compressed.includes(Buffer.from("PK\x07\x08", "latin1")), "the test's premise: a descriptor signature inside the compressed data");
    assert.ok(compressed.includes(Buffer.from("PK\x03\x04", "latin1")), "and a local header signature");
    for (const [, sizes] of SPLITS.slice(0, 2)) {
      const out = await unzip(zip, sizes[0] === 1 ? [997] : sizes);
      assert.ok(out.equals(noise));
    }
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
    const out = await unzip(Buffer.concat(parts), [4096]);
    assert.ok(out.equals(Buffer.concat(lines)));
  });

  it("yields the first bytes before the whole zip has arrived", async function () {
    const big = randomBytes(2_000_000);
    const zip = zipOneFile("big.json", big, { descriptor: true });
    let fed = 0;
    async function* slow(): AsyncGenerator<Buffer> {
      for (let at = 0; at < zip.length; at += 1000) {
        fed += Math.min(1000, zip.length - at);
        yield zip.subarray(at, at + 1000);
      }
    }
    const it = unzipSingleFile(slow());
    const first = await it.next();
    assert.equal(first.done, false);
    assert.ok(fed < zip.length, "only part of the zip was read for the first output");
    await it.return(undefined);
  });

  it("refuses a damaged file: a CRC-32 that does not match", async function () {
    const zip = zipOneFile("a.json", text, { descriptor: true });
    // the descriptor's CRC sits right after its signature, 16 bytes before the central directory
    const at = zip.indexOf(Buffer.from("PK\x01\x02", "latin1")) - 12;
    zip.writeUInt32LE((zip.readUInt32LE(at) ^ 0xff) >>> 0, at);
    const err = await failure(unzip(zip));
    assert.ok(err instanceof ZipFormatError);
    assert.match(err.message, /CRC-32 does not match/);
    const plain = zipOneFile("a.json", text, { descriptor: false });
    plain.writeUInt32LE((plain.readUInt32LE(14) ^ 1) >>> 0, 14);
    assert.match((await failure(unzip(plain))).message, /CRC-32/);
  });

  it("refuses a download that ends inside the compressed data or inside the header", async function () {
    const zip = zipOneFile("a.json", text, { descriptor: true });
    assert.match((await failure(unzip(zip.subarray(0, Math.floor(zip.length / 2))))).message, /ended inside the compressed file/);
    assert.match((await failure(unzip(zip.subarray(0, 20)))).message, /ended inside the zip header/);
    const stored = zipOneFile("a.json", text, { descriptor: false, store: true });
    assert.match((await failure(unzip(stored.subarray(0, 500)))).message, /ended inside the file/);
  });

  it("refuses what it cannot read: not a zip, empty, encrypted, another method, two files", async function () {
    assert.match((await failure(unzip(Buffer.from('{"responses":[]}')))).message, /not a zip file/);
    assert.match((await failure(unzip(Buffer.alloc(0)))).message, /empty/);
    const enc = zipOneFile("a.json", text, { descriptor: true });
    enc.writeUInt16LE(enc.readUInt16LE(6) | 1, 6);
    assert.match((await failure(unzip(enc))).message, /encrypted/);
    const bzip = zipOneFile("a.json", text, { descriptor: false });
    bzip.writeUInt16LE(12, 8);
    assert.match((await failure(unzip(bzip))).message, /compression method 12/);
    // a second local header where the central directory should start
    const one = zipOneFile("a.json", text, { descriptor: false });
    const central = one.indexOf(Buffer.from("PK\x01\x02", "latin1"));
    const two = Buffer.concat([one.subarray(0, central), zipOneFile("b.json", text, { descriptor: false })]);
    assert.match((await failure(unzip(two))).message, /more than one file/);
  });

  it("a reader that stops early ends the source instead of reading it to the end", async function () {
    const zip = zipOneFile("a.json", randomBytes(1_000_000), { descriptor: true });
    let pulled = 0;
    let returned = false;
    const source: AsyncIterable<Buffer> = {
      [Symbol.asyncIterator]() {
        let at = 0;
        return {
          next: async () => {
            if (at >= zip.length) return { done: true, value: undefined };
            pulled++;
            const c = zip.subarray(at, at + 100);
            at += 100;
            return { done: false, value: c };
          },
          return: async () => {
            returned = true;
            return { done: true, value: undefined };
          },
        };
      },
    };
    for await (const _ of unzipSingleFile(source)) break;
    assert.ok(returned, "the source was closed");
    assert.ok(pulled * 100 < zip.length, "the rest was not read");
  });

  it("tells a zip from other files by its first four bytes", function () {
    assert.equal(looksLikeZip(zipOneFile("a", Buffer.from("x"))), true);
    assert.equal(looksLikeZip(Buffer.from('{"responses"')), false);
    assert.equal(looksLikeZip(Buffer.from("PK")), false);
    assert.equal(looksLikeZip(zlib.deflateRawSync(Buffer.from("x"))), false);
  });
});
