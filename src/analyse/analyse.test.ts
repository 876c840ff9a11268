import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { bootImage, kernelFacts } from "../../test/helpers/kernel-facts.js";
import { fixturePath } from "../../test/helpers/paths.js";
import type { KernelFacts } from "../model/kernel.js";
import type { ProcessRecord, RebootFacts, Snapshot } from "../model/snapshot.js";
import { analyse, ownerOf } from "./analyse.js";

const snapshot = JSON.parse(
  readFileSync(fixturePath("snapshots", "debian12-replaced-library.json"), "utf8"),
) as Snapshot;

describe("analyse, replaying a snapshot captured on Debian 12", () => {
  const report = analyse(snapshot);

  it("reports exactly the process started before the library was replaced", () => {
    assert.deepEqual(
      report.stale.map((p) => p.pid),
      [27814],
    );
    const [p] = report.stale;
    assert.equal(p!.exe, "/var/lib/ap-prof/hold");
    assert.equal(p!.comm, "hold");
    assert.deepEqual(p!.files, [
      {
        path: "/var/lib/ap-prof/libap.so.1",
        kind: "mapping",
        reason: "deleted",
        inode: p!.files[0]!.inode,
        package: null,
      },
    ]);
  });

  it("does not report the process started after the replacement", () => {
    assert.ok(snapshot.processes.some((p) => p.pid === 28427));
    assert.ok(!report.stale.some((p) => p.pid === 28427));
  });

  it("ignores an executable that is a memfd, naming the rule", () => {
    const hit = report.ignored?.find((h) => h.pid === 1018);
    assert.equal(hit?.rule, "memfd");
    assert.equal(hit?.kind, "executable");
  });

  it("carries the unreadable PID 1 as a warning and calls the scan partial", () => {
    assert.equal(report.complete, false);
    assert.deepEqual(
      report.warnings.map((w) => [w.code, w.pid]),
      [["unreadable", 1]],
    );
  });
});

describe("analyse, one process's hits", () => {
  const LIB = "/usr/lib/x86_64-linux-gnu/libssl.so.3";
  const proc = (pid: number, maps: ProcessRecord["maps"], fds: ProcessRecord["fds"], cgroup: string) => ({
    pid,
    view: "host",
    exe: "/usr/sbin/nginx",
    maps,
    fds,
    details: { comm: "nginx", ppid: 1, uid: 0, startTime: "1", cgroup },
  });
  const map = (path: string, inode: string, exec: boolean) => ({
    path,
    deleted: true,
    dev: "fe:01",
    inode,
    exec,
  });
  const fd = (path: string, inode: string, mode = 0o100755) => ({ fd: 3, path, deleted: true, inode, mode });
  const snap = (processes: ProcessRecord[]): Snapshot => ({
    ...structuredClone(snapshot),
    processes,
    views: { host: {} },
    warnings: [],
  });

  it("reports a file both mapped and held open once, and two inodes at one path twice", () => {
    const r = analyse(
      snap([proc(10, [map(LIB, "7", true), map(LIB, "8", true)], [fd(LIB, "7"), fd(LIB, "9")], "0::/\n")]),
    );
    assert.deepEqual(
      r.stale[0]!.files.map((f) => [f.inode, f.kind]),
      [
        ["7", "mapping"],
        ["8", "mapping"],
        ["9", "open-file"],
      ],
    );
  });

  it("dismisses a file mapped and held open as data only when none of its hits is code", () => {
    const r = analyse(
      snap([proc(10, [map("/srv/data.bin", "5", false)], [fd("/srv/data.bin", "5", 0o100644)], "0::/\n")]),
    );
    assert.deepEqual(r.stale, []);
    assert.deepEqual(
      r.ignored?.map((h) => [h.kind, h.rule]),
      [["mapping", "data-mapping"]],
    );
  });

  it("judges a file as code when a later hit is: a jar mapped read-only, then held open", () => {
    // A JVM maps a jar's central directory without execute permission and reads classes through
    // the descriptor: the read-only mapping alone would dismiss the replaced jar as data.
    const JAR = "/usr/share/java/app.jar";
    const s = snap([proc(10, [map(JAR, "5", false)], [fd(JAR, "5", 0o100644)], "0::/\n")]);
    for (const listed of [true, false]) {
      const r = analyse(s, { ignored: listed });
      assert.deepEqual(
        r.stale[0]?.files.map((f) => [f.path, f.kind]),
        [[JAR, "open-file"]],
        `ignored listed: ${listed}`,
      );
      assert.deepEqual(r.ignored, listed ? [] : null, "the data dismissal is withdrawn");
    }
  });

  it("lists no dismissed hits unless asked (null, not an empty list), and judges the same", () => {
    const s = snap([
      proc(10, [map("/memfd:x", "5", true), map("/usr/lib/libgone.so", "7", true)], [], "0::/\n"),
    ]);
    const asked = analyse(s, { ignored: true });
    const not = analyse(s, { ignored: false });
    assert.equal(not.ignored, null);
    assert.deepEqual(
      asked.ignored?.map((h) => h.rule),
      ["memfd"],
    );
    assert.deepEqual(not.stale, asked.stale);
    assert.equal(not.stale.length, 1);
  });

  it("names the rule per kind: the same path is a memfd mapping and a memfd open file", () => {
    const r = analyse(snap([proc(10, [map("/memfd:x", "5", true)], [fd("/memfd:x", "6")], "0::/\n")]));
    assert.deepEqual(
      r.ignored?.map((h) => [h.kind, h.rule]),
      [
        ["mapping", "memfd"],
        ["open-file", "memfd"],
      ],
    );
  });

  it("works out an owner once per cgroup text, but PID 1 on its own", () => {
    const text = "0::/init.scope\n";
    const r = analyse(
      snap([proc(10, [map(LIB, "7", true)], [], text), proc(1, [map(LIB, "7", true)], [], text)]),
    );
    const [other, init] = r.stale;
    assert.equal(init!.owner.kind, "pid1");
    assert.notEqual(other!.owner.kind, "pid1");
    assert.equal(other!.unit, "init.scope");
  });
});

