import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tunesV8 } from "./v8-tuning.js";

describe("tunesV8", () => {
  it("sets V8's budget only on the Node majors whose V8 has the flag (an unknown one is printed on stdout)", () => {
    for (const v of ["18.0.0", "18.20.8", "20.20.2"]) assert.equal(tunesV8(v), true, v);
    for (const v of ["16.20.0", "19.9.0", "21.7.3", "22.23.3", "24.21.0", "garbage"])
      assert.equal(tunesV8(v), false, v);
  });
});
