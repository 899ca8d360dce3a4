// What the invite node's suites share: a sandbox account's IDs as the node's dialog, a user
// directory of its own per test (the invitation records live there), and counts of what the sandbox
// holds, so a test sees exactly what was created and whom a distribution reached.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Sandbox } from "../../sandbox";
import { helper } from "./nr-helper";

/** the node's dialog for the sandbox's seeded account: email from the library's invite message */
export function inviteDefaults(sb: Sandbox): Record<string, unknown> {
  const ids = sb.seedIds;
  return {
    directoryId: ids.directoryId, directoryIdType: "str",
    mailingListId: ids.mailingListIds[0], mailingListIdType: "str",
    surveyId: ids.surveyIds[0], surveyIdType: "str",
    libraryId: ids.libraryId, libraryIdType: "str",
    messageId: ids.messageIds.invite, messageIdType: "str",
    fromEmail: "care@example.com", fromEmailType: "str",
    fromName: "Customer Care", fromNameType: "str",
    subject: "How did we do?", subjectType: "str",
    channel: "email", matchKey: "email", quietDays: 0,
  };
}

/** a fresh user directory for every test (and the retry delay short), removed afterwards */
export function useUserDir(): { readonly dir: string } {
  const state = { dir: "" };
  beforeEach(() => {
    state.dir = fs.mkdtempSync(path.join(os.tmpdir(), "nrq-invite-"));
    helper.settings({ userDir: state.dir, qualtricsConfigRetryDelay: 1 } as never);
  });
  afterEach(() => fs.rmSync(state.dir, { recursive: true, force: true }));
  return state;
}

/** a person's invitation message: a ticket closed */
export function ticket(n: number | string, ticketId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { payload: { email: `person${n}@example.com`, firstName: `P${n}`, transaction: { id: ticketId, topic: "billing", agent: "Kim" }, ...extra } };
}

export interface Counts {
  contacts: number;
  transactions: number;
  emails: number;
  sms: number;
}

export function counts(sb: Sandbox): Counts {
  const d = sb.state.directories.get(sb.seedIds.directoryId);
  if (!d) throw new Error("no seeded directory");
  return { contacts: d.contacts.size, transactions: d.transactions.size, emails: sb.state.distributions.size, sms: sb.state.smsDistributions.size };
}

/** what changed since `before` */
export function added(sb: Sandbox, before: Counts): Counts {
  const now = counts(sb);
  return { contacts: now.contacts - before.contacts, transactions: now.transactions - before.transactions, emails: now.emails - before.emails, sms: now.sms - before.sms };
}

/** whom every distribution created since `before` reached: contact IDs, one entry per message sent */
export function reachedSince(sb: Sandbox, emailIdsBefore: Set<string>): string[] {
  const out: string[] = [];
  for (const [id, d] of sb.state.distributions) if (!emailIdsBefore.has(id)) for (const r of d.reached ?? []) out.push(r.contactId);
  for (const [id, d] of sb.state.smsDistributions) if (!emailIdsBefore.has(id)) for (const r of d.reached ?? []) out.push(r.contactId);
  return out;
}

/** the request lines the sandbox received since index `from`, as "METHOD /path" without /API/v3 and IDs */
export function calls(sb: Sandbox, from = 0): string[] {
  return sb.requests.slice(from).map((r) => `${r.method} ${r.path.replace(/^\/API\/v3/, "").replace(/\/(POOL|CG|CID|CTR|BT|SV)_[A-Za-z0-9]+/g, "/$1")}`);
}
