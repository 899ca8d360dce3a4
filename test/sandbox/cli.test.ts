import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { parseArgs, parseRate } from "../../sandbox/cli";
import { sleep } from "../support/wait";

describe("sandbox: cli", () => {
  it("parses options", () => {
    const a = parseArgs(["--port", "5000", "--token", "T", "--brand=acme", "--datacenter", "fra1", "--admin-required", "--rate", "120/min", "--burst", "5", "--retry-after", "--page-size", "10", "--no-seed", "--webhook-timeout", "200", "--quiet"]);
    assert.deepEqual(a.options, { port: 5000, token: "T", brandId: "acme", dataCenter: "fra1", requireBrandAdmin: true, pageSize: 10, seed: false, webhookTimeoutMs: 200 });
    assert.deepEqual(a.faults, { rateLimit: { perMinute: 120, burst: 5, retryAfter: true } });
    assert.equal(a.quiet, true);
    assert.deepEqual(parseArgs([]).options, { port: 4010 });
    assert.deepEqual(parseArgs([]).faults, {});
    assert.equal(parseArgs(["--email-search-case-sensitive"]).options.emailSearchCase, "sensitive");
    assert.deepEqual(parseArgs(["--batch-prefix", "TB_", "--sms-batch-without-list", "--transaction-dates=iso"]).options.transactionRules, { batchPrefix: "TB_", smsBatchNeedsList: false, transactionDates: "iso" });
    assert.throws(() => parseArgs(["--transaction-dates", "sometimes"]), /transactionDates must be one of any, mysql, iso/);
    assert.throws(() => parseArgs(["--batch-prefix", "bt"]), /batchPrefix must be capital letters/);
  });

  it("parses rates and refuses bad input", () => {
    assert.equal(parseRate("3000/min"), 3000);
    assert.equal(parseRate("2/s"), 120);
    assert.equal(parseRate("50"), 50);
    assert.throws(() => parseRate("fast"));
    assert.throws(() => parseArgs(["--bogus"]), /unknown option/);
    assert.throws(() => parseArgs(["--port", "x"]), /whole number/);
    assert.throws(() => parseArgs(["--token"]), /needs a value/);
  });

  it("prints the base URL and token, serves the API, and stops on SIGTERM", async function () {
    this.timeout(15_000);
    const child = spawn(process.execPath, [path.join(__dirname, "../../sandbox/cli.js"), "--port", "0", "--token", "cli-token", "--rate", "100/min", "--retry-after"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const deadline = Date.now() + 10_000;
      while (!/API token:/.test(out) && Date.now() < deadline) await sleep(50);
      const base = /API base URL: (http:\/\/127\.0\.0\.1:\d+\/API\/v3)/.exec(out)?.[1];
      assert.ok(base, out);
      assert.match(out, /API token:\s+cli-token/);
      const r = await fetch(`${base}/whoami`, { headers: { "X-API-TOKEN": "cli-token" } });
      assert.equal(r.status, 200);
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
      assert.match(out, /GET \/API\/v3\/whoami -> 200/);
      assert.match(out, /SIGTERM received/);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
