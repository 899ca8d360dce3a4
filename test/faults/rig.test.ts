// The rig itself: a message that ends once is counted as delivered or errored, never lost.
import assert from "node:assert/strict";
import { Rig } from "./rig";

describe(`faults: the rig (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(60_000);
  let rig: Rig;
  before(async () => {
    rig = await Rig.start();
    await rig.deploy([
      {
        node: {
          id: "u-create", type: "qualtrics-contact", name: "create", qualtrics: "rig-config", operation: "create",
          directoryId: "POOL_i2nB6gG17IbvuSp", directoryIdType: "str", email: "payload.email", emailType: "msg", output: "array",
        },
      },
    ]);
  });
  after(() => rig?.dispose());

  it("counts each created contact as delivered, once", async () => {
    const ids = await rig.send("u-create", [{ payload: { email: "a@example.com" } }, { payload: { email: "b@example.com" } }]);
    const ends = await rig.settle("u-create", ids);
    assert.deepEqual(ends, { sent: 2, delivered: 2, errored: 0, lost: 0, duplicated: 0 });
    const out = rig.endsOf("u-create", ids)[0];
    assert.equal(out.kind, "output");
  });
});
