// Work that must not overlap for one key (one file, one bookmark, one contact's key value): a task
// starts once every earlier task of its key has settled, however that ended. Keys with nothing
// queued are forgotten, so the map holds only what is running or waiting.
export class KeyedQueue {
  /** per key, the last task queued, settled either way */
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const run = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, settled);
    void settled.then(() => {
      if (this.tails.get(key) === settled) this.tails.delete(key);
    });
    return run;
  }

  /** resolves once the tasks of `key` queued so far have settled */
  idle(key: string): Promise<void> {
    return this.tails.get(key) ?? Promise.resolve();
  }
}
