import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fixturePath } from "../../test/helpers/paths.js";
import type { Owner } from "../model/owner.js";
import { parseCgroup, systemdCgroupPath } from "../procfs/cgroup.js";
import { classifyOwner, ownerKey, ownerLabel } from "./owner.js";

const ID = "3f2a9c1b7d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeef";
const ID2 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const POD = "7c4f1e2a-5b6d-4e8f-9a0b-1c2d3e4f5a6b";
const POD_ = POD.replaceAll("-", "_"); // kubelet's systemd driver escapes '-' in the pod UID as '_'

const of = (cgroupPath: string | null, pid = 4242): Owner => classifyOwner({ pid, cgroupPath });
const service = (unit: string): Owner => ({ kind: "service", unit });
const ctr = (runtime: string, id: string, name: string | null, unit: string | null) =>
  ({ kind: "container", runtime, id, name, unit }) as Owner;
const NONE: Owner = { kind: "none" };

interface Row {
  path: string | null;
  want: Owner;
  /** Where the format comes from. */
  source: string;
  pid?: number;
}

const rows: Row[] = [
  // --- PID 1 and no unit ---
  { pid: 1, path: "/init.scope", want: { kind: "pid1", unit: "init.scope" }, source: "capture: *-pid1.txt" },
  { pid: 1, path: "/", want: { kind: "pid1", unit: null }, source: "PID 1 without systemd (host-self.txt)" },
  { pid: 1, path: null, want: { kind: "pid1", unit: null }, source: "PID 1, cgroup unreadable" },
  { path: null, want: NONE, source: "no /proc/PID/cgroup" },
  { path: "/", want: NONE, source: "capture: host-self.txt" },
  { path: "/..", want: NONE, source: "capture: *-no-unit.txt (outside our cgroup namespace)" },
  { path: "/../system.slice/x.service", want: NONE, source: "cgroup.c proc_cgroup_show, outside namespace" },
  { path: "/init.scope", want: NONE, source: "init.scope holds only PID 1 (systemd unit-def init.scope)" },
  { path: "/system.slice", want: NONE, source: "a slice is no unit (cg_path_get_unit)" },
  {
    path: "/systemd-testbed-h1cg/system.slice/demo-x.service",
    want: NONE,
    source: "capture: *-service-host-view.txt",
  },

  // --- system units ---
  {
    path: "/system.slice/nginx.service",
    want: service("nginx.service"),
    source: "systemd.special(7) system.slice",
  },
  { path: "/system.slice/demo-x.service", want: service("demo-x.service"), source: "capture: *-service.txt" },
  {
    path: "/system.slice/_cpu.service",
    want: service("cpu.service"),
    source: "capture: *-escaped-service.txt (cg_escape)",
  },
  {
    path: "/system.slice/system-getty.slice/getty@tty1.service",
    want: service("getty@tty1.service"),
    source: "systemd: template instances in system-<prefix>.slice",
  },
  {
    path: "/system.slice/system-demo\\x2dt.slice/demo-t@inst.service",
    want: service("demo-t@inst.service"),
    source: "capture: *-template-instance.txt",
  },
  {
    path: "/system.slice/demo-scope.scope",
    want: service("demo-scope.scope"),
    source: "capture: *-scope.txt",
  },
  {
    path: "/system.slice/run-u12.scope",
    want: service("run-u12.scope"),
    source: "systemd-run --scope (run-u<N>)",
  },
  {
    path: `/system.slice/foo.service/docker-${ID}.scope`,
    want: service("foo.service"),
    source: "a delegated service's own sub-cgroups are never read (cg_path_get_unit: first unit)",
  },
  {
    path: `/system.slice/libpod-conmon-${ID}.scope`,
    want: service(`libpod-conmon-${ID}.scope`),
    source: "podman: conmon in its own libpod-conmon-<id>.scope (libpod/oci_conmon_linux.go)",
  },
  {
    path:
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
      POD_ +
      ".slice/crio-conmon-" +
      ID +
      ".scope",
    want: service(`crio-conmon-${ID}.scope`),
    source: "CRI-O: conmon in crio-conmon-<id>.scope",
  },
  {
    path: "/machine.slice/machine-bad\\xZZ.scope",
    want: service("machine-bad\\xZZ.scope"),
    source: "invalid escape: not machined's, still a root-created scope",
  },

  // --- sessions and user managers ---
  {
    path: "/user.slice/user-1000.slice/session-3.scope",
    want: { kind: "session", unit: "session-3.scope", session: "3", uid: 1000 },
    source: "logind: session-<audit id>.scope in user-<uid>.slice",
  },
  {
    path: "/user.slice/user-0.slice/session-c1.scope",
    want: { kind: "session", unit: "session-c1.scope", session: "c1", uid: 0 },
    source: "capture: *-session.txt (no audit: logind's c<N>)",
  },
  {
    path: "/user.slice/user-1000.slice/user@1000.service/init.scope",
    want: { kind: "user-manager", unit: "user@1000.service", uid: 1000 },
    source: "capture: *-user-manager.txt (systemd ≥ 240: manager in init.scope)",
  },
  {
    path: "/user.slice/user-1000.slice/user@1000.service",
    want: { kind: "user-manager", unit: "user@1000.service", uid: 1000 },
    source: "older systemd: manager at the root of user@.service",
  },
  {
    path: "/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service",
    want: { kind: "user-service", unit: "user@1000.service", uid: 1000, userUnit: "foo.service" },
    source: "capture: *-user-service.txt",
  },
  {
    path: "/user.slice/user-0.slice/user@0.service/app.slice/demo-uscope.scope",
    want: { kind: "user-service", unit: "user@0.service", uid: 0, userUnit: "demo-uscope.scope" },
    source: "capture: *-user-scope.txt",
  },
  {
    path: `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope`,
    want: { kind: "user-service", unit: "user@1000.service", uid: 1000, userUnit: `libpod-${ID}.scope` },
    source: "rootless podman: user.slice/libpod-<id>.scope in the user manager — the user's claim",
  },
  {
    path: `/user.slice/user-1000.slice/user@1000.service/app.slice/docker-${ID}.scope`,
    want: { kind: "user-service", unit: "user@1000.service", uid: 1000, userUnit: `docker-${ID}.scope` },
    source: "user-chosen name imitating docker: never a system container",
  },
  {
    path: "/user.slice/user-1000.slice/user@1000.service/machine.slice/machine-qemu\\x2d1\\x2dvm.scope/libvirt/emulator",
    want: {
      kind: "user-service",
      unit: "user@1000.service",
      uid: 1000,
      userUnit: "machine-qemu\\x2d1\\x2dvm.scope",
    },
    source: "user-chosen name imitating libvirt: never a VM",
  },
  {
    path: "/user.slice/user-1000.slice/user@1000.service/app.slice/app-flatpak-org.mozilla.firefox-12345.scope",
    want: {
      kind: "user-service",
      unit: "user@1000.service",
      uid: 1000,
      userUnit: "app-flatpak-org.mozilla.firefox-12345.scope",
    },
    source: "flatpak-run: app-flatpak-<app id>-<pid>.scope, always in the user manager",
  },
  {
    path: "/user.slice/user-1000.slice/user@1000.service/app.slice/snap.firefox.firefox-2b8c0a1e-3f4d-4e5f-8a9b-0c1d2e3f4a5b.scope",
    want: {
      kind: "user-service",
      unit: "user@1000.service",
      uid: 1000,
      userUnit: "snap.firefox.firefox-2b8c0a1e-3f4d-4e5f-8a9b-0c1d2e3f4a5b.scope",
    },
    source: "snapd: snap.<snap>.<app>-<uuid>.scope for a user's command",
  },
  {
    path: "/user.slice/user-1000.slice/user@abc.service/x.service",
    want: NONE,
    source: "user@ with no valid UID: delegated, yet no user to attribute it to",
  },

  // --- containers ---
  {
    path: `/system.slice/docker-${ID}.scope`,
    want: ctr("docker", ID, null, `docker-${ID}.scope`),
    source: "moby daemon/…/systemd driver: docker-<id>.scope in system.slice",
  },
  {
    path: `/docker/${ID}`,
    want: ctr("docker", ID, null, null),
    source: "moby cgroupfs driver: /docker/<id>",
  },
  { path: "/docker/not-an-id", want: NONE, source: "/docker/<non-hex>: not a docker container" },
  {
    path: `/machine.slice/libpod-${ID}.scope`,
    want: ctr("podman", ID, null, `libpod-${ID}.scope`),
    source: "podman systemd cgroup manager: machine.slice/libpod-<id>.scope",
  },
  {
    path: `/machine.slice/libpod-${ID}.scope/container`,
    want: ctr("podman", ID, null, `libpod-${ID}.scope`),
    source: "podman --cgroups=split / systemd mode: payload in …/container",
  },
  {
    path: `/libpod_parent/libpod-${ID}`,
    want: ctr("podman", ID, null, null),
    source: "podman cgroupfs manager: /libpod_parent/libpod-<id>",
  },
  {
    path:
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
      POD_ +
      ".slice/cri-containerd-" +
      ID +
      ".scope",
    want: ctr("kubernetes", ID, null, `cri-containerd-${ID}.scope`),
    source: "kubelet systemd driver + containerd CRI (SystemdCgroup=true): cri-containerd-<id>.scope",
  },
  {
    path:
      "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" +
      POD_ +
      ".slice/crio-" +
      ID +
      ".scope",
    want: ctr("kubernetes", ID, null, `crio-${ID}.scope`),
    source: "kubelet systemd driver + CRI-O: crio-<id>.scope, besteffort QoS",
  },
  {
    path: `/kubepods.slice/kubepods-pod${POD_}.slice/docker-${ID}.scope`,
    want: ctr("kubernetes", ID, null, `docker-${ID}.scope`),
    source: "kubelet systemd driver, guaranteed QoS (no QoS slice), dockershim",
  },
  {
    path: `/kubepods/burstable/pod${POD}/${ID}`,
    want: ctr("kubernetes", ID, null, null),
    source: "kubelet cgroupfs driver: /kubepods/<qos>/pod<uid>/<id>",
  },
  {
    path: `/kubepods/besteffort/pod${POD}/${ID2}`,
    want: ctr("kubernetes", ID2, null, null),
    source: "kubelet cgroupfs driver, besteffort",
  },
  {
    path: `/kubepods/pod${POD}/${ID}`,
    want: ctr("kubernetes", ID, null, null),
    source: "kubelet cgroupfs driver, guaranteed QoS",
  },
  { path: "/kubepods/burstable", want: NONE, source: "kubelet's own QoS cgroup: no container" },
  {
    path: `/system.slice/cri-containerd-${ID}.scope`,
    want: ctr("containerd", ID, null, `cri-containerd-${ID}.scope`),
    source: "containerd CRI outside kubepods",
  },
  {
    path: `/system.slice/nerdctl-${ID}.scope`,
    want: ctr("containerd", ID, null, `nerdctl-${ID}.scope`),
    source: "nerdctl systemd driver: nerdctl-<id>.scope",
  },
  {
    path: `/machine.slice/crio-${ID}.scope`,
    want: ctr("cri-o", ID, null, `crio-${ID}.scope`),
    source: "CRI-O outside kubepods",
  },
  {
    path: "/lxc.payload.web/init.scope",
    want: ctr("lxc", "web", "web", null),
    source: 'LXC ≥ 4 src/lxc/cgroups/cgroup.h DEFAULT_PAYLOAD_CGROUP_PREFIX "lxc.payload." (LXD/Incus)',
  },
  { path: "/lxc.monitor.web", want: NONE, source: "LXC ≥ 4 DEFAULT_MONITOR_CGROUP_PREFIX: the monitor" },
  {
    path: "/lxc/web/system.slice/cron.service",
    want: ctr("lxc", "web", "web", null),
    source: "LXC < 4: /lxc/<name>",
  },
  {
    path: "/machine.slice/machine-foo\\x2dbar.scope",
    want: ctr("nspawn", "foo-bar", "foo-bar", "machine-foo\\x2dbar.scope"),
    source: "machined: machine-<unit_name_escape(name)>.scope (unit-name.c: '-' → \\x2d)",
  },
  {
    path: "/machine.slice/machine-foo\\x2dbar.scope/payload/system.slice/cron.service",
    want: ctr("nspawn", "foo-bar", "foo-bar", "machine-foo\\x2dbar.scope"),
    source: "nspawn: the container's own tree below the scope",
  },
  {
    path: "/machine.slice/systemd-nspawn@debian.service/payload",
    want: ctr("nspawn", "debian", "debian", "systemd-nspawn@debian.service"),
    source: "systemd-nspawn@.service (machinectl start, --keep-unit)",
  },
  {
    path: "/machine.slice/systemd-nspawn@foo-bar.service/payload",
    want: ctr("nspawn", "foo-bar", "foo-bar", "systemd-nspawn@foo-bar.service"),
    source: "machinectl start: unit_name_build leaves '-' in the instance as is",
  },
  {
    path: "/machine.slice/machine-lxc\\x2d2157\\x2dweb.scope",
    want: ctr("lxc", "lxc-2157-web", "web", "machine-lxc\\x2d2157\\x2dweb.scope"),
    source: "libvirt-lxc: virDomainDriverGenerateMachineName lxc-<id>-<name>",
  },

  // --- VMs ---
  {
    path: "/machine.slice/machine-qemu\\x2d1\\x2dmyvm.scope/libvirt/emulator",
    want: { kind: "vm", name: "myvm", unit: "machine-qemu\\x2d1\\x2dmyvm.scope" },
    source: "libvirt: qemu-<id>-<name> (domain_driver.c) → machined scope; libvirt/emulator sub-cgroup",
  },
  {
    path: "/machine.slice/machine-qemu\\x2d12\\x2dweb\\x2d01.scope/libvirt/vcpu0",
    want: { kind: "vm", name: "web-01", unit: "machine-qemu\\x2d12\\x2dweb\\x2d01.scope" },
    source: "libvirt: vcpu<N> sub-cgroup, name with '-'",
  },

  // --- apps ---
  {
    path: "/system.slice/snap.lxd.daemon.service",
    want: { kind: "app", packaging: "snap", name: "lxd", unit: "snap.lxd.daemon.service" },
    source: "snapd: snap.<snap>.<app>.service for snap daemons",
  },
  {
    path: "/system.slice/snapd.service",
    want: service("snapd.service"),
    source: "snapd itself is an ordinary service",
  },
];

