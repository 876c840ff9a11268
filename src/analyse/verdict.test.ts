import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { PathStat } from "../model/snapshot.js";
import { isXinoOf, judge } from "./verdict.js";

const LIB = "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13";

describe("judge", () => {
  const cases: Array<{
    name: string;
    path: string;
    deleted: boolean;
    dev: string | null;
    inode: string;
    stats: Record<string, PathStat> | undefined;
    want: string;
  }> = [
    {
      name: "a file the kernel marks deleted is deleted",
      path: LIB,
      deleted: true,
      dev: "fe:01",
      inode: "1234",
      stats: { [`${LIB} (deleted)`]: { error: "ENOENT" } },
      want: "deleted",
    },
    {
      name: "a live file literally named '… (deleted)' holding the mapped inode is live",
      path: "/opt/x/libfoo.so",
      deleted: true,
      dev: "fe:01",
      inode: "77",
      stats: { "/opt/x/libfoo.so (deleted)": { dev: "fe:01", ino: "77", mode: 0o100755 } },
      want: "live",
    },
    {
      name: "a file named '… (deleted)' that holds another inode does not hide a deleted mapping",
      path: "/opt/x/libfoo.so",
      deleted: true,
      dev: "fe:01",
      inode: "77",
      stats: { "/opt/x/libfoo.so (deleted)": { dev: "fe:01", ino: "78", mode: 0o100755 } },
      want: "deleted",
    },
    {
      name: "the same inode at the path is live",
      path: LIB,
      deleted: false,
      dev: "fe:01",
      inode: "1234",
      stats: { [LIB]: { dev: "fe:01", ino: "1234", mode: 0o100644 } },
      want: "live",
    },
    {
      name: "another inode at the path is replaced",
      path: LIB,
      deleted: false,
      dev: "fe:01",
      inode: "1234",
      stats: { [LIB]: { dev: "fe:01", ino: "999", mode: 0o100644 } },
      want: "replaced",
    },
    {
      name: "a device mismatch with the same inode is live (btrfs subvolumes, overlayfs)",
      path: LIB,
      deleted: false,
      dev: "00:2d",
      inode: "1234",
      stats: { [LIB]: { dev: "00:31", ino: "1234", mode: 0o100644 } },
      want: "live",
    },
    {
      // Reported from an OpenVZ simfs container (needrestart issue #28): stat() gives the real inode
      // on an anonymous device, maps the real device.
      name: "OpenVZ simfs: maps fd:03, stat() 00:f3, same inode, is live",
      path: "/bin/bash",
      deleted: false,
      dev: "fd:03",
      inode: "20461424",
      stats: { "/bin/bash": { dev: "00:f3", ino: "20461424", mode: 0o100755 } },
      want: "live",
    },
    {
      name: "overlayfs xino: the layer's fsid in the top bits of st_ino is the same file",
      path: LIB,
      deleted: false,
      dev: "fe:01",
      inode: "1234",
      stats: { [LIB]: { dev: "00:2f", ino: String((1n << 63n) | 1234n), mode: 0o100644 } },
      want: "live",
    },
    {
      name: "xino-like bits on the same device are a real replacement",
      path: LIB,
      deleted: false,
      dev: "fe:01",
      inode: "1234",
      stats: { [LIB]: { dev: "fe:01", ino: String((1n << 63n) | 1234n), mode: 0o100644 } },
      want: "replaced",
    },
    {
      name: "inodes above 2^63 compare exactly",
      path: LIB,
      deleted: false,
      dev: "00:2f",
      inode: "18446744073709551615",
      stats: { [LIB]: { dev: "00:2f", ino: "18446744073709551614", mode: 0o100644 } },
      want: "replaced",
    },
    {
      name: "a path that cannot be resolved from here is unknown, not stale",
      path: LIB,
      deleted: false,
      dev: "fe:01",
      inode: "1234",
      stats: { [LIB]: { error: "ENOENT" } },
      want: "unknown",
    },
    {
      name: "a path never looked at is unknown",
      path: LIB,
      deleted: false,
      dev: "fe:01",
      inode: "1234",
      stats: undefined,
      want: "unknown",
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(judge(c.path, c.deleted, c.dev, c.inode, c.stats), c.want));
  }
});

describe("isXinoOf", () => {
  it("accepts only high bits added to the real inode", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: (1n << 32n) - 1n }),
        fc.integer({ min: 32, max: 63 }),
        (real, bit) => {
          assert.equal(isXinoOf(String(real | (1n << BigInt(bit))), String(real)), true);
        },
      ),
    );
  });
  it("rejects any change in the low 32 bits", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (a, b) => {
          fc.pre(((a ^ b) & 0xffffffffn) !== 0n);
          assert.equal(isXinoOf(String(a), String(b)), false);
        },
      ),
    );
  });
  it("rejects equal inodes and garbage", () => {
    assert.equal(isXinoOf("5", "5"), false);
    assert.equal(isXinoOf("x", "5"), false);
  });
});
