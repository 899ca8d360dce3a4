// The replicas suite's redis-server: on 127.0.0.1, a free port, with an append-only file when
// `keepData` (as production runs the Redis that holds the journal, so an outage does not empty it),
// stopped (SIGTERM, the append-only file flushed), killed and started again on the same port; in its
// own process group with a guard, so a killed test runner leaves none behind. The unit tests'
// test/support/redis.ts is the other kind on purpose: no persistence, a stop that loses everything.
// Debian's /usr/bin/redis-server; .ci/run installs it.
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "../support/runtime";
import { Service } from "../support/service";

export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? "/usr/bin/redis-server";

/** whether redis-server is installed (a suite that needs it fails loudly when not) */
export function haveRedis(): boolean {
  return fs.existsSync(REDIS_SERVER);
}

/** Sends one inline command and resolves with the first line of the answer. */
export function redisCommand(port: number, command: string, timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let answer = "";
    const timer = setTimeout(() => socket.destroy(new Error(`redis: no answer to ${command.split(" ")[0]} within ${timeoutMs} ms`)), timeoutMs);
    socket.on("connect", () => socket.write(`${command}\r\n`));
    socket.on("data", (b) => {
      answer += b.toString("utf8");
      const eol = answer.indexOf("\r\n");
      if (eol >= 0) {
        clearTimeout(timer);
        socket.end();
        resolve(answer.slice(0, eol));
      }
    });
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export class RedisServer {
  private readonly service: Service;

  private constructor(readonly port: number, private readonly dir: string, keepData: boolean) {
    const persistence = keepData ? ["--appendonly", "yes", "--appendfsync", "everysec"] : ["--appendonly", "no"];
    this.service = new Service("redis-server", [
      REDIS_SERVER, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", ...persistence,
      "--protected-mode", "yes", "--loglevel", "warning",
    ]);
  }

  /** `keepData`: an append-only file in its directory, so a stop and start keeps the data (Redis with persistence, as in production) */
  static async start(opts: { keepData?: boolean } = {}): Promise<RedisServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nrq-redis-"));
    const r = new RedisServer(await freePort(), dir, opts.keepData ?? false);
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.service.running;
  }

  get log(): string {
    return this.service.log;
  }

  async start(): Promise<void> {
    await this.service.start(async () => (await redisCommand(this.port, "PING", 300)) === "+PONG");
  }

  /** an orderly shutdown (SIGTERM: with keepData, the append-only file is flushed) */
  stop(): Promise<void> {
    return this.service.stop();
  }

  kill(): Promise<void> {
    return this.service.kill();
  }

  /** one inline command, e.g. "DBSIZE"; the first line of the answer */
  command(text: string): Promise<string> {
    return redisCommand(this.port, text);
  }

  async dispose(): Promise<void> {
    await this.service.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
