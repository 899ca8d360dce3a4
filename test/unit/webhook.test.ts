import assert from "node:assert/strict";
import { formFields, parseWebhook, signMsg, verifyHmac, WebhookFormatError } from "../../src/webhook";

// Test vectors: docs/qualtrics-facts.md §6.4, from kyma-incubator/connector-tools (Apache-2.0),
// qualtrics-event-gw/README.md and qualtrics-event-gw/pkg/hmac/hmac_test.go.
const KEY = "kyma4ever";
const MSG1 =
  '{"Status":"Complete","SurveyID":"SV_22VlHYNeldrrrkp","ResponseID":"R_1l9mcVuXubb4aGm","CompletedDate":"2019-06-26 13:28:11","BrandID":"sapdevelopment"}';
const HMAC1 =
  "5db5cd1e0200e9ce6831ea0f1924beb97f136939e367c53f5af8f7d79c6727af495cb90d6c744fe72ab45efd9f9f2ba7c15b13fdf6565af3d5a4f50ed2c0c7d4";
const MSG2 =
  '{"Status":"Complete","SurveyID":"SV_1AmkKSDmoZ4XlQx","ResponseID":"R_0B7IcnXszjEUHLP","CompletedDate":"2019-06-25 07:58:25","BrandID":"sapdevelopment"}';
const HMAC2 =
  "c2c585a404c239aa3063b462cc33551d3ed3ed2de0899f58d456fc0ef7ebef6f3c3af44957989bd0592603e41edde9528f7d9ed09ee128bf719aa12f46e5c598";
const TOPIC1 = "sapdevelopment.surveyengine.completedResponse.SV_22VlHYNeldrrrkp";

// The real capture in docs/qualtrics-facts.md §6.3 ([COMM]); the source is cut off inside
// "DistributionChan…", completed here with a closing field.
const COMM_BODY =
  "Topic=peopleplus.surveyengine.completedResponse.SV_cVn9uBwheR9hz01" +
  "&HMAC=c8621d76544a65d3ee49171a9d86377f1eed3af389d191fc0d8b1ccdf4acaf2420c84f07c944bd9de423c25c1ad514bc07f09fae7f937a590f8aa7c2a368d2b6" +
  "&MSG=%7B%22Status%22%3A%22Complete%22%2C%22SurveyID%22%3A%22SV_cVn9uBwheR9hz01%22%2C%22RecipientID%22%3A%22CGC_GiMUyLkGpEZsVF3%22%2C%22ResponseEventContext%22%3A%22%22%2C%22DistributionID%22%3A%22EMD_96woxYS85Cg5Lqx%22%2C%22ResponseID%22%3A%22R_suq806jn8LGzhx7%22%2C%22CompletedDate%22%3A%222020-10-22+12%3A31%3A40%22%2C%22CreatorID%22%3A%22UR_2686s36oneK8iW1%22%2C%22DistributionChannel%22%3A%22email%22%7D";

function assertPrototypeClean(): void {
  assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype was changed");
}

