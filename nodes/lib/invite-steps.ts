// The invite node's sequence (issue 16): find or create the contact, put it on the mailing list,
// record a transaction, put it in a batch, send the distribution to the batch. Each step's outcome
// goes into the invitation's record, so a retry resumes after the last step known done; a step
// whose request may have been carried out although it failed is checked before it is sent again
// (docs/retries-and-limits.md), never repeated blindly.
import type { ApiResponse, QualtricsClient } from "../../src/client";
import type { ContactFields, UpsertKey } from "../../src/contacts";
import { EmailDistributionBody, SmsDistributionBody, createEmailDistribution, createSmsDistribution } from "../../src/distributions";
import { listDistributions } from "../../src/distribution-reports";
import { QualtricsApiError } from "../../src/errors";
import { addMember, getMember } from "../../src/mailing-lists";
import { createTransactionBatch, createTransactions, listContactTransactions } from "../../src/transactions";
import { upsertInAccount } from "./contact-upsert";
import type { InvitationRecord, InvitationResult, Invitations, Step } from "./invitations";
import type { QualtricsConfigNode } from "./types";

export interface InvitePlan {
  key: string;
  directoryId: string;
  surveyId: string;
  mailingListId?: string;
  matchKey: UpsertKey;
  person: ContactFields;
  transaction: Record<string, string>;
  /** as given, else now */
  transactionDate?: string;
  channel: "email" | "sms";
  /** checked before any request; its recipients and send date are set when it is sent */
  distribution: EmailDistributionBody | SmsDistributionBody;
}

export interface StepContext {
  client: QualtricsClient;
  config: QualtricsConfigNode;
  signal: AbortSignal;
  invitations: Invitations;
  /** a text of the node's catalogue (qualtrics-invite.*) */
  t(key: string, vars?: Record<string, string>): string;
}

export type Outcome =
  | { skipped: "quiet"; contactId: string; last?: ApiResponse }
  | { skipped?: undefined; result: InvitationResult; last?: ApiResponse };

function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Runs the steps `rec` does not show done; `rec` is updated (and saved) as they finish. */
export async function runInvitation(plan: InvitePlan, rec: InvitationRecord, ctx: StepContext): Promise<Outcome> {
  const { client, signal, invitations: inv } = ctx;
  const dir = plan.directoryId;
  const ml = plan.mailingListId;
  let last: ApiResponse | undefined;
  let step: Step = "contact";
  try {
    if (!rec.contactId) {
      // a retry of a contact create that may have succeeded searches first, as every upsert does
      const out = await upsertInAccount(ctx.config, client, dir, plan.matchKey, plan.person, signal, {
        skipUnchanged: true,
        // a new person goes straight onto the list: one request for both
        create: ml ? (fields) => addMember(client, dir, ml, fields, signal) : undefined,
      });
      rec.contactId = out.result.contactId;
      rec.contactCreated = out.result.created;
      if (out.result.created && ml) rec.listed = true;
    }
    const cid = rec.contactId;

    if (!rec.distributionId && !(await inv.takeQuiet(plan.surveyId, cid, plan.key))) {
      return { skipped: "quiet", contactId: cid };
    }

    step = "mailingList";
    if (ml) {
      rec.mailingListId = ml;
      if (!rec.listed) rec.listed = await inv.isListed(ml, cid);
      if (!rec.listed) {
        last = await memberOrAdd(client, dir, ml, cid, plan.person, signal);
        rec.listed = true;
        await inv.markListed(ml, cid);
      } else if (rec.contactCreated) {
        await inv.markListed(ml, cid);
      }
    }

    step = "transaction";
    if (!rec.transactionId) {
      if (rec.unsure === "transaction") rec.transactionId = await findTransaction(client, dir, cid, rec.transactionDate, plan.transaction, signal);
      if (!rec.transactionId) {
        rec.transactionDate ??= plan.transactionDate ?? nowIso();
        await sending(ctx, plan.key, rec, "transaction");
        const res = await createTransactions(client, dir, [{ contactId: cid, mailingListId: ml, transactionDate: rec.transactionDate, data: plan.transaction }], signal);
        last = res;
        const id = res.result.ids[0];
        if (!id) {
          rec.unsure = undefined;
          const why = res.result.unprocessed.find((u) => u.index === 0)?.error ?? "";
          throw new Error(ctx.t("error.unprocessed", { error: why }));
        }
        rec.transactionId = id;
        rec.unsure = undefined;
      }
    }
    const tid = rec.transactionId;

    step = "batch";
    if (!rec.transactionBatchId) {
      // a batch that may have been made is made again: a batch sends nothing, only the distribution to it does
      const res = await createTransactionBatch(client, dir, [tid], signal);
      last = res;
      rec.transactionBatchId = res.result.id;
    }
    const batch = rec.transactionBatchId;

    step = "distribution";
    const body = withBatch(plan, batch, (rec.sendDate ??= plan.distribution.sendDate));
    if (!rec.distributionId && rec.unsure === "distribution") rec.distributionId = await findDistribution(ctx, plan, body, batch);
    if (!rec.distributionId) {
      await sending(ctx, plan.key, rec, "distribution");
      const res =
        plan.channel === "email"
          ? await createEmailDistribution(client, body as EmailDistributionBody, signal)
          : await createSmsDistribution(client, body as SmsDistributionBody, ctx.config.timeoutMs, signal);
      last = res;
      const id = (res.result as { id?: unknown } | undefined)?.id;
      if (typeof id !== "string") throw new Error(ctx.t("error.noId"));
      rec.distributionId = id;
    }
    rec.unsure = undefined;
    rec.done = true;
    rec.result = {
      contactId: cid,
      mailingListId: ml,
      transactionId: tid,
      transactionBatchId: batch,
      distributionId: rec.distributionId,
      channel: plan.channel,
    };
    await inv.save(plan.key, rec);
    return { result: rec.result, last };
  } catch (err) {
    const unsure = err instanceof QualtricsApiError && err.mayHaveSucceeded;
    if (!unsure && rec.unsure === step) rec.unsure = undefined;
    // nothing went out: the person's quiet period stays free for the next invitation
    if (!unsure && rec.contactId && !rec.distributionId && rec.unsure !== "distribution") await inv.giveBackQuiet(plan.surveyId, rec.contactId, plan.key).catch(() => undefined);
    await inv.save(plan.key, rec).catch(() => undefined);
    throw explain(ctx, step, rec, err);
  }
}

