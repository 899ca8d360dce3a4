// A program the tests start besides Node-RED (redis-server, haproxy): in its own process group, its
// output kept for failure messages, stopped or killed on demand and never left behind. A test
// runner that exits kills it through an "exit" hook; one that is killed outright leaves behind a
// small shell guard that ends the program within a second of seeing the runner gone.
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import { sleep } from "./wait";

const live = new Set<ChildProcess>();
let hooked = false;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** the shell guard: runs the program, passes TERM/INT on, and kills it when the test runner is gone */
const GUARD = 'runner=$1; shift; "$@" & c=$!; trap \'kill -TERM $c 2>/dev/null\' TERM INT; '
  + 'while kill -0 "$runner" 2>/dev/null && kill -0 $c 2>/dev/null; do sleep 1 & wait $!; done; '
  + 'kill -0 $c 2>/dev/null && kill -KILL $c 2>/dev/null; wait $c';

export class Service {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private text = "";

  /** `name` for messages; `argv` = the program and its arguments */
  constructor(readonly name: string, private readonly argv: string[]) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  /** what the program wrote, across restarts */
  get log(): string {
    return this.text;
  }

  /** Starts the program, then waits until `ready()` says yes (or it exits, or `timeoutMs` passes). */
  async start(ready: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
    if (this.child) return;
    if (!hooked) {
      hooked = true;
      process.on("exit", () => {
        for (const c of live) signalGroup(c, "SIGKILL");
      });
    }
    if (!fs.existsSync(this.argv[0])) throw new Error(`${this.name}: ${this.argv[0]} is not installed (.ci/run installs it from Debian)`);
    const child = spawn("/bin/sh", ["-c", GUARD, "guard", String(process.pid), ...this.argv], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    live.add(child);
    const onData = (b: Buffer) => {
      this.text += b.toString("utf8");
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    let gone = false;
    this.exited = new Promise<void>((resolve) =>
      child.once("exit", (code, signal) => {
        gone = true;
        live.delete(child);
        if (this.child === child) this.child = undefined;
        this.text += `\n[service.ts] ${this.name} exited (code ${code}, signal ${signal})\n`;
        resolve();
      }),
    );
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (gone) throw new Error(`${this.name} exited while starting:\n${this.text.slice(-2000)}`);
      if (await ready().catch(() => false)) return;
      if (Date.now() > until) {
        await this.kill();
        throw new Error(`${this.name} did not become ready within ${timeoutMs} ms:\n${this.text.slice(-2000)}`);
      }
      await sleep(50);
    }
  }

  /** SIGTERM (the program's orderly shutdown), SIGKILL after `graceMs` */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    signalGroup(child, "SIGTERM");
    const stopped = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!stopped) signalGroup(child, "SIGKILL");
    await this.exited;
  }

  /** SIGKILL at once */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    signalGroup(child, "SIGKILL");
    await this.exited;
  }
}
