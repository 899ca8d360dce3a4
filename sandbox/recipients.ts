// Whom a distribution reaches, resolved when it is created and kept on its record, so tests can see
// exactly which people an invitation went to (docs/qualtrics-facts.md §5.2, §5.6): the members of a
// mailing list, one member, the contacts of a transaction batch's transactions, or one transaction's.
import { badRequest } from "./envelope";
import { findTransaction, findTransactionBatch, MailingListRecord, ReachedRecipient, SandboxState } from "./state";

export function listRecipients(list: MailingListRecord): ReachedRecipient[] {
  return [...list.members.keys()].map((contactId) => ({ contactId, transactionId: null }));
}

/** One invitation per transaction of the batch (a person with two transactions in it is asked twice, once for each event). */
export function batchRecipients(state: SandboxState, batchId: string, path: string, directoryId?: string): ReachedRecipient[] {
  const found = findTransactionBatch(state, batchId, directoryId);
  if (!found) throw badRequest(`${path}: transaction batch ${batchId} does not exist`);
  return found.batch.transactionIds.flatMap((transactionId) => {
    const t = found.directory.transactions.get(transactionId);
    return t ? [{ contactId: t.contactId, transactionId }] : [];
  });
}

export function transactionRecipient(state: SandboxState, transactionId: string, path: string, directoryId?: string): ReachedRecipient[] {
  const found = findTransaction(state, transactionId, directoryId);
  if (!found) throw badRequest(`${path}: transaction ${transactionId} does not exist`);
  return [{ contactId: found.transaction.contactId, transactionId }];
}

export interface RecipientView extends ReachedRecipient {
  email: string | null;
  phone: string | null;
}

/**
 * Whom distribution `id` (email EMD_ or SMS SMSD_) reached, with each contact's address as it is now;
 * undefined for an unknown distribution. A record written before `reached` was kept falls back to its
 * contactIds (email) or to nobody (SMS).
 */
export function distributionRecipients(state: SandboxState, id: string): { distributionId: string; channel: "email" | "sms"; recipients: RecipientView[] } | undefined {
  const email = state.distributions.get(id);
  const sms = email ? undefined : state.smsDistributions.get(id);
  if (!email && !sms) return undefined;
  const reached = email ? (email.reached ?? email.contactIds.map((contactId) => ({ contactId, transactionId: null }))) : (sms?.reached ?? []);
  const contact = (contactId: string) => {
    for (const d of state.directories.values()) {
      const c = d.contacts.get(contactId);
      if (c) return c;
    }
    return undefined;
  };
  return {
    distributionId: id,
    channel: email ? "email" : "sms",
    recipients: reached.map((r) => ({ ...r, email: contact(r.contactId)?.email ?? null, phone: contact(r.contactId)?.phone ?? null })),
  };
}
