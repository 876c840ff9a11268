import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fixturePath } from "../../test/helpers/paths.js";
import type { MicrocodeStatus } from "../model/reboot.js";
import { type CpuInfo, parseCpuinfo } from "../system/cpuinfo.js";
import { firmwareCandidates, type MicrocodeFacts, microcodeStatus } from "./microcode.js";

const cpuinfo = (name: string): CpuInfo[] =>
  parseCpuinfo(readFileSync(fixturePath("cpuinfo", name), "latin1"));
const intel0f040a = {
  path: "/lib/firmware/intel-ucode/0f-04-0a",
  data: readFileSync(fixturePath("microcode", "intel-0f-04-0a")),
};
const amd17 = {
  path: "/lib/firmware/amd-ucode/microcode_amd_fam17h.bin",
  data: readFileSync(fixturePath("microcode", "amd-fam17h-first-patch.bin")),
};
const p4 = (microcode: number): CpuInfo => ({
  processor: 0,
  vendor: "GenuineIntel",
  family: 15,
  model: 4,
  stepping: 10,
  microcode,
  flags: ["fpu"],
});
const facts = (over: Partial<MicrocodeFacts>): MicrocodeFacts => ({
  cpus: [],
  container: null,
  platformFlags: null,
  firmware: [],
  ...over,
});

describe("microcodeStatus", () => {
  const cases: [string, MicrocodeFacts, MicrocodeStatus][] = [
    [
      "an AMD EPYC guest is the host's business",
      facts({ cpus: cpuinfo("amd-epyc-zen5-vm.txt") }),
      {
        status: "not-applicable",
        reason: "virtual machine (cpuinfo flag hypervisor): the host loads microcode",
      },
    ],
    [
      "a container is the host's business",
      facts({ cpus: cpuinfo("amd-ryzen5-3600-cpu0.txt"), container: "/.dockerenv", firmware: [amd17] }),
      { status: "not-applicable", reason: "container (/.dockerenv): the host loads microcode" },
    ],
    [
      "an arm64 CPU has no microcode files",
      facts({ cpus: parseCpuinfo("processor\t: 0\nCPU implementer\t: 0x41\n") }),
      { status: "not-applicable", reason: "not an x86 CPU: its microcode comes with the firmware" },
    ],
    [
      "a Ryzen 5 3600 on 0x8701013 with 0x8701034 installed waits for a reboot",
      facts({ cpus: cpuinfo("amd-ryzen5-3600-cpu0.txt"), firmware: [amd17] }),
      {
        status: "update-pending",
        signature: "17-71-00",
        running: "0x8701013",
        available: "0x8701034",
        file: amd17.path,
      },
    ],
    [
      "a CPU without any file is current",
      facts({ cpus: cpuinfo("intel-xeon-e5-2670-cpu0.txt") }),
      { status: "current", signature: "06-2d-07", revision: "0x718" },
    ],
    [
      "a file for another CPU changes nothing",
      facts({ cpus: cpuinfo("intel-xeon-e5-2670-cpu0.txt"), firmware: [intel0f040a] }),
      { status: "current", signature: "06-2d-07", revision: "0x718" },
    ],
    [
      "platform 0 only matches the 0x2 update, which runs",
      facts({ cpus: [p4(2)], platformFlags: 0x01, firmware: [intel0f040a] }),
      { status: "current", signature: "0f-04-0a", revision: "0x2" },
    ],
    [
      "platform 2 matches both updates: 0x4 is pending",
      facts({ cpus: [p4(2)], platformFlags: 0x04, firmware: [intel0f040a] }),
      {
        status: "update-pending",
        signature: "0f-04-0a",
        running: "0x2",
        available: "0x4",
        file: intel0f040a.path,
      },
    ],
    [
      "an unknown platform between two revisions is unknown, not a guess",
      facts({ cpus: [p4(2)], firmware: [intel0f040a] }),
      {
        status: "unknown",
        reason:
          "0f-04-0a: revisions 0x2, 0x4 exist for different platforms and the platform ID is not readable (processor_flags in sysfs)",
      },
    ],
    [
      "an unknown platform below every revision is pending for the lowest",
      facts({ cpus: [p4(1)], firmware: [intel0f040a] }),
      {
        status: "update-pending",
        signature: "0f-04-0a",
        running: "0x1",
        available: "0x2",
        file: intel0f040a.path,
      },
    ],
    [
      "an unknown platform at the highest revision is current",
      facts({ cpus: [p4(4)], firmware: [intel0f040a] }),
      { status: "current", signature: "0f-04-0a", revision: "0x4" },
    ],
    [
      "the lowest revision among CPUs of one signature counts",
      facts({ cpus: [p4(4), { ...p4(2), processor: 1 }], platformFlags: 0x04, firmware: [intel0f040a] }),
      {
        status: "update-pending",
        signature: "0f-04-0a",
        running: "0x2",
        available: "0x4",
        file: intel0f040a.path,
      },
    ],
    [
      "unreadable cpuinfo is unknown",
      facts({ cpus: null, cpuinfoError: "cannot read /proc/cpuinfo (EACCES)" }),
      { status: "unknown", reason: "cannot read /proc/cpuinfo (EACCES)" },
    ],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => assert.deepEqual(microcodeStatus(input), want));
  }
});

describe("firmwareCandidates", () => {
  it("looks in updates/, the main directory and Debian's .initramfs names for Intel", () => {
    assert.deepEqual(firmwareCandidates(p4(1)), [
      "/lib/firmware/updates/intel-ucode/0f-04-0a",
      "/lib/firmware/intel-ucode/0f-04-0a",
      "/lib/firmware/intel-ucode/0f-04-0a.initramfs",
    ]);
  });
  it("looks for the family's container for AMD", () => {
    assert.deepEqual(firmwareCandidates(cpuinfo("amd-epyc-zen5-vm.txt")[0]!), [
      "/lib/firmware/updates/amd-ucode/microcode_amd_fam1ah.bin",
      "/lib/firmware/amd-ucode/microcode_amd_fam1ah.bin",
    ]);
  });
});
