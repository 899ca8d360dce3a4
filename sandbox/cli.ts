#!/usr/bin/env node
// Runs the sandbox from a shell:
//   node build/sandbox/cli.js [--port 4010] [--token T] [--brand B] [--datacenter DC] [--admin-required]
//        [--rate N/min] [--burst N] [--retry-after] [--page-size N] [--no-seed] [--bulk S,L] [--webhook-timeout MS] [--quiet]
//        [--email-search-case-sensitive] [--state-file PATH] [--batch-prefix P] [--sms-batch-without-list]
//        [--transaction-dates any|mysql|iso]
// Prints the base URL and token; stops on SIGINT/SIGTERM.
import { FaultConfig } from "./faults";
import { checkMode } from "./publication-urls";
import { startSandbox } from "./server";
import { checkTransactionRules } from "./transaction-rules";
import { SandboxOptions } from "./types";

export interface CliArgs {
  options: SandboxOptions;
  faults: FaultConfig;
  quiet: boolean;
  help: boolean;
}

export const USAGE = `Qualtrics API v3 sandbox
Usage: node build/sandbox/cli.js [options]
  --port N              port on 127.0.0.1 (default 4010; 0 = any free port)
  --token T             API token to expect (default sandbox-token-00000000000000000000000000)
  --brand B             brand ID (default sandboxbrand)
  --datacenter DC       data centre reported by whoami (default iad1)
  --admin-required      POST /eventsubscriptions answers 403 (not a brand administrator)
  --rate N/min          rate limit over all API calls (also N/s, or plain N = per minute)
  --burst N             bucket size for --rate (default: the per-minute number)
  --retry-after         send Retry-After on 429 answers
  --page-size N         default page size of list endpoints (default 100)
  --webhook-timeout MS  timeout of outgoing webhook POSTs (default 5000)
  --publication-urls M  how subscriptions' publicationUrls are stored: verbatim (default),
                        strip-query, reorder-query or re-encode
  --no-seed             start without demo data
  --bulk S,L            also S generated surveys and L mailing lists (a big account for the pickers)
  --state-file PATH     keep the account's data in PATH between runs (read at start, written
                        after every change)
  --email-search-case-sensitive  contact search compares emails exactly (default: ignoring case)
  --batch-prefix P      prefix of new transaction batch IDs (default BT_)
  --sms-batch-without-list  an SMS invitation to a batch or transaction needs no mailing list
  --transaction-dates M transaction dates accepted: any (default), mysql (YYYY-MM-DD HH:MM:SS) or iso
  --quiet               do not log requests
  --help                this text`;

function intArg(name: string, v: string | undefined): number {
  if (v === undefined || !/^\d+$/.test(v)) throw new Error(`${name} needs a whole number`);
  return Number(v);
}

/** "120/min", "2/s", "120" → requests per minute. */
export function parseRate(v: string | undefined): number {
  const m = v === undefined ? null : /^(\d+(?:\.\d+)?)(?:\/(min|m|minute|s|sec|second))?$/.exec(v);
  if (!m || Number(m[1]) <= 0) throw new Error("--rate needs N/min, N/s or N");
  const n = Number(m[1]);
  return m[2] !== undefined && m[2].startsWith("s") ? n * 60 : n;
}

export function parseArgs(argv: string[]): CliArgs {
  const options: SandboxOptions = { port: 4010 };
  const faults: FaultConfig = {};
  let quiet = false;
  let help = false;
  let burst: number | undefined;
  let retryAfter = false;
  let perMinute: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    switch (name) {
      case "--port": options.port = intArg(name, value()); break;
      case "--token": options.token = value(); break;
      case "--brand": options.brandId = value(); break;
      case "--datacenter": options.dataCenter = value(); break;
      case "--admin-required": options.requireBrandAdmin = true; break;
      case "--rate": perMinute = parseRate(value()); break;
      case "--burst": burst = intArg(name, value()); break;
      case "--retry-after": retryAfter = true; break;
      case "--page-size": options.pageSize = intArg(name, value()); break;
      case "--webhook-timeout": options.webhookTimeoutMs = intArg(name, value()); break;
      case "--no-seed": options.seed = false; break;
      case "--bulk": options.bulk = bulkArg(name, value()); break;
      case "--state-file": options.stateFile = value(); break;
      case "--email-search-case-sensitive": options.emailSearchCase = "sensitive"; break;
      case "--publication-urls": options.publicationUrls = checkMode(value()); break;
      case "--batch-prefix": options.transactionRules = { ...options.transactionRules, ...checkTransactionRules({ batchPrefix: value() }) }; break;
      case "--sms-batch-without-list": options.transactionRules = { ...options.transactionRules, smsBatchNeedsList: false }; break;
      case "--transaction-dates": options.transactionRules = { ...options.transactionRules, ...checkTransactionRules({ transactionDates: value() }) }; break;
      case "--quiet": quiet = true; break;
      case "--help": case "-h": help = true; break;
      default: throw new Error(`unknown option ${arg}`);
    }
    if (name === "--state-file" && !options.stateFile) throw new Error(`${name} needs a value`);
    if (["--token", "--brand", "--datacenter"].includes(name)) {
      const key = name === "--token" ? "token" : name === "--brand" ? "brandId" : "dataCenter";
      if (!options[key]) throw new Error(`${name} needs a value`);
    }
  }
  if (perMinute !== undefined) faults.rateLimit = { perMinute, ...(burst !== undefined ? { burst } : {}), retryAfter };
  return { options, faults, quiet, help };
}

function bulkArg(name: string, raw: string | undefined): { surveys: number; mailingLists: number } {
  const m = /^(\d{1,6}),(\d{1,6})$/.exec(raw ?? "");
  if (!m) throw new Error(`${name} needs two counts, surveys and mailing lists, e.g. 5000,3000`);
  return { surveys: Number(m[1]), mailingLists: Number(m[2]) };
}

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const sandbox = await startSandbox({ ...args.options, log: args.quiet ? undefined : (line) => process.stdout.write(`${line}\n`) });
  if (args.faults.rateLimit) sandbox.faults.set(args.faults);
  const lines = [
    `Qualtrics API sandbox listening on ${sandbox.url}`,
    `  API base URL: ${sandbox.apiBase}`,
    `  API token:    ${sandbox.token}   (header X-API-TOKEN)`,
    `  Brand ID:     ${sandbox.brandId}`,
    `  Directory:    ${sandbox.seedIds.directoryId}`,
    `  Surveys:      ${sandbox.seedIds.surveyIds.join(", ") || "(none)"}`,
    `  Open ${sandbox.url}/ in a browser to complete responses and fire webhooks.`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal} received, stopping\n`);
    sandbox.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
