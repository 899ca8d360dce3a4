// The frozen flow contract (test/fixtures/saved-flows/<version>/, see its README): the flows a
// released version saved, which every later version must open and deploy unchanged. The runtime
// test (test/e2e/saved-flows.test.ts) and the editor test (test/editor/saved-flows.test.ts) read
// them from here.
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, examplesFlows, loadExamples, type Credentials, type Example, type FlowNode } from "./runtime";

export const SAVED_FLOWS_DIR = path.join(REPO_ROOT, "test", "fixtures", "saved-flows");

/** the versions that saved flows here, oldest first */
export function savedVersions(): string[] {
  return fs
    .readdirSync(SAVED_FLOWS_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^v\d+\.\d+\.\d+$/.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

export interface SavedFlows {
  version: string;
  files: Example[];
  /** every file on a tab of its own, shared configuration nodes once (as `npm start` deploys the examples) */
  flows: FlowNode[];
}

export function loadSavedFlows(version: string): SavedFlows {
  const files = loadExamples(path.join(SAVED_FLOWS_DIR, version));
  return { version, files, flows: examplesFlows(files) };
}

/** the nodes of the flows that are ours (the configuration included) */
export function ownNodes(flows: FlowNode[]): FlowNode[] {
  return flows.filter((n) => n.type.startsWith("qualtrics-"));
}

/**
 * What a user enters after importing the flows (flow files hold no credentials): a token for each
 * configuration, a shared key for each response trigger.
 */
export function savedFlowsCredentials(flows: FlowNode[], token: string): Credentials {
  const out: Credentials = {};
  for (const n of flows) {
    if (n.type === "qualtrics-config") out[n.id] = { apiToken: token };
    if (n.type === "qualtrics-response-in") out[n.id] = { sharedKey: `saved-flows-key-${n.id}` };
  }
  return out;
}
