// Real Node-RED processes for end-to-end tests (and for `npm start`): a user directory with our
// package on nodesDir, a free port, the log captured in memory, flows deployed with credentials
// through the Admin API, restart on the same user directory, and no process left behind.
//
// The Node-RED package comes from NR_PKG ("node-red" = 4.1, "node-red-5" = 5.0) and runs on this
// Node (process.execPath): scripts/test.js runs the Node-RED 5 suites with Node 22.
//
// Leftover processes are prevented three ways: stop() ends the whole process group (SIGINT, then
// SIGKILL); an "exit" hook kills every group still running when the test process exits (mocha
// --exit, a failed test); and a small preload in the child ends it within a second when the
// process that started it is gone (a killed test runner).
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { sleep, waitFor } from "./wait";

// scripts/start.js and bench/ take these from here, with the runtime
export { sleep, waitFor };

export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(from: string): string {
  let dir = from;
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: string }).name === "@xmflows/node-red-qualtrics") return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`@xmflows/node-red-qualtrics not found above ${from}`);
    dir = up;
  }
}

export type FlowNode = { id: string; type: string; z?: string; wires?: string[][]; [key: string]: unknown };
export type Credentials = Record<string, Record<string, string>>;

export interface StartOptions {
  /** "node-red" (4.x) or "node-red-5"; default process.env.NR_PKG or "node-red" */
  pkg?: string;
  /** the node binary; default process.execPath */
  node?: string;
  /** reuse a user directory (kept on dispose); default a fresh temporary one (removed on dispose) */
  userDir?: string;
  /** default: a free port on 127.0.0.1 */
  port?: number;
  /** default "/" */
  httpNodeRoot?: string;
  /** default "e2e-credential-secret" */
  credentialSecret?: string;
  /** extra environment for the Node-RED process (e.g. QUALTRICS_BASE_URL) */
  env?: Record<string, string>;
  /** console log level; default "info" (our nodes' log lines are info) */
  logLevel?: "fatal" | "error" | "warn" | "info" | "debug" | "trace";
  /** log Admin API audit events too */
  audit?: boolean;
  /** more settings, JSON-serialisable, merged over the defaults */
  settings?: Record<string, unknown>;
  /** also write the log here as it comes (default: stderr when E2E_ECHO=1) */
  echo?: (text: string) => void;
  /** default 60 s */
  readyTimeoutMs?: number;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  json<T = unknown>(): T;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of live) killGroup(child, "SIGKILL");
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Ends the child when its parent (the test runner, `npm start`) has gone. Loaded with `node -r`. */
const WATCHDOG = `"use strict";
const parent = Number(process.env.NR_E2E_PARENT_PID);
if (parent > 1) {
  const t = setInterval(() => { try { process.kill(parent, 0); } catch { process.exit(1); } }, 1000);
  t.unref();
}
`;

function watchdogFile(): string {
  const file = path.join(os.tmpdir(), `nrq-e2e-watchdog-${process.getuid?.() ?? "u"}.js`);
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== WATCHDOG) {
    // written aside and renamed, so a Node-RED started by a parallel run never reads half a file
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, WATCHDOG);
    fs.renameSync(tmp, file);
  }
  return file;
}

