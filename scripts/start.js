#!/usr/bin/env node
// `npm start`: the nodes working at once, without a Qualtrics licence.
//   1. npm ci (on a supported Node) when node_modules is missing or stale, then build;
//   2. the Qualtrics sandbox on 127.0.0.1:4010 (or the next free port);
//   3. Node-RED (5.x; NR_PKG=node-red for 4.1) on 127.0.0.1:1880 (or the next free
//      port) with the user directory .userdir/ and this package on nodesDir;
//   4. every example flow deployed through the Admin API, each on its own tab, with the sandbox
//      token and a demo shared key as credentials (again on every start, so the demo stays
//      consistent; tabs of your own in .userdir/ are kept);
//   5. prints the editor and sandbox URLs; Ctrl-C stops both.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");
const runtime = require("./node-runtime");

// undici 8 and Node-RED 5 need Node >= 22.19: on an older Node this script runs again on a
// supported one (fetched from npm if need be) and this process only waits for it
if (runtime.relaunchOnSupportedNode()) return;

// Again and again: the sandbox keeps its account in <user directory>/sandbox-state.json, beside the
// poll and export nodes' bookmarks, so a restart finds the continuation tokens they hold still
// valid (delete the user directory to start both afresh). `--userdir DIR` runs on another user
// directory (the start test uses a temporary one). The build is skipped when it is up to date.
const { buildIsCurrent, recordBuild } = require("./build-freshness");
const startedAt = Date.now();
const root = path.resolve(__dirname, "..");
const userDir = userDirFromArgs(process.argv.slice(2)) ?? path.join(root, ".userdir");
const stateFile = path.join(userDir, "sandbox-state.json");
const CONFIG_ID = "qualtrics-example-config";
const TRIGGER_ID = "qex-response-trigger";
/** the survey the examples use (Customer Satisfaction in the sandbox's seed) */
const EXAMPLE_SURVEY_ID = "SV_VE5mzwCiii9FktA";
const DEMO_SHARED_KEY = "demo-shared-key-change-me";
const DEMO_CREDENTIAL_SECRET = "@xmflows/node-red-qualtrics-demo";

function userDirFromArgs(args) {
  const i = args.findIndex((a) => a === "--userdir" || a.startsWith("--userdir="));
  if (i < 0) return undefined;
  const value = args[i].includes("=") ? args[i].slice(args[i].indexOf("=") + 1) : args[i + 1];
  if (!value) fail("--userdir needs a directory");
  return path.resolve(value);
}

/** the user directory as the banner names it: relative to the clone when inside it */
function shown(dir) {
  const rel = path.relative(root, dir);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? `${rel}/` : dir;
}

function say(line = "") {
  process.stdout.write(line + "\n");
}

function fail(message) {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(1);
}

function prepare() {
  runtime.ensureDependencies();
  say("Building ...");
  if (buildIsCurrent(root)) {
    say("  (up to date: every output is newer than its source)");
    return;
  }
  const b = spawnSync(process.execPath, [path.join(root, "scripts", "build.js")], { cwd: root, stdio: "inherit" });
  recordBuild(root, b.status === 0);
  const needed = ["build/sandbox/index.js", "build/test/support/runtime.js", "build/nodes/qualtrics-config/qualtrics-config.js"];
  if (needed.some((f) => !fs.existsSync(path.join(root, f)))) fail("the build did not produce " + needed.join(", "));
  if (b.status !== 0) say("The build reported TypeScript errors; starting with what it emitted.");
}