describe("classifyOwner on real-world cgroup layouts", () => {
  for (const row of rows) {
    it(`classifies ${JSON.stringify(row.path)}${row.pid === 1 ? " of PID 1" : ""} (${row.source})`, () => {
      assert.deepEqual(of(row.path, row.pid), row.want);
    });
  }

  it("never reads comm, which the process chooses itself", () => {
    const path = "/system.slice/nginx.service";
    assert.deepEqual(classifyOwner({ pid: 9, cgroupPath: path, comm: "qemu-system-x86" }), of(path));
    assert.deepEqual(classifyOwner({ pid: 9, cgroupPath: "/", comm: "dockerd" }), NONE);
  });
});

/** Each captured /proc/PID/cgroup (test/fixtures/cgroup/README.md), as systemd 252 saw it. */
const byProcess: Record<string, Owner> = {
  pid1: { kind: "pid1", unit: "init.scope" },
  journald: service("systemd-journald.service"),
  service: service("demo-x.service"),
  scope: service("demo-scope.scope"),
  "escaped-service": service("cpu.service"),
  "template-instance": service("demo-t@inst.service"),
  session: { kind: "session", unit: "session-c1.scope", session: "c1", uid: 0 },
  "user-manager": { kind: "user-manager", unit: "user@0.service", uid: 0 },
  "user-service": { kind: "user-service", unit: "user@0.service", uid: 0, userUnit: "demo-u.service" },
  "user-scope": { kind: "user-service", unit: "user@0.service", uid: 0, userUnit: "demo-uscope.scope" },
  "no-unit": NONE,
  "service-host-view": NONE,
};
const expected: Record<string, Owner> = {
  "host-self.txt": NONE,
  "unified-zombie-removed-cgroup.txt": service("demo-z.service"),
};
for (const mode of ["unified", "hybrid", "legacy"]) {
  for (const [process, want] of Object.entries(byProcess)) expected[`${mode}-${process}.txt`] = want;
}

