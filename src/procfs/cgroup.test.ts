import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fixturePath } from "../../test/helpers/paths.js";
import { type CgroupLine, parseCgroup, systemdCgroupPath } from "./cgroup.js";
import { cgPathGetSession, cgPathGetUnit, cgPathGetUserUnit } from "./unit.js";

const fixture = (name: string): string => readFileSync(fixturePath("cgroup", name), "latin1");

interface Owner {
  path: string | null;
  unit: string | null;
  userUnit: string | null;
  session: string | null;
}

const owner = (
  path: string,
  unit: string | null,
  userUnit: string | null = null,
  session: string | null = null,
) => ({
  path,
  unit,
  userUnit,
  session,
});

/** What systemd 252 in the testbed (test/fixtures/cgroup/README.md) says about each captured process. */
const byProcess: Record<string, Owner> = {
  pid1: owner("/init.scope", "init.scope"),
  journald: owner("/system.slice/systemd-journald.service", "systemd-journald.service"),
  service: owner("/system.slice/demo-x.service", "demo-x.service"),
  scope: owner("/system.slice/demo-scope.scope", "demo-scope.scope"),
  "escaped-service": owner("/system.slice/_cpu.service", "cpu.service"),
  "template-instance": owner(
    "/system.slice/system-demo\\x2dt.slice/demo-t@inst.service",
    "demo-t@inst.service",
  ),
  session: owner("/user.slice/user-0.slice/session-c1.scope", "session-c1.scope", null, "c1"),
  "user-manager": owner("/user.slice/user-0.slice/user@0.service/init.scope", "user@0.service", "init.scope"),
  "user-service": owner(
    "/user.slice/user-0.slice/user@0.service/app.slice/demo-u.service",
    "user@0.service",
    "demo-u.service",
  ),
  "user-scope": owner(
    "/user.slice/user-0.slice/user@0.service/app.slice/demo-uscope.scope",
    "user@0.service",
    "demo-uscope.scope",
  ),
  // exec.sh enters the testbed's namespaces but stays in a host cgroup, outside the namespace root.
  "no-unit": owner("/..", null),
  // The same demo-x.service read from the host: the testbed is a cgroup the host's PID 1 knows
  // nothing of, so the host names no unit.
  "service-host-view": owner("/systemd-testbed-h1cg/system.slice/demo-x.service", null),
};

const expected: Record<string, Owner> = {
  "host-self.txt": owner("/", null),
  // A zombie whose unit was stopped: the kernel appends " (deleted)", systemd drops it.
  "unified-zombie-removed-cgroup.txt": owner("/system.slice/demo-z.service", "demo-z.service"),
};
for (const mode of ["unified", "hybrid", "legacy"]) {
  for (const [process, want] of Object.entries(byProcess)) expected[`${mode}-${process}.txt`] = want;
}
// Legacy mode: systemd does not use cgroup v2, and the host puts the whole testbed in one v2 cgroup.
expected["legacy-service-host-view.txt"] = owner("/systemd-testbed-h1cg", null);

describe("systemdCgroupPath and the cg_path_* rules on /proc/PID/cgroup captured under systemd 252", () => {
  it("has an expectation for every captured file", () => {
    const files = readdirSync(fixturePath("cgroup")).filter((f) => f.endsWith(".txt"));
    assert.deepEqual(files.sort(), Object.keys(expected).sort());
  });
  for (const [file, want] of Object.entries(expected)) {
    it(`names the owner of ${file}`, () => {
      const path = systemdCgroupPath(parseCgroup(fixture(file)));
      const got: Owner = {
        path,
        unit: path === null ? null : cgPathGetUnit(path),
        userUnit: path === null ? null : cgPathGetUserUnit(path),
        session: path === null ? null : cgPathGetSession(path),
      };
      assert.deepEqual(got, want);
    });
  }
});

