import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fixturePath } from "../../test/helpers/paths.js";
import type { FileMapping } from "../model/snapshot.js";
import { DELETED_SUFFIX, endsAtGate, parseMaps } from "./maps.js";

const fixture = (name: string): string => readFileSync(fixturePath("procfs", name), "latin1");

const file = (path: string, dev: string, inode: string, exec: boolean, deleted = false): FileMapping => ({
  path,
  deleted,
  dev,
  inode,
  exec,
});

describe("parseMaps on maps captured from real processes", () => {
  const LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6";
  const cases: Array<{ name: string; fixture: string; want: FileMapping[] }> = [
    {
      name: "a program with a deleted library, shared anonymous memory, a memfd, SysV shm and a library in a directory named with spaces and a newline",
      fixture: "maps-hostile-paths.txt",
      want: [
        file("/tmp/h1cap/prog", "fe:00", "2146639", true),
        file("/tmp/h1cap/libdeleted.so", "fe:00", "2146635", true, true),
        file(LIBC, "fe:00", "339380", true),
        file("/SYSV00000000", "00:01", "0", false, true),
        file("/memfd:x", "00:01", "1025", false, true),
        file("/dev/zero", "00:01", "1024", false, true),
        file("/tmp/h1cap/dir with spaces\nand newline/libprobe.so", "fe:00", "2146634", true),
        file("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "fe:00", "338944", true),
      ],
    },
    {
      name: "a library on a lazily unmounted file system, shown relative to the detached mount",
      fixture: "maps-detached-mount.txt",
      want: [
        file("/tmp/h1cap/prog", "fe:00", "2146639", true),
        file("/tmp/h1cap/libdeleted.so", "fe:00", "2147118", true, true),
        file(LIBC, "fe:00", "339380", true),
        file("/SYSV00000000", "00:01", "7", false, true),
        file("/memfd:x", "00:01", "1642", false, true),
        file("/dev/zero", "00:01", "1641", false, true),
        file("/sub/libprobe.so", "00:27", "3", true),
        file("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "fe:00", "338944", true),
      ],
    },
  ];
  for (const c of cases) {
    it(`reads ${c.name}`, () => {
      assert.deepEqual(parseMaps(fixture(c.fixture)), c.want);
    });
  }

  const xino: Array<{ fixture: string; count: number; some: FileMapping[] }> = [
    {
      fixture: "maps-systemd-pid1-xino.txt",
      count: 26,
      some: [
        file("/usr/lib/systemd/systemd", "00:29", "9223372036855114148", true),
        file(LIBC, "00:29", "9223372036855115188", true),
        file(
          "/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so",
          "00:29",
          "9223372036855117319",
          true,
        ),
      ],
    },
    {
      fixture: "maps-journald-xino.txt",
      count: 26,
      some: [
        file("/usr/lib/x86_64-linux-gnu/libcap-ng.so.0.0.0", "00:29", "9223372036855115197", true),
        // Written after boot, so in the overlay's upper layer (fsid 0): no xino bits, same device.
        file("/var/log/journal/3d1219c7c4c5404aaa1f6d2a48adfda4/system.journal", "00:29", "33", false),
        file("/run/systemd/journal/kernel-seqnum", "00:32", "46", false),
      ],
    },
  ];
  for (const c of xino) {
    it(`keeps overlayfs xino inodes above 2^63 as exact decimals in ${c.fixture}`, () => {
      const got = parseMaps(fixture(c.fixture));
      assert.equal(got.length, c.count);
      for (const want of c.some)
        assert.deepEqual(
          got.find((m) => m.path === want.path),
          want,
        );
      // Every file of the lower layer (the host's /usr) carries the lower layer's fsid in bit 63.
      const lower = got.filter((m) => m.path.startsWith("/usr/"));
      assert.ok(lower.length > 0);
      for (const m of lower) assert.ok(BigInt(m.inode) >= 2n ** 63n, `${m.path} ${m.inode}`);
    });
  }
});

describe("parseMaps on single lines", () => {
  const pad = (prefix: string): string => prefix.padEnd(72, " ");
  const cases: Array<{ name: string; text: string; want: FileMapping[] }> = [
    { name: "empty text yields nothing", text: "", want: [] },
    {
      name: "an anonymous mapping (trailing space, no path) yields nothing",
      text: "7f774bb14000-7f774bb17000 rw-p 00000000 00:00 0 \n",
      want: [],
    },
    {
      name: "pseudo mappings like [heap] and [vdso] yield nothing",
      text: `${pad("5625734ff000-562573520000 rw-p 00000000 00:00 0 ")} [heap]\n${pad("7f774bd0a000-7f774bd0c000 r-xp 00000000 00:00 0 ")} [vdso]\n`,
      want: [],
    },
    {
      name: "a last line without a newline is read",
      text: `${pad("7f77-7f78 r-xp 00001000 fe:00 5 ")} /lib/x.so`,
      want: [file("/lib/x.so", "fe:00", "5", true)],
    },
    {
      name: "a truncated line yields nothing",
      text: "7f77-7f78 r-xp 00001000\n",
      want: [],
    },
    {
      name: "mappings of one file merge, executable if any mapping is",
      text: `${pad("1000-2000 r--p 00000000 fe:00 5 ")} /lib/x.so\n${pad("2000-3000 r-xp 00001000 fe:00 5 ")} /lib/x.so\n${pad("3000-4000 rw-p 00002000 fe:00 5 ")} /lib/x.so\n`,
      want: [file("/lib/x.so", "fe:00", "5", true)],
    },
    {
      // Inode numbers are unique per file system only: same path and inode on two devices are
      // two files (e.g. a file system mounted over the directory after the first was loaded).
      name: "the same path and inode on two devices stay two files",
      text: `${pad("1000-2000 r--p 00000000 fe:00 5 ")} /opt/a/x.so\n${pad("2000-3000 r-xp 00001000 00:27 5 ")} /opt/a/x.so\n`,
      want: [file("/opt/a/x.so", "fe:00", "5", false), file("/opt/a/x.so", "00:27", "5", true)],
    },
    {
      // Two names of one inode (a hard link re-made after the first was unlinked) are two entries.
      name: "a live and a deleted name of the same inode stay two entries",
      text: `${pad("1000-2000 r-xp 00000000 fe:00 5 ")} /lib/x.so\n${pad("2000-3000 r--p 00001000 fe:00 5 ")} /lib/x.so (deleted)\n`,
      want: [file("/lib/x.so", "fe:00", "5", true), file("/lib/x.so", "fe:00", "5", false, true)],
    },
    {
      // The kernel escapes only "\n", so a name holding a literal backslash-012 reads back as a
      // newline: a kernel limitation, documented in maps.ts.
      name: "a literal \\012 in a name is read as a newline",
      text: `${pad("1000-2000 r--p 00000000 fe:00 5 ")} /tmp/a\\012b\n`,
      want: [file("/tmp/a\nb", "fe:00", "5", false)],
    },
    {
      name: "other backslashes are kept as they are",
      text: `${pad("1000-2000 r--p 00000000 fe:00 5 ")} /tmp/a\\b\\\\012c\n`,
      want: [file("/tmp/a\\b\\\nc", "fe:00", "5", false)],
    },
    {
      name: "a line longer than the padding column has its path after two spaces",
      text: "ffffffffffff0000-ffffffffffff1000 r-xp ffffffffffff0000 fff:fffff 18446744073709551615  /x\n",
      want: [file("/x", "fff:fffff", "18446744073709551615", true)],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(parseMaps(c.text), c.want);
    });
  }
});

/** One maps line as fs/proc/task_mmu.c writes it: show_vma_header_prefix, seq_pad, seq_file_path. */
function renderLine(l: Line): string {
  const hex = (n: bigint, width: number) => n.toString(16).padStart(width, "0");
  let line =
    `${hex(l.start, 8)}-${hex(l.end, 8)} ${l.perms} ${hex(l.offset, 8)} ` +
    `${hex(l.major, 2)}:${hex(l.minor, 2)} ${l.inode} `;
  if (l.path === null) return line;
  // seq_setwidth(m, 25 + sizeof(void *) * 6 - 1) then seq_pad(m, ' '): pad to 72, then one space.
  line = `${line.padEnd(72, " ")} ${l.path.replaceAll("\n", "\\012")}`;
  return l.deleted ? line + DELETED_SUFFIX : line;
}

interface Line {
  start: bigint;
  end: bigint;
  perms: string;
  offset: bigint;
  major: bigint;
  minor: bigint;
  inode: bigint;
  path: string | null;
  deleted: boolean;
}

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
/** Any bytes but NUL, as latin1 chars; never a literal "\012", which the kernel cannot tell apart. */
const pathArb = fc
  .array(fc.integer({ min: 1, max: 255 }), { minLength: 0, maxLength: 60 })
  .map((bytes) => `/${String.fromCharCode(...bytes)}`)
  .filter((p) => !p.includes("\\012"));
const lineArb = (paths: fc.Arbitrary<string | null>): fc.Arbitrary<Line> =>
  fc
    .record({
      start: u64,
      end: u64,
      perms: fc
        .tuple(
          fc.constantFrom("r", "-"),
          fc.constantFrom("w", "-"),
          fc.constantFrom("x", "-"),
          fc.constantFrom("p", "s"),
        )
        .map((t) => t.join("")),
      offset: u64,
      major: fc.bigInt({ min: 0n, max: 0xfffn }),
      minor: fc.bigInt({ min: 0n, max: 0xfffffn }),
      inode: u64,
      path: paths,
      deleted: fc.boolean(),
    })
    // A live file whose name ends in " (deleted)" looks exactly like a deleted one.
    .filter((l) => l.deleted || l.path === null || !l.path.endsWith(DELETED_SUFFIX));

describe("parseMaps properties", () => {
  it("reads back path, deleted, dev, inode and exec of any line the kernel can print", () => {
    fc.assert(
      fc.property(lineArb(pathArb), (l) => {
        const got = parseMaps(`${renderLine(l)}\n`);
        assert.deepEqual(got, [
          {
            path: l.path,
            deleted: l.deleted,
            dev: `${l.major.toString(16).padStart(2, "0")}:${l.minor.toString(16).padStart(2, "0")}`,
            inode: l.inode.toString(),
            exec: l.perms[2] === "x",
          },
        ]);
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps inodes above 2^63 as exact decimal strings", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 2n ** 63n, max: 2n ** 64n - 1n }), pathArb, (inode, path) => {
        const line = renderLine({
          start: 0x7f0000000000n,
          end: 0x7f0000001000n,
          perms: "r-xp",
          offset: 0n,
          major: 0n,
          minor: 0x29n,
          inode,
          path,
          deleted: false,
        });
        const [got] = parseMaps(line);
        assert.equal(got?.inode, inode.toString());
        assert.equal(BigInt(got.inode), inode);
      }),
    );
  });

  it("yields one entry per distinct path, deleted mark, device and inode, in first-seen order, exec if any of its lines is", () => {
    // A few paths and inodes so that lines often name the same file.
    const fewPaths = fc.constantFrom("/lib/a.so", "/lib/b c.so", "/x\ny", "/memfd:x");
    const line = fc.oneof(
      lineArb(fewPaths).map((l) => ({ ...l, inode: l.inode % 3n, major: l.major % 2n, minor: 0n })),
      lineArb(fc.constant(null)),
      lineArb(fc.constantFrom("[heap]", "[vdso]", "[anon:x]")),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        const text = lines.map((l) => `${renderLine(l)}\n`).join("");
        const want = new Map<string, FileMapping>();
        for (const l of lines) {
          if (l.path === null || !l.path.startsWith("/")) continue;
          const dev = `0${l.major.toString(16)}:00`;
          const key = JSON.stringify([dev, l.inode.toString(), l.path, l.deleted]);
          const prev = want.get(key);
          const exec = l.perms[2] === "x";
          if (prev === undefined) {
            want.set(key, { path: l.path, deleted: l.deleted, dev, inode: l.inode.toString(), exec });
          } else if (exec) {
            prev.exec = true;
          }
        }
        assert.deepEqual(parseMaps(text), [...want.values()]);
      }),
    );
  });
});