describe("classifyOwner on every capture in test/fixtures/cgroup", () => {
  it("has an expectation for every captured file", () => {
    const files = readdirSync(fixturePath("cgroup")).filter((f) => f.endsWith(".txt"));
    assert.deepEqual(files.sort(), Object.keys(expected).sort());
  });
  for (const [file, want] of Object.entries(expected)) {
    it(`classifies ${file}`, () => {
      const text = readFileSync(fixturePath("cgroup", file), "latin1");
      const pid = file.endsWith("-pid1.txt") ? 1 : 4242;
      assert.deepEqual(classifyOwner({ pid, cgroupPath: systemdCgroupPath(parseCgroup(text)) }), want);
    });
  }
});

/** Cgroup names a user may create: anything the kernel accepts, plus lookalikes of system names. */
const component = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes("/")),
  fc.constantFrom(
    "app.slice",
    "user.slice",
    "system.slice",
    "machine.slice",
    "kubepods.slice",
    "init.scope",
    `docker-${ID}.scope`,
    `libpod-${ID}.scope`,
    `libpod-conmon-${ID}.scope`,
    `cri-containerd-${ID}.scope`,
    `crio-${ID}.scope`,
    "machine-qemu\\x2d1\\x2dvm.scope",
    "machine-foo.scope",
    "systemd-nspawn@x.service",
    "snap.lxd.daemon.service",
    "app-flatpak-org.x-1.scope",
    "session-3.scope",
    "user@0.service",
    "nginx.service",
    "_cpu.service",
    "lxc.payload.x",
    "docker",
    ID,
    "container",
    "libvirt",
    "emulator",
  ),
);

