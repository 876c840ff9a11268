import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fixturePath } from "../../test/helpers/paths.js";
import { amdFileName, amdPatchFor, parseAmdMicrocode } from "./ucode-amd.js";

const fam17h = readFileSync(fixturePath("microcode", "amd-fam17h-first-patch.bin"));

describe("parseAmdMicrocode", () => {
  it("reads the equivalence table and the patch of Debian's fam17h excerpt", () => {
    const f = parseAmdMicrocode(fam17h);
    assert.equal(f.error, null);
    assert.equal(f.containers.length, 1);
    const c = f.containers[0]!;
    assert.deepEqual(
      c.equivalence.map((e) => [e.installedCpu, e.equivId]),
      [
        [0x870f10, 0x8710],
        [0x800f12, 0x8012],
        [0x830f10, 0x8310],
        [0x860f01, 0x8601],
        [0x800f82, 0x8082],
        [0x8a0f00, 0x8a00],
        [0x860f81, 0x8681],
      ],
    );
    assert.deepEqual(
      c.patches.map((p) => [p.patchId, p.processorRevId, p.date, p.size]),
      [[0x8701034, 0x8710, "2024-02-23", 3200]],
    );
  });

  const lookups: [string, number, number | null][] = [
    ["a Ryzen 3000 (870f10) gets patch 0x8701034", 0x870f10, 0x8701034],
    ["an EPYC Rome (830f10) has no patch in the excerpt", 0x830f10, null],
    ["a CPU missing from the table gets nothing", 0xa00f11, null],
  ];
  for (const [what, sig, want] of lookups) {
    it(what, () => assert.equal(amdPatchFor(parseAmdMicrocode(fam17h), sig)?.patchId ?? null, want));
  }

  it("reads back-to-back containers, each with its own ids", () => {
    const f = parseAmdMicrocode(Buffer.concat([fam17h, fam17h]));
    assert.equal(f.error, null);
    assert.equal(f.containers.length, 2);
    assert.equal(f.containers[1]!.offset, fam17h.length);
  });

  it("names the file as the kernel asks for it", () => {
    assert.equal(amdFileName(0x10), "microcode_amd.bin");
    assert.equal(amdFileName(0x15), "microcode_amd_fam15h.bin");
    assert.equal(amdFileName(0x19), "microcode_amd_fam19h.bin");
    assert.equal(amdFileName(0x1a), "microcode_amd_fam1ah.bin");
  });

  it("stops with an error, never throws, on truncated, corrupted or random bytes", () => {
    // A cut inside a record is an error; a cut between records (after the equivalence table, say:
    // fast-check found byte 140) is a valid shorter file. Either way, never the whole content.
    const patches = (b: Uint8Array) =>
      parseAmdMicrocode(b).containers.reduce((n, c) => n + c.patches.length, 0);
    const all = patches(fam17h);
    for (let n = 0; n < fam17h.length; n++) {
      const cut = fam17h.subarray(0, n);
      assert.ok(parseAmdMicrocode(cut).error !== null || patches(cut) < all, `cut at byte ${n}`);
    }
    fc.assert(
      fc.property(fc.nat(fam17h.length - 1), fc.nat(255), (at, v) => {
        const b = Buffer.from(fam17h);
        b[at] = v;
        return Array.isArray(parseAmdMicrocode(b).containers);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (b) => Array.isArray(parseAmdMicrocode(b).containers)),
    );
  });
});