describe("webhook (docs/qualtrics-facts.md §6.3, §6.4)", function () {
  afterEach(assertPrototypeClean);

  describe("HMAC-SHA512", function () {
    it("the README vector verifies and signMsg reproduces it", function () {
      assert.equal(signMsg(MSG1, KEY), HMAC1);
      assert.equal(verifyHmac(MSG1, HMAC1, KEY), true);
    });

    it("the hmac_test.go vector verifies and signMsg reproduces it", function () {
      assert.equal(signMsg(MSG2, KEY), HMAC2);
      assert.equal(verifyHmac(MSG2, HMAC2, KEY), true);
    });

    it("upper-case hex verifies too", function () {
      assert.equal(verifyHmac(MSG1, HMAC1.toUpperCase(), KEY), true);
    });

    it("a wrong HMAC is false", function () {
      const flipped = (HMAC1[0] === "0" ? "1" : "0") + HMAC1.slice(1);
      assert.equal(verifyHmac(MSG1, flipped, KEY), false);
      assert.equal(verifyHmac(MSG1, HMAC2, KEY), false, "another message's HMAC");
      assert.equal(verifyHmac(MSG1, HMAC1, "kyma4never"), false, "another key");
      assert.equal(verifyHmac(MSG1.replace('":"', '": "'), HMAC1, KEY), false, "re-serialised JSON");
    });

    it("a wrong length is false", function () {
      assert.equal(verifyHmac(MSG1, HMAC1.slice(0, 127), KEY), false);
      assert.equal(verifyHmac(MSG1, HMAC1.slice(0, 64), KEY), false);
      assert.equal(verifyHmac(MSG1, HMAC1 + "00", KEY), false);
      assert.equal(verifyHmac(MSG1, "", KEY), false);
    });

    it("non-hex is false", function () {
      assert.equal(verifyHmac(MSG1, "z" + HMAC1.slice(1), KEY), false);
      assert.equal(verifyHmac(MSG1, " " + HMAC1.slice(1), KEY), false);
      assert.equal(verifyHmac(MSG1, Buffer.from(HMAC1, "hex").toString("base64").padEnd(128, "="), KEY), false);
    });

    it("a missing HMAC or MSG is false", function () {
      assert.equal(verifyHmac(MSG1, undefined, KEY), false);
      assert.equal(verifyHmac(undefined, HMAC1, KEY), false);
    });
  });

  describe("parseWebhook", function () {
    it("reads the real-format body: brand prefix off the topic, MSG as JSON", function () {
      const ev = parseWebhook(formFields(new URLSearchParams(COMM_BODY)));
      assert.equal(ev.rawTopic, "peopleplus.surveyengine.completedResponse.SV_cVn9uBwheR9hz01");
      assert.equal(ev.topic, "surveyengine.completedResponse.SV_cVn9uBwheR9hz01");
      assert.equal(ev.brandId, "peopleplus");
      assert.equal(ev.surveyId, "SV_cVn9uBwheR9hz01");
      assert.equal(ev.responseId, "R_suq806jn8LGzhx7");
      assert.equal(ev.completedDate, "2020-10-22 12:31:40");
      assert.equal(ev.fields.RecipientID, "CGC_GiMUyLkGpEZsVF3");
      assert.equal(ev.fields.DistributionID, "EMD_96woxYS85Cg5Lqx");
      assert.equal(ev.hmac?.length, 128);
      assert.ok(ev.msgText?.startsWith('{"Status":"Complete","SurveyID":"SV_cVn9uBwheR9hz01"'));
    });

    it("the MSG text as received is what the HMAC covers", function () {
      const body = new URLSearchParams({ Topic: TOPIC1, MSG: MSG1, HMAC: HMAC1 }).toString();
      const ev = parseWebhook(formFields(new URLSearchParams(body)));
      assert.equal(ev.msgText, MSG1);
      assert.equal(verifyHmac(ev.msgText, ev.hmac, KEY), true);
      assert.equal(ev.brandId, "sapdevelopment");
      assert.equal(ev.topic, "surveyengine.completedResponse.SV_22VlHYNeldrrrkp");
      assert.equal(ev.surveyId, "SV_22VlHYNeldrrrkp");
      assert.equal(ev.responseId, "R_1l9mcVuXubb4aGm");
      assert.equal(ev.completedDate, "2019-06-26 13:28:11");
    });

    it("works with flat fields and no MSG (the UNCONFIRMED no-sharedKey shape)", function () {
      const ev = parseWebhook(
        formFields({
          Topic: "mybrand.surveyengine.completedResponse.SV_abc",
          Status: "Complete",
          SurveyID: "SV_abc",
          ResponseID: "R_xyz",
          CompletedDate: "2024-01-15 10:20:30",
          BrandID: "mybrand",
        }),
      );
      assert.equal(ev.topic, "surveyengine.completedResponse.SV_abc");
      assert.equal(ev.brandId, "mybrand");
      assert.equal(ev.surveyId, "SV_abc");
      assert.equal(ev.responseId, "R_xyz");
      assert.equal(ev.completedDate, "2024-01-15 10:20:30");
      assert.equal(ev.msgText, undefined);
      assert.equal("Topic" in ev.fields, false);
      assert.equal(ev.fields.Status, "Complete");
    });

    it("finds the brand by the event namespace when BrandID is absent", function () {
      const ev = parseWebhook(formFields({ Topic: "acme.controlpanel.activateSurvey", SurveyID: "SV_1" }));
      assert.equal(ev.brandId, "acme");
      assert.equal(ev.topic, "controlpanel.activateSurvey");
      const bare = parseWebhook(formFields({ Topic: "surveyengine.completedResponse.SV_9", ResponseID: "R_1" }));
      assert.equal(bare.brandId, undefined);
      assert.equal(bare.topic, "surveyengine.completedResponse.SV_9");
      assert.equal(bare.surveyId, "SV_9", "taken from the topic");
    });

    it("MSG that is not JSON is a WebhookFormatError", function () {
      assert.throws(() => parseWebhook({ Topic: TOPIC1, MSG: "{not json" }), WebhookFormatError);
      assert.throws(() => parseWebhook({ Topic: TOPIC1, MSG: "" }), WebhookFormatError);
    });

    it("MSG that is not a JSON object is a WebhookFormatError", function () {
      for (const msg of ["[1,2]", '"text"', "42", "null", "true"]) {
        assert.throws(() => parseWebhook({ Topic: TOPIC1, MSG: msg }), (e: Error) => e instanceof WebhookFormatError && /not a JSON object/.test(e.message), msg);
      }
    });

    it("a body without a Topic is a WebhookFormatError, even with other fields", function () {
      assert.throws(() => parseWebhook(formFields({ garbage: "" })), (e: Error) => e instanceof WebhookFormatError && /Topic/.test(e.message));
      assert.throws(() => parseWebhook(formFields({ SurveyID: "SV_abc", ResponseID: "R_1" })), WebhookFormatError);
    });

    it("an empty body is a WebhookFormatError", function () {
      assert.throws(() => parseWebhook(formFields({})), WebhookFormatError);
    });

    it("__proto__ in MSG does not reach a prototype", function () {
      const msg = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"SurveyID":"SV_1","ResponseID":"R_1"}';
      const ev = parseWebhook({ Topic: "b.surveyengine.completedResponse.SV_1", MSG: msg });
      assert.equal(Object.prototype.hasOwnProperty.call(ev.fields, "__proto__"), false);
      assert.equal(Object.prototype.hasOwnProperty.call(ev.fields, "constructor"), false);
      assert.equal(Object.getPrototypeOf(ev.fields), Object.prototype);
      assert.equal((ev.fields as Record<string, unknown>).polluted, undefined);
      const merged = Object.assign({}, ev.fields, { extra: 1 });
      assert.equal((merged as Record<string, unknown>).polluted, undefined);
      assert.equal(ev.responseId, "R_1");
      assert.equal(ev.msgText, msg, "the text is kept as sent for the HMAC");
    });
  });

  describe("parseWebhook and what Topic cannot change (Topic is not covered by the HMAC)", function () {
    it("a Topic that names another survey than MSG is refused", function () {
      for (const topic of ["sapdevelopment.surveyengine.completedResponse.SV_x1", "acme.surveyengine.completedResponse.SV_1AmkKSDmoZ4XlQx", "acme.controlpanel.activateSurvey.SV_other"]) {
        assert.throws(() => parseWebhook({ Topic: topic, MSG: MSG1 }), (e: Error) => e instanceof WebhookFormatError && /Topic names another survey than MSG/.test(e.message), topic);
      }
    });

    it("a Topic with only a brand, an empty segment or a wildcard names no event", function () {
      for (const topic of ["sapdevelopment.", "sapdevelopment..", ".", "sapdevelopment.surveyengine.", "sapdevelopment.surveyengine.completedResponse.*", "*"]) {
        assert.throws(() => parseWebhook({ Topic: topic, MSG: MSG1 }), (e: Error) => e instanceof WebhookFormatError && /Topic names no event/.test(e.message), topic);
      }
    });

    it("the survey and brand come from MSG, and the identity does not depend on Topic", function () {
      const a = parseWebhook({ Topic: TOPIC1, MSG: MSG1 });
      const b = parseWebhook({ Topic: "otherbrand.surveyengine.completedResponse.SV_22VlHYNeldrrrkp", MSG: MSG1 });
      const c = parseWebhook({ Topic: "otherbrand.controlpanel.activateSurvey", MSG: MSG1 });
      assert.equal(b.brandId, "sapdevelopment");
      assert.equal(c.surveyId, "SV_22VlHYNeldrrrkp");
      assert.equal(a.identity, b.identity);
      assert.equal(a.identity, c.identity);
      // the same response in another field order (a re-sent event) is the same event
      const reordered = JSON.stringify({ ResponseID: "R_1l9mcVuXubb4aGm", Status: "Complete", BrandID: "sapdevelopment", SurveyID: "SV_22VlHYNeldrrrkp" });
      assert.equal(parseWebhook({ Topic: TOPIC1, MSG: reordered }).identity, a.identity);
      // another response is another event; the status is not part of it, so catch-up (which
      // knows the survey and response only) names the same event
      assert.notEqual(parseWebhook({ Topic: TOPIC1, MSG: MSG1.replace("R_1l9mcVuXubb4aGm", "R_other") }).identity, a.identity);
      assert.equal(parseWebhook({ Topic: TOPIC1, MSG: MSG1.replace('"Complete"', '"Partial"') }).identity, a.identity);
      assert.equal(a.identity, JSON.stringify(["response", "SV_22VlHYNeldrrrkp", "R_1l9mcVuXubb4aGm"]));
      // an event without a response is told apart by its MSG text
      const ev1 = parseWebhook({ Topic: "acme.controlpanel.activateSurvey", MSG: '{"SurveyID":"SV_1","At":"1"}' });
      const ev2 = parseWebhook({ Topic: "acme.controlpanel.deactivateSurvey", MSG: '{"SurveyID":"SV_1","At":"1"}' });
      const ev3 = parseWebhook({ Topic: "acme.controlpanel.activateSurvey", MSG: '{"SurveyID":"SV_1","At":"2"}' });
      assert.equal(ev1.identity, ev2.identity);
      assert.notEqual(ev1.identity, ev3.identity);
    });

    it("flat fields (no MSG) give the identity the same way", function () {
      const flat = { Status: "Complete", SurveyID: "SV_abc", ResponseID: "R_xyz" };
      const a = parseWebhook(formFields({ Topic: "mybrand.surveyengine.completedResponse.SV_abc", ...flat }));
      const b = parseWebhook(formFields({ Topic: "other.surveyengine.completedResponse.SV_abc", ...flat }));
      assert.equal(a.identity, b.identity);
      assert.throws(() => parseWebhook(formFields({ Topic: "mybrand.surveyengine.completedResponse.SV_def", ...flat })), /another survey/);
    });

    it("MSG nested deeper than the limit of all other input is refused, shallow MSG is not", function () {
      const nested = (depth: number) => '{"SurveyID":"SV_1","x":' + '{"a":'.repeat(depth) + "1" + "}".repeat(depth) + "}";
      for (const depth of [40, 5000]) {
        assert.throws(() => parseWebhook({ Topic: "b.surveyengine.completedResponse.SV_1", MSG: nested(depth) }), (e: Error) => e instanceof WebhookFormatError && /^MSG is nested deeper than \d+ levels$/.test(e.message), String(depth));
      }
      const arrays = '{"x":' + "[".repeat(3000) + "]".repeat(3000) + "}";
      assert.throws(() => parseWebhook({ Topic: "b.surveyengine.completedResponse.SV_1", MSG: arrays }), /nested deeper/);
      assert.equal(parseWebhook({ Topic: "b.surveyengine.completedResponse.SV_1", MSG: nested(20) }).surveyId, "SV_1");
    });
  });

  describe("formFields", function () {
    it("keeps strings, drops non-strings and forbidden keys", function () {
      const parsed = JSON.parse('{"Topic":"t","MSG":"{}","n":1,"arr":["a"],"obj":{"x":"y"},"nil":null,"__proto__":"x","constructor":"c","prototype":"p"}');
      const out = formFields(parsed);
      assert.deepEqual({ ...out }, { Topic: "t", MSG: "{}" });
      assert.equal(Object.getPrototypeOf(out), null);
    });

    it("reads URLSearchParams, dropping forbidden keys", function () {
      const out = formFields(new URLSearchParams("Topic=t&__proto__=x&constructor=y&MSG=%7B%7D"));
      assert.deepEqual({ ...out }, { Topic: "t", MSG: "{}" });
    });

    it("reads a null-prototype body (as body parsers make) and nothing else", function () {
      const body = Object.create(null) as Record<string, unknown>;
      body.Topic = "t";
      body.HMAC = "h";
      assert.deepEqual({ ...formFields(body) }, { Topic: "t", HMAC: "h" });
      for (const notAForm of [null, undefined, "Topic=t", 42, ["Topic"], new Date()]) assert.deepEqual({ ...formFields(notAForm) }, {});
    });
  });
});
