import assert from "node:assert/strict";
import { dialogNumber } from "../../nodes/lib/dialog-number";

describe("dialogNumber (numbers from a dialog or flow file)", function () {
  it("a blank or non-numeric field gives the default, never 0", function () {
    for (const v of [undefined, null, "", "  ", "abc", NaN, Infinity, {}]) assert.equal(dialogNumber(v, 1000), 1000, String(v));
  });

  it("numbers and numeric text are read as they are without a range", function () {
    assert.equal(dialogNumber("25", 1000), 25);
    assert.equal(dialogNumber(0, 1000), 0, "0 is a value (all), not blank");
    assert.equal(dialogNumber(-2, 1000), -2, "left for the node's own check to name");
  });

  it("a range clamps", function () {
    assert.equal(dialogNumber("900", 30, { min: 1, max: 600 }), 600);
    assert.equal(dialogNumber(-5, 600, { min: 0 }), 0);
    assert.equal(dialogNumber("", 30, { min: 1, max: 600 }), 30);
  });
});
