// The load generator of the webhook case, in its own process: `concurrency` loops POST a
// completed-response event (Qualtrics' form body, a new ResponseID each) and time each answer.
// {"op":"run","origin","path","survey","concurrency","warmMs","measureMs"} → {count, sent, seconds, errors, p50, p99}
import { Pool } from "undici";
import { quantile, serveCommands } from "./lib";

const pools = new Map<string, Pool>();
let seq = 0;

function body(survey: string): string {
  const id = `R_bench${(seq++).toString(36).padStart(10, "0")}`;
  const msg = JSON.stringify({ Status: "Complete", SurveyID: survey, ResponseID: id, CompletedDate: "2024-03-01 09:00:00", BrandID: "sandboxbrand" });
  return new URLSearchParams({ Topic: `sandboxbrand.surveyengine.completedResponse.${survey}`, MSG: msg }).toString();
}

serveCommands(async (cmd) => {
  if (cmd.op !== "run") return { ok: true };
  const origin = String(cmd.origin);
  const concurrency = Number(cmd.concurrency);
  let pool = pools.get(origin);
  if (!pool) pools.set(origin, (pool = new Pool(origin, { connections: concurrency, keepAliveTimeout: 30_000 })));
  const p = pool;
  let measuring = false;
  let stop = false;
  let count = 0;
  let sent = 0;
  let errors = 0;
  let lastStatus: number | undefined;
  const lat: number[] = [];
  const one = async () => {
    while (!stop) {
      const b = body(String(cmd.survey));
      const counted = measuring;
      const t = performance.now();
      try {
        const res = await p.request({ method: "POST", path: String(cmd.path), headers: { "content-type": "application/x-www-form-urlencoded" }, body: b });
        await res.body.text();
        const ms = performance.now() - t;
        sent++;
        lastStatus = res.statusCode;
        if (res.statusCode !== 200) errors++;
        else if (counted && measuring) {
          count++;
          lat.push(ms);
        }
      } catch {
        errors++;
      }
    }
  };
  const loops = Array.from({ length: concurrency }, one);
  await new Promise((r) => setTimeout(r, Number(cmd.warmMs)));
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, Number(cmd.measureMs)));
  measuring = false;
  const t1 = performance.now();
  stop = true;
  await Promise.all(loops);
  return { count, sent, seconds: (t1 - t0) / 1000, errors, lastStatus, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99) };
});
process.stdout.write(JSON.stringify({ ready: true }) + "\n");
