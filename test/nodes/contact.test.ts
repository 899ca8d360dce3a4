import assert from "node:assert/strict";
import { configNode, credentials, helper, nextError, nextMessage, nodes, TOKEN } from "../support/nr-helper";
import { fail, ok, RecordingServer, startRecordingServer } from "../support/recording-server";

const DIR = "POOL_012345678901234";
const CID = "CID_012345678901234";

describe("qualtrics-contact", function () {
  let api: RecordingServer;
  before(async () => (api = await startRecordingServer()));
  after(() => api.close());
  afterEach(() => helper.unload());

  function flow(props: Record<string, unknown>) {
    return [
      { id: "tab", type: "tab" },
      configNode(api.apiBase),
      { id: "n", z: "tab", type: "qualtrics-contact", qualtrics: "cfg", directoryId: DIR, directoryIdType: "str", wires: [["out"]], ...props },
      { id: "out", z: "tab", type: "helper" },
    ];
  }

  it("creates a contact from msg.payload with the token header", async () => {
    await helper.load([nodes.config, nodes.contact], flow({ operation: "create" }), credentials);
    api.reply(ok({ id: CID }));
    const got = nextMessage("out");
    helper.getNode("n").receive({ payload: { firstName: "Jane", email: "jane@example.com", embeddedData: { tier: 3 } } });
    const msg = await got;
    assert.equal(api.requests.length, 1);
    const r = api.requests[0];
    assert.equal(r.method, "POST");
    assert.equal(r.path, `/API/v3/directories/${DIR}/contacts`);
    assert.equal(r.headers["x-api-token"], TOKEN);
    assert.deepEqual(r.body, { firstName: "Jane", email: "jane@example.com", embeddedData: { tier: "3" } });
    assert.deepEqual(msg.payload, { id: CID });
    assert.equal((msg.qualtrics as { httpStatus: number }).httpStatus, 200);
  });

  it("reports a Qualtrics error through done(err) without the token", async () => {
    await helper.load([nodes.config, nodes.contact], flow({ operation: "get", contactId: CID }), credentials);
    api.reply(fail(404, "Contact not found", "CONTACTS_404"));
    const err = nextError("n");
    helper.getNode("n").receive({ payload: {} });
    const e = await err;
    assert.match(e.message, /Contact not found/);
    assert.match(e.message, /CONTACTS_404/);
    assert.ok(!e.message.includes(TOKEN));
  });
});
