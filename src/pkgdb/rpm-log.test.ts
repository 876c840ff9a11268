import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fixturePath } from "../../test/helpers/paths.js";
import { indexDnfRpmLog, indexZyppHistory, parseNevra } from "./rpm-log.js";

const read = (name: string): string => readFileSync(fixturePath("rpm-logs", name), "latin1");

describe("parseNevra", () => {
  test("splits name, epoch:version-release and arch", () => {
    assert.deepEqual(parseNevra("openssl-libs-1:3.0.7-25.el9.x86_64"), {
      name: "openssl-libs",
      evr: "1:3.0.7-25.el9",
      arch: "x86_64",
    });
    assert.equal(parseNevra("nodashes.x86_64"), null);
    assert.equal(parseNevra("a-1-2"), null);
  });
});

describe("indexDnfRpmLog", () => {
  const index = indexDnfRpmLog(read("dnf.rpm.log"));

  test("pairs each Upgrade with the Upgraded line of the same package", () => {
    assert.deepEqual(index.get("openssl-libs.x86_64"), {
      version: "1:3.0.7-25.el9",
      previousVersion: "1:3.0.7-24.el9",
      at: "2024-05-01T10:00:00+0000",
    });
    assert.deepEqual(index.get("flac.x86_64"), {
      version: "1.3.3-3.fc29",
      previousVersion: "1.3.3-2.fc29",
      at: "2024-05-01T10:00:01+0000",
    });
  });

  test("knows no previous version for installs and reinstalls, and forgets erased packages", () => {
    assert.equal(index.get("kernel-core.x86_64")?.previousVersion, null);
    assert.equal(index.get("bash.x86_64")?.previousVersion, null);
    assert.equal(index.has("vim-minimal.x86_64"), false);
  });
});

describe("indexZyppHistory", () => {
  const index = indexZyppHistory(read("zypp-history"));

  test("takes the previous version from the install before", () => {
    assert.deepEqual(index.get("openssl-3.x86_64"), {
      version: "3.1.4-9.1",
      previousVersion: "3.1.4-8.1",
      at: "2024-05-01 10:00:05",
    });
  });

  test("knows no previous version after a remove and reinstall", () => {
    assert.deepEqual(index.get("libopenssl3.x86_64"), {
      version: "3.1.4-9.1",
      previousVersion: null,
      at: "2024-05-01 10:00:08",
    });
  });

  test("ignores comments and command lines", () => {
    assert.deepEqual([...index.keys()].sort(), ["libopenssl3.x86_64", "openssl-3.x86_64"]);
  });
});
