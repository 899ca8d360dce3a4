import assert from "node:assert/strict";
import { arr, assertError, call, elements, listAll, obj, result } from "./test-helpers";
import { useSandbox } from "../support/fixtures";

describe("sandbox: libraries, surveys and responses (§8, §6.5)", () => {
  const sb = useSandbox();

  describe("libraries", () => {
    it("GET /libraries lists {libraryId, libraryName}, the user library first", async () => {
      const els = elements(await call(sb, "GET", "/libraries"));
      assert.equal(els[0].libraryId, sb.seedIds.libraryId);
      assert.deepEqual(Object.keys(els[0]).sort(), ["libraryId", "libraryName"]);
      assert.ok(els.some((e) => /^GR_/.test(String(e.libraryId))));
    });

    it("pages libraries with skipToken", async () => {
      const first = result(await call(sb, "GET", "/libraries?pageSize=1"));
      assert.ok(new URL(String(first.nextPage)).searchParams.get("skipToken"));
      const { items } = await listAll(sb, "/libraries?pageSize=1");
      assert.equal(items.length, 2);
    });

    it("lists messages as {id, description, category} and filters by category", async () => {
      const all = elements(await call(sb, "GET", `/libraries/${sb.seedIds.libraryId}/messages`));
      assert.deepEqual(Object.keys(all[0]).sort(), ["category", "description", "id"]);
      for (const cat of ["invite", "reminder", "thankYou", "smsInvite"] as const) {
        const els = elements(await call(sb, "GET", `/libraries/${sb.seedIds.libraryId}/messages?category=${cat}`));
        assert.deepEqual(els.map((e) => e.id), [sb.seedIds.messageIds[cat]], cat);
        assert.equal(els[0].category, cat);
        assert.ok(String(els[0].description).length > 0);
      }
    });

    it("pages messages with offset", async () => {
      const first = result(await call(sb, "GET", `/libraries/${sb.seedIds.libraryId}/messages?pageSize=2`));
      assert.equal(arr(first.elements).length, 2);
      const next = new URL(String(first.nextPage));
      assert.equal(next.searchParams.get("offset"), "2");
      const { items } = await listAll(sb, `/libraries/${sb.seedIds.libraryId}/messages?pageSize=2`);
      assert.equal(items.length, 5);
      assert.equal(new Set(items.map((i) => i.id)).size, 5);
    });

    it("refuses an unknown category", async () => {
      assertError(await call(sb, "GET", `/libraries/${sb.seedIds.libraryId}/messages?category=spam`), 400, /^category must be one of/);
    });

    it("GET one message includes messages.en", async () => {
      const m = result(await call(sb, "GET", `/libraries/${sb.seedIds.libraryId}/messages/${sb.seedIds.messageIds.invite}`));
      assert.equal(m.id, sb.seedIds.messageIds.invite);
      assert.equal(m.category, "invite");
      assert.match(String(obj(m.messages).en), /SurveyLink/);
    });

    it("answers 404 for unknown libraries and messages", async () => {
      assertError(await call(sb, "GET", "/libraries/UR_unknown000000000/messages"), 404, /Library not found/);
      assertError(await call(sb, "GET", `/libraries/${sb.seedIds.libraryId}/messages/MS_unknown000000000`), 404, /Message not found/);
    });
  });

  describe("surveys", () => {
    it("GET /surveys lists {id, name, ownerId, lastModified, creationDate, isActive}", async () => {
      const els = elements(await call(sb, "GET", "/surveys"));
      assert.deepEqual(els.map((e) => e.name), ["Customer Satisfaction", "Post-Support Feedback"]);
      assert.deepEqual(els.map((e) => e.id), sb.seedIds.surveyIds);
      assert.deepEqual(Object.keys(els[0]).sort(), ["creationDate", "id", "isActive", "lastModified", "name", "ownerId"]);
      assert.equal(els[0].isActive, true);
    });

    it("pages surveys with offset", async () => {
      const first = result(await call(sb, "GET", "/surveys?pageSize=1"));
      assert.equal(new URL(String(first.nextPage)).searchParams.get("offset"), "1");
      const second = result(await call(sb, "GET", String(first.nextPage)));
      assert.equal(obj(arr(second.elements)[0]).id, sb.seedIds.surveyIds[1]);
      assert.equal(second.nextPage, null);
    });

    it("refuses a bad offset", async () => {
      assertError(await call(sb, "GET", "/surveys?offset=-1"), 400, /^offset must be a non-negative integer/);
      assertError(await call(sb, "GET", `/libraries/${sb.seedIds.libraryId}/messages?offset=x`), 400, /^offset/);
    });

    it("GET /surveys/{id} returns metadata with questions; unknown → 404", async () => {
      const s = result(await call(sb, "GET", `/surveys/${sb.seedIds.surveyIds[0]}`));
      assert.equal(s.id, sb.seedIds.surveyIds[0]);
      assert.equal(s.name, "Customer Satisfaction");
      assert.deepEqual(Object.keys(obj(s.questions)).sort(), ["QID1", "QID2", "QID3"]);
      assertError(await call(sb, "GET", "/surveys/SV_unknown000000000"), 404);
      assert.equal(obj(s.responseCounts).auditable, 0);
      await sb.completeResponse(sb.seedIds.surveyIds[0]);
      assert.equal(obj(result(await call(sb, "GET", `/surveys/${sb.seedIds.surveyIds[0]}`)).responseCounts).auditable, 1);
    });
  });

  describe("single responses", () => {
    it("GET a completed response: responseId, values (standard keys + answers + given values), labels, displayed*", async () => {
      const surveyId = sb.seedIds.surveyIds[0];
      const { responseId } = await sb.completeResponse(surveyId, { QID2: 2, favouriteColour: "teal" });
      assert.match(responseId, /^R_[A-Za-z0-9]{15}$/);
      const r = result(await call(sb, "GET", `/surveys/${surveyId}/responses/${responseId}`));
      assert.deepEqual(Object.keys(r).sort(), ["displayedFields", "displayedValues", "labels", "responseId", "values"]);
      assert.equal(r.responseId, responseId);
      const v = obj(r.values);
      for (const k of ["startDate", "endDate", "status", "progress", "duration", "finished", "recordedDate", "distributionChannel", "userLanguage", "QID1", "QID3_TEXT"]) assert.ok(k in v, k);
      assert.equal(v.QID2, 2);
      assert.equal(v.favouriteColour, "teal");
      assert.equal(v.finished, 1);
      assert.equal(v.progress, 100);
      assert.equal(obj(r.labels).QID2, "Dissatisfied");
      assert.ok(arr(r.displayedFields).includes("QID1"));
      assert.equal(typeof r.displayedValues, "object");
    });

    it("answers 404 for an unknown response or survey", async () => {
      assertError(await call(sb, "GET", `/surveys/${sb.seedIds.surveyIds[0]}/responses/R_unknown0000000000`), 404, /Response not found/);
      assertError(await call(sb, "GET", "/surveys/SV_unknown000000000/responses/R_unknown0000000000"), 404, /Survey not found/);
    });

    it("completeResponse rejects an unknown survey", async () => {
      await assert.rejects(sb.completeResponse("SV_unknown000000000"), /Survey not found/);
    });
  });
});
