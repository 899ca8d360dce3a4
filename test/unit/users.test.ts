import assert from "node:assert/strict";
import { QualtricsApiError } from "../../src/errors";
import { dataCenterFromNotice, whoami } from "../../src/users";
import { ok } from "../support/fake-servers";
import { failure, useClients } from "./helpers";
import { useRecordingServer } from "../support/fixtures";

describe("users", function () {
  const api = useRecordingServer();
  const clients = useClients();

  describe("whoami (docs/qualtrics-facts.md §1.5)", function () {
    const USER = {
      brandId: "mybrand",
      userId: "UR_xxxxxxxxxxxxxxx",
      userName: "jane@example.com#mybrand",
      firstName: "Jane",
      lastName: "Doe",
      email: "jane@example.com",
      datacenter: "iad1",
    };

    it("returns the user, the notice and the requestId", async function () {
      const client = clients.make(api.apiBase);
      api.reply({ status: 200, body: { result: USER, meta: { httpStatus: "200 - OK", requestId: "who-1", notice: "Request proxied" } } });
      const rep = await whoami(client);
      assert.deepEqual(rep.user, USER);
      assert.equal(rep.notice, "Request proxied");
      assert.equal(rep.requestId, "who-1");
      assert.equal(rep.otherDataCenter, undefined, "no data center configured: nothing to compare");
      assert.equal(api.requests[0].path, "/API/v3/whoami");
    });

    it("userId is required", async function () {
      const client = clients.make(api.apiBase);
      for (const result of [{ ...USER, userId: undefined }, { ...USER, userId: 42 }, null]) {
        api.reply(ok(result));
        const err = await failure<QualtricsApiError>(whoami(client));
        assert.ok(err instanceof QualtricsApiError);
        assert.match(err.message, /userId/);
      }
      api.reply({ status: 200, body: { meta: { httpStatus: "200 - OK" } } });
      await failure(whoami(client));
    });

    it("otherDataCenter when the reported data center differs from the configured one", async function () {
      const client = clients.make(api.apiBase);
      client.base.dataCenter = "iad1"; // as if configured as iad1, served by the local server
      api.reply(ok({ ...USER, datacenter: "az1" }));
      assert.equal((await whoami(client)).otherDataCenter, "az1");
      api.reply(ok({ ...USER, datacenter: "iad1" }));
      assert.equal((await whoami(client)).otherDataCenter, undefined);
      api.reply(ok({ ...USER, datacenter: undefined }));
      assert.equal((await whoami(client)).otherDataCenter, undefined);
      // data center names compare without regard to case
      api.reply(ok({ ...USER, datacenter: "IAD1" }));
      assert.equal((await whoami(client)).otherDataCenter, undefined);
    });

    describe("suggestedDataCenter (docs/qualtrics-facts.md §1.2)", function () {
      const PROXIED = "Request proxied. For faster response times, use this host instead: sjc1.qualtrics.com";

      async function suggested(configured: string | undefined, datacenter: string | undefined, notice?: string, origin?: string): Promise<string | undefined> {
        const client = clients.make(api.apiBase);
        client.base.dataCenter = configured;
        if (origin) (client.base as { origin: string }).origin = origin;
        api.reply(ok({ ...USER, datacenter }, notice ? { notice } : {}));
        return (await whoami(client)).suggestedDataCenter;
      }

      it("the host a proxy notice names beats whoami's legacy data center name", async function () {
        assert.equal(await suggested("iad1", "az1", PROXIED), "sjc1");
        assert.equal(await suggested(undefined, "az1", PROXIED), "sjc1", "with a base URL there is nothing configured, the notice still counts");
      });

      it("an organisation host in the notice is suggested whole", async function () {
        assert.equal(await suggested("iad1", undefined, "Request proxied. For faster response times, use this host instead: MyOrg.fra1.qualtrics.com."), "myorg.fra1.qualtrics.com");
      });

      it("without a notice, a reported data center that differs; nothing when it is the configured one", async function () {
        assert.equal(await suggested("iad1", "FRA1"), "fra1");
        assert.equal(await suggested("iad1", "IAD1"), undefined);
        assert.equal(await suggested(undefined, "fra1"), undefined, "nothing configured to compare with");
        assert.equal(await suggested("iad1", undefined), undefined);
      });

      it("nothing when the notice names where the requests already go", async function () {
        assert.equal(await suggested("sjc1", "az1", PROXIED), undefined);
        assert.equal(await suggested("SJC1", undefined, PROXIED), undefined);
        assert.equal(await suggested("sjc1", undefined, PROXIED, "https://sjc1.qualtrics.com"), undefined);
      });

      it("a notice that names no host suggests nothing", async function () {
        assert.equal(await suggested("iad1", undefined, "Request proxied"), undefined);
        assert.equal(await suggested("iad1", undefined, "use this host instead: evil.example.com"), undefined);
      });
    });

    it("dataCenterFromNotice", function () {
      assert.equal(dataCenterFromNotice("Request proxied. For faster response times, use this host instead: sjc1.qualtrics.com"), "sjc1");
      assert.equal(dataCenterFromNotice("use this host instead: g1-iad.qualtrics.com"), "g1-iad");
      assert.equal(dataCenterFromNotice("use this host instead: myorg.sjc1.qualtrics.com"), "myorg.sjc1.qualtrics.com");
      assert.equal(dataCenterFromNotice("Request proxied"), undefined);
      assert.equal(dataCenterFromNotice(undefined), undefined);
    });
  });
});
