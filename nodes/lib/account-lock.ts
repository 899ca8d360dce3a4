// What the nodes of one Qualtrics account share so a create-or-update never creates twice in this
// Node-RED: one queue per key (say directory + email), whichever node the messages come to, and
// the spellings of the keys written, for a search that compares them exactly. Keyed by the
// configuration node's ID, which outlives a redeploy of the node object. Not shared between
// Node-RED processes.
import { KeyedQueue } from "./keyed-queue";

/** spellings remembered per key, and keys per account: enough for the addresses in recent use */
const SPELLINGS_PER_KEY = 4;
const KEYS_REMEMBERED = 10_000;

export class AccountLock extends KeyedQueue {
  private readonly written = new Map<string, string[]>();

  /** the spellings written for `key`, most recent first */
  spellings(key: string): string[] {
    return [...(this.written.get(key) ?? [])];
  }

  remember(key: string, spelling: string): void {
    const list = [spelling, ...(this.written.get(key) ?? []).filter((s) => s !== spelling)].slice(0, SPELLINGS_PER_KEY);
    this.written.delete(key);
    this.written.set(key, list);
    if (this.written.size > KEYS_REMEMBERED) this.written.delete(this.written.keys().next().value as string);
  }
}

const accounts = new Map<string, AccountLock>();

/** The lock of the account a configuration node stands for. */
export function accountLock(config: { id: string }): AccountLock {
  let lock = accounts.get(config.id);
  if (!lock) {
    lock = new AccountLock();
    accounts.set(config.id, lock);
  }
  return lock;
}
