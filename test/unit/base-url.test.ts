import assert from "node:assert/strict";
import { resolveApiBase } from "../../src/base-url";
import { QualtricsInputError } from "../../src/errors";

function inputError(fn: () => unknown, field: string): QualtricsInputError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof QualtricsInputError, `expected a QualtricsInputError, got ${String(caught)}`);
  assert.equal(caught.field, field);
  assert.ok(caught.message.startsWith(field + ":"), caught.message);
  return caught;
}

describe("base URL (docs/qualtrics-facts.md §1.1, §1.2)", function () {
  describe("data center IDs", function () {
    for (const dc of ["iad1", "fra1", "ca1", "g1-iad", "sjc1", "yul1", "gov1"]) {
      it(`${dc} → https://${dc}.qualtrics.com/API/v3`, function () {
        assert.deepEqual(resolveApiBase(dc), { origin: `https://${dc}.qualtrics.com`, basePath: "/API/v3", dataCenter: dc });
      });
    }

    it("is trimmed and lower-cased", function () {
      assert.deepEqual(resolveApiBase("  FRA1 "), { origin: "https://fra1.qualtrics.com", basePath: "/API/v3", dataCenter: "fra1" });
    });
  });

  describe("organisation hosts and pasted URLs", function () {
    it("myorg.iad1.qualtrics.com → that host, dataCenter iad1", function () {
      assert.deepEqual(resolveApiBase("myorg.iad1.qualtrics.com"), {
        origin: "https://myorg.iad1.qualtrics.com",
        basePath: "/API/v3",
        dataCenter: "iad1",
      });
    });

    it("https://fra1.qualtrics.com/API/v3 → fra1", function () {
      const b = resolveApiBase("https://fra1.qualtrics.com/API/v3");
      assert.equal(b.origin, "https://fra1.qualtrics.com");
      assert.equal(b.basePath, "/API/v3");
      assert.equal(b.dataCenter, "fra1");
    });

    it("a browser URL of an organisation host → its data center", function () {
      const b = resolveApiBase("https://MyOrg.ca1.qualtrics.com/Q/MyProjectsSection?x=1#top");
      assert.equal(b.origin, "https://myorg.ca1.qualtrics.com");
      assert.equal(b.dataCenter, "ca1");
      assert.equal(resolveApiBase("fra1.qualtrics.com:443").origin, "https://fra1.qualtrics.com");
    });
  });

  describe("invalid data center input names dataCenter", function () {
    for (const bad of ["", "   ", "not a dc!", "evil.com", "iad1.qualtrics.com.evil.com", "iad1_x", "https://user@evil.example/API/v3"]) {
      it(JSON.stringify(bad), function () {
        inputError(() => resolveApiBase(bad), "dataCenter");
      });
    }

    it("undefined names dataCenter too", function () {
      inputError(() => resolveApiBase(undefined), "dataCenter");
    });
  });

  describe("explicit baseUrl", function () {
    it("wins over the data center and keeps an http sandbox", function () {
      assert.deepEqual(resolveApiBase("iad1", "http://127.0.0.1:4010/API/v3"), { origin: "http://127.0.0.1:4010", basePath: "/API/v3" });
    });

    it("a trailing slash is dropped", function () {
      assert.equal(resolveApiBase(undefined, "http://127.0.0.1:4010/API/v3/").basePath, "/API/v3");
    });

    it("a Qualtrics baseUrl also names its data center", function () {
      assert.equal(resolveApiBase(undefined, "https://fra1.qualtrics.com/API/v3").dataCenter, "fra1");
      assert.equal(resolveApiBase(undefined, "https://myorg.iad1.qualtrics.com/API/v3").dataCenter, "iad1");
      assert.equal(resolveApiBase(undefined, "http://localhost:4010/API/v3").dataCenter, undefined);
    });

    it("must end in /API/v3", function () {
      const e = inputError(() => resolveApiBase(undefined, "https://fra1.qualtrics.com/"), "baseUrl");
      assert.match(e.message, /\/API\/v3/);
      inputError(() => resolveApiBase(undefined, "https://fra1.qualtrics.com/API/v2"), "baseUrl");
      inputError(() => resolveApiBase(undefined, "https://fra1.qualtrics.com/API/v3/surveys"), "baseUrl");
    });

    it("http:// only for this machine: localhost, 127.0.0.0/8 and ::1, however written", function () {
      for (const ok of ["http://localhost:4010/API/v3", "http://LOCALHOST/API/v3", "http://127.0.0.1:4010/API/v3", "http://127.9.8.7/API/v3", "http://127.1:4010/API/v3", "http://[::1]:4010/API/v3", "http://[0:0:0:0:0:0:0:1]/API/v3"]) {
        assert.equal(resolveApiBase(undefined, ok).basePath, "/API/v3", ok);
      }
    });

    it("refuses http:// to any other host, naming baseUrl and saying why, before anything is sent", function () {
      for (const bad of [
        "http://fra1.qualtrics.com/API/v3",
        "http://gw.example.com/qualtrics/API/v3",
        "http://10.0.0.5:8080/API/v3",
        "http://192.168.1.2/API/v3",
        "http://127.0.0.1.nip.io/API/v3",
        "http://localhost.evil.example/API/v3",
        "http://[::ffff:127.0.0.1]/API/v3",
        "http://[::2]/API/v3",
        "http://0.0.0.0/API/v3",
        "HTTP://example.com/API/v3",
      ]) {
        const e = inputError(() => resolveApiBase(undefined, bad), "baseUrl");
        assert.match(e.message, /http:\/\/ would send the API token or OAuth secret unencrypted.*use https:\/\//, bad);
      }
      // https to the same hosts is fine
      assert.equal(resolveApiBase(undefined, "https://gw.example.com/qualtrics/API/v3").origin, "https://gw.example.com");
    });

    it("refuses non-URLs, other schemes and credentials, naming baseUrl", function () {
      inputError(() => resolveApiBase(undefined, "not a url"), "baseUrl");
      inputError(() => resolveApiBase(undefined, "ftp://fra1.qualtrics.com/API/v3"), "baseUrl");
      inputError(() => resolveApiBase(undefined, "https://user:pw@fra1.qualtrics.com/API/v3"), "baseUrl");
    });
  });
});
