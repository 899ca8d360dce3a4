// Leases and presence for a Node-RED on its own. Nobody else can hold a lease, so it is never lost
// and its fence never grows; it still lets one run of a name at a time in this process (a poll
// tick that comes while the last one runs is skipped, as it would be on another replica).
import type { Held, Lease, Presence } from "./types";

const runningNames = new Set<string>();
const never = new AbortController().signal;

export function localLease(name: string): Lease {
  return {
    async run<T>(work: (held: Held) => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
      if (runningNames.has(name)) return { ran: false };
      runningNames.add(name);
      try {
        return { ran: true, value: await work({ fence: 1, lost: never }) };
      } finally {
        runningNames.delete(name);
      }
    },
    close: () => Promise.resolve(),
  };
}

const presences = new Map<string, Set<string>>();

export function localPresence(name: string): Presence {
  const members = presences.get(name) ?? new Set<string>();
  presences.set(name, members);
  return {
    announce: (member) => void members.add(member),
    withdraw: async (member) => void members.delete(member),
    members: async () => new Set(members),
  };
}
