import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Owner } from "../model/owner.js";
import type { Report, StaleProcess } from "../model/report.js";
import { plan } from "./plan.js";

const ID = "3f2a9c1b7d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4";

function proc(pid: number, owner: Owner, over: Partial<StaleProcess> = {}): StaleProcess {
  return {
    pid,
    ppid: 1,
    uid: 0,
    comm: "x",
    exe: "/usr/bin/x",
    unit: null,
    userUnit: null,
    cgroup: null,
    owner,
    initScript: null,
    inContainerImage: false,
    files: [
      { path: "/usr/lib/libz.so.1", kind: "mapping", reason: "deleted", inode: "7", package: "zlib1g:amd64" },
    ],
    ...over,
  };
}

function report(stale: StaleProcess[], initSystem: "systemd" | "openrc" | "other" = "systemd"): Report {
  return {
    collectedAt: "",
    host: { hostname: "", kernelRelease: "", usrMerged: true, packageManager: "dpkg", initSystem },
    scannerUid: 0,
    ownProcessesOnly: false,
    processesScanned: stale.length,
    complete: true,
    warnings: [],
    stale,
    ignored: [],
    reboot: null,
    packages: {},
  };
}

describe("plan", () => {
  it("restarts every system service in one sorted command, one group per unit", () => {
    const p = plan(
      report([
        proc(10, { kind: "service", unit: "ssh.service" }),
        proc(11, { kind: "service", unit: "nginx.service" }),
        proc(12, { kind: "service", unit: "nginx.service" }),
      ]),
    );
    assert.deepEqual(p.restartServices, ["systemctl", "restart", "nginx.service", "ssh.service"]);
    assert.deepEqual(
      p.groups.map((g) => [g.label, g.pids, g.command]),
      [
        ["nginx.service", [11, 12], ["systemctl", "restart", "nginx.service"]],
        ["ssh.service", [10], ["systemctl", "restart", "ssh.service"]],
      ],
    );
    assert.deepEqual(p.groups[0]!.packages, ["zlib1g:amd64"]);
  });

  it("orders groups of one action by label in byte order, the same in every locale", () => {
    const p = plan(
      report([
        proc(20, { kind: "none" }, { exe: "/usr/sbin/b" }),
        proc(21, { kind: "none" }, { exe: "/usr/sbin/a" }),
        proc(22, { kind: "none" }, { exe: "/usr/sbin/B" }),
        proc(23, { kind: "none" }, { exe: "/usr/sbin/\u00e9" }),
      ]),
    );
    // A collation would put "a" before "B" and "é" beside "e"; bytes put upper case first, 0xE9 last.
    assert.deepEqual(
      p.groups.map((g) => g.label),
      ["/usr/sbin/B", "/usr/sbin/a", "/usr/sbin/b", "/usr/sbin/\u00e9"],
    );
  });

  it("orders groups as an administrator acts and gives each kind its action", () => {
    const p = plan(
      report([
        proc(30, { kind: "none" }),
        proc(31, { kind: "session", unit: "session-3.scope", session: "3", uid: 1000 }),
        proc(32, { kind: "container", runtime: "docker", id: ID, name: null, unit: `docker-${ID}.scope` }),
        proc(1, { kind: "pid1", unit: "init.scope" }),
        proc(33, { kind: "service", unit: "cron.service" }),
        proc(34, { kind: "user-service", unit: "user@1000.service", uid: 1000, userUnit: "app.service" }),
        proc(35, { kind: "vm", name: "web1", unit: null }),
      ]),
    );
    assert.deepEqual(
      p.groups.map((g) => g.action),
      [
        "restart-unit",
        "reexec",
        "restart-container",
        "restart-vm",
        "logout",
        "restart-user-unit",
        "restart-process",
      ],
    );
    const byAction = new Map(p.groups.map((g) => [g.action, g]));
    assert.deepEqual(byAction.get("reexec")!.command, ["systemctl", "daemon-reexec"]);
    assert.deepEqual(byAction.get("restart-container")!.command, ["docker", "restart", ID]);
    assert.equal(byAction.get("logout")!.command, null);
    assert.equal(byAction.get("restart-user-unit")!.command, null, "never act as root on a user's unit name");
    assert.match(
      byAction.get("restart-user-unit")!.advice,
      /as uid 1000: systemctl --user restart app\.service/,
    );
  });

  it("never offers to restart a scope: something else started its processes", () => {
    const [g] = plan(report([proc(40, { kind: "service", unit: "run-u12.scope" })])).groups;
    assert.equal(g!.action, "restart-process");
    assert.equal(g!.command, null);
  });

  it("does not restart a Kubernetes container through the runtime", () => {
    const [g] = plan(
      report([proc(50, { kind: "container", runtime: "kubernetes", id: ID, name: null, unit: null })]),
    ).groups;
    assert.equal(g!.command, null);
    assert.match(g!.advice, /delete the pod/);
  });

  it("asks for a rebuilt image when the stale file lies in the container's own filesystem", () => {
    const owner: Owner = { kind: "container", runtime: "podman", id: ID, name: null, unit: null };
    assert.equal(plan(report([proc(60, owner, { inContainerImage: true })])).groups[0]!.rebuildImage, true);
    assert.equal(plan(report([proc(61, owner)])).groups[0]!.rebuildImage, false);
  });

  it("groups processes with no unit under their oldest stale ancestor, and survives a PID cycle", () => {
    const none: Owner = { kind: "none" };
    const p = plan(
      report([
        proc(72, none, { ppid: 71 }),
        proc(70, none, { ppid: 1 }),
        proc(71, none, { ppid: 70 }),
        proc(80, none, { ppid: 81 }),
        proc(81, none, { ppid: 80 }),
      ]),
    );
    assert.deepEqual(
      p.groups.map((g) => g.pids),
      [
        [70, 71, 72],
        [80, 81],
      ],
    );
  });

  it("restarts a daemon with no unit through its package's init script where systemd does not run", () => {
    const nginx = (pid: number, ppid: number) =>
      proc(pid, { kind: "none" }, { ppid, exe: "/usr/sbin/nginx", comm: "nginx", initScript: "nginx" });
    const p = plan(report([nginx(90, 1), nginx(91, 90), nginx(92, 90)], "other"));
    assert.deepEqual(
      p.groups.map((g) => [g.action, g.label, g.command, g.pids]),
      [["restart-init-script", "/etc/init.d/nginx", ["service", "nginx", "restart"], [90, 91, 92]]],
    );
    const openrc = plan(report([nginx(90, 1)], "openrc"));
    assert.deepEqual(openrc.groups[0]!.command, ["rc-service", "nginx", "restart"]);
  });
});
