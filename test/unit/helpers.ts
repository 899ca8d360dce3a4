// Shared bits for the unit tests: a client with tiny retry delays aimed at a recording server,
// a port nobody listens on, and small async utilities.
import assert from "node:assert/strict";
import * as net from "node:net";
import { ClientOptions, QualtricsClient } from "../../src/client";
import { QualtricsInputError } from "../../src/errors";

/** Recognisable, 40 characters like a real token (docs/qualtrics-facts.md §1.3). */
export const TOKEN = "SECRET-TOKEN-DO-NOT-LEAK-0123456789abcde";

/** Clients made by a test file, closed after each test. */
export class ClientPool {
  private readonly made: QualtricsClient[] = [];

  make(baseUrl: string, extra: Partial<ClientOptions> = {}): QualtricsClient {
    const c = new QualtricsClient({
      baseUrl,
      auth: () => ({ "X-API-TOKEN": TOKEN }),
      ...extra,
      retry: { baseMs: 5, retries: 3, ...(extra.retry ?? {}) },
    });
    this.made.push(c);
    return c;
  }

  async closeAll(): Promise<void> {
    const all = this.made.splice(0);
    await Promise.all(all.map((c) => c.close(0)));
  }
}

/** A ClientPool whose clients are closed after every test of the suite. */
export function useClients(): ClientPool {
  const clients = new ClientPool();
  afterEach(() => clients.closeAll());
  return clients;
}

/** A port on 127.0.0.1 that was free a moment ago and has nothing listening now. */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** The error a promise (or a function that may throw synchronously) fails with. */
export async function failure<E extends Error = Error>(p: Promise<unknown> | (() => unknown)): Promise<E> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
    return err as E;
  }
  assert.fail("expected a failure, but it succeeded");
}

/** The QualtricsInputError `fn` throws at once, naming `field` (and matching `pattern`). */
export function thrownInputError(fn: () => unknown, field: string, pattern?: RegExp): QualtricsInputError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof QualtricsInputError, `expected a QualtricsInputError naming ${field}, got ${String(caught)}`);
  assert.equal(caught.field, field, caught.message);
  if (pattern) assert.match(caught.message, pattern);
  return caught;
}

/** The token must appear in no text a flow author can see. */
export function assertNoToken(err: unknown): void {
  const e = err as Error;
  assert.ok(!String(e.message).includes(TOKEN), "token in err.message");
  assert.ok(!JSON.stringify(e).includes(TOKEN), "token in JSON.stringify(err)");
  assert.ok(!String(e.stack).includes(TOKEN), "token in err.stack");
}
