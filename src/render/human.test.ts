import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { plan } from "../decide/plan.js";
import type { Owner } from "../model/owner.js";
import type { Report, StaleProcess } from "../model/report.js";
import { pidList, renderHuman as render, suggestion } from "./human.js";

const renderHuman = (r: Report, o: Omit<Parameters<typeof render>[2], "verbose"> & { verbose?: boolean }) =>
  render(r, plan(r), { verbose: false, ...o });

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
    owner: { kind: "service", unit: "nginx.service" },
    initScript: null,
    inContainerImage: false,
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
    ...(over.owner === undefined && over.unit !== undefined ? { owner: ownerFor(over) } : {}),
  };
}

/** The owner analysis would give for a unit (owner.ts decides; these tests are about rendering). */
function ownerFor(over: Partial<StaleProcess>): Owner {
  if (over.unit === null || over.unit === undefined) return { kind: "none" };
  if (over.userUnit != null)
    return { kind: "user-service", unit: over.unit, uid: 1000, userUnit: over.userUnit };
  if (over.unit.startsWith("session-")) return { kind: "session", unit: over.unit, session: "3", uid: 1000 };
  return { kind: "service", unit: over.unit };
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
    reboot: null,
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

  it("groups services under one combined restart command, with packages and versions", () => {
    const out = renderHuman(
      report([proc(812), proc(813), proc(900, { comm: "sshd", unit: "ssh.service" })]),
      plain,
    );
    assert.match(
      out,
      /Services to restart:\n {2}nginx\.service {2}PIDs 812 813 \(nginx\) {2}libssl3:amd64 3\.0\.15-1 → 3\.0\.16-1\n/,
    );
    assert.match(out, /\n {2}ssh\.service {2}PID 900 \(sshd\)/);
    assert.match(out, /\n {2}→ systemctl restart nginx\.service ssh\.service\n/);
  });

  it("names each group's stale files once, up to three, without --verbose", () => {
    const file = (path: string) => ({
      path,
      kind: "mapping" as const,
      reason: "deleted" as const,
      inode: "1",
      package: null,
    });
    const libs = [
      "/usr/lib/a.so.1",
      "/usr/lib/b.so.1",
      "/usr/lib/c.so.1",
      "/usr/lib/d.so.1",
      "/usr/lib/\x1b[2J.so",
    ];
    const out = renderHuman(
      report([proc(812, { files: libs.slice(0, 2).map(file) }), proc(813, { files: libs.map(file) })]),
      plain,
    );
    assert.match(
      out,
      /\(nginx\)\n {6}files: \/usr\/lib\/a\.so\.1, \/usr\/lib\/b\.so\.1, \/usr\/lib\/c\.so\.1 and 2 more \(--verbose lists them\)\n/,
    );
    const one = renderHuman(report([proc(812)]), plain);
    assert.match(one, /\n {6}files: \/usr\/lib\/x86_64-linux-gnu\/libssl\.so\.3\n/);
    assert.doesNotMatch(renderHuman(report([proc(812)]), { ...plain, verbose: true }), /files:/);
  });

  it("lists each process and its files only when verbose", () => {
    const line =
      /\/usr\/lib\/x86_64-linux-gnu\/libssl\.so\.3 {2}deleted {2}libssl3:amd64 3\.0\.15-1 → 3\.0\.16-1/;
    assert.doesNotMatch(renderHuman(report([proc(812)]), plain), line);
    const verbose = renderHuman(report([proc(812)]), { ...plain, verbose: true });
    assert.match(verbose, /812 {2}\/usr\/sbin\/nginx \(nginx\)/);
    assert.match(verbose, line);
  });

  it("groups forked children with no unit under their parent", () => {
    const none = { unit: null, owner: { kind: "none" } as const, exe: "/opt/app/bin/app", comm: "app" };
    const out = renderHuman(
      report([proc(40, none), proc(41, { ...none, ppid: 40 }), proc(42, { ...none, ppid: 41 })]),
      plain,
    );
    assert.match(out, /Processes with no unit[^\n]*\n {2}\/opt\/app\/bin\/app {2}PIDs 40 41 42 \(app\)/);
    assert.match(out, /Suggestion: restart by hand: PID 40\./);
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
      { ...plain, verbose: true },
    );
    assertNoRawControls(out);
    assert.match(out, /\\e\]0;pwn\\x07\\e\[2J/);
    assert.match(out, /\/opt\/x\\n\/evil\\x9b/);
  });

  it("escapes unit and container names in every line, advice and suggestion included", () => {
    // A container's own root names the cgroups below its payload, so the names analysis finds
    // there are as hostile as a process name.
    const evil = "x\x1b[2J\x9b";
    const out = renderHuman(
      report([
        proc(10, { unit: `${evil}.service` }),
        proc(11, { unit: `user@1000.service`, userUnit: `${evil}.service` }),
        proc(12, { owner: { kind: "container", runtime: "lxc", id: evil, name: evil, unit: null } }),
        proc(13, { owner: { kind: "app", packaging: "snap", name: evil, unit: `snap.${evil}.service` } }),
      ]),
      { ...plain, verbose: true },
    );
    assertNoRawControls(out);
    assert.ok(out.includes("x\\e[2J\\x9b"), out);
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

const suggest = (stale: StaleProcess[]) => suggestion(plan(report(stale)));

describe("suggestion", () => {
  it("restarts each service once, in one command", () => {
    assert.equal(
      suggest([
        proc(5, { unit: "b.service" }),
        proc(6, { unit: "a.service" }),
        proc(7, { unit: "a.service" }),
      ]),
      "systemctl restart a.service b.service.",
    );
  });
  it("re-executes PID 1 rather than restarting it", () => {
    assert.equal(
      suggest([proc(1, { unit: "init.scope", owner: { kind: "pid1", unit: "init.scope" } })]),
      "systemctl daemon-reexec.",
    );
  });
  it("sends sessions and user units to a log out, and the rest to a restart by hand", () => {
    assert.equal(
      suggest([
        proc(10, { unit: "session-3.scope" }),
        proc(11, { unit: "user@1000.service", userUnit: "app.service" }),
        proc(12, { unit: null }),
      ]),
      "log out and in again, or restart within: session 3 of uid 1000; user unit app.service of uid 1000; restart by hand: PID 12.",
    );
  });
});

describe("pidList", () => {
  it("lists a few PIDs and counts the rest", () => {
    assert.equal(pidList([1, 2, 3], 2), "PIDs 1 2 … (+1 more)");
    assert.equal(pidList([7]), "PID 7");
  });
});

/** No C0 or C1 control but the newline, and no DEL. */
function assertNoRawControls(out: string): void {
  for (const ch of out) {
    const c = ch.codePointAt(0)!;
    assert.ok(
      c === 0x0a || (c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c <= 0x9f)),
      `raw U+${c.toString(16)} in output`,
    );
  }
}
