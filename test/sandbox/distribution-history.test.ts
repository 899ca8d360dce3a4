// GET /distributions/{id}/history (docs/qualtrics-facts.md §5.4), as the sandbox answers it.
import assert from "node:assert/strict";
import { assertError, call, elements, listAll, Obj, result } from "./test-helpers";
import { useSandbox } from "../support/fixtures";

describe("sandbox: distribution history (§5.4)", () => {
  const sb = useSandbox();

  const survey = () => sb.seedIds.surveyIds[0];
  const list = () => sb.seedIds.mailingListIds[0];
  const header = { fromName: "Care", replyToEmail: "care@example.com", fromEmail: "care@example.com", subject: "How did we do?" };

  async function invite(sendDate = "2024-01-01T09:00:00Z"): Promise<string> {
    const body = {
      message: { libraryId: sb.seedIds.libraryId, messageId: sb.seedIds.messageIds.invite },
      recipients: { mailingListId: list() },
      header,
      surveyLink: { surveyId: survey(), type: "Individual" },
      sendDate,
    };
    return String(result(await call(sb, "POST", "/distributions", { body })).id);
  }

  async function followUp(parent: string, kind: "reminders" | "thankyous"): Promise<string> {
    const messageId = kind === "reminders" ? sb.seedIds.messageIds.reminder : sb.seedIds.messageIds.thankYou;
    const body = { header, message: { libraryId: sb.seedIds.libraryId, messageId }, sendDate: "2024-01-02T09:00:00Z" };
    return String(result(await call(sb, "POST", `/distributions/${parent}/${kind}`, { body })).distributionId);
  }

  /** the contact lookup ID (CGC_) of a list member, as a generated link carries it */
  function lookupOf(contactId: string): string {
    const dir = sb.state.directories.get(sb.seedIds.directoryId)!;
    return dir.mailingLists.get(list())!.members.get(contactId)!.contactLookupId;
  }

  it("lists every recipient of an invitation with the fields [QR] reads, sent and not answered", async () => {
    const id = await invite();
    const { items } = await listAll(sb, `/distributions/${id}/history`);
    assert.equal(items.length, 15);
    assert.deepEqual(items.map((i) => i.contactId), sb.seedIds.contactIds.slice(0, 15));
    const first = items[0];
    assert.deepEqual(Object.keys(first).sort(), [
      "contactFrequencyRuleId", "contactId", "contactLookupId", "distributionID", "openedAt", "responseCompletedAt", "responseId",
      "responseStartedAt", "sentAt", "status", "surveyLink", "surveySessionId",
    ]);
    assert.equal(first.distributionID, id);
    assert.equal(first.status, "Success");
    assert.equal(first.sentAt, "2024-01-01T09:00:00Z");
    assert.equal(first.responseId, null);
    assert.equal(first.contactLookupId, lookupOf(String(first.contactId)));
    assert.match(String(first.surveyLink), new RegExp(`/jfe/form/${survey()}\\?Q_DL=${id}_${survey()}_CGC_`));
  });

  it("shows a response given through a recipient's link as finished, with its times", async () => {
    const id = await invite();
    const contact = sb.seedIds.contactIds[3];
    const { responseId } = await sb.completeResponse(survey(), undefined, { distributionId: id, recipientId: lookupOf(contact) });
    const items = elements(await call(sb, "GET", `/distributions/${id}/history`));
    const done = items.find((i) => i.contactId === contact) as Obj;
    assert.equal(done.status, "SurveyFinished");
    assert.equal(done.responseId, responseId);
    assert.match(String(done.responseCompletedAt), /^\d{4}-\d{2}-\d{2}T/);
    assert.match(String(done.responseStartedAt), /^\d{4}-\d{2}-\d{2}T/);
    assert.equal(items.filter((i) => i.status === "SurveyFinished").length, 1);
    assert.equal(items.filter((i) => i.responseCompletedAt === null).length, 14);
  });

  it("a reminder went to those who had not finished, a thank-you to those who had", async () => {
    const id = await invite();
    const finisher = sb.seedIds.contactIds[0];
    await sb.completeResponse(survey(), undefined, { distributionId: id, recipientId: lookupOf(finisher) });
    const reminder = await followUp(id, "reminders");
    const thanks = await followUp(id, "thankyous");
    const reminded = elements(await call(sb, "GET", `/distributions/${reminder}/history`)).map((i) => i.contactId);
    const thanked = elements(await call(sb, "GET", `/distributions/${thanks}/history`)).map((i) => i.contactId);
    assert.equal(reminded.length, 14);
    assert.ok(!reminded.includes(finisher));
    assert.deepEqual(thanked, [finisher]);
  });

  it("a scheduled invitation is Pending and not sent; generated links are not e-mailed", async () => {
    const scheduled = await invite("2099-01-01T00:00:00Z");
    const pending = elements(await call(sb, "GET", `/distributions/${scheduled}/history`));
    assert.ok(pending.every((i) => i.status === "Pending" && i.sentAt === null));
    const links = String(result(await call(sb, "POST", "/distributions", { body: { action: "CreateDistribution", surveyId: survey(), mailingListId: list() } })).id);
    const generated = elements(await call(sb, "GET", `/distributions/${links}/history`));
    assert.equal(generated.length, 15);
    assert.ok(generated.every((i) => i.status === "Email not sent" && i.sentAt === null));
    assert.match(String(generated[0].surveyLink), /Q_CHL=gl$/);
  });

  it("pages with skipToken", async () => {
    const id = await invite();
    const first = result(await call(sb, "GET", `/distributions/${id}/history?pageSize=4`));
    assert.match(String(first.nextPage), /skipToken=/);
    const { items, pages } = await listAll(sb, `/distributions/${id}/history?pageSize=4`);
    assert.equal(items.length, 15);
    assert.equal(pages, 4);
  });

  it("404 for an unknown distribution; 400 for a surveyId of another survey", async () => {
    assertError(await call(sb, "GET", "/distributions/EMD_000000000000000/history"), 404, /Distribution not found/);
    const id = await invite();
    assertError(await call(sb, "GET", `/distributions/${id}/history?surveyId=${sb.seedIds.surveyIds[1]}`), 400, /another survey/);
    assert.equal(elements(await call(sb, "GET", `/distributions/${id}/history?surveyId=${survey()}`)).length, 15);
  });
});
