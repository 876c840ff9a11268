import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { repoRoot } from "../../test/helpers/paths.js";
import { endsAtGate } from "../procfs/maps.js";
import { formatDev, type Host, oneRecord, type ReadEnd, readingOnce, realHost } from "./host.js";

const dir = mkdtempSync(join(repoRoot, "build", "host-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("realHost", () => {
  const host = realHost("/");

  it("reads files larger than its shared buffer whole, by every method, one after another", () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 123, "a");
    big.write("END", big.length - 3, "latin1");
    const small = Buffer.from("small file\n");
    writeFileSync(join(dir, "big"), big);
    writeFileSync(join(dir, "small"), small);
    // The big read grows the buffer, the next one shrinks it back: each view must be its own file.
    assert.ok(host.readTransient(join(dir, "big")).equals(big));
    assert.ok(host.readTransient(join(dir, "small")).equals(small));
    assert.ok(host.readTransient(join(dir, "big")).equals(big));
    assert.equal(host.readText(join(dir, "big")), big.toString("latin1"));
    assert.equal(host.readText(join(dir, "small")), "small file\n");
  });

  it("reads /proc files longer than a page to the end (the kernel returns a page per read)", () => {
    const maps = readFileSync("/proc/self/maps", "latin1");
    const mine = host.readText(`/proc/${process.pid}/maps`);
    // Both are of this process; allocations in between may add lines, so compare the stable prefix.
    assert.ok(mine.length > 4096, `maps is only ${mine.length} bytes`);
    assert.equal(mine.split("\n")[0], maps.split("\n")[0]);
    assert.ok(mine.endsWith("\n"));
  });

  it("stops at what `end` says is the whole file, and reads on to the end without it", () => {
    const calls: Array<[number, number, number]> = [];
    const spy = (_buf: Buffer, len: number, got: number, asked: number) => {
      calls.push([len, got, asked]);
      return false;
    };
    assert.equal(host.readText(join(dir, "small"), spy), "small file\n");
    assert.deepEqual(calls, [[11, 11, 256 * 1024]]);
    // One record: a read that filled all it was given may have more behind it; a short one is the end.
    const none = Buffer.alloc(0);
    assert.equal(oneRecord(none, 4096, 4096, 4096), false);
    assert.equal(oneRecord(none, 300, 300, 4096), true);
    // A /proc file printed as one record comes whole from one read, with or without the last read().
    const stat = host.readText(`/proc/${process.pid}/stat`, oneRecord);
    assert.match(stat, /^[0-9]+ \(node\) [A-Z] /);
    assert.ok(stat.endsWith("\n"));
    assert.equal(stat.split(" ")[0], host.readText(`/proc/${process.pid}/stat`).split(" ")[0]);
    // A maps file ends at the vsyscall line where there is one.
    const maps = host.readText(`/proc/${process.pid}/maps`, endsAtGate);
    assert.equal(maps.split("\n")[0], host.readText(`/proc/${process.pid}/maps`).split("\n")[0]);
    assert.ok(maps.endsWith("\n"));
  });

  it("reads later on the thread pool: the whole file, growing its buffer, or the error", async () => {
    const later = (path: string, end?: ReadEnd) =>
      new Promise<[string | null, string]>((resolve, reject) => {
        const code = host.readTextLater!(path, (c, text) => resolve([c, text]), end);
        if (code !== null) reject(new Error(code));
      });
    const big = Buffer.alloc(300 * 1024 + 7, "b").toString("latin1");
    writeFileSync(join(dir, "later"), big, "latin1");
    assert.deepEqual(await later(join(dir, "later")), [null, big]);
    assert.deepEqual(await later(join(dir, "small")), [null, "small file\n"]);
    const stat = await later(`/proc/${process.pid}/stat`, oneRecord);
    assert.match(stat[1], /^[0-9]+ \(node\) /);
    // A file that cannot be opened is answered at once, and the callback never runs.
    let called = false;
    assert.equal(
      host.readTextLater!(join(dir, "missing"), () => (called = true)),
      "ENOENT",
    );
    assert.equal((await later(dir).catch((e: Error) => [e.message, ""]))[0], "EISDIR");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(called, false);
  });

  it("keeps bytes that are not UTF-8 in paths, both ways", () => {
    const name = Buffer.from([0x66, 0xff, 0x0a, 0x67]).toString("latin1"); // "f\xff\ng"
    writeFileSync(Buffer.from(join(dir, name), "latin1"), "x");
    symlinkSync(Buffer.from(join(dir, name), "latin1"), join(dir, "link"));
    assert.equal(host.readlink(join(dir, "link")), join(dir, name));
    assert.equal(host.readText(join(dir, name)), "x");
    assert.ok(host.readdir(dir).includes(name));
  });

  it("says null for a path that does not exist, and the inode as an exact decimal string", () => {
    assert.equal(host.stat(join(dir, "missing")), null);
    const st = host.stat(join(dir, "small"));
    assert.match(st!.ino, /^[0-9]+$/);
    assert.equal(st!.ino, statSync(join(dir, "small"), { bigint: true }).ino.toString());
  });

  it("reads below another root", () => {
    writeFileSync(join(dir, "rooted"), "under root");
    assert.equal(realHost(dir).readText("/rooted"), "under root");
  });
});

describe("formatDev", () => {
  it("prints major:minor the way /proc/PID/maps does", () => {
    assert.equal(formatDev((8n << 8n) | 1n), "08:01");
    assert.equal(formatDev((259n << 8n) | 2n), "103:02");
    // minor above 255 goes into the high bits (new_encode_dev)
    assert.equal(formatDev((0x12345n & 0xffn) | (8n << 8n) | ((0x12345n & ~0xffn) << 12n)), "08:12345");
  });
});

describe("readingOnce", () => {
  // A host that counts its reads, a class (methods on the prototype), whose text changes per read.
  class Counting {
    reads = 0;
    readText(path: string, _end?: ReadEnd): string {
      this.reads++;
      if (path === "/missing") throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
      return `${path} #${this.reads}`;
    }
    readlink(path: string): string {
      return `-> ${path}`;
    }
  }

  it("reads a whole file once and answers the same text after", () => {
    const inner = new Counting();
    const once = readingOnce(inner as unknown as Host);
    assert.equal(once.readText("/a"), "/a #1");
    assert.equal(once.readText("/a"), "/a #1");
    assert.equal(once.readText("/b"), "/b #2");
    assert.equal(inner.reads, 2);
  });

  it("keeps neither a read with an end rule nor a failed read", () => {
    const inner = new Counting();
    const once = readingOnce(inner as unknown as Host);
    assert.equal(once.readText("/a", oneRecord), "/a #1");
    assert.equal(once.readText("/a", oneRecord), "/a #2");
    assert.throws(() => once.readText("/missing"), /ENOENT/);
    assert.throws(() => once.readText("/missing"), /ENOENT/);
    assert.equal(inner.reads, 4);
  });

  it("passes every other call to the host, as its own", () => {
    const once = readingOnce(new Counting() as unknown as Host);
    assert.equal(once.readlink("/x"), "-> /x");
  });
});
