import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fixturePath } from "../../test/helpers/paths.js";
import { parseStatusUids, type StatusUids } from "./status.js";

const fixture = (name: string): string => readFileSync(fixturePath("procfs", name), "latin1");

describe("parseStatusUids on status files captured from real processes", () => {
  const cases: Array<{ name: string; fixture: string; want: StatusUids }> = [
    { name: "systemd as PID 1", fixture: "status-systemd-pid1.txt", want: { real: 0, effective: 0 } },
    { name: "kthreadd", fixture: "status-kthreadd.txt", want: { real: 0, effective: 0 } },
    {
      name: "a process named with parentheses and a newline",
      fixture: "status-comm-newline.txt",
      want: { real: 0, effective: 0 },
    },
    {
      name: "a process named with a backslash and a tab",
      fixture: "status-comm-backslash.txt",
      want: { real: 0, effective: 0 },
    },
    {
      name: "a process with an empty name",
      fixture: "status-comm-empty.txt",
      want: { real: 0, effective: 0 },
    },
    {
      name: "a process that imitates stat fields in its name",
      fixture: "status-comm-fake-fields.txt",
      want: { real: 0, effective: 0 },
    },
    {
      // comm "\nUid:\t0\t0\t0\t0" after setresuid(1000, 65534, 0): the kernel prints the name as
      // "\\nUid:…" on the Name line, so the real Uid line is the only one.
      name: "a process that named itself like a root Uid line after dropping to 1000/65534",
      fixture: "status-comm-forged-uid.txt",
      want: { real: 1000, effective: 65534 },
    },
  ];
  for (const c of cases) {
    it(`reads ${c.name}`, () => {
      assert.deepEqual(parseStatusUids(fixture(c.fixture)), c.want);
    });
  }
});

describe("parseStatusUids on constructed text", () => {
  const cases: Array<{ name: string; text: string; want: StatusUids | null }> = [
    {
      name: "reads the largest 32-bit IDs",
      text: "Uid:\t4294967294\t4294967295\t0\t1\n",
      want: { real: 4294967294, effective: 4294967295 },
    },
    {
      name: "reads a last line without a newline",
      text: "Name:\tx\nUid:\t5\t6\t7\t8",
      want: { real: 5, effective: 6 },
    },
    { name: "returns null without a Uid line", text: "Name:\tx\nGid:\t0\t0\t0\t0\n", want: null },
    { name: "returns null for a Uid line with three IDs", text: "Uid:\t1\t2\t3\n", want: null },
    { name: "returns null for an ID beyond 32 bits", text: "Uid:\t4294967296\t0\t0\t0\n", want: null },
    { name: "returns null for a negative ID", text: "Uid:\t-1\t0\t0\t0\n", want: null },
    { name: "returns null for spaces instead of tabs", text: "Uid: 1 2 3 4\n", want: null },
    { name: "returns null for two Uid lines", text: "Uid:\t0\t0\t0\t0\nUid:\t5\t5\t5\t5\n", want: null },
    {
      name: "ignores 'Uid:' that does not start a line",
      text: "Name:\tUid:\t0\t0\t0\t0\nUid:\t9\t9\t9\t9\n",
      want: { real: 9, effective: 9 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(parseStatusUids(c.text), c.want);
    });
  }
});

describe("parseStatusUids properties", () => {
  it("reads the Uid line whatever name the process gave itself", () => {
    const uid = fc.integer({ min: 0, max: 0xffffffff });
    const comm = fc
      .array(fc.integer({ min: 1, max: 255 }), { maxLength: 64 })
      .map((bytes) => String.fromCharCode(...bytes));
    fc.assert(
      fc.property(comm, uid, uid, (name, real, effective) => {
        // fs/proc/array.c proc_task_name(…, escape=true): '\n' and '\\' are escaped on the Name line.
        const escaped = name.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
        const text = `Name:\t${escaped}\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t${real}\t${effective}\t0\t${effective}\nGid:\t0\t0\t0\t0\n`;
        assert.deepEqual(parseStatusUids(text), { real, effective });
      }),
    );
  });
});
