// Lookups shared by the route files.
import { notFound } from "../envelope";
import { RequestContext } from "../router";
import { ContactRecord, DirectoryRecord, MailingListRecord, SurveyRecord } from "../state";

export function nowIso(): string {
  return new Date().toISOString();
}

export function getDirectory(ctx: RequestContext): DirectoryRecord {
  const directory = ctx.state.directories.get(ctx.params.directoryId);
  if (!directory) throw notFound(`Directory not found: ${ctx.params.directoryId}`);
  return directory;
}

export function getContact(directory: DirectoryRecord, contactId: string): ContactRecord {
  const contact = directory.contacts.get(contactId);
  if (!contact) throw notFound(`Contact not found: ${contactId}`);
  return contact;
}

export function getMailingList(directory: DirectoryRecord, mailingListId: string): MailingListRecord {
  const list = directory.mailingLists.get(mailingListId);
  if (!list) throw notFound(`Mailing list not found: ${mailingListId}`);
  return list;
}

export function getSurvey(ctx: RequestContext, surveyId: string): SurveyRecord {
  const survey = ctx.state.surveys.get(surveyId);
  if (!survey) throw notFound(`Survey not found: ${surveyId}`);
  return survey;
}
