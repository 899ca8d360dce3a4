import assert from "node:assert/strict";
import { QualtricsApiError } from "../../src/errors";
import { whoami } from "../../src/users";
import { ok, RecordingServer, startRecordingServer } from "../support/recording-server";
import { ClientPool, failure } from "./helpers";

describe("users", function () {
  let api: RecordingServer;
  const clients = new ClientPool();
  before(async () => (api = await startRecordingServer()));
  after(() => api.close());
  afterEach(() => clients.closeAll());

  describe("whoami (qualtrics-api.md §1.5)", function () {
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
    });
  });
});
