// Coordination for a Node-RED on its own (coordination "none"): it holds every lease, and its
// records and journals live in its user directory.
import type { NodeAPI } from "../types";
import { localRecords } from "./local-records";
import type { Coordination } from "./types";

export function localCoordination(RED: NodeAPI): Coordination {
  const notYet = (what: string) => () => {
    throw new Error(`${what} is not built yet`);
  };
  return {
    mode: "none",
    journal: notYet("the delivery journal"),
    lease: notYet("the lease"),
    records: (namespace) => localRecords(RED, namespace),
    presence: notYet("presence"),
    close: () => Promise.resolve(),
  };
}
