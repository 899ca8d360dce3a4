// Small JSON files of ours in the Node-RED user directory that must survive a hard kill: written
// to a temporary file, flushed to disk, then renamed over the old one, so a kill leaves the old or
// the new file, never half of one. Writes to one file go one after the other.
import * as fs from "node:fs";
import * as path from "node:path";
import { isPlainObject } from "../../src/safe-object";
import type { NodeAPI } from "./types";

const writing = new Map<string, Promise<void>>();

/** `<userDir>/<name>`, or undefined where the runtime has no user directory (the test helper) */
export function userDirPath(RED: NodeAPI, ...name: string[]): string | undefined {
  const userDir = (RED.settings as unknown as { userDir?: unknown }).userDir;
  return typeof userDir === "string" && userDir ? path.join(userDir, ...name) : undefined;
}

async function readNow(file: string): Promise<Record<string, unknown>> {
  try {
    const parsed: unknown = JSON.parse(await fs.promises.readFile(file, "utf8"));
    return isPlainObject(parsed) ? parsed : {};
  } catch {
    return {}; // none yet, or unreadable
  }
}

/** the object in `file`, once any write to it has ended; {} when there is none or it cannot be read */
export async function readJsonObject(file: string | undefined): Promise<Record<string, unknown>> {
  if (!file) return {};
  await writing.get(file)?.catch(() => undefined);
  return readNow(file);
}

/** changes the object in `file` (read, `change`, write atomically), after any write still running */
export function updateJsonObject(file: string, change: (current: Record<string, unknown>) => void): Promise<void> {
  const previous = writing.get(file) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(async () => {
    const current = await readNow(file);
    change(current);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const handle = await fs.promises.open(tmp, "w");
    try {
      await handle.writeFile(JSON.stringify(current, null, 2) + "\n", "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, file);
  });
  writing.set(file, next);
  void next.finally(() => {
    if (writing.get(file) === next) writing.delete(file);
  }).catch(() => undefined);
  return next;
}

/** removes `file`, after any write still running */
export async function removeFile(file: string | undefined): Promise<void> {
  if (!file) return;
  await writing.get(file)?.catch(() => undefined);
  await fs.promises.rm(file, { force: true }).catch(() => undefined);
}
