// haproxy in front of the replicas, configured as docs/replicas.md tells users to: round robin, a
// health check, and a request that got no answer (a replica killed mid-request, a connection
// refused) sent again to another replica. The request is buffered whole first
// (http-buffer-request), as haproxy can only repeat a request it still holds.
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "../support/runtime";
import { Service } from "../support/service";

export const HAPROXY = process.env.HAPROXY_BIN ?? "/usr/sbin/haproxy";

export function haveHaproxy(): boolean {
  return fs.existsSync(HAPROXY);
}

/** the configuration for `backends` ("127.0.0.1:PORT"), listening on 127.0.0.1:`port` */
export function haproxyConfig(port: number, backends: string[]): string {
  return [
    "global",
    "  maxconn 4096",
    "defaults",
    "  mode http",
    "  timeout connect 1s",
    "  timeout client 30s",
    "  timeout server 15s",
    "  timeout check 1s",
    "  option http-buffer-request",
    "  option redispatch",
    "  retry-on conn-failure empty-response response-timeout",
    "  retries 3",
    "frontend replicas",
    `  bind 127.0.0.1:${port}`,
    "  default_backend node_red",
    "backend node_red",
    "  balance roundrobin",
    "  option httpchk GET /",
    "  http-check expect status 200",
    "  default-server check inter 500 fall 2 rise 2",
    ...backends.map((b, i) => `  server r${i + 1} ${b}`),
    "",
  ].join("\n");
}

export class Haproxy {
  private readonly service: Service;

  private constructor(readonly port: number, private readonly file: string) {
    this.service = new Service("haproxy", [HAPROXY, "-db", "-f", file]);
  }

  static async start(backends: string[]): Promise<Haproxy> {
    const port = await freePort();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "nrq-haproxy-")), "haproxy.cfg");
    fs.writeFileSync(file, haproxyConfig(port, backends));
    const h = new Haproxy(port, file);
    await h.service.start(
      () =>
        new Promise<boolean>((resolve) => {
          const s = net.connect(port, "127.0.0.1");
          s.once("connect", () => {
            s.destroy();
            resolve(true);
          });
          s.once("error", () => resolve(false));
        }),
    );
    return h;
  }

  /** http://127.0.0.1:PORT, no trailing slash */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.service.log;
  }

  async dispose(): Promise<void> {
    await this.service.kill();
    fs.rmSync(path.dirname(this.file), { recursive: true, force: true });
  }
}
