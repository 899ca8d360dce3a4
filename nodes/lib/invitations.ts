// The records behind "never twice" of the invite node (issue 16): per invitation, the steps done so
// far; per survey and person, when they were last invited (the quiet period); per mailing list and
// contact, that the contact is a member. Kept in the configuration's coordination records (files in
// the user directory, or Redis), so they outlive a restart and are shared by every invite node of
// the account. Keys are digests: no address or phone number is written in the clear.
import { createHash } from "node:crypto";
import type { QualtricsConfigNode } from "./types";
import type { RecordStore } from "./coordination/types";

const DAY_MS = 24 * 60 * 60 * 1000;
/** how long a finished invitation is remembered when the quiet period is shorter */
export const DUPLICATE_WINDOW_DAYS = 30;
/** how long one delivery holds an invitation it is sending; a crashed holder's claim lapses after it */
export const RUN_CLAIM_MS = 10 * 60 * 1000;

/** the steps of an invitation, in order */
export const STEPS = ["contact", "mailingList", "transaction", "batch", "distribution"] as const;
export type Step = (typeof STEPS)[number];

export interface InvitationResult {
  contactId: string;
  mailingListId?: string;
  transactionId: string;
  transactionBatchId: string;
  distributionId: string;
  channel: "email" | "sms";
}

/** what an invitation's record holds (JSON) */
export interface InvitationRecord {
  contactId?: string;
  contactCreated?: boolean;
  mailingListId?: string;
  /** the contact is known to be on the mailing list */
  listed?: boolean;
  /** the transaction's date as sent, so a check finds that very transaction */
  transactionDate?: string;
  transactionId?: string;
  transactionBatchId?: string;
  distributionId?: string;
  /** the distribution's send date as sent, so a check finds that very distribution */
  sendDate?: string;
  /** a step whose request was sent but whose outcome is unknown ("may have succeeded") */
  unsure?: Step;
  /** when the unsure step was sent (ms since the epoch) */
  unsureAt?: number;
  /** the invitation was sent; `result` is what it answered */
  done?: boolean;
  result?: InvitationResult;
}

export function digest(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\n"), "utf8").digest("base64url").slice(0, 32);
}

/** the records of one account and directory (a directory belongs to one brand; its ID is no secret) */
export class Invitations {
  private readonly store: RecordStore;

  constructor(
    config: QualtricsConfigNode,
    apiOrigin: string,
    directoryId: string,
    private readonly quietDays: number,
  ) {
    this.store = config.coordination().records(`invitations:${digest(apiOrigin, directoryId)}`);
  }

  private get ttlMs(): number {
    return Math.max(this.quietDays, DUPLICATE_WINDOW_DAYS) * DAY_MS;
  }

  async get(key: string): Promise<InvitationRecord | undefined> {
    return (await this.store.get(`inv:${key}`)) as InvitationRecord | undefined;
  }

  save(key: string, rec: InvitationRecord): Promise<void> {
    return this.store.set(`inv:${key}`, rec as Record<string, unknown>, { ttlMs: this.ttlMs });
  }

  forget(key: string): Promise<void> {
    return this.store.delete(`inv:${key}`);
  }

  /** true when this delivery may send the invitation now: no other one is sending it */
  claimRun(key: string, owner: string): Promise<boolean> {
    return this.store.claim(`run:${key}`, { owner, at: Date.now() }, RUN_CLAIM_MS);
  }

  /** the owner of the claim on `key`, if any */
  async heldBy(key: string): Promise<unknown> {
    return (await this.store.get(`run:${key}`))?.owner;
  }

  releaseRun(key: string): Promise<void> {
    return this.store.delete(`run:${key}`);
  }

  /**
   * Takes the person's quiet period for this invitation: true when they were not invited to the
   * survey within it (or it is this invitation's own). Taken before sending, so two invitations of
   * one person cannot both pass; given back when nothing was sent.
   */
  async takeQuiet(surveyId: string, contactId: string, key: string): Promise<boolean> {
    if (this.quietDays <= 0) return true;
    const qk = `quiet:${digest(surveyId, contactId)}`;
    if (await this.store.claim(qk, { key, at: Date.now() }, this.quietDays * DAY_MS)) return true;
    const held = await this.store.get(qk);
    return held?.key === key;
  }

  async giveBackQuiet(surveyId: string, contactId: string, key: string): Promise<void> {
    if (this.quietDays <= 0) return;
    const qk = `quiet:${digest(surveyId, contactId)}`;
    const held = await this.store.get(qk);
    if (held?.key === key) await this.store.delete(qk);
  }

  /** the contact is known to be on the list (added or checked by an earlier invitation) */
  async isListed(mailingListId: string, contactId: string): Promise<boolean> {
    return (await this.store.get(`member:${digest(mailingListId, contactId)}`)) !== undefined;
  }

  markListed(mailingListId: string, contactId: string): Promise<void> {
    return this.store.set(`member:${digest(mailingListId, contactId)}`, { at: Date.now() }, { ttlMs: DUPLICATE_WINDOW_DAYS * DAY_MS });
  }
}
