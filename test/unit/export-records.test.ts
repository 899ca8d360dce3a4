import assert from "node:assert/strict";
import { DEFAULT_MAX_RECORD_BYTES, delimitedRows, ExportColumn, ExportFileError, jsonResponses, ndjsonLines, records } from "../../src/export-records";
import { failure } from "./helpers";
import { sleep } from "../support/wait";

async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function all(gen: AsyncGenerator<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

const RESPONSES = [
  { responseId: "R_1", values: { QID1: 9, QID3_TEXT: 'braces } ] { [ and "quotes", a \\ backslash', emoji: "😀 ü" }, labels: {}, displayedFields: ["QID1"], displayedValues: { QID1: [0, 1] } },
  { responseId: "R_2", values: { QID1: 0, nested: { a: [1, { b: "]}" }] } }, labels: { QID1: "0" }, displayedFields: [], displayedValues: {} },
  { responseId: "R_3", values: {}, labels: {}, displayedFields: [], displayedValues: {} },
];

describe("export file reading (docs/qualtrics-facts.md §7.4)", function () {
  describe("JSON {\"responses\":[...]}", function () {
    const file = Buffer.from(JSON.stringify({ responses: RESPONSES }, null, 1));

    for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
      it(`gives each response, whatever the piece size (${size} bytes; multi-byte characters split too)`, async function () {
        assert.deepEqual(await all(jsonResponses(pieces(file, size))), RESPONSES);
      });
    }

    it("finds the responses array after other keys, skips keys after it, and takes a top-level array too", async function () {
      const withKeys = Buffer.from(JSON.stringify({ meta: { responses: ["not these"], x: "[{" }, responses: RESPONSES, after: [{ responseId: "no" }] }));
      assert.deepEqual(await all(jsonResponses(pieces(withKeys, 5))), RESPONSES);
      assert.deepEqual(await all(jsonResponses(pieces(Buffer.from(JSON.stringify(RESPONSES)), 3))), RESPONSES);
      assert.deepEqual(await all(jsonResponses(pieces(Buffer.from('\ufeff{"responses":[1, "two", null, true]}'), 2))), [1, "two", null, true]);
    });

    it("an empty export gives nothing", async function () {
      assert.deepEqual(await all(jsonResponses(pieces(Buffer.from('{"responses":[]}'), 4))), []);
      assert.deepEqual(await all(jsonResponses(pieces(Buffer.from("{ \"responses\" : [ ] }"), 1))), []);
    });

    it("drops __proto__, constructor and prototype keys, so a response cannot change a message's prototype", async function () {
      const text = '{"responses":[{"responseId":"R_1","__proto__":{"admin":true},"values":{"constructor":1,"list":[{"__proto__":{"x":1},"prototype":2,"ok":3}]}}]}';
      const [r] = (await all(jsonResponses(pieces(Buffer.from(text), 9)))) as Array<Record<string, unknown>>;
      assert.equal(Object.getPrototypeOf(r), Object.prototype);
      assert.equal((r as { admin?: boolean }).admin, undefined);
      assert.deepEqual(r, { responseId: "R_1", values: { list: [{ ok: 3 }] } });
      const list = (r.values as { list: object[] }).list;
      assert.equal(Object.getPrototypeOf(list[0]), Object.prototype);
      assert.deepEqual(Object.keys(list[0]), ["ok"]);
    });

    it("holds one response at a time: responses come out while the file is still arriving", async function () {
      const many = Buffer.from(JSON.stringify({ responses: Array.from({ length: 20_000 }, (_, i) => ({ responseId: `R_${i}` })) }));
      let fed = 0;
      async function* counted(): AsyncGenerator<Buffer> {
        for await (const p of pieces(many, 100)) {
          fed += p.length;
          yield p;
        }
      }
      const it = jsonResponses(counted());
      assert.deepEqual((await it.next()).value, { responseId: "R_0" });
      // give a reader that does not wait for its consumer time to run ahead
      await sleep(50);
      assert.ok(fed < many.length / 10, `only the start was read (${fed} of ${many.length} bytes)`);
      await it.return(undefined);
    });

    it("refuses a file that is cut off, not JSON, or has no responses array", async function () {
      for (const cut of [file.subarray(0, file.length - 10), file.subarray(0, file.length - 1), file.subarray(0, 20), Buffer.from('{"responses":[{"a":"te'), Buffer.from('{"responses":[{"a":tr'), Buffer.from('{"responses":[{"a":1}'), Buffer.from('{"responses":[{"a":1},'), Buffer.from('{"responses":[{"a":-')]) {
        const e1 = await failure(all(jsonResponses(pieces(cut, 50))));
        assert.ok(e1 instanceof ExportFileError);
        assert.match(e1.message, /^export file: the JSON ended early \(the download may have been cut off\)$/);
      }
      assert.match((await failure(all(jsonResponses(pieces(Buffer.from('{"results":[]}'), 3))))).message, /no "responses" array/);
      assert.match((await failure(all(jsonResponses(pieces(Buffer.from(" \n"), 3))))).message, /no "responses" array/);
      assert.match((await failure(all(jsonResponses(pieces(Buffer.from('{"responses":{"a":1}}'), 3))))).message, /"responses" is not an array/);
      assert.match((await failure(all(jsonResponses(pieces(Buffer.from('{"responses":[{"a":1]}'), 3))))).message, /^export file: the JSON is not well formed/);
      assert.match((await failure(all(jsonResponses(pieces(Buffer.from('{"responses":[{"a":1},{"b":tru}]}'), 3))))).message, /not well formed after response 1/);
      assert.match((await failure(all(jsonResponses(pieces(Buffer.from('{"responses":[]} x'), 100))))).message, /not well formed/);
    });

    it("a broken download fails with its own error", async function () {
      const broken = new Error("the download broke off");
      async function* source(): AsyncGenerator<Buffer> {
        yield file.subarray(0, 100);
        throw broken;
      }
      assert.equal(await failure(all(jsonResponses(source()))), broken);
    });
  });

  describe("NDJSON", function () {
    it("one response a line: CRLF, blank lines, a last line without newline and a BOM are fine", async function () {
      const text = "\ufeff" + RESPONSES.map((r) => JSON.stringify(r)).join("\r\n\r\n") + "\n\n" + '{"responseId":"R_4"}';
      const got = await all(ndjsonLines(pieces(Buffer.from(text), 3)));
      assert.deepEqual(got, [...RESPONSES, { responseId: "R_4" }]);
    });

    it("names the line that is not JSON", async function () {
      const err = await failure(all(ndjsonLines(pieces(Buffer.from('{"a":1}\n{"b":\n'), 4))));
      assert.ok(err instanceof ExportFileError);
      assert.match(err.message, /line 2 is not valid JSON/);
    });
  });

  describe("long lines and large responses (issue 12: hostile or broken upstream)", function () {
    /**
     * How many characters or bytes the newline searches looked at while `run` ran: String and
     * Buffer indexOf of "\n" are watched, counting from where each search started to where it
     * stopped. A reader that searches each byte once looks at about as many as the file holds.
     */
    async function scanned(run: () => Promise<unknown>): Promise<number> {
      const stringIndexOf = String.prototype.indexOf;
      const bufferIndexOf = Buffer.prototype.indexOf;
      let count = 0;
      const newline = (v: unknown) => v === "\n" || v === 0x0a || (Buffer.isBuffer(v) && v.length === 1 && v[0] === 0x0a);
      String.prototype.indexOf = function (this: string, search: string, from?: number) {
        const at = stringIndexOf.call(this, search, from);
        if (newline(search)) count += (at < 0 ? this.length : at + 1) - Math.max(0, from ?? 0);
        return at;
      };
      Buffer.prototype.indexOf = function (this: Buffer, value: string | number | Uint8Array, offset?: number | BufferEncoding, enc?: BufferEncoding) {
        const at = bufferIndexOf.call(this, value, offset as number, enc);
        if (newline(value)) count += (at < 0 ? this.length : at + 1) - Math.max(0, typeof offset === "number" ? offset : 0);
        return at;
      };
      try {
        await run();
      } finally {
        String.prototype.indexOf = stringIndexOf;
        Buffer.prototype.indexOf = bufferIndexOf;
      }
      return count;
    }

    it("NDJSON: a line arriving in a thousand pieces is searched once, not again from its start for every piece", async function () {
      const long = JSON.stringify({ responseId: "R_long", values: { QID1_TEXT: "y".repeat(1 << 20) } });
      const file = Buffer.from(`{"responseId":"R_1"}\n${long}\n{"responseId":"R_2"}\n`);
      let got: unknown[] = [];
      const looked = await scanned(async () => (got = await all(ndjsonLines(pieces(file, 1024)))));
      assert.deepEqual(got.map((r) => (r as { responseId: string }).responseId), ["R_1", "R_long", "R_2"]);
      // searching from the line's start for every piece looks at about 1024 × 1024 kB / 2 = 512 MB
      assert.ok(looked <= 2 * file.length, `${looked} characters looked at for a file of ${file.length} bytes`);
    });

    it("a response larger than the limit is refused while it arrives, naming it, the limit and where to raise it; those before it come out", async function () {
      const opts = { maxRecordBytes: 1000, limitHint: "raise it here" };
      const huge = "z".repeat(200_000);
      const cases: Array<[string, Buffer, (src: AsyncGenerator<Buffer>) => AsyncGenerator<unknown>, RegExp]> = [
        ["NDJSON", Buffer.from(`{"responseId":"R_1"}\n{"responseId":"R_2","values":{"QID1_TEXT":"${huge}"}}\n{"responseId":"R_3"}\n`), (src) => ndjsonLines(src, opts), /^export file: line 2 is larger than 1000 bytes, the limit for one response \(raise it here\)/],
        ["JSON string", Buffer.from(JSON.stringify({ responses: [{ responseId: "R_1" }, { responseId: "R_2", values: { QID1_TEXT: huge } }, { responseId: "R_3" }] })), (src) => jsonResponses(src, opts), /^export file: response 2 is larger than 1000 bytes/],
        ["JSON element", Buffer.from(JSON.stringify({ responses: [{ responseId: "R_1" }, { responseId: "R_2", values: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`Q${i}`, i])) }] })), (src) => jsonResponses(src, opts), /^export file: response 2 is larger than 1000 bytes/],
        ["JSON top-level string", Buffer.from(JSON.stringify([{ responseId: "R_1" }, huge])), (src) => jsonResponses(src, opts), /^export file: response 2 is larger than 1000 bytes/],
        ["CSV field", Buffer.from(`ResponseId,Q1\nR_1,a\nR_2,"${huge}"\nR_3,b\n`), (src) => delimitedRows(src, ",", opts), /^export file: the row at line 3 is larger than 1000 bytes, the limit for one response \(raise it here\)/],
      ];
      for (const [what, file, read, says] of cases) {
        const got: unknown[] = [];
        let fed = 0;
        async function* counted(): AsyncGenerator<Buffer> {
          for await (const p of pieces(file, 512)) {
            fed += p.length;
            yield p;
          }
        }
        const err = await failure(
          (async () => {
            for await (const r of read(counted())) got.push(r);
          })(),
        );
        assert.ok(err instanceof ExportFileError, `${what}: ${String(err)}`);
        assert.match(err.message, says, what);
        // (a CSV row is held until the next one says whether it was a header row)
        if (what !== "CSV field") assert.deepEqual(got.map((r) => (r as Record<string, unknown>).responseId), ["R_1"], what);
        assert.ok(fed < 20_000, `${what}: ${fed} bytes were read before the refusal`);
      }
    });

    it("the limit is 16 MB unless set: a 1 MB response is read", async function () {
      assert.equal(DEFAULT_MAX_RECORD_BYTES, 16 * 1024 * 1024);
      const big = { responseId: "R_big", values: { QID1_TEXT: "q".repeat(1 << 20) } };
      assert.deepEqual(await all(jsonResponses(pieces(Buffer.from(JSON.stringify({ responses: [big] })), 65536))), [big]);
      assert.deepEqual(await all(ndjsonLines(pieces(Buffer.from(JSON.stringify(big)), 65536))), [big]);
    });
  });

  describe("CSV and TSV", function () {
    const qualtricsCsv = [
      "\ufeffStartDate,ResponseId,Q1,Q3,tier",
      'Start Date,Response ID,"How likely are you to recommend us, honestly?",What could we do better?,tier',
      '"{""ImportId"":""startDate"",""timeZone"":""Z""}","{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}","{""ImportId"":""QID3_TEXT""}","{""ImportId"":""tier""}"',
      '2025-05-01T10:00:00Z,R_1,9,"Faster, please\nand ""cheaper""",gold',
      "2025-05-01T11:00:00Z,R_2,3,,",
    ].join("\r\n") + "\r\n";

    it("reads Qualtrics' three header rows: names as keys, question texts and import IDs as columns", async function () {
      let columns: ExportColumn[] = [];
      const rows = await all(delimitedRows(pieces(Buffer.from(qualtricsCsv), 5), ",", { onColumns: (c) => (columns = c) }));
      assert.deepEqual(rows, [
        { StartDate: "2025-05-01T10:00:00Z", ResponseId: "R_1", Q1: "9", Q3: 'Faster, please\nand "cheaper"', tier: "gold" },
        { StartDate: "2025-05-01T11:00:00Z", ResponseId: "R_2", Q1: "3", Q3: "", tier: "" },
      ]);
      assert.deepEqual(columns[2], { name: "Q1", label: "How likely are you to recommend us, honestly?", importId: "QID1" });
      assert.deepEqual(columns[0], { name: "StartDate", label: "Start Date", importId: "startDate" });
    });

    it("without the ImportId row, only the first row is a header, so no response is lost", async function () {
      const rows = await all(delimitedRows(pieces(Buffer.from("a,b\n1,2\n3,4\n"), 2), ","));
      assert.deepEqual(rows, [{ a: "1", b: "2" }, { a: "3", b: "4" }]);
      const one = await all(delimitedRows(pieces(Buffer.from("a,b\n1,2\n"), 2), ","));
      assert.deepEqual(one, [{ a: "1", b: "2" }]);
      assert.deepEqual(await all(delimitedRows(pieces(Buffer.from("a,b\n"), 2), ",")), []);
      assert.deepEqual(await all(delimitedRows(pieces(Buffer.from(""), 2), ",")), []);
    });

    it("takes a names row followed directly by the ImportId row (two header rows)", async function () {
      const rows = await all(delimitedRows(pieces(Buffer.from('a,b\n"{""ImportId"":""x""}","{""ImportId"":""y""}"\n1,2\n'), 3), ","));
      assert.deepEqual(rows, [{ a: "1", b: "2" }]);
    });

    it("reads TSV, also as UTF-16 with a byte order mark", async function () {
      const tsv = "a\tb\nx, y\t\"q\"\"q\"\n";
      assert.deepEqual(await all(delimitedRows(pieces(Buffer.from(tsv), 4), "\t")), [{ a: "x, y", b: 'q"q' }]);
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("a\tb\nü\t✓\n", "utf16le")]);
      assert.deepEqual(await all(delimitedRows(pieces(utf16, 3), "\t")), [{ a: "ü", b: "✓" }]);
    });

    it("names empty columns and drops a __proto__ column", async function () {
      const rows = (await all(delimitedRows(pieces(Buffer.from("a,,__proto__\n1,2,3\n"), 100), ","))) as Array<Record<string, unknown>>;
      assert.deepEqual(rows, [{ a: "1", column2: "2" }]);
      assert.equal(Object.getPrototypeOf(rows[0]), Object.prototype);
    });

    it("reports a row it cannot read", async function () {
      const err = await failure(all(delimitedRows(pieces(Buffer.from('a,b\n"open quote,2\n'), 100), ",")));
      assert.ok(err instanceof ExportFileError);
    });
  });

  it("a reader that stops early stops reading the file, in every format", async function () {
    const big = (format: string): Buffer => {
      const rows = Array.from({ length: 20_000 }, (_, i) => ({ responseId: `R_${i}`, text: "x".repeat(50) }));
      if (format === "json") return Buffer.from(JSON.stringify({ responses: rows }));
      if (format === "ndjson") return Buffer.from(rows.map((r) => JSON.stringify(r)).join("\n"));
      const sep = format === "csv" ? "," : "\t";
      return Buffer.from(["responseId" + sep + "text", ...rows.map((r) => r.responseId + sep + r.text)].join("\n"));
    };
    for (const format of ["json", "ndjson", "csv", "tsv"] as const) {
      const bytes = big(format);
      let read = 0;
      let closed = false;
      async function* source(): AsyncGenerator<Buffer> {
        try {
          for await (const p of pieces(bytes, 1000)) {
            read += p.length;
            yield p;
          }
        } finally {
          closed = true;
        }
      }
      for await (const r of records(format, source())) {
        assert.ok(r);
        break;
      }
      assert.ok(closed, `${format}: the source was closed`);
      assert.ok(read < bytes.length / 2, `${format}: only the start was read (${read} of ${bytes.length})`);
    }
  });

  it("records() picks the reader by format", async function () {
    const json = Buffer.from(JSON.stringify({ responses: [{ responseId: "R_1" }] }));
    assert.deepEqual(await all(records("json", pieces(json, 10))), [{ responseId: "R_1" }]);
    assert.deepEqual(await all(records("ndjson", pieces(Buffer.from('{"x":1}\n'), 10))), [{ x: 1 }]);
    assert.deepEqual(await all(records("csv", pieces(Buffer.from("x\n1\n"), 10))), [{ x: "1" }]);
    assert.deepEqual(await all(records("tsv", pieces(Buffer.from("x\ty\n1\t2\n"), 10))), [{ x: "1", y: "2" }]);
  });
});
