import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCodeFile, matchPathRule } from "./rules.js";

describe("matchPathRule", () => {
  const cases: Array<[path: string, rule: string | null]> = [
    ["/memfd:pulseaudio", "memfd"],
    ["/memfd:doublemapper", "memfd"],
    // memfd names are the process's choice and may hold slashes (test/e2e security test).
    ["/memfd:/usr/lib/x86_64-linux-gnu/libc.so.6", "memfd"],
    ["/dev/zero", "dev-zero"],
    ["/SYSV0000162e", "sysv-shm"],
    ["/[aio]", "aio"],
    ["/anon_hugepage", "anon-hugepage"],
    ["/drm mm object", "drm"],
    ["/i915", "drm"],
    ["/dev/dri/renderD128", "drm"],
    ["/dev/shm/.org.chromium.Chromium.X", "dev-shm"],
    ["/tmp/jna-1234/jna567.tmp", "tmp"],
    ["/var/tmp/x.so", "tmp"],
    ["/run/user/1000/x", "run"],
    ["/var/run/x", "run"],
    ["/home/alice/ffiAb12Cd", "libffi"],
    ["/var/log/nginx/access.log", "var-log"],
    // Anchored: a library that merely contains a rule's text is not ignored.
    ["/usr/lib/libmemfd:x.so", null],
    ["/opt/tmp/libfoo.so", null],
    ["/usr/lib/x86_64-linux-gnu/libssl.so.3", null],
    ["/dev/zero2", null],
    ["/SYSV0000162e/x", null],
    ["/srv/run/lib.so", null],
    ["/home/alice/ffiAb12Cd.so", null],
    ["/tmpfoo/lib.so", null],
    ["/usr/lib/x86_64-linux-gnu/libfoo.so\n/tmp/x", null],
  ];
  for (const [path, rule] of cases) {
    it(`${JSON.stringify(path)} → ${rule ?? "no rule"}`, () => {
      assert.equal(matchPathRule(path, "mapping")?.name ?? null, rule);
    });
  }
});

describe("isCodeFile", () => {
  it("counts executable files, libraries and Java archives as code", () => {
    assert.equal(isCodeFile("/usr/sbin/foo-daemon", 0o100755), true);
    assert.equal(isCodeFile("/usr/lib/x/libfoo.so.1.2", 0o100644), true);
    assert.equal(isCodeFile("/usr/share/java/ant.jar", 0o100644), true);
    assert.equal(isCodeFile("/usr/lib/python3/dist-packages/x.cpython-311-x86_64-linux-gnu.so", null), true);
  });
  it("does not count data files", () => {
    assert.equal(isCodeFile("/usr/share/fonts/x.ttf", 0o100644), false);
    assert.equal(isCodeFile("/var/lib/db/data.sqlite", 0o100600), false);
    assert.equal(isCodeFile("/usr/lib/x/libfoo.so.txt", 0o100644), false);
    assert.equal(isCodeFile("/usr/share/x.sourcemap", null), false);
  });
});
