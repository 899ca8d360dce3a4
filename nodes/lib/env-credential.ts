// Node-RED replaces a credential whose whole value is ${VAR} (or the old $(VAR)) with the variable's
// value before the node starts (runtime lib/nodes/index.js createNode → lib/flows/util.js
// mapEnvVarProperties; the same in 4.1 and 5): a variable that is not set leaves the text as it is,
// a variable set to "" makes the credential empty, and ${VAR} inside other text is never replaced.
// Either way the node would run with a key other than the one meant: a guessable text, or none.
import type { Node, NodeAPI } from "./types";

const WHOLE = /^\$\{(\S+)\}$|^\$\((\S+)\)$/;
const INSIDE = /\$\{([^}\s]+)\}/;

/** the environment variable a credential names but did not get its value from, or undefined */
export function unresolvedEnvVar(RED: NodeAPI, node: Node, field: string): string | undefined {
  const value = (node.credentials as Record<string, unknown> | undefined)?.[field];
  if (typeof value === "string" && value) {
    const m = WHOLE.exec(value) ?? INSIDE.exec(value);
    return m ? m[1] ?? m[2] : undefined;
  }
  // empty now: the deployed value (before substitution) tells whether it named a variable
  const stored = (RED.nodes.getCredentials(node.id) as Record<string, unknown> | undefined)?.[field];
  const m = typeof stored === "string" ? WHOLE.exec(stored) : null;
  return m ? m[1] ?? m[2] : undefined;
}