describe("parseCgroup", () => {
  it("reads every line of a hybrid-mode file", () => {
    assert.deepEqual(parseCgroup(fixture("hybrid-service.txt")), [
      { id: "9", controllers: ["name=systemd"], path: "/system.slice/demo-x.service" },
      { id: "8", controllers: ["pids"], path: "/" },
      { id: "7", controllers: ["blkio"], path: "/" },
      { id: "6", controllers: ["freezer"], path: "/" },
      { id: "5", controllers: ["devices"], path: "/" },
      { id: "4", controllers: ["memory"], path: "/" },
      { id: "3", controllers: ["cpuset"], path: "/" },
      { id: "2", controllers: ["cpuacct"], path: "/" },
      { id: "1", controllers: ["cpu"], path: "/" },
      { id: "0", controllers: [], path: "/system.slice/demo-x.service" },
    ]);
  });

  const cases: Array<{ name: string; text: string; want: CgroupLine[] }> = [
    { name: "reads nothing from empty text", text: "", want: [] },
    {
      name: "reads a pure cgroup v2 file",
      text: "0::/system.slice/ssh.service\n",
      want: [{ id: "0", controllers: [], path: "/system.slice/ssh.service" }],
    },
    {
      name: "splits a controller list on commas",
      text: "4:cpu,cpuacct:/a\n3:net_cls,net_prio:/b\n0::/c\n",
      want: [
        { id: "4", controllers: ["cpu", "cpuacct"], path: "/a" },
        { id: "3", controllers: ["net_cls", "net_prio"], path: "/b" },
        { id: "0", controllers: [], path: "/c" },
      ],
    },
    {
      name: "keeps ':' and spaces in a path",
      text: "0::/system.slice/a:b c.scope\n",
      want: [{ id: "0", controllers: [], path: "/system.slice/a:b c.scope" }],
    },
    {
      name: "reads a last line without a newline",
      text: "1:name=systemd:/x\n0::/y",
      want: [
        { id: "1", controllers: ["name=systemd"], path: "/x" },
        { id: "0", controllers: [], path: "/y" },
      ],
    },
    {
      name: "keeps the ' (deleted)' of a removed cgroup in the path",
      text: "0::/system.slice/demo-z.service (deleted)\n",
      want: [{ id: "0", controllers: [], path: "/system.slice/demo-z.service (deleted)" }],
    },
    // Text no kernel prints. On kernels that let a cgroup name hold '\n', whoever owned a delegated
    // subtree could make such lines (a user below user@UID.service, root in a container).
    {
      name: "refuses a cgroup v2 name that forges a second v2 line",
      text: "0::/user.slice/user-1000.slice/user@1000.service/app.slice/x\n0::/system.slice/ssh.service\n",
      want: [],
    },
    {
      name: "refuses a v1 name that forges a v2 line ahead of the real one",
      text: "9:name=systemd:/user.slice/user-1000.slice/user@1000.service/x\n0::/system.slice/ssh.service\n8:pids:/\n0::/user.slice/user-1000.slice/user@1000.service\n",
      want: [],
    },
    {
      name: "refuses a line after the v2 line",
      text: "0::/../x\n9:name=systemd:/system.slice/ssh.service\n",
      want: [],
    },
    {
      name: "refuses a controller listed twice",
      text: "2:name=systemd:/a\n1:name=systemd:/system.slice/ssh.service\n0::/\n",
      want: [],
    },
    { name: "refuses a line without two colons", text: "0::/a/x\nsystem.slice/ssh.service\n", want: [] },
    { name: "refuses a path that does not start with '/'", text: "0::system.slice/ssh.service\n", want: [] },
    { name: "refuses a hierarchy ID that is not a number", text: "x:cpu:/\n0::/\n", want: [] },
    { name: "refuses controllers on the v2 line", text: "0:cpu:/\n", want: [] },
    { name: "refuses an empty controller in a list", text: "3:cpu,:/\n0::/\n", want: [] },
    { name: "refuses an empty line", text: "1:cpu:/\n\n0::/\n", want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(parseCgroup(c.text), c.want));
  }

  it("reads back any lines the kernel can print", () => {
    const name = fc
      .array(
        fc.integer({ min: 1, max: 255 }).filter((b) => b !== 10 && b !== 47),
        { minLength: 1, maxLength: 12 },
      )
      .map((bytes) => String.fromCharCode(...bytes));
    const path = fc.array(name, { maxLength: 4 }).map((parts) => `/${parts.join("/")}`);
    const controller = fc.constantFrom(
      "cpu",
      "cpuacct",
      "memory",
      "pids",
      "name=systemd",
      "net_cls",
      "blkio",
    );
    const file = fc
      .record({
        v1: fc.uniqueArray(
          fc.record({ controllers: fc.uniqueArray(controller, { minLength: 1, maxLength: 2 }), path }),
          {
            maxLength: 4,
            selector: (l) => l.controllers[0],
          },
        ),
        v2: fc.option(path),
      })
      .filter(
        ({ v1 }) =>
          new Set(v1.flatMap((l) => l.controllers)).size === v1.flatMap((l) => l.controllers).length,
      );
    fc.assert(
      fc.property(file, ({ v1, v2 }) => {
        const want: CgroupLine[] = v1.map((l, i) => ({ id: String(v1.length - i), ...l }));
        if (v2 !== null) want.push({ id: "0", controllers: [], path: v2 });
        const text = want.map((l) => `${l.id}:${l.controllers.join(",")}:${l.path}\n`).join("");
        assert.deepEqual(parseCgroup(text), want);
      }),
    );
  });
});

