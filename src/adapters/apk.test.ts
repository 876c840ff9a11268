import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fixturePath } from "../../test/helpers/paths.js";
import { spyHost } from "../../test/helpers/spy-host.js";
import { type Host, realHost } from "../collect/host.js";
import { apk } from "./apk.js";
import { detectPackageManager } from "./packages.js";

// A real Alpine 3.14 (armv7) /lib/apk/db/installed, trimmed (test/fixtures/apk-tree/README.md).
const TREE = fixturePath("apk-tree");

describe("apk.lookup on a root holding a real Alpine database", () => {
  test("detects apk there", () => {
    assert.equal(apk.detect(realHost(TREE)), true);
    assert.equal(detectPackageManager(realHost(TREE))?.name, "apk");
  });

  test("names owners and installed versions; no log, so nothing of the past", () => {
    const { index, warnings } = apk.lookup(
      realHost(TREE),
      [
        "/lib/libc.musl-armv7.so.1",
        "/lib/libssl.so.1.1",
        "/sbin/apk",
        "/usr/bin/ssl_client",
        "/usr/bin/none",
      ],
      false,
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual(index, {
      manager: "apk",
      owners: {
        "/lib/libc.musl-armv7.so.1": ["musl"],
        "/lib/libssl.so.1.1": ["libssl1.1"],
        "/sbin/apk": ["apk-tools"],
        "/usr/bin/ssl_client": ["ssl_client"],
        "/usr/bin/none": [],
      },
      packages: {
        "apk-tools": {
          name: "apk-tools",
          arch: "armv7",
          version: "2.12.6-r0",
          previousVersion: null,
          upgradedAt: null,
        },
        "libssl1.1": {
          name: "libssl1.1",
          arch: "armv7",
          version: "1.1.1k-r0",
          previousVersion: null,
          upgradedAt: null,
        },
        musl: { name: "musl", arch: "armv7", version: "1.2.2-r3", previousVersion: null, upgradedAt: null },
        ssl_client: {
          name: "ssl_client",
          arch: "armv7",
          version: "1.33.1-r3",
          previousVersion: null,
          upgradedAt: null,
        },
      },
    });
  });

  test("reads the database once, and not at all with nothing to look up", () => {
    const { host, reads } = spyHost(TREE);
    apk.lookup(host, [], false);
    assert.deepEqual(reads, []);
    apk.lookup(host, ["/lib/libz.so.1", "/sbin/apk", "/usr/lib/libz.so.1"], true);
    assert.deepEqual(reads, ["/lib/apk/db/installed"]);
  });

  test("warns when the database cannot be read", () => {
    const base = realHost(TREE);
    const host: Host = {
      ...base,
      readText: () => {
        throw Object.assign(new Error("EACCES"), { code: "EACCES" });
      },
    };
    const { index, warnings } = apk.lookup(host, ["/sbin/apk"], false);
    assert.deepEqual(index.owners, {});
    assert.deepEqual(warnings, [
      { code: "pkgdb", message: "cannot read the apk database: /lib/apk/db/installed: EACCES" },
    ]);
  });
});
