import assert from "node:assert/strict";
import { QualtricsInputError } from "../../src/errors";
import {
  ID_PREFIX,
  IdKind,
  oneOf,
  optionalBoolean,
  optionalDate,
  optionalEmail,
  optionalEmbeddedData,
  optionalId,
  optionalObject,
  optionalString,
  requireEmail,
  requireId,
  requireString,
  toQualtricsDate,
} from "../../src/validate";
import { thrownInputError } from "./helpers";

/** as thrownInputError, and the message starts with the field's name */
function inputError(fn: () => unknown, field: string, pattern?: RegExp): QualtricsInputError {
  const caught = thrownInputError(fn, field, pattern);
  assert.ok(caught.message.startsWith(`${field}: `), caught.message);
  return caught;
}

describe("validate", function () {
  describe("ID prefixes (docs/qualtrics-facts.md §4.8)", function () {
    const good: Record<IdKind, string[]> = {
      directory: ["POOL_012345678901234"],
      contact: ["CID_012345678901234"],
      // invented IDs of the shapes seen in real answers (docs/qualtrics-facts.md §13)
      contactLookup: ["CID_012345678901234", "CGC_Ab12Cd34Ef56Gh7", "MLRP_9zYxWvUt8sRqPo1"],
      mailingList: ["CG_6F1gRt186CZOVoh", "ML_4kTq9ZbWm2PxLvA"],
      survey: ["SV_ebdf20QralHTzQF"],
      emailDistribution: ["EMD_4OQ4N84KC82cfaV"],
      smsDistribution: ["SMSD_gKFVORSKSkaMtSE"],
      distribution: ["EMD_4OQ4N84KC82cfaV", "SMSD_gKFVORSKSkaMtSE"],
      message: ["MS_1Mt2Nj5kczdnjMh"],
      library: ["UR_8cRedheujEbcxgN", "GR_8jjjgh5XPTwmjit"],
      subscription: ["SUB_8pSh6Kbqjgvwynb"],
      response: ["R_1l9mcVuXubb4aGm"],
      user: ["UR_2686s36oneK8iW1"],
      transaction: ["CTR_0A1b2C3d4E5f6G7"],
      // the batch prefix is UNCONFIRMED (docs/qualtrics-facts.md §4.7): BT_ and any unlisted one pass
      transactionBatch: ["BT_0A1b2C3d4E5f6G7", "TB_0A1b2C3d4E5f6G7"],
    };
    const bad: Record<IdKind, string[]> = {
      directory: ["CID_012345678901234", "POOL_", "pool_0123", "POOL-0123"],
      contact: ["CGC_GiMUyLkGpEZsVF3", "CID_", "CID_abc def"],
      contactLookup: ["POOL_abc1", "CID_", "cgc_x1"],
      mailingList: ["CGC_abc", "SV_abc1", "CG_"],
      survey: ["SV-ebdf20", "sv_ebdf20QralHTzQF", "SV_ebdf/../x"],
      emailDistribution: ["SMSD_gKFVORSKSkaMtSE", "EMD_"],
      smsDistribution: ["EMD_4OQ4N84KC82cfaV", "SMSD_"],
      distribution: ["SV_ebdf20QralHTzQF", "EMD-1"],
      message: ["EMD_1", "UR_1"],
      library: ["MS_1Mt2Nj5kczdnjMh", "LIB-1"],
      subscription: ["SV_1", "SUB_a-b"],
      response: ["SV_1", "R_", "R_1 2"],
      user: ["GR_8jjjgh5XPTwmjit", "UT_1"],
      transaction: ["CID_012345678901234", "CTR_", "ctr_1"],
      transactionBatch: ["CTR_0A1b2C3d4E5f6G7", "CG_6F1gRt186CZOVoh", "BT_", "BT-1"],
    };
    for (const kind of Object.keys(ID_PREFIX) as IdKind[]) {
      it(`${kind}: ${ID_PREFIX[kind].join(" / ")}`, function () {
        // a prefix no document lists is Qualtrics' to judge: it is a hint for the error, not a gate
        for (const id of [...good[kind], "ZQX_unlisted12345"]) {
          assert.equal(requireId("theField", id, kind), id);
          assert.equal(requireId("theField", `  ${id} `, kind), id, "trimmed");
          assert.equal(optionalId("theField", id, kind), id);
        }
        for (const id of bad[kind]) {
          inputError(() => requireId("theField", id, kind), "theField", new RegExp(`is not an? [a-zA-Z ]+ ID \\(expected ${ID_PREFIX[kind][0]}`));
          inputError(() => optionalId("theField", id, kind), "theField");
        }
      });
    }

    it("names the kind of ID in words", function () {
      inputError(() => requireId("f", "X-1", "emailDistribution"), "f", /is not an email distribution ID/);
      inputError(() => requireId("f", "X-1", "smsDistribution"), "f", /is not an SMS distribution ID/);
      inputError(() => requireId("f", "X-1", "mailingList"), "f", /is not a mailing list ID/);
    });

    it("an ID of another known kind says which kind it looks like", function () {
      inputError(() => requireId("directoryId", "SV_ebdf20QralHTzQF", "directory"), "directoryId", /is not a directory ID \(expected POOL_ followed by letters and digits, it looks like a survey ID\)$/);
    });

    it("legacy mailing lists (ML_) and recipient lookups (MLRP_) seen in real answers are accepted (§13)", function () {
      assert.equal(requireId("recipients.mailingListId", "ML_4kTq9ZbWm2PxLvA", "mailingList"), "ML_4kTq9ZbWm2PxLvA");
      assert.equal(optionalId("recipients.contactId", "MLRP_9zYxWvUt8sRqPo1", "contactLookup"), "MLRP_9zYxWvUt8sRqPo1");
    });

    it("missing and non-string IDs name the field", function () {
      inputError(() => requireId("surveyId", undefined, "survey"), "surveyId", /is required/);
      inputError(() => requireId("surveyId", "", "survey"), "surveyId", /is required/);
      inputError(() => requireId("surveyId", 42, "survey"), "surveyId", /must be a string/);
      inputError(() => requireId("surveyId", { id: "SV_1" }, "survey"), "surveyId", /must be a string/);
      assert.equal(optionalId("surveyId", undefined, "survey"), undefined);
      assert.equal(optionalId("surveyId", "", "survey"), undefined);
      assert.equal(optionalId("surveyId", "   ", "survey"), undefined);
    });

    it("a very long bad ID is shortened in the message", function () {
      const e = inputError(() => requireId("x", "NOPE-" + "a".repeat(500), "survey"), "x");
      assert.ok(e.message.length < 200);
    });
  });

  describe("strings, booleans, objects, choices", function () {
    it("requireString / optionalString", function () {
      assert.equal(requireString("f", "v"), "v");
      inputError(() => requireString("f", null), "f", /is required/);
      inputError(() => requireString("f", 3), "f", /must be a string, got a number/);
      assert.equal(optionalString("f", 12), "12");
      assert.equal(optionalString("f", null), undefined);
      inputError(() => optionalString("f", NaN), "f");
      inputError(() => optionalString("f", ["a"]), "f", /an array/);
    });

    it("optionalBoolean", function () {
      assert.equal(optionalBoolean("f", true), true);
      assert.equal(optionalBoolean("f", "false"), false);
      assert.equal(optionalBoolean("f", undefined), undefined);
      inputError(() => optionalBoolean("f", "yes"), "f", /true or false/);
      inputError(() => optionalBoolean("f", 1), "f");
    });

    it("optionalObject refuses arrays, dates and class instances", function () {
      assert.deepEqual(optionalObject("f", { a: 1 }), { a: 1 });
      inputError(() => optionalObject("f", [1]), "f", /an array/);
      inputError(() => optionalObject("f", new Date()), "f", /a Date/);
      inputError(() => optionalObject("f", "x"), "f", /a string/);
    });

    it("oneOf is case-insensitive and answers with the canonical spelling", function () {
      assert.equal(oneOf("linkType", "individual", ["Individual", "Multiple"] as const), "Individual");
      inputError(() => oneOf("linkType", "Bogus", ["Individual", "Multiple"] as const), "linkType", /Individual, Multiple/);
      inputError(() => oneOf("linkType", undefined, ["Individual"] as const), "linkType", /is required/);
    });
  });

  describe("email", function () {
    it("accepts addresses, trims, and refuses what is not one", function () {
      assert.equal(optionalEmail("email", " jane@example.com "), "jane@example.com");
      assert.equal(optionalEmail("email", undefined), undefined);
      assert.equal(requireEmail("header.fromEmail", "noreply@qualtrics.com"), "noreply@qualtrics.com");
      for (const bad of ["jane", "jane@", "@example.com", "jane example@x.com", "a@b", "jane@@x.com x"]) {
        inputError(() => optionalEmail("email", bad), "email", /not an email address/);
      }
      inputError(() => requireEmail("header.fromEmail", ""), "header.fromEmail", /is required/);
    });
  });

  describe("embedded data (§2.4, §4.3)", function () {
    it("stringifies numbers and booleans, null becomes empty", function () {
      assert.deepEqual(optionalEmbeddedData("embeddedData", { tier: 3, vip: true, note: "x", gone: null }), {
        tier: "3",
        vip: "true",
        note: "x",
        gone: "",
      });
      assert.equal(optionalEmbeddedData("embeddedData", undefined), undefined);
    });

    it("names are limited to 200 characters", function () {
      assert.ok(optionalEmbeddedData("embeddedData", { ["k".repeat(200)]: "v" }));
      const e = inputError(() => optionalEmbeddedData("embeddedData", { ["k".repeat(201)]: "v" }), "embeddedData." + "k".repeat(20) + "…");
      assert.match(e.message, /200/);
    });

    it("values are limited to 1024 characters", function () {
      assert.ok(optionalEmbeddedData("embeddedData", { k: "v".repeat(1024) }));
      inputError(() => optionalEmbeddedData("embeddedData", { k: "v".repeat(1025) }), "embeddedData.k", /1024/);
    });

    it("nested values and non-objects are refused", function () {
      inputError(() => optionalEmbeddedData("embeddedData", { k: { deep: 1 } }), "embeddedData.k", /an object/);
      inputError(() => optionalEmbeddedData("embeddedData", { k: [1] }), "embeddedData.k", /an array/);
      inputError(() => optionalEmbeddedData("embeddedData", ["a"]), "embeddedData", /must be an object/);
    });
  });

  describe("dates (§5.2, §5.7)", function () {
    const cases: [string, unknown, string][] = [
      ["ISO with Z", "2024-01-15T10:20:30Z", "2024-01-15T10:20:30Z"],
      ["ISO with millis", "2024-01-15T10:20:30.456Z", "2024-01-15T10:20:30Z"],
      ["ISO with an offset", "2024-01-15T12:20:30+02:00", "2024-01-15T10:20:30Z"],
      ["ISO with a negative offset", "2024-01-15T05:20:30-05:00", "2024-01-15T10:20:30Z"],
      ["ISO without a zone (UTC)", "2024-01-15T10:20:30", "2024-01-15T10:20:30Z"],
      ["ISO without seconds", "2024-01-15T10:20Z", "2024-01-15T10:20:00Z"],
      ["YYYY-MM-DD HH:MM:SS (UTC)", "2024-01-15 10:20:30", "2024-01-15T10:20:30Z"],
      ["a date only", "2024-01-15", "2024-01-15T00:00:00Z"],
      ["a leap day", "2024-02-29", "2024-02-29T00:00:00Z"],
      ["an offset that crosses midnight", "2024-02-29T23:30:00-01:00", "2024-03-01T00:30:00Z"],
      ["epoch ms", Date.UTC(2024, 0, 15, 10, 20, 30, 999), "2024-01-15T10:20:30Z"],
      ["epoch ms as a string", String(Date.UTC(2024, 0, 15, 10, 20, 30, 999)), "2024-01-15T10:20:30Z"],
      ["a Date", new Date(Date.UTC(2024, 0, 15, 10, 20, 30, 123)), "2024-01-15T10:20:30Z"],
      ["surrounding spaces", " 2024-01-15T10:20:30Z ", "2024-01-15T10:20:30Z"],
    ];
    for (const [name, input, want] of cases) {
      it(`${name} → ${want}`, function () {
        assert.equal(toQualtricsDate("sendDate", input), want);
      });
    }

    describe("in a local time zone far from UTC", function () {
      let saved: string | undefined;
      before(() => {
        saved = process.env.TZ;
        process.env.TZ = "Pacific/Auckland"; // UTC+13 in January: a local reading would be a day off
      });
      after(() => {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      });

      it("a date-time without a zone is still read as UTC", function () {
        assert.equal(new Date("2024-01-15T10:20:30").getUTCHours(), 21, "the time zone really changed");
        assert.equal(toQualtricsDate("sendDate", "2024-01-15T10:20:30"), "2024-01-15T10:20:30Z");
        assert.equal(toQualtricsDate("sendDate", "2024-01-15 10:20:30"), "2024-01-15T10:20:30Z");
        assert.equal(toQualtricsDate("sendDate", "2024-01-15"), "2024-01-15T00:00:00Z");
        assert.equal(toQualtricsDate("sendDate", "2024-01-15T10:20:30+02:00"), "2024-01-15T08:20:30Z");
      });

      it("impossible dates are still refused", function () {
        inputError(() => toQualtricsDate("sendDate", "2024-02-30 23:00:00"), "sendDate");
        inputError(() => toQualtricsDate("sendDate", "2024-02-30T23:00:00Z"), "sendDate");
      });
    });

    it("the output never has milliseconds", function () {
      for (let i = 0; i < 20; i++) {
        assert.match(toQualtricsDate("sendDate", Date.UTC(2030, 5, 1) + i * 37), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      }
    });

    const impossible: [string, unknown][] = [
      ["February 30th", "2024-02-30"],
      ["February 30th with a zone", "2024-02-30T10:00:00Z"],
      ["February 31st with an offset", "2024-02-31T00:00:00+01:00"],
      ["February 29th in a common year", "2023-02-29T00:00:00Z"],
      ["April 31st", "2024-04-31 00:00:00"],
      ["month 13", "2024-13-01"],
      ["month 13 with a zone", "2024-13-01T00:00:00Z"],
      ["month 0", "2024-00-10T00:00:00Z"],
      ["day 0", "2024-01-00"],
      ["day 32", "2024-01-32T00:00:00Z"],
      ["hour 25", "2024-01-15T25:00:00Z"],
      ["NaN", NaN],
      ["Infinity", Infinity],
      ["year 1900", "1900-01-01T00:00:00Z"],
      ["year 1900 as epoch ms", Date.UTC(1900, 0, 1)],
      ["epoch seconds by mistake", 1_700_000_000],
      ["an invalid Date", new Date(NaN)],
      ["garbage", "next tuesday"],
      ["a short number string", "12345"],
      ["an empty string", ""],
      ["an object", { year: 2024 }],
      ["a boolean", true],
    ];
    for (const [name, input] of impossible) {
      it(`refuses ${name}, naming the field`, function () {
        inputError(() => toQualtricsDate("surveyLink.expirationDate", input), "surveyLink.expirationDate");
      });
    }

    it("optionalDate: empty is undefined, anything else is checked", function () {
      assert.equal(optionalDate("sendDate", undefined), undefined);
      assert.equal(optionalDate("sendDate", null), undefined);
      assert.equal(optionalDate("sendDate", ""), undefined);
      assert.equal(optionalDate("sendDate", "2024-01-15"), "2024-01-15T00:00:00Z");
      inputError(() => optionalDate("sendDate", "2024-02-30"), "sendDate");
    });
  });
});
