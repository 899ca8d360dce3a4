// The qualtrics-config node of the test flows, in one place. Two starting points: the node tests'
// (the node-red-node-test-helper runtime, pointed at a fake server or a sandbox by URL) and a real
// Node-RED's (e2e, faults, editor: the sandbox named by QUALTRICS_BASE_URL, the limits of a user's
// flow). A test states only what it changes.
import type { FlowNode } from "./runtime";

export const CONFIG_TYPE = "qualtrics-config";

/** the config node "cfg" of the node tests, on `apiBase` */
export function configNode(apiBase: string, extra: Record<string, unknown> = {}): FlowNode {
  return { id: "cfg", type: CONFIG_TYPE, name: "test", dataCenter: "", baseUrl: apiBase, timeout: 5, retries: 2, ...extra };
}

/** a config node of a flow deployed to a real Node-RED, on the sandbox its environment names */
export function sandboxConfig(over: Partial<FlowNode> & { id: string }): FlowNode {
  return { type: CONFIG_TYPE, name: "e2e sandbox", dataCenter: "iad1", baseUrl: "${QUALTRICS_BASE_URL}", timeout: 10, retries: 2, rateLimit: 3000, maxConcurrent: 10, ...over };
}
