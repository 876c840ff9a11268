import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fixturePath } from "../../test/helpers/paths.js";
import type { Snapshot } from "../model/snapshot.js";
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
    const hit = report.ignored.find((h) => h.pid === 1018);
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
