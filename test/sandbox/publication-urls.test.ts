import assert from "node:assert/strict";
import { parseArgs } from "../../sandbox/cli";
import { storePublicationUrl } from "../../sandbox/publication-urls";
import { startSandbox } from "../../sandbox/server";
import { call, result } from "./test-helpers";
import { startReceiver } from "../support/fake-servers";
import { useSandbox } from "../support/fixtures";

describe("sandbox: how a publicationUrl is stored (UNCONFIRMED, §6.2)", () => {
  const sb = useSandbox({ webhookTimeoutMs: 1500 });

  const SENT = "https://nr.example.com/qualtrics/hook-1/x_y?b=2&a=1+1&c=%7E";

  it("each mode, as a function", () => {
    assert.equal(storePublicationUrl(SENT, "verbatim"), SENT);
    assert.equal(storePublicationUrl(SENT, "strip-query"), "https://nr.example.com/qualtrics/hook-1/x_y");
    assert.equal(storePublicationUrl(SENT, "reorder-query"), "https://nr.example.com/qualtrics/hook-1/x_y?c=%7E&a=1+1&b=2");
    assert.equal(storePublicationUrl(SENT, "re-encode"), "HTTPS://NR.EXAMPLE.COM:443/qualtrics/hook%2D1/x%5Fy?b=2&a=1%201&c=%7E");
    assert.equal(storePublicationUrl("http://127.0.0.1:8080/h", "re-encode"), "HTTP://127.0.0.1:8080/h");
    // every rewrite is the same address to a server that decodes what it receives
    for (const mode of ["strip-query", "reorder-query", "re-encode"] as const) {
      const u = new URL(storePublicationUrl(SENT, mode));
      assert.equal(decodeURIComponent(u.pathname), "/qualtrics/hook-1/x_y", mode);
    }
  });

  for (const mode of ["verbatim", "strip-query", "reorder-query", "re-encode"] as const) {
    it(`${mode}: GET answers the stored URL and the webhook goes there`, async () => {
      const rx = await startReceiver();
      try {
        sb.publicationUrls.set(mode);
        const sent = `${rx.url}/hook-a/nrq-k01?nrq=01&nrqi=i1`;
        const id = String(result(await call(sb, "POST", "/eventsubscriptions", { body: { publicationUrl: sent, topics: "*" } })).id);
        const stored = String(result(await call(sb, "GET", `/eventsubscriptions/${id}`)).publicationUrl);
        assert.equal(stored, storePublicationUrl(sent, mode));
        const { deliveries } = await sb.completeResponse(sb.seedIds.surveyIds[0]);
        assert.deepEqual(deliveries.map((d) => d.url), [stored]);
        const u = new URL(stored);
        assert.deepEqual(rx.received.map((r) => r.url), [u.pathname + u.search]);
      } finally {
        await rx.close();
      }
    });
  }

  it("is switched through /__sandbox/publication-urls, refuses an unknown mode, and reset() restores the option", async () => {
    const post = (body: unknown) => fetch(`${sb.url}/__sandbox/publication-urls`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    assert.equal((await post({ mode: "strip-query" })).status, 200);
    assert.deepEqual(await (await fetch(`${sb.url}/__sandbox/publication-urls`)).json(), { mode: "strip-query" });
    const bad = await post({ mode: "shuffle" });
    assert.equal(bad.status, 400);
    assert.match(String(((await bad.json()) as { error: string }).error), /verbatim, strip-query, reorder-query, re-encode/);
    assert.equal(sb.publicationUrls.mode, "strip-query");
    sb.reset();
    assert.equal(sb.publicationUrls.mode, "verbatim");
    const other = await startSandbox({ publicationUrls: "re-encode" });
    try {
      other.publicationUrls.set("verbatim");
      other.reset();
      assert.equal(other.publicationUrls.mode, "re-encode");
    } finally {
      await other.close();
    }
  });

  it("the command line takes --publication-urls", () => {
    assert.equal(parseArgs(["--publication-urls", "reorder-query"]).options.publicationUrls, "reorder-query");
    assert.throws(() => parseArgs(["--publication-urls", "nope"]), /must be one of/);
  });
});