describe("systemdCgroupPath", () => {
  const v2 = (path: string): CgroupLine => ({ id: "0", controllers: [], path });
  const v1 = (path: string, id = "9"): CgroupLine => ({ id, controllers: ["name=systemd"], path });
  const cpu: CgroupLine = { id: "1", controllers: ["cpu"], path: "/system.slice/other.service" };
  const cases: Array<{ name: string; lines: CgroupLine[]; want: string | null }> = [
    { name: "is null without lines", lines: [], want: null },
    { name: "is null with neither a v2 nor a name=systemd line", lines: [cpu], want: null },
    {
      name: "takes the v2 path over a root name=systemd",
      lines: [v1("/"), v2("/system.slice/a.service")],
      want: "/system.slice/a.service",
    },
    {
      name: "takes the v2 path when both name a unit",
      lines: [v1("/system.slice/b.service"), v2("/system.slice/a.service")],
      want: "/system.slice/a.service",
    },
    {
      name: "takes name=systemd over a root v2 path",
      lines: [v1("/system.slice/b.service"), v2("/")],
      want: "/system.slice/b.service",
    },
    {
      name: "takes name=systemd over a v2 path outside the namespace",
      lines: [v1("/system.slice/b.service"), v2("/..")],
      want: "/system.slice/b.service",
    },
    {
      name: "takes name=systemd over a v2 path further outside",
      lines: [v1("/system.slice/b.service"), v2("/../../x")],
      want: "/system.slice/b.service",
    },
    { name: "falls back to the v2 path when neither names a unit", lines: [v1("/.."), v2("/")], want: "/" },
    { name: "falls back to name=systemd without a v2 line", lines: [v1("/")], want: "/" },
    { name: "ignores other v1 controllers", lines: [cpu, v2("/")], want: "/" },
    {
      name: "drops the ' (deleted)' of a zombie",
      lines: [v2("/system.slice/a.service (deleted)")],
      want: "/system.slice/a.service",
    },
    {
      name: "is null with two v2 lines",
      lines: [v2("/system.slice/a.service"), v2("/system.slice/b.service")],
      want: null,
    },
    {
      name: "is null with two name=systemd lines",
      lines: [v1("/a", "9"), v1("/b", "8"), v2("/")],
      want: null,
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(systemdCgroupPath(c.lines), c.want));
  }
});
