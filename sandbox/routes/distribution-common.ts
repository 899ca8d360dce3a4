// Pieces shared by email and SMS distributions (docs/qualtrics-facts.md §5.2, §5.6).
import { badRequest } from "../envelope";
import { RequestContext } from "../router";
import { findLibraryMessage, findMailingList, MailingListRecord, MessageCategory } from "../state";
import { given, Obj, requireString } from "../validate";

export interface MessageInput {
  libraryId: string | null;
  messageId: string | null;
  messageText: string | null;
}

/** `{libraryId, messageId}` XOR `messageText`. */
export function parseMessage(message: Obj, path: string, maxTextLength?: number): MessageInput {
  const hasLib = given(message.libraryId) || given(message.messageId);
  const hasText = given(message.messageText);
  if (hasLib && hasText) throw badRequest(`${path}: give either ${path}.libraryId + ${path}.messageId or ${path}.messageText, not both`);
  if (!hasLib && !hasText) throw badRequest(`${path} needs ${path}.libraryId + ${path}.messageId, or ${path}.messageText`);
  if (hasText) {
    const text = requireString(message, "messageText", `${path}.messageText`);
    if (maxTextLength !== undefined && text.length > maxTextLength) {
      throw badRequest(`${path}.messageText must be at most ${maxTextLength} characters`);
    }
    return { libraryId: null, messageId: null, messageText: text };
  }
  const libraryId = requireString(message, "libraryId", `${path}.libraryId`);
  const messageId = requireString(message, "messageId", `${path}.messageId`);
  return { libraryId, messageId, messageText: null };
}

/**
 * A library message must exist. With `category`, it must also be of that category.
 * // UNCONFIRMED (docs/qualtrics-facts.md §5.2/§8.3): "Library messages must have category invite for invites";
 * the sandbox answers 400 for a wrong category (and for missing references, where the real API may say 404).
 */
export function checkLibraryMessage(ctx: RequestContext, msg: MessageInput, path: string, category?: MessageCategory): void {
  if (msg.libraryId === null || msg.messageId === null) return;
  if (!ctx.state.libraries.has(msg.libraryId)) throw badRequest(`${path}.libraryId: library ${msg.libraryId} does not exist`);
  const found = findLibraryMessage(ctx.state, msg.libraryId, msg.messageId);
  if (!found) throw badRequest(`${path}.messageId: message ${msg.messageId} does not exist in library ${msg.libraryId}`);
  if (category !== undefined && found.category !== category) {
    throw badRequest(`${path}.messageId: message ${msg.messageId} has category "${found.category}", expected "${category}"`);
  }
}

export function requireExistingSurvey(ctx: RequestContext, surveyId: string, path: string): void {
  if (!ctx.state.surveys.has(surveyId)) throw badRequest(`${path}: survey ${surveyId} does not exist`);
}

export function requireExistingList(ctx: RequestContext, mailingListId: string, path: string, directoryId?: string): MailingListRecord {
  const found = findMailingList(ctx.state, mailingListId, directoryId);
  if (!found) throw badRequest(`${path}: mailing list ${mailingListId} does not exist`);
  return found.list;
}

/**
 * The directory contact a `recipients.contactId` points at, given as CID_ or CGC_.
 * // UNCONFIRMED (docs/qualtrics-facts.md §5.2): whether the API wants the CID_ or the CGC_ (contact lookup) ID; both accepted.
 */
export function resolveListContact(list: MailingListRecord, contactId: string, path: string): string {
  if (list.members.has(contactId)) return contactId;
  for (const m of list.members.values()) if (m.contactLookupId === contactId) return m.contactId;
  throw badRequest(`${path}: contact ${contactId} is not in mailing list ${list.mailingListId}`);
}

export function parseEmbeddedData(value: unknown, path: string): Record<string, string> {
  if (!given(value)) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw badRequest(`${path} must be a JSON object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") throw badRequest(`${path}.${k} must be a string`);
    out[k] = String(v);
  }
  return out;
}