async function generateResponses(sandbox, surveyId, count) {
  const r = await fetch(`${sandbox.url}/__sandbox/surveys/${surveyId}/responses/generate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ count }),
  });
  if (!r.ok) fail(`the sandbox did not generate responses: ${r.status} ${await r.text()}`);
}

function forgetBookmarks(nodes) {
  const { bookmarkFilePath } = require(path.join(root, "build/nodes/lib/bookmark"));
  for (const n of nodes) fs.rmSync(path.join(userDir, ...bookmarkFilePath(n.id)), { force: true });
}

async function startSandboxOnFreePort(startSandbox) {
  const options = { stateFile, log: (line) => say(`[sandbox] ${line}`) };
  for (let port = 4010; port < 4030; port++) {
    try {
      return await startSandbox({ ...options, port });
    } catch (err) {
      if (err && err.code === "EADDRINUSE") continue;
      throw err;
    }
  }
  return startSandbox({ ...options, port: 0 });
}

/** the flows Node-RED has now, minus anything that belongs to the examples, plus the examples afresh */
function mergeWithExamples(current, exampleFlows) {
  const exampleIds = new Set(exampleFlows.map((n) => n.id));
  const keep = current.filter((n) => !exampleIds.has(n.id) && !(n.z && exampleIds.has(n.z)));
  return [...keep, ...exampleFlows];
}

async function main() {
  prepare();
  const { startSandbox } = require(path.join(root, "build/sandbox"));
  const { startNodeRed, examplesFlows, freePort, waitFor } = require(path.join(root, "build/test/support/runtime"));

  const major = Number(process.versions.node.split(".")[0]);
  const pkg = process.env.NR_PKG || (major >= 22 ? "node-red-5" : "node-red");

  const firstRun = !fs.existsSync(stateFile);
  const examples = examplesFlows();
  // a new sandbox account (a user directory from before it kept one, or its file deleted): the
  // examples' bookmarks hold continuation tokens of the account that is gone
  if (firstRun) forgetBookmarks(examples);
  const sandbox = await startSandboxOnFreePort(startSandbox);
  // a new account gets a few responses, so the export examples have something to show at the first
  // press (the seed has none); later starts find them, and the ones since, in the state file
  if (firstRun) await generateResponses(sandbox, EXAMPLE_SURVEY_ID, 12);
  let nr;
  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    say("\nStopping Node-RED and the sandbox ...");
    try {
      if (nr) await nr.stop();
    } finally {
      await sandbox.close();
      say("Stopped.");
      process.exit(code);
    }
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

  try {
    const port = await freePort(1880);
    const publicUrl = `http://127.0.0.1:${port}`;
    fs.mkdirSync(userDir, { recursive: true });
    say(`Starting Node-RED (${pkg}) with user directory ${shown(userDir)} ...`);
    nr = await startNodeRed({
      pkg,
      port,
      userDir,
      httpNodeRoot: "/",
      credentialSecret: DEMO_CREDENTIAL_SECRET,
      env: { QUALTRICS_BASE_URL: sandbox.apiBase, QUALTRICS_PUBLIC_URL: publicUrl },
      echo: (text) => process.stdout.write(text),
    });

    const current = (await nr.getFlows()).flows;
    const flows = mergeWithExamples(current, examples);
    const deployed = nr.mark();
    await nr.deploy(flows, {
      [CONFIG_ID]: { apiToken: sandbox.token },
      [TRIGGER_ID]: { sharedKey: DEMO_SHARED_KEY },
    });
    // the banner comes once the deployed flows run; the sandbox keeps subscriptions between runs, so
    // the trigger's is looked for only after its start (it reuses the one it made before)
    await nr.waitForLog(/Started flows/, 15000, deployed).catch(() => undefined);
    const ours = () => [...sandbox.state.subscriptions.values()].some((s) => s.publicationUrl.startsWith(publicUrl));
    const registered = await waitFor("the response trigger's subscription", ours, 15000).then(
      () => true,
      () => false,
    );
    // the examples' tabs only: tabs of your own are kept but are not the demo
    const tabs = examples.filter((n) => n.type === "tab").map((n) => n.label);

    say("");
    say("==================================================================");
    say(" @xmflows/node-red-qualtrics demo is running");
    say("");
    say(` Node-RED editor:  ${nr.url}`);
    say(`   example tabs:   ${tabs.join(" | ")}`);
    say("   click an inject node's button and watch the debug sidebar");
    say(` Qualtrics sandbox: ${sandbox.url}/`);
    say("   click \"Complete a response\" to fire the response trigger");
    say(`   API base ${sandbox.apiBase}, token ${sandbox.token}`);
    if (!registered) say("   (the response trigger has not registered its subscription: see the log above)");
    say("");
    say(" Stop with Ctrl-C. The example tabs are redeployed on every npm start;");
    say(` tabs of your own and the sandbox's data in ${shown(userDir)} are kept.`);
    say(` (ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
    say("==================================================================");
    say("");
  } catch (err) {
    process.stderr.write(`npm start: ${err && err.stack ? err.stack : err}\n`);
    await stop(1);
    return;
  }

  // Node-RED ending by itself (a crash) ends the demo too
  const watch = setInterval(() => {
    if (!stopping && nr && !nr.running) {
      clearInterval(watch);
      process.stderr.write("npm start: Node-RED exited\n");
      void stop(1);
    }
  }, 500);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
