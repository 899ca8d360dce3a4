import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readJsonObject, updateJsonObject } from "../../nodes/lib/durable-file";
import { failure } from "./helpers";

// The bookmark files in the user directory are written through a temporary file: someone who can
// write into that directory (or guess where it goes) must not make the write land anywhere else.
describe("durable JSON files (nodes/lib/durable-file.ts): no write through a link someone placed", function () {
  let dir: string;
  let victim: string;
  const VICTIM_TEXT = '{"settings":"of another program, must stay as they are"}\n';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "qualtrics-durable-"));
    victim = path.join(dir, "victim.json");
    fs.writeFileSync(victim, VICTIM_TEXT);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const leftovers = (d: string) => fs.readdirSync(d).filter((n) => n.endsWith(".tmp"));

  it("a link at the temporary name the earlier version used (file.<pid>.tmp) does not get its target overwritten", async function () {
    const book = path.join(dir, "qualtrics-bookmarks");
    fs.mkdirSync(book);
    const file = path.join(book, "n1.json");
    fs.symlinkSync(victim, `${file}.${process.pid}.tmp`);
    await updateJsonObject(file, (o) => (o.SV_1 = { since: "2025-05-01T00:00:00Z" }));
    assert.equal(fs.readFileSync(victim, "utf8"), VICTIM_TEXT);
    assert.deepEqual(await readJsonObject(file), { SV_1: { since: "2025-05-01T00:00:00Z" } });
    assert.equal(fs.lstatSync(file).isFile(), true);
  });

  it("a link at the file's own name is replaced, not written through, and its target is not read into the file", async function () {
    const file = path.join(dir, "n2.json");
    fs.symlinkSync(victim, file);
    await updateJsonObject(file, (o) => (o.SV_2 = { continuationToken: "t" }));
    assert.equal(fs.readFileSync(victim, "utf8"), VICTIM_TEXT);
    assert.equal(fs.lstatSync(file).isSymbolicLink(), false);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), { SV_2: { continuationToken: "t" } });
    assert.deepEqual(leftovers(dir), []);
  });

  it("a link in place of the directory is an error; nothing is written where it points", async function () {
    const elsewhere = path.join(dir, "elsewhere");
    fs.mkdirSync(elsewhere);
    fs.symlinkSync(elsewhere, path.join(dir, "qualtrics-bookmarks"));
    const file = path.join(dir, "qualtrics-bookmarks", "n3.json");
    const err = await failure(updateJsonObject(file, (o) => (o.x = 1)));
    assert.match(err.message, /is not a directory \(a symbolic link or a file is in its place\); nothing was written/);
    assert.deepEqual(fs.readdirSync(elsewhere), []);
  });

  it("temporary names differ from write to write, and a failed write leaves no temporary file", async function () {
    const file = path.join(dir, "n4.json");
    const opened: string[] = [];
    const open = fs.promises.open;
    fs.promises.open = (async (p: fs.PathLike, ...rest: unknown[]) => {
      opened.push(String(p));
      return (open as (...a: unknown[]) => Promise<fs.promises.FileHandle>)(p, ...rest);
    }) as typeof fs.promises.open;
    try {
      await updateJsonObject(file, (o) => (o.a = 1));
      await updateJsonObject(file, (o) => (o.b = 2));
    } finally {
      fs.promises.open = open;
    }
    const temps = opened.filter((p) => p.endsWith(".tmp"));
    assert.equal(temps.length, 2);
    assert.notEqual(temps[0], temps[1]);
    for (const t of temps) assert.match(path.basename(t), /^n4\.json\.[0-9a-f]{16}\.tmp$/);
    // a directory where the file should be: the rename fails, the temporary file goes
    const blocked = path.join(dir, "n5.json");
    fs.mkdirSync(blocked);
    await failure(updateJsonObject(blocked, (o) => (o.c = 3)));
    assert.deepEqual(leftovers(dir), []);
  });
});
