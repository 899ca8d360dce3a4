// The raw undici loop of the overhead case: `concurrency` loops, each sending the contact GET and
// reading its JSON answer, one after the other, on one keep-alive Pool of `concurrency`
// connections. No Node-RED, no limiter, no retries: what the machine does with undici alone.
// Commands on stdin: {"op":"run","origin","path","concurrency","warmMs","measureMs"} → {count, seconds, errors}.
import { Pool } from "undici";
import { serveCommands } from "./lib";
import { TOKEN } from "./lib";

let pool: Pool | undefined;

serveCommands(async (cmd) => {
  if (cmd.op !== "run") return { ok: true };
  const origin = String(cmd.origin);
  const path = String(cmd.path);
  const concurrency = Number(cmd.concurrency);
  pool ??= new Pool(origin, { connections: concurrency, keepAliveTimeout: 30_000 });
  const p = pool;
  let count = 0;
  let errors = 0;
  let stop = false;
  const one = async () => {
    while (!stop) {
      try {
        const res = await p.request({ method: "GET", path, headers: { accept: "application/json", "x-api-token": TOKEN } });
        const json = (await res.body.json()) as { result?: unknown };
        if (res.statusCode === 200 && json.result) count++;
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  const loops = Array.from({ length: concurrency }, one);
  await new Promise((r) => setTimeout(r, Number(cmd.warmMs)));
  const c0 = count;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, Number(cmd.measureMs)));
  const c1 = count;
  const t1 = performance.now();
  stop = true;
  await Promise.all(loops);
  return { count: c1 - c0, seconds: (t1 - t0) / 1000, errors };
});
process.stdout.write(JSON.stringify({ ready: true }) + "\n");
