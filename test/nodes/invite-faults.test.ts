// Each of the invite node's five requests failing (400, a 429 that passes, a 500 and a dropped
// connection after Qualtrics carried the request out): nothing is sent twice, the error names the
// step and what was done, and sending the message again finishes the invitation. And a restart
// between steps resumes from the records in the user directory.
import assert from "node:assert/strict";
import type { FaultRule } from "../../sandbox";
import { useSandbox } from "../support/fixtures";
import { helper } from "../support/nr-helper";
import { until } from "../support/wait";
import { nodeUnderTest, noUnhandledRejections, sandboxToken, useNodeRuntime } from "../support/node-test";
import { added, calls, counts, inviteDefaults, reachedSince, ticket, useUserDir } from "../support/invite";

type Msg = Record<string, unknown>;

const STEPS: Array<{ name: string; match: FaultRule["match"]; retried: boolean; done: RegExp }> = [
  { name: "the contact search", match: { method: "POST", path: "contacts/search" }, retried: true, done: /^finding or creating the contact failed, nothing was done: / },
  { name: "the contact create", match: { method: "POST", path: "/\\/mailinglists\\/[^/]+\\/contacts$/" }, retried: false, done: /^finding or creating the contact failed, nothing was done: / },
  { name: "the transaction", match: { method: "POST", path: "/\\/directories\\/[^/]+\\/transactions$/" }, retried: false, done: /^the contact was created \(CID_\w+\) and it is on the mailing list \(CG_\w+\), but recording the transaction failed: / },
  { name: "the batch", match: { method: "POST", path: "/transactionbatches" }, retried: false, done: /^the contact was created \(CID_\w+\), it is on the mailing list \(CG_\w+\) and the transaction was recorded \(CTR_\w+\), but creating the transaction batch failed: / },
  { name: "the distribution", match: { method: "POST", path: "/\\/distributions$/" }, retried: false, done: /^the contact was created \(CID_\w+\), it is on the mailing list \(CG_\w+\), the transaction was recorded \(CTR_\w+\) and the transaction batch was created \(BT_\w+\), but the distribution failed: / },
];

const FAULTS: Array<{ name: string; rule: Omit<FaultRule, "match">; passes: "always" | "idempotent" | "never"; text: RegExp }> = [
  { name: "400", rule: { action: "status", status: 400 }, passes: "never", text: /Qualtrics 400/ },
  { name: "429 (passing)", rule: { action: "status", status: 429, retryAfter: 0 }, passes: "always", text: /./ },
  { name: "500 after carrying it out", rule: { action: "status", status: 500, afterHandling: true }, passes: "idempotent", text: /Qualtrics 500.*it may have succeeded anyway/ },
  { name: "a dropped connection after carrying it out", rule: { action: "drop", afterHandling: true }, passes: "idempotent", text: /it may have succeeded anyway/ },
];