describe("ownerOf", () => {
  const cases: Array<[text: string, unit: string | null, userUnit: string | null]> = [
    ["0::/system.slice/nginx.service\n", "nginx.service", null],
    [
      "0::/user.slice/user-1000.slice/user@1000.service/app.slice/app.service\n",
      "user@1000.service",
      "app.service",
    ],
    ["12:name=systemd:/system.slice/ssh.service\n0::/\n", "ssh.service", null],
    ["0::/\n", null, null],
  ];
  for (const [text, unit, userUnit] of cases) {
    it(`${JSON.stringify(text)} → ${unit}${userUnit ? `/${userUnit}` : ""}`, () => {
      const o = ownerOf(100, text);
      assert.equal(o.unit, unit);
      assert.equal(o.userUnit, userUnit);
    });
  }
  it("has no owner without a cgroup", () => assert.equal(ownerOf(100, null).unit, null));
});

describe("analyse, the reboot verdict", () => {
  const build = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)";
  const kernel = (images: KernelFacts["images"]): KernelFacts =>
    kernelFacts("6.1.0-27-amd64", build, { images, moduleReleases: images.map((i) => i.nameRelease!) });
  const image = bootImage;
  const facts = (over: Partial<RebootFacts> = {}): RebootFacts => ({
    kernel: kernel([image("6.1.0-27-amd64", build)]),
    microcode: { status: "not-applicable", reason: "a virtual machine" },
    flags: [],
    systemdVersion: 252,
    container: null,
    ...over,
  });
  const withReboot = (reboot: RebootFacts, pid1Libc = false): Snapshot => {
    const copy = structuredClone(snapshot);
    copy.warnings = [];
    copy.reboot = reboot;
    if (pid1Libc) {
      copy.processes.push({
        pid: 1,
        view: "host",
        exe: "/usr/lib/systemd/systemd",
        maps: [
          {
            path: "/usr/lib/x86_64-linux-gnu/libc.so.6",
            deleted: true,
            dev: "fe:01",
            inode: "9",
            exec: true,
          },
        ],
        fds: [],
        details: { comm: "systemd", ppid: 0, uid: 0, startTime: "1", cgroup: "0::/init.scope\n" },
      });
    }
    return copy;
  };

  it("needs nothing when the running kernel is the newest installed", () => {
    assert.equal(analyse(withReboot(facts())).reboot?.verdict, "none");
  });

  it("needs a reboot when a newer kernel of the running flavour is installed (real Debian release names)", () => {
    const r = analyse(
      withReboot(facts({ kernel: kernel([image("6.1.0-27-amd64", build), image("6.1.0-28-amd64", build)]) })),
    );
    assert.equal(r.reboot?.verdict, "reboot");
    assert.equal(r.reboot?.kernel.status, "upgrade-pending");
  });

  it("does not count a newer kernel of another flavour", () => {
    const r = analyse(
      withReboot(
        facts({ kernel: kernel([image("6.1.0-27-amd64", build), image("6.1.0-28-rt-amd64", build)]) }),
      ),
    );
    assert.equal(r.reboot?.verdict, "none");
  });

  it("never blames a container for its host's kernel", () => {
    const r = analyse(
      withReboot(facts({ container: "/.dockerenv", kernel: kernel([image("6.1.0-28-amd64", build)]) })),
    );
    assert.equal(r.reboot?.kernel.status, "unknown");
    assert.notEqual(r.reboot?.verdict, "reboot");
  });

  it("asks for a soft reboot when PID 1 runs a replaced C library on systemd 254 or later, a reboot before", () => {
    assert.equal(analyse(withReboot(facts({ systemdVersion: 256 }), true)).reboot?.verdict, "soft-reboot");
    assert.equal(analyse(withReboot(facts({ systemdVersion: 252 }), true)).reboot?.verdict, "reboot");
  });

  it("has no verdict for an older snapshot that carries no reboot facts", () => {
    assert.equal(analyse(snapshot).reboot, null);
  });
});
