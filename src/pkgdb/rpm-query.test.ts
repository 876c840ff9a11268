import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  isQueryablePath,
  ownersFromHeaders,
  parseRpmQuery,
  type RpmHeader,
  rpmTransactionTarget,
  unexpectedRpmErrors,
  usrMergedName,
} from "./rpm-query.js";

const record = (name: string, evr: string, arch: string, files: string[]): string =>
  `\x01${name}\x02${evr}\x02${arch}\x021714557600\x02${files.map((f) => `${f}\x03`).join("")}\x04`;

describe("parseRpmQuery", () => {
  test("reads each header once, with its files, and keeps rpm's messages apart", () => {
    const out = parseRpmQuery(
      record("alpha", "1:1.1-1", "noarch", ["/usr/lib64/libalpha.so.1", "/usr/share/a/with space.txt"]) +
        "file /usr/lib64 is not owned by any package\n" +
        record("alpha", "1:1.1-1", "noarch", ["/usr/lib64/libalpha.so.1", "/usr/share/a/with space.txt"]) +
        record("gpg-pubkey", "350d275d-6279464b", "(none)", []),
    );
    assert.equal(out.truncated, false);
    assert.equal(out.other, "file /usr/lib64 is not owned by any package\n");
    assert.deepEqual(out.headers, [
      {
        name: "alpha",
        evr: "1:1.1-1",
        arch: "noarch",
        installTime: 1714557600,
        files: ["/usr/lib64/libalpha.so.1", "/usr/share/a/with space.txt"],
      },
      { name: "gpg-pubkey", evr: "350d275d-6279464b", arch: null, installTime: 1714557600, files: [] },
    ]);
  });

  test("keeps file names with newlines whole", () => {
    const out = parseRpmQuery(record("n", "1-1", "x86_64", ["/usr/share/odd\nname"]));
    assert.deepEqual(out.headers[0]?.files, ["/usr/share/odd\nname"]);
  });

  test("says so when the output stops inside a record", () => {
    const full = record("a", "1-1", "x86_64", ["/a"]);
    const out = parseRpmQuery(full + full.slice(0, 10));
    assert.equal(out.truncated, true);
    assert.equal(out.headers.length, 1);
  });
});

describe("ownersFromHeaders", () => {
  const headers: RpmHeader[] = [
    {
      name: "alpha",
      evr: "1-1",
      arch: "noarch",
      installTime: null,
      files: ["/usr/share/shared/common.conf", "/usr/lib64/liba.so"],
    },
    { name: "beta", evr: "2-1", arch: "x86_64", installTime: null, files: ["/usr/share/shared/common.conf"] },
  ];

  test("names every header that lists a path, sorted", () => {
    const got = ownersFromHeaders(
      ["/usr/share/shared/common.conf", "/usr/lib64/liba.so"],
      headers,
      false,
      true,
    );
    assert.deepEqual(Object.fromEntries(got), {
      "/usr/share/shared/common.conf": ["alpha.noarch", "beta.x86_64"],
      "/usr/lib64/liba.so": ["alpha.noarch"],
    });
  });

  test("decides an unlisted path as owned by nothing only when the query was complete", () => {
    assert.deepEqual(ownersFromHeaders(["/nothing"], headers, false, true).get("/nothing"), []);
    assert.equal(ownersFromHeaders(["/nothing"], headers, false, false).has("/nothing"), false);
  });

  test("matches the /lib64 spelling of a /usr/lib64 file on a merged host only", () => {
    assert.deepEqual(ownersFromHeaders(["/lib64/liba.so"], headers, true, true).get("/lib64/liba.so"), [
      "alpha.noarch",
    ]);
    assert.deepEqual(ownersFromHeaders(["/lib64/liba.so"], headers, false, true).get("/lib64/liba.so"), []);
    assert.equal(usrMergedName("/usr/libexec/x", true), "/usr/libexec/x");
    assert.equal(usrMergedName("/usr/sbin/x", true), "/sbin/x");
  });
});

describe("rpmTransactionTarget", () => {
  test("maps rpm's in-transaction name back to the real path", () => {
    assert.equal(rpmTransactionTarget("/usr/lib64/libfoo.so.1;6543abcd"), "/usr/lib64/libfoo.so.1");
    assert.equal(rpmTransactionTarget("/usr/share/a b;0000ffff"), "/usr/share/a b");
  });

  test("leaves every other name alone", () => {
    for (const p of [
      "/usr/lib64/libfoo.so.1",
      "/x;6543abc",
      "/x;6543abcde",
      "/x;6543ABCD",
      ";6543abcd",
      "/;6543abcd",
    ]) {
      assert.equal(rpmTransactionTarget(p), null, p);
    }
  });
});

describe("isQueryablePath", () => {
  test("refuses relative paths and paths holding the record separators", () => {
    assert.equal(isQueryablePath("/usr/bin/a b\nc"), true);
    assert.equal(isQueryablePath("usr/bin/x"), false);
    assert.equal(isQueryablePath("/tmp/\x01forged\x04"), false);
  });
});

describe("unexpectedRpmErrors", () => {
  test("accepts per-path errors and Debian's wrapper notes, reports the rest", () => {
    const stderr =
      "rpm: RPM should not be used directly install RPM packages, use Alien instead!\n" +
      "error: file /nothere: No such file or directory\n" +
      "error: file /odd\nname: No such file or directory\n";
    assert.deepEqual(unexpectedRpmErrors(stderr, ["/nothere", "/odd\nname"]), []);
    assert.deepEqual(unexpectedRpmErrors("error: cannot open Packages database in /var/lib/rpm\n", []), [
      "error: cannot open Packages database in /var/lib/rpm",
    ]);
  });
});
