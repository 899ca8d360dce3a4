// The account's data kept in a file between runs (the `stateFile` option), as a real Qualtrics
// account keeps its responses, contacts, subscriptions and export continuation tokens. `npm start`
// keeps it beside Node-RED's user directory, so the poll and export nodes' bookmarks (continuation
// tokens) and the sandbox that issued them are kept, and thrown away, together.
//
// What is kept: the whole SandboxState and the export continuation tokens with the recording order
// they refer to. Not kept: recorded requests, fault rules, OAuth tokens, unfinished export and import
// jobs (a restarted account would not finish them either in this stand-in).
import * as fs from "node:fs";
import * as path from "node:path";
import { exportBookmarks, restoreExportBookmarks, type SavedExportBookmarks } from "./routes/export";
import type { SandboxState } from "./state";

/** bumped when the file's shape changes; an older file is ignored (the seed is used) */
const FORMAT = 1;

interface SavedFile {
  format: number;
  state: SandboxState;
  exports: SavedExportBookmarks;
}

/** Maps are written as {"$map": [[key, value], ...]}: the state is plain data and Maps only */
function replacer(_key: string, value: unknown): unknown {
  return value instanceof Map ? { $map: [...value.entries()] } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o.$map) && Object.keys(o).length === 1) return new Map(o.$map as Array<[unknown, unknown]>);
  }
  return value;
}

export function serializeState(state: SandboxState): string {
  const saved: SavedFile = { format: FORMAT, state, exports: exportBookmarks(state) };
  return JSON.stringify(saved, replacer);
}

/** The state a file holds, or undefined when there is none; a file of another format or damaged throws. */
export function readStateFile(file: string): SandboxState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const saved = JSON.parse(text, reviver) as Partial<SavedFile>;
  if (saved.format !== FORMAT || typeof saved.state !== "object" || saved.state === null) {
    throw new Error(`${file} is not a sandbox state file of format ${FORMAT}`);
  }
  if (!(saved.state.surveys instanceof Map) || !(saved.state.directories instanceof Map)) throw new Error(`${file} holds no surveys or directories`);
  // a file written before transactions were simulated has none: an account without any
  for (const d of saved.state.directories.values()) {
    d.transactions ??= new Map();
    d.transactionBatches ??= new Map();
  }
  restoreExportBookmarks(saved.state, saved.exports ?? { tokens: [], order: [] });
  return saved.state;
}

/** Writes aside and renames, so a run stopped halfway leaves the previous file whole. */
export function writeStateFile(file: string, state: SandboxState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, serializeState(state));
  fs.renameSync(tmp, file);
}

/**
 * Saves shortly after each change (many changes, one write) and at once on flush(). A failed write
 * is reported through `log` and tried again on the next change.
 */
export class StateSaver {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly current: () => SandboxState,
    private readonly log?: (line: string) => void,
    private readonly delayMs = 100,
  ) {}

  changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      writeStateFile(this.file, this.current());
    } catch (err) {
      this.log?.(`sandbox: could not save the state to ${this.file}: ${(err as Error).message}`);
    }
  }
}
