import assert from "node:assert/strict";
import { parseQdl } from "../../sandbox/control";
import { arr, assertError, call, obj, result } from "./test-helpers";
import { startReceiver } from "../support/fake-servers";
import { useSandbox } from "../support/fixtures";

describe("sandbox: control endpoints and HTML pages", () => {
  const sb = useSandbox();

  const post = (path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${sb.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });

  describe("POST /__sandbox/surveys/:surveyId/complete", () => {
    it("completes a response (no token needed) and returns {responseId, deliveries}", async () => {
      const rx = await startReceiver();
      try {
        await call(sb, "POST", "/eventsubscriptions", { body: { publicationUrl: rx.url, topics: "*" } });
        const res = await post(`/__sandbox/surveys/${sb.seedIds.surveyIds[1]}/complete`, { values: { QID1: 2 } });
        assert.equal(res.status, 200);
        const body = obj(await res.json());
        assert.match(String(body.responseId), /^R_[A-Za-z0-9]{15}$/);
        assert.equal(arr(body.deliveries).length, 1);
        assert.equal(obj(arr(body.deliveries)[0]).status, 200);
        const stored = result(await call(sb, "GET", `/surveys/${sb.seedIds.surveyIds[1]}/responses/${String(body.responseId)}`));
        assert.equal(obj(stored.values).QID1, 2);
        assert.equal(rx.received.length, 1);
      } finally {
        await rx.close();
      }
    });

    it("works without a body", async () => {
      const res = await fetch(`${sb.url}/__sandbox/surveys/${sb.seedIds.surveyIds[0]}/complete`, { method: "POST" });
      assert.equal(res.status, 200);
      assert.deepEqual(obj(await res.json()).deliveries, []);
    });

    it("answers 404 for an unknown survey and 400 for bad bodies", async () => {
      assert.equal((await post("/__sandbox/surveys/SV_unknown000000000/complete", {})).status, 404);
      assert.equal((await post(`/__sandbox/surveys/${sb.seedIds.surveyIds[0]}/complete`, "{oops")).status, 400);
      assert.equal((await post(`/__sandbox/surveys/${sb.seedIds.surveyIds[0]}/complete`, { values: [1] })).status, 400);
    });

    it("accepts a browser form post and answers with an HTML result page", async () => {
      const res = await post(`/__sandbox/surveys/${sb.seedIds.surveyIds[0]}/complete`, "value.QID1=3&distributionId=EMD_abcdefghijklmno&recipientId=CGC_abcdefghijklmno", { "Content-Type": "application/x-www-form-urlencoded" });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
      const html = await res.text();
      const id = /R_[A-Za-z0-9]{15}/.exec(html)?.[0];
      assert.ok(id, html);
      const survey = sb.state.surveys.get(sb.seedIds.surveyIds[0]);
      const stored = survey?.responses.get(id);
      assert.equal(stored?.values.QID1, 3);
      assert.equal(stored?.distributionId, "EMD_abcdefghijklmno");
      assert.equal(stored?.recipientId, "CGC_abcdefghijklmno");
    });
  });

  describe("requests, reset, faults", () => {
    it("GET /__sandbox/requests returns the recorded API requests", async () => {
      await call(sb, "GET", "/whoami?x=y");
      const list = arr(await (await fetch(`${sb.url}/__sandbox/requests`)).json());
      assert.equal(list.length, 1);
      const r = obj(list[0]);
      assert.equal(r.method, "GET");
      assert.equal(r.path, "/API/v3/whoami");
      assert.deepEqual(r.query, { x: "y" });
    });

    it("POST /__sandbox/reset restores the seed and clears requests and faults", async () => {
      await call(sb, "DELETE", `/directories/${sb.seedIds.directoryId}/contacts/${sb.seedIds.contactIds[0]}`);
      sb.faults.set({ rules: [{ match: { path: "nothing-matches" }, action: "drop" }] });
      const res = await post("/__sandbox/reset");
      assert.equal(res.status, 200);
      assert.equal(sb.requests.length, 0);
      assert.deepEqual(sb.faults.config, {});
      assert.equal((await call(sb, "GET", `/directories/${sb.seedIds.directoryId}/contacts/${sb.seedIds.contactIds[0]}`)).status, 200);
    });

    it("POST /__sandbox/faults sets a FaultConfig, GET shows it, DELETE clears it", async () => {
      const cfg = { rules: [{ match: { path: "/whoami" }, action: "status", status: 503, times: 1 }] };
      const set = await post("/__sandbox/faults", cfg);
      assert.equal(set.status, 200);
      assert.deepEqual(obj(await set.json()).config, cfg);
      assertError(await call(sb, "GET", "/whoami"), 503);
      const shown = obj(await (await fetch(`${sb.url}/__sandbox/faults`)).json());
      assert.deepEqual(shown.config, cfg);
      assert.deepEqual(shown.stats, { rateLimited: 0, injected: 1, webhooksDropped: 0 });
      await post("/__sandbox/faults", { rateLimit: { perMinute: 1, burst: 1 } });
      await call(sb, "GET", "/whoami");
      assert.equal((await call(sb, "GET", "/whoami")).status, 429);
      const del = await fetch(`${sb.url}/__sandbox/faults`, { method: "DELETE" });
      assert.equal(del.status, 200);
      assert.equal((await call(sb, "GET", "/whoami")).status, 200);
    });

    it("POST /__sandbox/faults refuses invalid configs with 400", async () => {
      const res = await post("/__sandbox/faults", { rules: [{ action: "boom" }] });
      assert.equal(res.status, 400);
      assert.match(String(obj(await res.json()).error), /action must be one of/);
      assert.equal((await post("/__sandbox/faults", "{nope")).status, 400);
      assert.equal((await post("/__sandbox/faults", [])).status, 400);
    });

    it("answers 404 for unknown control paths", async () => {
      const res = await fetch(`${sb.url}/__sandbox/nothing`);
      assert.equal(res.status, 404);
      assert.equal(obj(obj(await res.json()).meta).httpStatus, "404 - Not Found");
    });
  });

  describe("HTML pages", () => {
    it("GET / lists the surveys with a complete-form each, plus the base URL and token", async () => {
      const res = await fetch(`${sb.url}/`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
      const html = await res.text();
      assert.ok(html.includes(sb.apiBase));
      assert.ok(html.includes(sb.token));
      for (const id of sb.seedIds.surveyIds) {
        assert.ok(html.includes(`action="/__sandbox/surveys/${id}/complete"`), id);
      }
      assert.ok(html.includes("Customer Satisfaction") && html.includes("Post-Support Feedback"));
    });

    it("escapes HTML in names", async () => {
      const survey = sb.state.surveys.get(sb.seedIds.surveyIds[0]);
      assert.ok(survey);
      survey.name = "<script>alert(1)</script>";
      const html = await (await fetch(`${sb.url}/`)).text();
      assert.ok(!html.includes("<script>alert(1)</script>"));
      assert.ok(html.includes("&lt;script&gt;"));
    });

    it("GET /jfe/form/:surveyId shows a survey form carrying the Q_DL recipient and distribution", async () => {
      const res = await fetch(`${sb.url}/jfe/form/${sb.seedIds.surveyIds[0]}?Q_DL=EMD_abcdefghijklmno_${sb.seedIds.surveyIds[0]}_CGC_abcdefghijklmno&Q_CHL=gl`);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.ok(html.includes('name="distributionId" value="EMD_abcdefghijklmno"'));
      assert.ok(html.includes('name="recipientId" value="CGC_abcdefghijklmno"'));
      assert.ok(html.includes('name="value.QID1"'));
      assert.equal((await fetch(`${sb.url}/jfe/form/SV_unknown000000000`)).status, 404);
    });

    it("parseQdl splits EMD_…_SV_…_<lookup>", () => {
      assert.deepEqual(parseQdl("EMD_abc_SV_def_CGC_ghi"), { distributionId: "EMD_abc", recipientId: "CGC_ghi" });
      assert.deepEqual(parseQdl("garbage"), {});
      assert.deepEqual(parseQdl(null), {});
    });
  });
});
