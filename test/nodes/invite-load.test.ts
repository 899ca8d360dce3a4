// 1,000 invitation messages at once, 10 % of them repeats and 5 % for people inside their quiet
// period: exactly the expected people get exactly one invitation each (the sandbox's record of
// whom each distribution reached), every message ends once, nothing fails.
import assert from "node:assert/strict";
import { useSandbox } from "../support/fixtures";
import { collect, helper } from "../support/nr-helper";
import { nodeUnderTest, noUnhandledRejections, sandboxToken, useNodeRuntime } from "../support/node-test";
import { inviteDefaults, reachedSince, ticket } from "../support/invite";
import { until } from "../support/wait";

type Msg = Record<string, unknown>;

/** a fixed shuffle (mulberry32), so a failure can be run again as it was */
function shuffled<T>(list: T[], seed: number): T[] {
  let a = seed;
  const rnd = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe("qualtrics-invite under load", function () {
  this.timeout(180_000);
  const sb = useSandbox();
  const done = useNodeRuntime();
  // the records in memory (no user directory): this is about the node's logic under concurrency;
  // durability across restarts is invite-faults.test.ts's, the file store's speed the benchmark's
  beforeEach(() => helper.settings({ qualtricsConfigRetryDelay: 1 } as never));
  noUnhandledRejections();
  const { load } = nodeUnderTest({ type: "qualtrics-invite", apiBase: () => sb.apiBase, credentials: sandboxToken(sb), defaults: () => inviteDefaults(sb), done,
    // the account's limit is not what is tested here (the benchmark runs against it)
    config: { rateLimit: 1_000_000, maxConcurrent: 20 } });

  async function sendAll(messages: Msg[]): Promise<Msg[]> {
    const out = collect("out");
    const errors: unknown[] = [];
    (helper.getNode("n") as unknown as { on(e: string, cb: (c: { args: unknown[] }) => void): void }).on("call:error", (c) => errors.push(c.args[0]));
    for (const m of messages) helper.getNode("n").receive(m);
    await until(() => out.length + errors.length === messages.length, 150_000, `${messages.length} messages to end`);
    assert.deepEqual(errors.map(String), [], "no message fails");
    return out;
  }

  it("1,000 messages, 100 repeats, 50 people in their quiet period: 850 invitations, one per new person", async () => {
    await load({ quietDays: 30 });
    // earlier today: 50 people were invited
    const quietPeople = Array.from({ length: 50 }, (_, i) => `q${i}`);
    await sendAll(quietPeople.map((p) => ticket(p, `EARLIER-${p}`)));

    const emails = new Set([...sb.state.distributions.keys()]);
    const fresh = Array.from({ length: 850 }, (_, i) => ticket(`n${i}`, `T-${i}`));
    const repeats = Array.from({ length: 100 }, (_, i) => structuredClone(fresh[(i * 7) % 850]));
    const quiet = quietPeople.map((p) => ticket(p, `LATER-${p}`));
    const out = await sendAll(shuffled([...fresh, ...repeats, ...quiet], 16));

    const skipped = (s: string | undefined) => out.filter((m) => (m.payload as { skipped?: string }).skipped === s);
    assert.equal(skipped(undefined).length, 850);
    assert.equal(skipped("duplicate").length, 100);
    assert.equal(skipped("quiet").length, 50);
    const contactOf = new Map(out.map((m) => [(m.payload as { contactId: string }).contactId, m]));
    const reached = reachedSince(sb, emails);
    assert.equal(reached.length, 850, "850 invitations went out");
    assert.equal(new Set(reached).size, 850, "nobody got two");
    for (const cid of reached) {
      const email = (contactOf.get(cid)?.payload as { contactId: string } | undefined) && sb.state.directories.get(sb.seedIds.directoryId)!.contacts.get(cid)!.email;
      assert.match(String(email), /^personn\d+@example\.com$/, "only new people were invited");
    }
    assert.equal(done.of("n").length, 1050, "every message ended once");
  });
});
