import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Report, StaleProcess } from "../model/report.js";
import { pidList, renderHuman, suggestion } from "./human.js";

function proc(pid: number, over: Partial<StaleProcess> = {}): StaleProcess {
  return {
    pid,
    ppid: 1,
    uid: 0,
    comm: "nginx",
    exe: "/usr/sbin/nginx",
    unit: "nginx.service",
    userUnit: null,
    cgroup: "/system.slice/nginx.service",
    files: [
      {
        path: "/usr/lib/x86_64-linux-gnu/libssl.so.3",
        kind: "mapping",
        reason: "deleted",
        inode: "42",
        package: "libssl3:amd64",
      },
    ],
    ...over,
  };
}

function report(stale: StaleProcess[], over: Partial<Report> = {}): Report {
  return {
    collectedAt: "2026-11-24T00:00:00.000Z",
    host: { hostname: "h", kernelRelease: "6.1.0", usrMerged: true, packageManager: "dpkg" },
    scannerUid: 0,
    ownProcessesOnly: false,
    processesScanned: 10,
    complete: true,
    warnings: [],
    stale,
    ignored: [],
    packages: {
      "libssl3:amd64": {
        name: "libssl3",
        arch: "amd64",
        version: "3.0.16-1",
        previousVersion: "3.0.15-1",
        upgradedAt: "2026-11-20 06:25:14",
      },
    },
    ...over,
  };
}

const plain = { color: false, explain: false, unicode: true };

describe("renderHuman", () => {
  it("opens with the counts of processes, programs and packages", () => {
    const out = renderHuman(report([proc(812), proc(813)]), plain);
    assert.match(
      out.split("\n")[0]!,
      /^2 processes run replaced code: 1 program, 1 package \(10 processes checked\)\.$/,
    );
  });

  it("names the file, the package and old → new version under each process", () => {
    const out = renderHuman(report([proc(812)]), plain);
    assert.match(out, /812 {2}\/usr\/sbin\/nginx \(nginx\) {2}nginx\.service/);
    assert.match(
      out,
      /\/usr\/lib\/x86_64-linux-gnu\/libssl\.so\.3 {2}deleted {2}libssl3:amd64 3\.0\.15-1 → 3\.0\.16-1/,
    );
  });

  it("writes -> instead of → when the terminal is not UTF-8", () => {
    assert.match(renderHuman(report([proc(812)]), { ...plain, unicode: false }), /3\.0\.15-1 -> 3\.0\.16-1/);
  });

  it("says plainly when nothing runs replaced code", () => {
    assert.equal(renderHuman(report([]), plain), "No process runs replaced code (10 processes checked).\n");
  });

  it("never lets a hostile process name or path reach the terminal raw", () => {
    const hostile = proc(99, {
      comm: "\x1b]0;pwn\x07\x1b[2J",
      exe: "/opt/x\n/evil\x9b",
      files: [{ path: "/opt/lib\x1b[31m.so", kind: "mapping", reason: "deleted", inode: "1", package: null }],
    });
    const out = renderHuman(
      report([hostile], {
        warnings: [{ code: "vanished", pid: 5, message: "gone\x1b[0m" }],
        complete: false,
      }),
      plain,
    );
    for (const ch of out) {
      const c = ch.codePointAt(0)!;
      assert.ok(
        c === 0x0a || (c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c <= 0x9f)),
        `raw U+${c.toString(16)} in output`,
      );
    }
    assert.match(out, /\\e\]0;pwn\\x07\\e\[2J/);
    assert.match(out, /\/opt\/x\\n\/evil\\x9b/);
  });

  it("colours only when asked", () => {
    const ESC = "\u001b";
    assert.ok(!renderHuman(report([proc(1)]), plain).includes(ESC));
    assert.ok(renderHuman(report([proc(1)]), { ...plain, color: true }).includes(`${ESC}[1m`));
  });

  it("reports a partial scan with each problem", () => {
    const out = renderHuman(
      report([], { complete: false, warnings: [{ code: "not-root", message: "not running as root" }] }),
      plain,
    );
    assert.match(out, /Partial scan: 1 problem:\n {2}not-root: not running as root/);
  });
});

describe("suggestion", () => {
  it("restarts each service once, in one command", () => {
    assert.equal(
      suggestion([
        proc(5, { unit: "b.service" }),
        proc(6, { unit: "a.service" }),
        proc(7, { unit: "a.service" }),
      ]),
      "systemctl restart a.service b.service.",
    );
  });
  it("re-executes PID 1 rather than restarting it", () => {
    assert.equal(suggestion([proc(1, { unit: "init.scope" })]), "systemctl daemon-reexec.");
  });
  it("sends sessions and user units to a log out, and the rest to a restart by hand", () => {
    assert.equal(
      suggestion([
        proc(10, { unit: "session-3.scope" }),
        proc(11, { unit: "user@1000.service", userUnit: "app.service" }),
        proc(12, { unit: null }),
      ]),
      "log out and in again, or restart within: session-3.scope user@1000.service; restart by hand: PID 12.",
    );
  });
});

describe("pidList", () => {
  it("lists a few PIDs and counts the rest", () => {
    assert.equal(pidList([1, 2, 3], 2), "PIDs 1 2 … (+1 more)");
    assert.equal(pidList([7]), "PID 7");
  });
});
