import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fixturePath } from "../../test/helpers/paths.js";
import { findApkOwners, parseApkPackages } from "./apk-db.js";

// A real Alpine 3.14 (armv7) database, trimmed (test/fixtures/apk-tree/README.md).
const DB = readFileSync(fixturePath("apk-tree", "lib", "apk", "db", "installed"), "latin1");

describe("parseApkPackages on a real installed database", () => {
  test("reads every record's name, version and arch", () => {
    assert.deepEqual(
      parseApkPackages(DB).map((p) => `${p.name} ${p.version} ${p.arch}`),
      [
        "musl 1.2.2-r3 armv7",
        "libcrypto1.1 1.1.1k-r0 armv7",
        "libssl1.1 1.1.1k-r0 armv7",
        "zlib 1.2.11-r3 armv7",
        "libc-utils 0.7.2-r3 armv7",
        "apk-tools 2.12.6-r0 armv7",
        "ssl_client 1.33.1-r3 armv7",
      ],
    );
  });
});

describe("findApkOwners on a real installed database", () => {
  const cases: [string, boolean, string[]][] = [
    ["/lib/libc.musl-armv7.so.1", false, ["musl"]],
    ["/lib/ld-musl-armhf.so.1", false, ["musl"]],
    ["/lib/libcrypto.so.1.1", false, ["libcrypto1.1"]],
    ["/usr/lib/libssl.so.1.1", false, ["libssl1.1"]],
    ["/usr/lib/engines-1.1/padlock.so", false, ["libcrypto1.1"]],
    ["/usr/lib/libz.so.1", false, []],
    ["/usr/lib/libz.so.1", true, ["zlib"]],
    ["/sbin/apk", false, ["apk-tools"]],
    ["/etc/ssl/openssl.cnf", false, ["libcrypto1.1"]],
    ["/etc/ssl", false, []],
    ["/usr/bin/python3", false, []],
  ];
  for (const [path, merged, owners] of cases) {
    test(`finds ${path}${merged ? " on a merged host" : ""} owned by [${owners.join(", ")}]`, () => {
      assert.deepEqual(findApkOwners(DB, [path], merged).owners.get(path), owners);
    });
  }

  test("names a package once when it lists both /usr-merge spellings of the path (libcrypto1.1 does)", () => {
    const found = findApkOwners(DB, ["/usr/lib/libcrypto.so.1.1"], true);
    assert.deepEqual(found.owners.get("/usr/lib/libcrypto.so.1.1"), ["libcrypto1.1"]);
    assert.deepEqual(found.packages.get("libcrypto1.1"), {
      name: "libcrypto1.1",
      version: "1.1.1k-r0",
      arch: "armv7",
    });
  });

  test("settles the owner at the record's end whatever the field order", () => {
    const text = "F:usr/bin\nR:tool\nP:late\nV:1-r0\n";
    assert.deepEqual(findApkOwners(text, ["/usr/bin/tool"], false).owners.get("/usr/bin/tool"), ["late"]);
  });
});
