// Bulk imports into a mailing list (transaction contacts, docs/qualtrics-facts.md §4.6), and the opted-out
// and bounced contacts of a list or directory (§4.1). Listed before contacts.ts in index.ts, so
// /contacts/optedOutContacts is not taken for a contact ID.
import { badRequest, notFound, ok } from "../envelope";
import { randomAlnum } from "../ids";
import { pageBySkipToken } from "../pagination";
import { route, Route } from "../router";
import { DirectoryRecord, MailingListRecord, SandboxState } from "../state";
import { isEmail, isObject, Obj, requireObject } from "../validate";
import { getDirectory, getMailingList, nowIso } from "./common";
import { addToList, listView, memberView, parseContactBody } from "./contact-model";

interface ImportJob {
  id: string;
  mailingListId: string;
  contacts: number;
  added: number;
  updated: number;
  failed: number;
  invalidEmails: string[];
  transactionsCreated: number;
  /** status requests so far: the first answers "inProgress", later ones "complete" */
  checks: number;
}

interface Extra {
  imports: Map<string, ImportJob>;
  /** mailingListId → contactId → bounce date */
  bounced: Map<string, Map<string, string>>;
}

/** Per sandbox state, so a reset starts over. */
const extras = new WeakMap<SandboxState, Extra>();

/**
 * The sandbox's bounces: the third member of every list that exists when they are first asked
 * for bounced once, a day after the list was created. Deterministic with the seed.
 */
function extraOf(state: SandboxState): Extra {
  let e = extras.get(state);
  if (!e) {
    e = { imports: new Map(), bounced: new Map() };
    for (const d of state.directories.values()) {
      for (const list of d.mailingLists.values()) {
        const third = [...list.members.keys()][2];
        if (third) e.bounced.set(list.mailingListId, new Map([[third, new Date(list.creationDate + 86_400_000).toISOString()]]));
      }
    }
    extras.set(state, e);
  }
  return e;
}

const IMPORT_PREFIX = "PGR_";

/** One contact of an import; a bad email is counted as failed and listed, as the status fields suggest (§4.6). */
function importOne(directory: DirectoryRecord, list: MailingListRecord, raw: unknown, job: ImportJob, newIds: { next(p: "CID_" | "CGC_"): string }): void {
  if (!isObject(raw)) {
    job.failed++;
    return;
  }
  const email = raw.email;
  if (typeof email === "string" && email !== "" && !isEmail(email)) {
    job.failed++;
    job.invalidEmails.push(email);
    return;
  }
  const body: Obj = { ...raw };
  const tx = body.transactionData;
  delete body.transactionData;
  let input;
  try {
    input = parseContactBody(body);
  } catch {
    job.failed++;
    return;
  }
  const { created } = addToList(directory, list, input, newIds, nowIso());
  if (created) job.added++;
  else job.updated++;
  if (isObject(tx)) job.transactionsCreated++;
}

function statusView(job: ImportJob, ctx: { origin: string; params: Record<string, string> }): Obj {
  const done = job.checks > 1;
  // UNCONFIRMED (docs/qualtrics-facts.md §4.6): the status words; "inProgress" and "complete" as for exports (§7.3)
  return {
    id: job.id,
    status: done ? "complete" : "inProgress",
    percentComplete: done ? 100 : 50,
    contacts: { count: done ? { added: job.added, updated: job.updated, failed: job.failed } : { added: 0, updated: 0, failed: 0 } },
    transactions: { count: { created: done ? job.transactionsCreated : 0 } },
    invalidEmails: done ? [...job.invalidEmails] : [],
    tracking: { url: `${ctx.origin}/API/v3/directories/${ctx.params.directoryId}/mailinglists/${job.mailingListId}/transactioncontacts/${job.id}` },
  };
}

export const mailingListImportRoutes: Route[] = [
  route("POST", "/directories/:directoryId/mailinglists/:mailingListId/transactioncontacts", (ctx) => {
    const directory = getDirectory(ctx);
    const list = getMailingList(directory, ctx.params.mailingListId);
    const body = requireObject(ctx.body, "Request body");
    if (!Array.isArray(body.contacts)) throw badRequest("contacts must be an array");
    if (body.contacts.length === 0) throw badRequest("contacts must not be empty");
    if (body.transactionMeta !== undefined && !isObject(body.transactionMeta)) throw badRequest("transactionMeta must be a JSON object");
    const job: ImportJob = {
      id: IMPORT_PREFIX + randomAlnum(15), mailingListId: list.mailingListId, contacts: body.contacts.length,
      added: 0, updated: 0, failed: 0, invalidEmails: [], transactionsCreated: 0, checks: 0,
    };
    for (const c of body.contacts) importOne(directory, list, c, job, ctx.ids);
    list.lastModifiedDate = Date.now();
    extraOf(ctx.state).imports.set(job.id, job);
    return ok({ ...statusView(job, ctx), contacts: { count: { total: job.contacts } } });
  }),

  route("GET", "/directories/:directoryId/mailinglists/:mailingListId/transactioncontacts/:importId", (ctx) => {
    getMailingList(getDirectory(ctx), ctx.params.mailingListId);
    const job = extraOf(ctx.state).imports.get(ctx.params.importId);
    if (!job || job.mailingListId !== ctx.params.mailingListId) throw notFound(`Import not found: ${ctx.params.importId}`);
    job.checks++;
    return ok(statusView(job, ctx));
  }),

  route("GET", "/directories/:directoryId/mailinglists/:mailingListId/optedOutContacts", (ctx) => {
    const directory = getDirectory(ctx);
    const list = getMailingList(directory, ctx.params.mailingListId);
    // UNCONFIRMED (docs/qualtrics-facts.md §4.1): who counts as opted out of a list; the sandbox takes members
    // unsubscribed from the list or from the whole directory
    const all = [...list.members.values()].flatMap((m) => {
      const c = directory.contacts.get(m.contactId);
      return c && (m.unsubscribed || c.unsubscribed) ? [memberView(c, m)] : [];
    });
    return ok(pageBySkipToken(all, ctx.page, { defaultPageSize: ctx.options.pageSize }));
  }),

  route("GET", "/directories/:directoryId/mailinglists/:mailingListId/bouncedContacts", (ctx) => {
    const directory = getDirectory(ctx);
    const list = getMailingList(directory, ctx.params.mailingListId);
    const bounces = extraOf(ctx.state).bounced.get(list.mailingListId) ?? new Map<string, string>();
    const all = [...bounces.entries()].flatMap(([contactId, bounceDate]) => {
      const c = directory.contacts.get(contactId);
      const m = list.members.get(contactId);
      // UNCONFIRMED (docs/qualtrics-facts.md §4.1): the element fields; the member fields plus bounceDate
      return c && m ? [{ ...memberView(c, m), bounceDate }] : [];
    });
    return ok(pageBySkipToken(all, ctx.page, { defaultPageSize: ctx.options.pageSize }));
  }),

  route("GET", "/directories/:directoryId/contacts/optedOutContacts", (ctx) => {
    const directory = getDirectory(ctx);
    const all = [...directory.contacts.values()].filter((c) => c.unsubscribed).map((c) => ({ ...listView(c), unsubscribeDate: c.unsubscribeDate }));
    return ok(pageBySkipToken(all, ctx.page, { defaultPageSize: ctx.options.pageSize }));
  }),
];
