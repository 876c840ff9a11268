import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fixturePath } from "../../test/helpers/paths.js";
import { isKernelThread, type ProcStat, parseStat } from "./stat.js";

const fixture = (name: string): string => readFileSync(fixturePath("procfs", name), "latin1");

describe("parseStat on stat lines captured from real processes", () => {
  const cases: Array<{ name: string; fixture: string; want: ProcStat; kthread: boolean }> = [
    {
      name: "a plain process",
      fixture: "stat-cat.txt",
      want: { pid: 7400, comm: "cat", state: "R", ppid: 7329, flags: 4194304, startTime: "52855" },
      kthread: false,
    },
    {
      name: "systemd as PID 1, whose parent is 0",
      fixture: "stat-systemd-pid1.txt",
      want: { pid: 1, comm: "systemd", state: "S", ppid: 0, flags: 4194560, startTime: "76948" },
      kthread: false,
    },
    {
      name: "a comm with parentheses, spaces and a newline",
      fixture: "stat-comm-newline.txt",
      want: { pid: 5216, comm: "a) (b c\n)", state: "S", ppid: 1, flags: 4194304, startTime: "50945" },
      kthread: false,
    },
    {
      name: "a comm that imitates the fields after it",
      fixture: "stat-comm-fake-fields.txt",
      want: { pid: 7337, comm: ") R 1 2 3 (x)", state: "S", ppid: 7329, flags: 4194304, startTime: "52728" },
      kthread: false,
    },
    {
      name: "an empty comm",
      fixture: "stat-comm-empty.txt",
      want: { pid: 7346, comm: "", state: "S", ppid: 7329, flags: 4194304, startTime: "52759" },
      kthread: false,
    },
    {
      name: "a comm that imitates a status line",
      fixture: "stat-comm-forged-uid.txt",
      want: {
        pid: 7355,
        comm: "\nUid:\t0\t0\t0\t0",
        state: "S",
        ppid: 7329,
        flags: 4194560,
        startTime: "52790",
      },
      kthread: false,
    },
    {
      name: "a comm with a backslash, a tab and an opening parenthesis",
      fixture: "stat-comm-backslash.txt",
      want: { pid: 7384, comm: "a\\b\t(c", state: "S", ppid: 7329, flags: 4194304, startTime: "52822" },
      kthread: false,
    },
    {
      name: "kthreadd, the kernel thread with PID 2",
      fixture: "stat-kthreadd.txt",
      want: { pid: 2, comm: "kthreadd", state: "S", ppid: 0, flags: 2129984, startTime: "24" },
      kthread: true,
    },
    {
      name: "an idle kworker kernel thread",
      fixture: "stat-kworker.txt",
      want: { pid: 4, comm: "kworker/R-rcu_gp", state: "I", ppid: 2, flags: 69238880, startTime: "24" },
      kthread: true,
    },
  ];
  for (const c of cases) {
    it(`reads ${c.name}`, () => {
      const got = parseStat(fixture(c.fixture));
      assert.deepEqual(got, c.want);
      assert.equal(isKernelThread(got!), c.kthread);
    });
  }
});

describe("parseStat refuses what the kernel cannot print", () => {
  const tail = " 0 -1 4194304 1 0 0 0 0 0 0 0 20 0 1 0 77 2535424 309 18446744073709551615 1 2 3 0 0 0 0 6 0";
  const cases: Array<{ name: string; text: string }> = [
    { name: "empty text", text: "" },
    { name: "no comm", text: `7 S 1 1 1${tail}\n` },
    { name: "no closing parenthesis", text: `7 (cat S 1 1 1${tail}\n` },
    { name: "a pid that is not a number", text: `x7 (cat) S 1 1 1${tail}\n` },
    { name: "a negative pid", text: `-7 (cat) S 1 1 1${tail}\n` },
    { name: "a state of two letters", text: `7 (cat) SS 1 1 1${tail}\n` },
    { name: "a ppid that is not a number", text: `7 (cat) S x 1 1${tail}\n` },
    { name: "too few fields to reach the start time", text: "7 (cat) S 1 1 1 0 -1 4194304 1\n" },
    {
      name: "a start time beyond 64 bits",
      text: `7 (cat) S 1 1 1${tail.replace(" 77 ", " 18446744073709551616 ")}\n`,
    },
    { name: "no space after comm", text: `7 (cat)S 1 1 1${tail}\n` },
  ];
  for (const c of cases) {
    it(`returns null for ${c.name}`, () => {
      assert.equal(parseStat(c.text), null);
    });
  }
});

describe("parseStat properties", () => {
  it("reads back any comm and the numeric fields, however the comm imitates them", () => {
    const comm = fc
      .array(fc.integer({ min: 1, max: 255 }), { maxLength: 64 })
      .map((bytes) => String.fromCharCode(...bytes));
    const fields = fc.record({
      pid: fc.integer({ min: 1, max: 4194304 }),
      comm,
      state: fc.constantFrom("R", "S", "D", "Z", "T", "t", "X", "I"),
      ppid: fc.integer({ min: 0, max: 4194304 }),
      flags: fc.integer({ min: 0, max: 0xffffffff }),
      startTime: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
    });
    fc.assert(
      fc.property(fields, (f) => {
        // do_task_stat: pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
        // cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime …
        const text =
          `${f.pid} (${f.comm}) ${f.state} ${f.ppid} 5 6 0 -1 ${f.flags} 10 11 12 13 14 15 16 17 20 0 1 0 ` +
          `${f.startTime} 2535424 309 18446744073709551615 1 2 3 0 0 0 0 6 0 1 0 0 17 1 0 0 0 0 0 1 2 3 4 5 6 7 0\n`;
        assert.deepEqual(parseStat(text), { ...f });
        assert.equal(isKernelThread(parseStat(text)!), (f.flags & 0x00200000) !== 0);
      }),
      { numRuns: 1000 },
    );
  });
});