describe("the user-delegated subtree", () => {
  it("never yields a system unit, PID 1, a VM, a container or an app, only that user's manager or units", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xfffffffe }).filter((u) => u !== 0xffff),
        fc.array(component, { maxLength: 6 }),
        fc.integer({ min: 2, max: 1 << 22 }),
        (uid, rest, pid) => {
          const path = `/user.slice/user-${uid}.slice/user@${uid}.service/${rest.join("/")}`;
          const got = classifyOwner({ pid, cgroupPath: path });
          assert.ok(
            got.kind === "none" ||
              ((got.kind === "user-manager" || got.kind === "user-service") &&
                got.uid === uid &&
                got.unit === `user@${uid}.service`),
            `${JSON.stringify(path)} → ${JSON.stringify(got)}`,
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("hostile cgroup paths", () => {
  const hostile = [
    "/system.slice/nginx.service\n0::/system.slice/sshd.service",
    "/system.slice/ngi\0nx.service",
    "/system.slice/../user.slice/user-0.slice/user@0.service",
    "/system.slice/./nginx.service",
    "/user.slice/user-1000.slice/user@1000.service/../../../system.slice/sshd.service",
    `/system.slice/${"a".repeat(5000)}.service`,
    `/${"x/".repeat(3000)}`,
    "system.slice/nginx.service",
    "",
    "..",
    "/..",
    `/../../docker/${ID}`,
  ];
  for (const path of hostile) {
    it(`yields no owner for ${JSON.stringify(path.length > 60 ? `${path.slice(0, 60)}…` : path)}`, () => {
      assert.deepEqual(of(path), NONE);
    });
  }

  it("never throws, and names a container, VM or app only where root alone creates the name", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(component, fc.string({ maxLength: 300 }), fc.constantFrom("..", ".", "\n")), {
          maxLength: 8,
        }),
        fc.integer({ min: 0, max: 1 << 22 }),
        (parts, pid) => {
          const path = `/${parts.join("/")}`;
          const got = classifyOwner({ pid, cgroupPath: path });
          if (pid === 1) assert.equal(got.kind, "pid1");
          if (path.includes("\n") || parts.includes(".."))
            assert.ok(got.kind === "none" || got.kind === "pid1");
          assert.equal(typeof ownerKey(got), "string");
          assert.equal(typeof ownerLabel(got), "string");
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("keeps labels printable whatever bytes a VM or container name holds", () => {
    const vm = of("/machine.slice/machine-qemu\\x2d1\\x2dev\\x1bil\\x0a.scope");
    assert.equal(vm.kind, "vm");
    assert.equal(ownerLabel(vm), "VM ev\\x1bil\\x0a");
    assert.equal(ownerLabel(of("/lxc.payload.a\x07b")), "lxc container a\\x07b");
  });
});

describe("ownerKey and ownerLabel", () => {
  const cases: [Owner, string, string][] = [
    [service("nginx.service"), "service:nginx.service", "nginx.service"],
    [{ kind: "pid1", unit: "init.scope" }, "pid1", "PID 1 (systemd)"],
    [{ kind: "pid1", unit: null }, "pid1", "PID 1 (systemd)"],
    [
      { kind: "session", unit: "session-3.scope", session: "3", uid: 1000 },
      "session:1000:3",
      "session 3 of uid 1000",
    ],
    [{ kind: "session", unit: "session-c1.scope", session: "c1", uid: null }, "session:?:c1", "session c1"],
    [
      { kind: "user-manager", unit: "user@1000.service", uid: 1000 },
      "user-manager:1000",
      "user manager of uid 1000",
    ],
    [
      { kind: "user-service", unit: "user@1000.service", uid: 1000, userUnit: "foo.service" },
      "user-service:1000:foo.service",
      "user unit foo.service of uid 1000",
    ],
    [
      { kind: "user-service", unit: "user@1000.service", uid: 1000, userUnit: `libpod-${ID}.scope` },
      `user-service:1000:libpod-${ID}.scope`,
      "rootless podman container 3f2a9c1b7d4e (user unit) of uid 1000",
    ],
    [
      {
        kind: "user-service",
        unit: "user@1000.service",
        uid: 1000,
        userUnit: "app-flatpak-org.mozilla.firefox-12345.scope",
      },
      "user-service:1000:app-flatpak-org.mozilla.firefox-12345.scope",
      "flatpak org.mozilla.firefox (user unit) of uid 1000",
    ],
    [
      {
        kind: "user-service",
        unit: "user@1000.service",
        uid: 1000,
        userUnit: "snap.firefox.firefox-1a2b.scope",
      },
      "user-service:1000:snap.firefox.firefox-1a2b.scope",
      "snap firefox (user unit) of uid 1000",
    ],
    [
      ctr("docker", ID, null, `docker-${ID}.scope`),
      `container:docker:${ID}`,
      "docker container 3f2a9c1b7d4e",
    ],
    [ctr("kubernetes", ID2, null, null), `container:kubernetes:${ID2}`, "kubernetes container 0123456789ab"],
    [ctr("lxc", "web", "web", null), "container:lxc:web", "lxc container web"],
    [
      ctr("nspawn", "foo-bar", "foo-bar", "machine-foo\\x2dbar.scope"),
      "container:nspawn:foo-bar",
      "nspawn container foo-bar",
    ],
    [{ kind: "vm", name: "myvm", unit: "machine-qemu\\x2d1\\x2dmyvm.scope" }, "vm:myvm", "VM myvm"],
    [
      { kind: "app", packaging: "snap", name: "lxd", unit: "snap.lxd.daemon.service" },
      "app:snap:lxd",
      "snap lxd",
    ],
    [NONE, "none", "no unit"],
  ];
  for (const [owner, key, label] of cases) {
    it(`keys ${JSON.stringify(owner)} as ${key} and labels it "${label}"`, () => {
      assert.equal(ownerKey(owner), key);
      assert.equal(ownerLabel(owner), label);
    });
  }

  it("gives the processes of one container, started from different units, one key", () => {
    const a = of(`/system.slice/docker-${ID}.scope`);
    const b = of(`/docker/${ID}`);
    assert.equal(ownerKey(a), ownerKey(b));
  });

  it("gives two snap daemons of the same snap one key, since a refresh restarts both", () => {
    assert.equal(
      ownerKey(of("/system.slice/snap.lxd.daemon.service")),
      ownerKey(of("/system.slice/snap.lxd.activate.service")),
    );
  });
});
