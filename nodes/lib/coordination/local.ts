// Coordination for a Node-RED on its own (coordination "none"): it holds every lease, and its
// records and journals live in its user directory.
import type { NodeAPI } from "../types";
import { localJournal } from "./local-journal";
import { localLease, localPresence } from "./local-lease";
import { localRecords } from "./local-records";
import type { Coordination } from "./types";

export function localCoordination(RED: NodeAPI): Coordination {
  return {
    mode: "none",
    journal: (opts) => localJournal(RED, opts),
    lease: (name) => localLease(name),
    records: (namespace) => localRecords(RED, namespace),
    presence: (name) => localPresence(name),
    close: () => Promise.resolve(),
  };
}
