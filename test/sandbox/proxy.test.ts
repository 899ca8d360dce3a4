import assert from "node:assert/strict";
import { proxiedNotice } from "../../sandbox/proxy";
import { startSandbox } from "../../sandbox/server";
import { assertError, call, meta, result } from "./test-helpers";
import { useSandbox } from "../support/fixtures";

const NOTICE = "Request proxied. For faster response times, use this host instead: sjc1.qualtrics.com";

describe("sandbox: a proxied account (meta.notice, docs/qualtrics-facts.md §1.2)", () => {
  const sb = useSandbox();

  it("the notice text is the one Qualtrics sends", () => {
    assert.equal(proxiedNotice("sjc1.qualtrics.com"), NOTICE);
  });

  it("off by default: no notice, whoami reports the configured data center", async () => {
    const r = await call(sb, "GET", "/whoami");
    assert.equal(meta(r).notice, undefined);
    assert.equal(result(r).datacenter, "iad1");
    assert.equal(sb.proxy.config, undefined);
  });

  it("set: every answer carries the notice, whoami reports the legacy data center", async () => {
    sb.proxy.set({ host: "sjc1.qualtrics.com", dataCenter: "az1" });
    const who = await call(sb, "GET", "/whoami");
    assert.equal(meta(who).notice, NOTICE);
    assert.equal(result(who).datacenter, "az1");
    assert.equal(result(who).brandId, "sandboxbrand", "the rest of the answer is unchanged");
    const list = await call(sb, "GET", `/directories/${sb.seedIds.directoryId}/contacts`);
    assert.equal(meta(list).notice, NOTICE);
    assert.ok(Array.isArray(result(list).elements));
    const missing = await call(sb, "GET", "/no/such/endpoint");
    assertError(missing, 404);
    assert.equal(meta(missing).notice, NOTICE, "errors are proxied too");
  });

  it("without dataCenter only the notice is added", async () => {
    sb.proxy.set({ host: "myorg.fra1.qualtrics.com" });
    const who = await call(sb, "GET", "/whoami");
    assert.match(String(meta(who).notice), /use this host instead: myorg\.fra1\.qualtrics\.com$/);
    assert.equal(result(who).datacenter, "iad1");
  });

  it("clear switches it off; reset goes back to the start option", async () => {
    sb.proxy.set({ host: "sjc1.qualtrics.com" });
    sb.proxy.clear();
    assert.equal(meta(await call(sb, "GET", "/whoami")).notice, undefined);
    const started = await startSandbox({ proxied: { host: "sjc1.qualtrics.com", dataCenter: "az1" } });
    try {
      assert.equal(meta(await call(started, "GET", "/whoami")).notice, NOTICE);
      started.proxy.clear();
      started.reset();
      assert.deepEqual(started.proxy.config, { host: "sjc1.qualtrics.com", dataCenter: "az1" });
      assert.equal(result(await call(started, "GET", "/whoami")).datacenter, "az1");
    } finally {
      await started.close();
    }
  });

  it("refuses a host that is not a host name", () => {
    assert.throws(() => sb.proxy.set({ host: "https://sjc1.qualtrics.com/" }), RangeError);
    assert.throws(() => sb.proxy.set({ host: "sjc1.qualtrics.com", dataCenter: "" }), RangeError);
  });
});
