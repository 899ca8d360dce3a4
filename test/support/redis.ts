// A real redis-server (Debian's) for the coordination tests: on a free loopback port, without
// persistence, stopped and started again on the same port to simulate an outage. `available` is
// false only when redis-server is not installed (CI installs it, .ci/run).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const BINARY = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find((p) => existsSync(p));

export const redisAvailable = Boolean(BINARY) && spawnSync(BINARY!, ["--version"]).status === 0;

/** for describe(): skips with a clear message when there is no redis-server */
export function requireRedis(ctx: Mocha.Context): void {
  if (redisAvailable) return;
  console.warn("    redis-server is not installed (apt-get install redis-server): skipping the Redis tests");
  ctx.skip();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, "127.0.0.1");
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
  });
}

export class RedisServer {
  port = 0;
  private proc: ChildProcess | undefined;
  private readonly dir = mkdtempSync(path.join(tmpdir(), "nrq-redis-"));

  constructor(readonly password?: string) {}

  /** redis://[:password@]127.0.0.1:port */
  get url(): string {
    return `redis://${this.password ? `:${encodeURIComponent(this.password)}@` : ""}127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.proc) return;
    for (let attempt = 0; ; attempt++) {
      if (!this.port || attempt > 0) this.port = await freePort();
      const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.dir];
      if (this.password) args.push("--requirepass", this.password);
      const proc = spawn(BINARY!, args, { stdio: "ignore" });
      let exited = false;
      proc.once("exit", () => (exited = true));
      const end = Date.now() + 5000;
      while (!exited && Date.now() < end && !(await answers(this.port))) await new Promise((r) => setTimeout(r, 20));
      if (!exited && (await answers(this.port))) {
        this.proc = proc;
        return;
      }
      proc.kill("SIGKILL");
      if (attempt >= 3) throw new Error("redis-server did not start");
    }
  }

  /** stops it (its data is gone: no persistence); start() brings it back on the same port */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = undefined;
    const gone = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGKILL");
    await gone;
  }

  /** back on the same port, so clients reconnect to it */
  restart(): Promise<void> {
    return this.start();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A TCP relay in front of a Redis: one replica's connection can be cut (its Redis is unreachable)
 * while the others keep theirs. Cut: open connections are dropped and new ones refused.
 */
export class RedisRelay {
  port = 0;
  private readonly server = createServer((client) => {
    if (this.isCut) return client.destroy();
    const upstream = connect(this.target.port, "127.0.0.1");
    const pair = [client, upstream];
    this.open.add(pair);
    client.pipe(upstream).pipe(client);
    const end = () => {
      this.open.delete(pair);
      for (const s of pair) s.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  private readonly open = new Set<import("node:net").Socket[]>();
  private isCut = false;

  constructor(private readonly target: RedisServer) {}

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  get url(): string {
    return this.target.url.replace(`:${this.target.port}`, `:${this.port}`);
  }

  cut(): void {
    this.isCut = true;
    for (const pair of [...this.open]) for (const s of pair) s.destroy();
    this.open.clear();
  }

  restore(): void {
    this.isCut = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