describe("qualtrics-invite when a request fails", function () {
  const sb = useSandbox();
  const done = useNodeRuntime();
  useUserDir();
  noUnhandledRejections();
  const node = nodeUnderTest({ type: "qualtrics-invite", apiBase: () => sb.apiBase, credentials: sandboxToken(sb), defaults: () => inviteDefaults(sb), done });

  /**
   * Sends `msg` to the node; resolves with its output or its error. Listeners stay for the whole
   * test and results are counted: a listener added per message and left waiting after an error
   * can miss the next output in the test helper.
   */
  interface Seen {
    outputs: Msg[];
    errors: { error: string; msg: Msg }[];
  }
  let seen: Seen = { outputs: [], errors: [] };
  function listen(): void {
    const s: Seen = { outputs: [], errors: [] };
    seen = s;
    helper.getNode("out").on("input", (m: Msg) => s.outputs.push(m));
    (helper.getNode("n") as unknown as { on(e: string, cb: (c: { args: unknown[] }) => void): void }).on("call:error", (c) =>
      s.errors.push({ error: c.args[0] instanceof Error ? c.args[0].message : String(c.args[0]), msg: c.args[1] as Msg }),
    );
  }
  async function outcome(msg: Msg): Promise<{ msg?: Msg; error?: string }> {
    const s = seen;
    const [o, e] = [s.outputs.length, s.errors.length];
    helper.getNode("n").receive(msg);
    await until(() => s.outputs.length > o || s.errors.length > e, 15_000, "the node's output or error");
    return s.outputs.length > o ? { msg: s.outputs[o] } : s.errors[e];
  }
  async function run(msg: Msg): Promise<Msg> {
    const r = await outcome(msg);
    if (r.error) throw new Error(`unexpected error: ${r.error}`);
    return r.msg as Msg;
  }
  async function load(props?: Msg): Promise<void> {
    await node.load(props);
    listen();
  }

  for (const step of STEPS) {
    for (const fault of FAULTS) {
      it(`${step.name}: ${fault.name}`, async () => {
        // (an output awaited after an error goes through outcome(): a second listener on "out" left waiting by an error misses it)
        await load();
        const before = counts(sb);
        const emails = new Set(sb.state.distributions.keys());
        sb.faults.set({ rules: [{ match: step.match, ...fault.rule, times: 1 }] });
        const first = await outcome(ticket(1, "F-1"));
        const passes = fault.passes === "always" || (fault.passes === "idempotent" && step.retried);
        if (passes) {
          assert.equal(first.error, undefined, "retried until it passed");
        } else {
          assert.ok(first.error, "the message fails");
          assert.match(first.error, step.done);
          assert.match(first.error, fault.text);
          assert.equal(((first.msg as Msg).qualtrics as { mayHaveSucceeded?: boolean }).mayHaveSucceeded, fault.rule.afterHandling === true);
          // sent again (a retry, a redelivery): it finishes without repeating what was done
          sb.faults.clear();
          const second = await run(ticket(1, "F-1"));
          assert.equal((second.payload as { skipped?: string }).skipped, undefined);
        }
        const third = await run(ticket(1, "F-1"));
        assert.equal((third.payload as { skipped?: string }).skipped, "duplicate");
        // a batch that may have been made is made again (it sends nothing); everything else exists once
        assert.deepEqual(added(sb, before), { contacts: 1, transactions: 1, emails: 1, sms: 0 });
        const cid = (third.payload as { contactId: string }).contactId;
        assert.deepEqual(reachedSince(sb, emails), [cid], "the person got exactly one invitation");
      });
    }
  }

  describe("a restart between steps", function () {
    it("after the batch failed: the redeployed node goes on with the batch, without a second contact or transaction", async () => {
      await load();
      const before = counts(sb);
      sb.faults.set({ rules: [{ match: { method: "POST", path: "/transactionbatches" }, action: "drop", times: 1 }] });
      const first = await outcome(ticket(2, "R-1"));
      assert.match(String(first.error), /but creating the transaction batch failed/);
      await helper.unload();
      await load();
      const from = sb.requests.length;
      const msg = await run(ticket(2, "R-1"));
      assert.deepEqual(calls(sb, from), ["POST /directories/POOL/transactionbatches", "POST /distributions"]);
      assert.match(String((msg.payload as { distributionId: string }).distributionId), /^EMD_/);
      assert.deepEqual(added(sb, before), { contacts: 1, transactions: 1, emails: 1, sms: 0 });
    });

    it("after an email that may have gone out: the redeployed node finds it among the survey's invitations and does not send it again", async () => {
      await load();
      const before = counts(sb);
      const emails = new Set(sb.state.distributions.keys());
      sb.faults.set({ rules: [{ match: { method: "POST", path: "/\\/distributions$/" }, action: "drop", afterHandling: true, times: 1 }] });
      const first = await outcome(ticket(3, "R-2"));
      assert.match(String(first.error), /but the distribution failed/);
      const sent = [...sb.state.distributions.keys()].filter((id) => !emails.has(id));
      assert.equal(sent.length, 1, "the sandbox carried the dropped request out");
      await helper.unload();
      await load();
      const from = sb.requests.length;
      const msg = await run(ticket(3, "R-2"));
      assert.deepEqual(calls(sb, from), ["GET /distributions"]);
      assert.equal((msg.payload as { distributionId: string }).distributionId, sent[0]);
      assert.deepEqual(added(sb, before), { contacts: 1, transactions: 1, emails: 1, sms: 0 });
    });

    it("after a transaction that may have been recorded: the contact's transactions are read first", async () => {
      await load();
      const before = counts(sb);
      sb.faults.set({ rules: [{ match: { method: "POST", path: "/\\/directories\\/[^/]+\\/transactions$/" }, action: "status", status: 500, afterHandling: true, times: 1 }] });
      await outcome(ticket(4, "R-3"));
      await helper.unload();
      await load();
      const from = sb.requests.length;
      await run(ticket(4, "R-3"));
      assert.deepEqual(calls(sb, from), ["GET /directories/POOL/contacts/CID/transactions", "POST /directories/POOL/transactionbatches", "POST /distributions"]);
      assert.deepEqual(added(sb, before), { contacts: 1, transactions: 1, emails: 1, sms: 0 });
    });

    it("an SMS that may have gone out is not sent again: the error says what to check", async () => {
      await load({ channel: "sms", messageId: sb.seedIds.messageIds.smsInvite });
      const before = counts(sb);
      sb.faults.set({ rules: [{ match: { method: "POST", path: "distributions/sms" }, action: "drop", afterHandling: true, times: 1 }] });
      await outcome({ payload: { email: "sms9@example.com", phone: "+15551239999", transaction: { id: "R-4" } } });
      const again = await outcome({ payload: { email: "sms9@example.com", phone: "+15551239999", transaction: { id: "R-4" } } });
      assert.match(String(again.error), /but the distribution failed: the SMS to batch BT_\w+ may have been sent by the earlier try; check the SMS distributions of survey SV_\w+/);
      assert.deepEqual(added(sb, before), { contacts: 1, transactions: 1, emails: 0, sms: 1 });
    });
  });
});