describe("endsAtGate: whether maps text read so far is all of it", () => {
  const bytes = (s: string) => Buffer.from(s, "latin1");
  const at = (s: string) => endsAtGate(bytes(s), s.length);
  const whole = fixture("maps-hostile-paths.txt");
  const gate = "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";

  it("is true for a whole maps file of a 64-bit x86 process (the vsyscall page comes last)", () => {
    for (const name of ["maps-hostile-paths.txt", "maps-journald-xino.txt", "maps-systemd-pid1-xino.txt"]) {
      assert.equal(at(fixture(name)), true, name);
    }
    // as an older kernel prints it (vsyscall=emulate)
    assert.equal(at(gate.replace("--xp", "r-xp")), true);
  });

  it("is false for any shorter prefix, however it is cut", () => {
    const cuts = [...whole.matchAll(/\n/g)].map((m) => m.index! + 1).filter((i) => i < whole.length);
    for (const cut of [...cuts, whole.length - 1, whole.length - 5, 100]) {
      assert.equal(at(whole.slice(0, cut)), false, `cut at ${cut}`);
    }
  });

  it("is false for a file whose name only ends like the vsyscall line, and for a map without one", () => {
    const hostile = `${whole.slice(0, whole.length - gate.length)}7f0000000000-7f0000001000 r-xp 00000000 fe:00 12 /tmp/x [vsyscall]\n`;
    assert.equal(at(hostile), false);
    assert.equal(
      at(
        `${whole.slice(0, whole.length - gate.length)}${gate.replace("ffffffffff600000", "fffffffffe600000")}`,
      ),
      false,
    );
    assert.equal(at(""), false);
    assert.equal(at(gate.trimEnd()), false);
  });

  it("looks only at the bytes read so far, not at the rest of the buffer", () => {
    const buf = bytes(`${gate}7f0000000000-7f0000001000 r-xp 00000000 fe:00 12 /lib/x.so\n`);
    assert.equal(endsAtGate(buf, gate.length), true);
    assert.equal(endsAtGate(buf, buf.length), false);
  });
});
