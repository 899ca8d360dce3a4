// Small JSON files of ours in the Node-RED user directory that must survive a hard kill: written
// to a temporary file, flushed to disk, then renamed over the old one, so a kill leaves the old or
// the new file, never half of one. Writes to one file go one after the other.
//
// Nothing here follows a symbolic link someone else placed: the temporary file has a random name
// and is created exclusively without following a link (a link at its path makes the write fail),
// the directory must be a real directory, and the file is read without following a link. A
// rename replaces a link at the final name with the file; it never writes through it.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { isPlainObject } from "../../src/safe-object";
import { KeyedQueue } from "./keyed-queue";
import type { NodeAPI } from "./types";

const writing = new KeyedQueue();

/** `<userDir>/<name>`, or undefined where the runtime has no user directory (the test helper) */
export function userDirPath(RED: NodeAPI, ...name: string[]): string | undefined {
  const userDir = (RED.settings as unknown as { userDir?: unknown }).userDir;
  return typeof userDir === "string" && userDir ? path.join(userDir, ...name) : undefined;
}

const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
/** create, write only, fail when anything (a link too) is at the path */
const CREATE_NEW = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW;

async function readNow(file: string): Promise<Record<string, unknown>> {
  try {
    const handle = await fs.promises.open(file, fs.constants.O_RDONLY | NOFOLLOW);
    let text: string;
    try {
      text = await handle.readFile("utf8");
    } finally {
      await handle.close();
    }
    const parsed: unknown = JSON.parse(text);
    return isPlainObject(parsed) ? parsed : {};
  } catch {
    return {}; // none yet, or unreadable
  }
}

/** the object in `file`, once any write to it has ended; {} when there is none or it cannot be read */
export async function readJsonObject(file: string | undefined): Promise<Record<string, unknown>> {
  if (!file) return {};
  await writing.idle(file);
  return readNow(file);
}

/** changes the object in `file` (read, `change`, write atomically), after any write still running */
export function updateJsonObject(file: string, change: (current: Record<string, unknown>) => void): Promise<void> {
  return writing.run(file, async () => {
    const current = await readNow(file);
    change(current);
    await replaceFile(file, JSON.stringify(current, null, 2) + "\n");
  });
}

/** replaces `file` with `text` atomically (temporary file, flushed, renamed); the caller orders the writes */
export async function replaceFile(file: string, text: string): Promise<void> {
  await realDirectory(path.dirname(file));
  const tmp = `${file}.${randomBytes(8).toString("hex")}.tmp`;
  const handle = await fs.promises.open(tmp, CREATE_NEW, 0o600);
  try {
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** reads `file` as text without following a link; undefined when there is none */
export async function readTextNoFollow(file: string): Promise<string | undefined> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    return await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
}

/** opens `file` for appending (created 0600 when missing), never through a link */
export async function openForAppend(file: string): Promise<fs.promises.FileHandle> {
  await realDirectory(path.dirname(file));
  return fs.promises.open(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | NOFOLLOW, 0o600);
}

/** makes `dir` (and its parents) when missing; a link or anything else in its place is an error, not followed */
export async function realDirectory(dir: string): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await fs.promises.lstat(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory (a symbolic link or a file is in its place); nothing was written`);
}

/** removes `file`, after any write still running */
export async function removeFile(file: string | undefined): Promise<void> {
  if (!file) return;
  await writing.idle(file);
  await fs.promises.rm(file, { force: true }).catch(() => undefined);
}
