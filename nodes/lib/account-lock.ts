// What the nodes of one Qualtrics account share so a create-or-update never creates twice in this
// Node-RED: one queue per key (say directory + email), whichever node the messages come to, and
// the spellings of the keys written, for a search that compares them exactly. Keyed by the
// configuration node's ID, which outlives a redeploy of the node object. Not shared between
// Node-RED processes.

/** spellings remembered per key, and keys per account: enough for the addresses in recent use */
const SPELLINGS_PER_KEY = 4;
const KEYS_REMEMBERED = 10_000;

export class AccountLock {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly written = new Map<string, string[]>();

  /** Runs `task` once every earlier task with the same key has settled, however that ended. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.queues.get(key) ?? Promise.resolve();
    const run = before.then(task);
    const settled = run.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return run;
  }

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