/** A port that was free a moment ago on `host`; `preferred` and the ones after it are tried first. */
export async function freePort(preferred?: number, host = "127.0.0.1", tries = 20): Promise<number> {
  const attempt = (port: number) =>
    new Promise<number | null>((resolve) => {
      const srv = net.createServer();
      srv.unref();
      srv.once("error", () => resolve(null));
      srv.listen(port, host, () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
  if (preferred !== undefined) {
    for (let i = 0; i < tries; i++) {
      const p = await attempt(preferred + i);
      if (p !== null) return p;
    }
  }
  const p = await attempt(0);
  if (p === null) throw new Error("no free port");
  return p;
}

function settingsSource(o: Required<Pick<StartOptions, "httpNodeRoot" | "credentialSecret" | "logLevel">> & { port: number; audit: boolean; extra: Record<string, unknown> }): string {
  const settings = {
    uiHost: "127.0.0.1",
    uiPort: o.port,
    flowFile: "flows.json",
    credentialSecret: o.credentialSecret,
    nodesDir: [REPO_ROOT],
    httpNodeRoot: o.httpNodeRoot,
    logging: { console: { level: o.logLevel, metrics: false, audit: o.audit } },
    editorTheme: { tours: false, projects: { enabled: false } },
    externalModules: { palette: { allowInstall: false } },
    diagnostics: { enabled: false },
    telemetry: { enabled: false },
    ...o.extra,
  };
  return `// written by test/support/runtime.ts\nmodule.exports = ${JSON.stringify(settings, null, 2)};\n`;
}

export class NodeRed {
  readonly pkg: string;
  readonly userDir: string;
  readonly port: number;
  readonly httpNodeRoot: string;
  /** the editor / Admin API, with a trailing slash: http://127.0.0.1:PORT/ */
  readonly url: string;
  /** where RED.httpNode routes are: url + httpNodeRoot, without a trailing slash */
  readonly nodeUrl: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private logText = "";
  private readonly tempUserDir: boolean;

  private constructor(private readonly opts: StartOptions, userDir: string, tempUserDir: boolean, port: number) {
    this.pkg = opts.pkg ?? process.env.NR_PKG ?? "node-red";
    this.userDir = userDir;
    this.tempUserDir = tempUserDir;
    this.port = port;
    this.httpNodeRoot = opts.httpNodeRoot ?? "/";
    this.url = `http://127.0.0.1:${port}/`;
    this.nodeUrl = `http://127.0.0.1:${port}${this.httpNodeRoot.replace(/\/+$/, "")}`;
  }

  static async start(opts: StartOptions = {}): Promise<NodeRed> {
    installExitHook();
    const temp = !opts.userDir;
    const userDir = opts.userDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "nrq-e2e-"));
    fs.mkdirSync(userDir, { recursive: true });
    const port = opts.port ?? (await freePort());
    const nr = new NodeRed(opts, userDir, temp, port);
    try {
      await nr.launch();
    } catch (err) {
      await nr.dispose();
      throw err;
    }
    return nr;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** everything Node-RED wrote to stdout and stderr, across restarts */
  get log(): string {
    return this.logText;
  }

  /** a position in the log, for logSince() */
  mark(): number {
    return this.logText.length;
  }

  logSince(mark: number): string {
    return this.logText.slice(mark);
  }

  /** error lines, and warnings from nodes ("[warn] [type:name] ...") or about our package */
  problems(mark = 0): string[] {
    return this.logSince(mark)
      .split("\n")
      .filter((l) => /\[error\]/.test(l) || /\[warn\] \[/.test(l) || (/\[warn\]/.test(l) && /qualtrics/i.test(l)) || /Unhandled|uncaught|TypeError|ReferenceError/.test(l));
  }

  async waitForLog(re: RegExp, timeoutMs = 10_000, mark = 0): Promise<RegExpMatchArray> {
    return waitFor(`log line ${re}`, () => this.logSince(mark).match(re) ?? undefined, timeoutMs);
  }

  private settingsFile(): string {
    return path.join(this.userDir, "settings.js");
  }

  private async launch(): Promise<void> {
    const o = this.opts;
    fs.writeFileSync(
      this.settingsFile(),
      settingsSource({
        port: this.port,
        httpNodeRoot: this.httpNodeRoot,
        credentialSecret: o.credentialSecret ?? "e2e-credential-secret",
        logLevel: o.logLevel ?? "info",
        audit: o.audit ?? false,
        extra: o.settings ?? {},
      }),
    );
    const redJs = path.join(path.dirname(require.resolve(`${this.pkg}/package.json`, { paths: [REPO_ROOT] })), "red.js");
    const echo = o.echo ?? (process.env.E2E_ECHO === "1" ? (t: string) => process.stderr.write(t) : undefined);
    const child = spawn(o.node ?? process.execPath, ["-r", watchdogFile(), redJs, "-u", this.userDir, "-s", this.settingsFile()], {
      cwd: this.userDir,
      detached: true, // its own process group, so stop() can end everything it started
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...o.env, NR_E2E_PARENT_PID: String(process.pid), NODE_OPTIONS: "" },
    });
    this.child = child;
    live.add(child);
    const onData = (b: Buffer) => {
      const t = b.toString("utf8");
      this.logText += t;
      echo?.(t);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    this.exited = new Promise<void>((resolve) => {
      child.once("exit", (code, signal) => {
        live.delete(child);
        if (this.child === child) this.child = undefined;
        this.logText += `\n[runtime.ts] Node-RED exited (code ${code}, signal ${signal})\n`;
        resolve();
      });
    });
    const timeout = o.readyTimeoutMs ?? 60_000;
    // exiting while starting (a wrong Node for Node-RED 5, a port taken, a crash) fails at once
    const exitedEarly = new Promise<never>((_, reject) =>
      child.once("exit", (code, signal) => reject(new Error(`Node-RED (${this.pkg}) exited while starting (code ${code}, signal ${signal})`))),
    );
    exitedEarly.catch(() => undefined);
    const answering = waitFor(
      `Node-RED (${this.pkg}) to answer on ${this.url}`,
      async () => {
        const r = await fetch(this.url + "settings", { headers: { Accept: "application/json" } });
        await r.arrayBuffer();
        // with adminAuth on, /settings wants a token: a 401 is an answer too
        return r.status === 200 || r.status === 401;
      },
      timeout,
      100,
    );
    await Promise.race([answering, exitedEarly]).catch((err: Error) => {
      throw new Error(`${err.message}\n--- Node-RED log ---\n${this.logText}`);
    });
  }

  /** Stops Node-RED the way Ctrl-C does (flows close, with removed=false), then makes sure the group is gone. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    killGroup(child, "SIGINT");
    const stopped = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!stopped) {
      this.logText += `\n[runtime.ts] Node-RED did not stop within ${graceMs} ms; killing it\n`;
      killGroup(child, "SIGKILL");
      await this.exited;
    }
    // anything else in the group (there should be nothing)
    killGroup(child, "SIGKILL");
  }

  /** Ends Node-RED at once, as a power cut or the OOM killer would: no node closes, no context store flushes. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    killGroup(child, "SIGKILL");
    await this.exited;
  }

  /** Starts again after stop() or kill(), on the same user directory and port. */
  async start(): Promise<void> {
    if (this.child) return;
    await this.launch();
  }

  /** Stops and starts again on the same user directory and port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Stops and removes a temporary user directory. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.tempUserDir) fs.rmSync(this.userDir, { recursive: true, force: true });
  }

  async request(method: string, pathOrUrl: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : this.url + pathOrUrl.replace(/^\//, "");
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      if (typeof body === "string" || body instanceof URLSearchParams) init.body = body;
      else {
        init.body = JSON.stringify(body);
        (init.headers as Record<string, string>)["content-type"] ??= "application/json";
      }
    }
    const r = await fetch(url, init);
    const text = await r.text();
    return {
      status: r.status,
      headers: r.headers,
      text,
      json<T>() {
        return JSON.parse(text) as T;
      },
    };
  }

  /** GET /flows with API v2: the flows (without credentials) and their revision */
  async getFlows(): Promise<{ rev: string; flows: FlowNode[]; text: string }> {
    const r = await this.request("GET", "flows", undefined, { "Node-RED-API-Version": "v2", Accept: "application/json" });
    if (r.status !== 200) throw new Error(`GET /flows: ${r.status} ${r.text}`);
    const j = r.json<{ rev: string; flows: FlowNode[] }>();
    return { ...j, text: r.text };
  }

  /**
   * Deploys `flows` (a full deploy unless `type` says otherwise), with credentials put on the node
   * objects the way the editor sends them. Returns the new revision.
   */
  async deploy(flows: FlowNode[], credentials: Credentials = {}, type: "full" | "nodes" | "flows" = "full"): Promise<string> {
    const current = await this.getFlows();
    const body = {
      rev: current.rev,
      flows: flows.map((n) => (credentials[n.id] ? { ...n, credentials: credentials[n.id] } : n)),
    };
    const r = await this.request("POST", "flows", body, {
      "Node-RED-API-Version": "v2",
      "Node-RED-Deployment-Type": type,
    });
    if (r.status !== 200) throw new Error(`POST /flows: ${r.status} ${r.text}`);
    return r.json<{ rev: string }>().rev;
  }

  /** presses an inject node's button (POST /inject/:id) */
  async inject(id: string): Promise<void> {
    // right after a deploy the node may not have started yet: its route answers 404 until it has
    const until = Date.now() + 5_000;
    for (;;) {
      const r = await this.request("POST", `inject/${encodeURIComponent(id)}`);
      if (r.status === 200) return;
      if (r.status !== 404 || Date.now() > until) throw new Error(`POST /inject/${id}: ${r.status} ${r.text}`);
      await sleep(100);
    }
  }

  flowsFile(): string {
    return path.join(this.userDir, "flows.json");
  }

  credentialsFile(): string {
    return path.join(this.userDir, "flows_cred.json");
  }

  readFlowsFile(): FlowNode[] {
    return JSON.parse(fs.readFileSync(this.flowsFile(), "utf8")) as FlowNode[];
  }

  readCredentialsFile(): string {
    return fs.readFileSync(this.credentialsFile(), "utf8");
  }
}

export function startNodeRed(opts: StartOptions = {}): Promise<NodeRed> {
  return NodeRed.start(opts);
}

// --------------------------------------------------------------------------- the example flows

export interface Example {
  /** the file name without .json: the label under Import ▸ Examples */
  label: string;
  file: string;
  /** the example's tab id (the z every flow node in it shares) */
  tab: string;
  nodes: FlowNode[];
}

export function loadExamples(dir = path.join(REPO_ROOT, "examples")): Example[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      const nodes = JSON.parse(fs.readFileSync(file, "utf8")) as FlowNode[];
      const tabs = [...new Set(nodes.filter((n) => n.z).map((n) => n.z as string))];
      if (tabs.length !== 1) throw new Error(`${f}: the flow nodes should share one z, found ${tabs.join(", ") || "none"}`);
      return { label: f.replace(/\.json$/, ""), file, tab: tabs[0], nodes };
    });
}

/** Every example on a tab of its own (labelled like the file), config nodes once. */
export function examplesFlows(examples: Example[] = loadExamples()): FlowNode[] {
  const out: FlowNode[] = [];
  const configs = new Map<string, FlowNode>();
  for (const ex of examples) {
    out.push({ id: ex.tab, type: "tab", label: ex.label, disabled: false, info: "" });
    for (const n of ex.nodes) {
      if (n.z) out.push(n);
      else if (!configs.has(n.id)) configs.set(n.id, n);
    }
  }
  return [...out, ...configs.values()];
}
