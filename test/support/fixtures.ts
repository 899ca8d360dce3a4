// What a suite starts in before() and ends in after(), declared in one line of the describe body.
// The value is there to use at once: it stands for the one the hooks make, so the tests keep
// writing `sb.apiBase` or `api.requests` as when each suite wrote its own hooks.
import { startSandbox, type Sandbox, type SandboxOptions } from "../../sandbox";
import { ok, startRawServer, startRecordingServer, type RawServer, type RecordingServer, type Reply } from "./fake-servers";

/** Made by `start` in before(), ended by `stop` in after(); `each` runs before every test. */
export function suiteValue<T extends object>(start: () => Promise<T>, stop: (v: T) => unknown, each?: (v: T) => unknown): T {
  let current: T | undefined;
  before(async () => {
    current = await start();
  });
  after(async () => {
    if (current) await stop(current);
    current = undefined;
  });
  const value = standIn(() => current);
  if (each) beforeEach(() => each(value));
  return value;
}

/** An object that stands for whatever `get` returns at the moment it is used. */
export function standIn<T extends object>(get: () => T | undefined): T {
  const live = (): T => {
    const v = get();
    if (!v) throw new Error("used outside the suite that starts it");
    return v;
  };
  return new Proxy({} as T, {
    get(_t, prop) {
      const v = Reflect.get(live(), prop) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(live()) : v;
    },
    set: (_t, prop, value) => Reflect.set(live(), prop, value),
    has: (_t, prop) => prop in live(),
  });
}

/** one sandbox for the suite, reset before every test */
export function useSandbox(opts?: SandboxOptions): Sandbox {
  return suiteValue(() => startSandbox(opts), (sb) => sb.close(), (sb) => sb.reset());
}

/** one recording server for the suite; with `first`, every test starts with that answer scripted */
export function useRecordingServer(first?: () => Reply): RecordingServer {
  return suiteValue(startRecordingServer, (s) => s.close(), first ? (s) => s.reply(first()) : undefined);
}

/** every test starts with an empty success scripted */
export const okFirst = (): Reply => ok({});

/** one raw server for the suite (each test sets its handler) */
export function useRawServer(): RawServer {
  return suiteValue(startRawServer, (s) => s.close());
}
