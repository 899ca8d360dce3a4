// node-red-node-test-helper pointed at the Node-RED major under test (NR_PKG=node-red | node-red-5).
import helper = require("node-red-node-test-helper");

const pkg = process.env.NR_PKG || "node-red";
helper.init(require.resolve(pkg));

export { helper };
export const nodeRedPackage = pkg;

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const nodes = {
  config: require("../../nodes/qualtrics-config").default,
  contact: require("../../nodes/qualtrics-contact").default,
  distribution: require("../../nodes/qualtrics-distribution").default,
  api: require("../../nodes/qualtrics-api").default,
  responseIn: require("../../nodes/qualtrics-response-in").default,
};

export const TOKEN = "test-token-abcdefghijklmnopqrstuvwxyz0123";

export function configNode(apiBase: string, extra: Record<string, unknown> = {}) {
  return { id: "cfg", type: "qualtrics-config", name: "test", dataCenter: "", baseUrl: apiBase, timeout: 5, retries: 2, ...extra };
}

export const credentials = { cfg: { apiToken: TOKEN } };

/** resolves with the next message the helper node receives */
export function nextMessage(id: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => helper.getNode(id).once("input", (m: Record<string, unknown>) => resolve(m)));
}

/** resolves with the error a node reports through done(err) (seen by a Catch node) */
export function nextError(id: string): Promise<{ message: string; msg: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const n = helper.getNode(id) as unknown as { on(e: string, cb: (call: { args: unknown[] }) => void): void };
    n.on("call:error", (call: { args: unknown[] }) => {
      const [err, msg] = call.args as [unknown, Record<string, unknown>];
      resolve({ message: err instanceof Error ? err.message : String(err), msg });
    });
  });
}