/** the request of `step` is about to go out: until its answer, its outcome is unknown */
async function sending(ctx: StepContext, key: string, rec: InvitationRecord, step: Step): Promise<void> {
  rec.unsure = step;
  rec.unsureAt = Date.now();
  await ctx.invitations.save(key, rec);
}

/** GET the membership; a 404 means not a member, and the contact is added */
async function memberOrAdd(client: QualtricsClient, dir: string, ml: string, cid: string, person: ContactFields, signal: AbortSignal): Promise<ApiResponse> {
  try {
    return await getMember(client, dir, ml, cid, signal);
  } catch (err) {
    if (!(err instanceof QualtricsApiError) || err.statusCode !== 404) throw err;
  }
  return addMember(client, dir, ml, person, signal);
}

/** the contact's transaction with this date and data, if the earlier request made it */
async function findTransaction(
  client: QualtricsClient,
  dir: string,
  cid: string,
  date: string | undefined,
  data: Record<string, string>,
  signal: AbortSignal,
): Promise<string | undefined> {
  for await (const t of listContactTransactions(client, dir, cid, { signal })) {
    const id = t.transactionId ?? t.id;
    const theirs = (t.data ?? t.transactionData) as Record<string, unknown> | undefined;
    if (typeof id !== "string" || !theirs || typeof theirs !== "object") continue;
    if (date && typeof t.transactionDate === "string" && Date.parse(t.transactionDate.replace(" ", "T") + (/Z|[+-]\d\d:?\d\d$/.test(t.transactionDate) ? "" : "Z")) !== Date.parse(date)) continue;
    if (Object.entries(data).every(([k, v]) => String(theirs[k] ?? "") === v)) return id;
  }
  return undefined;
}

function withBatch(plan: InvitePlan, batch: string, sendDate: string): EmailDistributionBody | SmsDistributionBody {
  const body = { ...plan.distribution, sendDate };
  body.recipients = { ...plan.distribution.recipients, transactionBatchId: batch };
  return body;
}

/**
 * An email invitation to the batch that may have been made: the survey's invitations sent at that
 * very time show it (docs/qualtrics-facts.md §5.4). The SMS list offers no such filter, so an SMS is
 * not sent again: the error says what to check.
 */
async function findDistribution(ctx: StepContext, plan: InvitePlan, body: EmailDistributionBody | SmsDistributionBody, batch: string): Promise<string | undefined> {
  if (plan.channel === "sms") throw new Error(ctx.t("error.smsUnsure", { batch, survey: plan.surveyId }));
  const at = Date.parse(body.sendDate);
  const pages = listDistributions(
    ctx.client,
    { surveyId: plan.surveyId, distributionRequestType: "Invite", sendStartDate: new Date(at).toISOString(), sendEndDate: new Date(at + 1000).toISOString() },
    { signal: ctx.signal },
  );
  for await (const page of pages) {
    for (const d of page.elements) {
      const r = d.recipients as Record<string, unknown> | undefined;
      if (r && r.transactionBatchId === batch && typeof d.id === "string") return d.id;
    }
  }
  return undefined;
}

const DONE_ORDER: [keyof InvitationRecord, string][] = [
  ["contactId", "contact"],
  ["listed", "listed"],
  ["transactionId", "transaction"],
  ["transactionBatchId", "batch"],
];

/** the error of `step`, its text prefixed with what was done before it, so a user can finish by hand */
function explain(ctx: StepContext, step: Step, rec: InvitationRecord, raw: unknown): Error {
  const err = raw instanceof Error ? raw : new Error(String(raw));
  const done: string[] = [];
  for (const [prop, what] of DONE_ORDER) {
    if (!rec[prop]) continue;
    const key = what === "contact" ? (rec.contactCreated ? "done.contactCreated" : "done.contactFound") : `done.${what}`;
    done.push(ctx.t(key, { id: String(what === "listed" ? rec.mailingListId : rec[prop]) }));
  }
  const stepName = ctx.t(`step.${step}`);
  const list = done.length <= 1 ? done.join("") : `${done.slice(0, -1).join(", ")} ${ctx.t("done.and")} ${done[done.length - 1]}`;
  err.message = done.length
    ? ctx.t("error.after", { done: list, step: stepName, error: err.message })
    : ctx.t("error.first", { step: stepName, error: err.message });
  return err;
}
