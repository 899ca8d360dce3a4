// adminAuth for suites that run a real Node-RED with users: password hashes as Node-RED checks
// them, and an Admin API token for a user.
import assert from "node:assert/strict";
import * as path from "node:path";
import { NodeRed, REPO_ROOT } from "../support/runtime";

/** bcryptjs as Node-RED itself ships it (docs/node-red-facts.md §4.2) */
export function bcryptHash(password: string, pkg = process.env.NR_PKG || "node-red"): string {
  const nrDir = path.dirname(require.resolve(`${pkg}/package.json`, { paths: [REPO_ROOT] }));
  const bcrypt = require(require.resolve("bcryptjs", { paths: [nrDir] })) as { hashSync(p: string, rounds: number): string };
  return bcrypt.hashSync(password, 8);
}

/** an access token of `username` for the Admin API, with `scope` ("*" or "read") */
export async function adminToken(nr: NodeRed, username: string, password: string, scope: string): Promise<string> {
  const r = await nr.request("POST", "auth/token", new URLSearchParams({ client_id: "node-red-admin", grant_type: "password", scope, username, password }).toString(), { "content-type": "application/x-www-form-urlencoded" });
  assert.equal(r.status, 200, `POST /auth/token for ${username}: ${r.status} ${r.text}`);
  return r.json<{ access_token: string }>().access_token;
}
