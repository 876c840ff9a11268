import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fixturePath } from "../../test/helpers/paths.js";
import { cpuidSignature, formatRevision, intelFileName, parseCpuinfo } from "./cpuinfo.js";

const fixture = (name: string): string => readFileSync(fixturePath("cpuinfo", name), "latin1");

describe("parseCpuinfo", () => {
  const cases = [
    {
      file: "amd-epyc-zen5-vm.txt",
      count: 2,
      vendor: "AuthenticAMD",
      fms: [26, 2, 1],
      microcode: 0x1000065,
      hv: true,
    },
    {
      file: "intel-xeon-e5-2670-cpu0.txt",
      count: 1,
      vendor: "GenuineIntel",
      fms: [6, 45, 7],
      microcode: 0x718,
      hv: false,
    },
    {
      file: "amd-ryzen5-3600-cpu0.txt",
      count: 1,
      vendor: "AuthenticAMD",
      fms: [23, 113, 0],
      microcode: 0x8701013,
      hv: false,
    },
  ];
  for (const c of cases) {
    it(`reads vendor, family/model/stepping, microcode and flags from ${c.file}`, () => {
      const cpus = parseCpuinfo(fixture(c.file));
      assert.equal(cpus.length, c.count);
      const cpu = cpus[0]!;
      assert.equal(cpu.vendor, c.vendor);
      assert.deepEqual([cpu.family, cpu.model, cpu.stepping], c.fms);
      assert.equal(cpu.microcode, c.microcode);
      assert.equal(cpu.flags.includes("hypervisor"), c.hv);
    });
  }

  it("gives no vendor for an arm64 block (no vendor_id line)", () => {
    const text =
      "processor\t: 0\nBogoMIPS\t: 48.00\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\nCPU part\t: 0xd0c\n";
    assert.deepEqual(parseCpuinfo(text), [
      { processor: 0, vendor: null, family: null, model: null, stepping: null, microcode: null, flags: [] },
    ]);
  });

  it("never throws on arbitrary text", () => {
    fc.assert(fc.property(fc.string(), (s) => Array.isArray(parseCpuinfo(s))));
  });
});

describe("cpuidSignature", () => {
  const cases: [number, number, number, number, string][] = [
    [6, 0x55, 4, 0x50654, "06-55-04"],
    [6, 45, 7, 0x206d7, "06-2d-07"],
    [15, 4, 10, 0xf4a, "0f-04-0a"],
    [0x17, 0x71, 0, 0x870f10, "17-71-00"],
    [0x19, 0x01, 1, 0xa00f11, "19-01-01"],
    [0x1a, 0x02, 1, 0xb00f21, "1a-02-01"],
  ];
  for (const [f, m, s, sig, name] of cases) {
    it(`turns family ${f} model ${m} stepping ${s} into 0x${sig.toString(16)} (${name})`, () => {
      assert.equal(cpuidSignature(f, m, s), sig);
      assert.equal(intelFileName(f, m, s), name);
    });
  }

  it("prints revisions as the kernel does", () => {
    assert.equal(formatRevision(0x1000065), "0x1000065");
    assert.equal(formatRevision(0xffffffff), "0xffffffff");
  });
});
