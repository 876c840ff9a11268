import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fixturePath } from "../../test/helpers/paths.js";
import { intelMatches, parseIntelMicrocode } from "./ucode-intel.js";

/** A valid update: header, `data` dwords, optional extended table; checksums made to add up. */
function intelUpdate(opts: {
  rev: number;
  sig: number;
  pf: number;
  date?: number;
  data?: number;
  ext?: [number, number][];
}): Buffer {
  const dataDwords = opts.data ?? 4;
  const ext = opts.ext ?? [];
  const extSize = ext.length === 0 ? 0 : 20 + 12 * ext.length;
  const total = 48 + dataDwords * 4 + extSize;
  const b = Buffer.alloc(total);
  const w = (off: number, v: number): void => void b.writeUInt32LE(v >>> 0, off);
  w(0, 1);
  w(4, opts.rev);
  w(8, opts.date ?? 0x03242020);
  w(12, opts.sig);
  w(20, 1);
  w(24, opts.pf);
  w(28, dataDwords * 4);
  w(32, total);
  for (let i = 0; i < dataDwords; i++) w(48 + i * 4, 0x1000 * (i + 1));
  w(16, (0x100000000 - sum(b, 0, 48 + dataDwords * 4)) >>> 0);
  if (ext.length > 0) {
    const e = 48 + dataDwords * 4;
    w(e, ext.length);
    ext.forEach(([s, p], i) => {
      w(e + 20 + i * 12, s);
      w(e + 24 + i * 12, p);
    });
    w(e + 4, (0x100000000 - sum(b, e, extSize)) >>> 0);
  }
  return b;
}

function sum(b: Buffer, off: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i += 4) s = (s + b.readUInt32LE(off + i)) >>> 0;
  return s;
}

describe("parseIntelMicrocode", () => {
  it("reads both updates of Debian's 0f-04-0a as iucode_tool lists them", () => {
    const f = parseIntelMicrocode(readFileSync(fixturePath("microcode", "intel-0f-04-0a")));
    assert.equal(f.error, null);
    assert.deepEqual(
      f.updates.map((u) => [u.signature, u.platformFlags, u.date, u.revision, u.totalSize, u.checksumOk]),
      [
        [0xf4a, 0x5d, "2005-06-10", 0x2, 2048, true],
        [0xf4a, 0x5c, "2005-12-14", 0x4, 2048, true],
      ],
    );
  });

  it("reads the extended signature table", () => {
    const u = parseIntelMicrocode(intelUpdate({ rev: 0x2c, sig: 0x806f8, pf: 0x87, ext: [[0x806f4, 0x10]] }))
      .updates[0]!;
    assert.equal(u.checksumOk, true);
    assert.deepEqual(u.extended, [{ signature: 0x806f4, platformFlags: 0x10 }]);
    assert.equal(intelMatches(u, 0x806f4, 0x10), true);
    assert.equal(intelMatches(u, 0x806f4, 0x01), false);
    assert.equal(intelMatches(u, 0x806f4, null), true);
  });

  it("marks an update whose checksum does not add up", () => {
    const b = intelUpdate({ rev: 1, sig: 0x50654, pf: 0xb7 });
    b[60] = (b[60]! + 1) & 0xff;
    assert.equal(parseIntelMicrocode(b).updates[0]!.checksumOk, false);
  });

  const matches: [string, number | null, boolean][] = [
    ["the platform is unknown", null, true],
    ["the platforms intersect", 0x04, true],
    ["the platforms do not intersect", 0x02, false],
  ];
  for (const [what, pf, want] of matches) {
    it(`matches a signature when ${what}`, () => {
      const u = parseIntelMicrocode(intelUpdate({ rev: 1, sig: 0x50654, pf: 0x05 })).updates[0]!;
      assert.equal(intelMatches(u, 0x50654, pf), want);
      assert.equal(intelMatches(u, 0x50655, null), false);
    });
  }

  it("stops with an error, never throws, on truncated or random bytes", () => {
    const good = Buffer.concat([
      readFileSync(fixturePath("microcode", "intel-0f-04-0a")),
      intelUpdate({ rev: 3, sig: 0x806f8, pf: 0x87, ext: [[0x806f4, 0x10]] }),
    ]);
    fc.assert(
      fc.property(fc.nat(good.length), (n) => {
        const f = parseIntelMicrocode(good.subarray(0, n));
        return n === good.length ? f.error === null : f.updates.every((u) => u.offset + u.totalSize <= n);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) =>
        Array.isArray(parseIntelMicrocode(bytes).updates),
      ),
    );
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.nat(255), (at, v) => {
        const b = Buffer.from(good);
        b[at] = v;
        return Array.isArray(parseIntelMicrocode(b).updates);
      }),
    );
  });
});

// The whole intel-microcode package against iucode_tool, when CI provides both: set
// AFTERPATCH_FIRMWARE_DIR to a tree extracted with `dpkg-deb -x intel-microcode_*.deb DIR`.
const firmwareDir = process.env.AFTERPATCH_FIRMWARE_DIR;
const ucodeDir = firmwareDir === undefined ? "" : join(firmwareDir, "lib", "firmware", "intel-ucode");
const iucode = ["/usr/sbin/iucode_tool", "/usr/bin/iucode_tool"].find((p) => existsSync(p));
describe("parseIntelMicrocode on the real intel-microcode package", {
  skip:
    firmwareDir === undefined || iucode === undefined
      ? "AFTERPATCH_FIRMWARE_DIR or iucode_tool missing"
      : false,
}, () => {
  it("lists the same signature, platform flags, date, revision and size as iucode_tool -l", () => {
    const ours = new Set<string>();
    for (const name of readdirSync(ucodeDir)) {
      const f = parseIntelMicrocode(readFileSync(join(ucodeDir, name)));
      assert.equal(f.error, null, name);
      for (const u of f.updates) {
        assert.ok(u.checksumOk, name);
        for (const s of [{ signature: u.signature, platformFlags: u.platformFlags }, ...u.extended]) {
          ours.add(line(s.signature, s.platformFlags, u.date, u.revision, u.totalSize));
        }
      }
    }
    const out = spawnSync(iucode!, ["-l", ucodeDir], { encoding: "latin1", env: {} });
    const theirs = new Set(out.stdout.match(/sig 0x.*/g) ?? []);
    assert.ok(theirs.size > 100);
    assert.deepEqual([...ours].sort(), [...theirs].sort());
  });
});

function line(sig: number, pf: number, date: string, rev: number, size: number): string {
  const hex = (n: number, w: number): string => n.toString(16).padStart(w, "0");
  return `sig 0x${hex(sig, 8)}, pf_mask 0x${hex(pf, 2)}, ${date}, rev 0x${hex(rev, 4)}, size ${size}`;
}
