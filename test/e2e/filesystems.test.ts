/**
 * Device and inode numbers on real filesystems where maps and stat() may disagree for the same
 * file: overlayfs on one ext4, overlayfs with xino (upper layer on tmpfs), btrfs with a subvolume
 * on a loop device; and an overlay mounted again over a library's folder (`replaced`, no mark).
 *
 * Each filesystem is mounted in a private mount namespace (`unshare --mount --propagation
 * private`) by a shell script that ends by exec'ing the holder: the holders are the only processes
 * in the namespace, so when the last one dies the mounts go with it, and the busy loop device that
 * `losetup -d` only marked (autoclear) is detached by the kernel. Every holder runs under `setpriv
 * --pdeathsig SIGKILL`: even a test runner killed by SIGKILL leaves no holder, mount or loop device
 * behind (only files under build/).
 *
 * Each filesystem first measures what maps and stat() say on this kernel and asserts it; where a
 * quirk does not show on this kernel, that test says so with t.skip and the numbers it saw.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { release } from "node:os";
import { join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { isXinoOf } from "../../src/analyse/verdict.js";
import {
  CannotHere,
  collect,
  compile,
  describePid,
  ignoredOf,
  install,
  isRoot,
  type JsonReport,
  Lab,
  processOf,
  replaceByRename,
  reportOf,
  runCli,
  type Started,
} from "./helpers.js";

const LIB = "libafp.so.1";

// ---------------------------------------------------------------------------------------------
// What this machine can do.

function hasCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** Registered with the kernel, or a module `modprobe` would load on the first mount. */
function hasFilesystem(name: string): boolean {
  const listed = readFileSync("/proc/filesystems", "latin1")
    .split("\n")
    .some((l) => l.split("\t")[1] === name);
  if (listed) return true;
  return spawnSync("modprobe", ["--dry-run", "--quiet", name], { stdio: "ignore" }).status === 0;
}

/** Why a scenario cannot run here, or null when it can. */
function missing(needs: { tools: string[]; filesystems: string[]; loop?: boolean }): string | null {
  if (!isRoot) return "not root: mounting needs CAP_SYS_ADMIN";
  const tools = needs.tools.filter((t) => !hasCommand(t));
  if (tools.length > 0) return `missing ${tools.join(", ")}`;
  const fss = needs.filesystems.filter((f) => !hasFilesystem(f));
  if (fss.length > 0) return `the kernel has no ${fss.join(", ")} (not in /proc/filesystems, no module)`;
  if (needs.loop === true && !existsSync("/dev/loop-control")) return "no /dev/loop-control: no loop devices";
  return null;
}

const common = ["unshare", "nsenter", "setpriv", "mount"];

// ---------------------------------------------------------------------------------------------
// Reading maps and stat() the way the kernel reports them.

/** A device as "major:minor" in decimal (maps prints hex, stat() returns a dev_t). */
type Dev = string;

interface Seen {
  dev: Dev;
  ino: bigint;
}

interface MapsSeen extends Seen {
  deleted: boolean;
  /** The address range, as /proc/PID/map_files names it. */
  range: string;
}

/** The executable mapping of `path` in the process's maps (the kernel's path, mark stripped). */
function mapsOf(pid: number, path: string): MapsSeen {
  const text = readFileSync(`/proc/${pid}/maps`, "latin1");
  for (const line of text.split("\n")) {
    const m = /^(\S+) (\S{4}) \S+ ([0-9a-f]+):([0-9a-f]+) (\d+) +(.*)$/.exec(line);
    if (m === null || !m[2]!.includes("x")) continue;
    const deleted = m[6]!.endsWith(" (deleted)");
    const name = deleted ? m[6]!.slice(0, -" (deleted)".length) : m[6];
    if (name !== path) continue;
    const dev = `${parseInt(m[3]!, 16)}:${parseInt(m[4]!, 16)}`;
    return { dev, ino: BigInt(m[5]!), deleted, range: m[1]! };
  }
  throw new Error(`pid ${pid} maps no ${path} executable:\n${text}`);
}

/** glibc's encoding of dev_t (what statx's major/minor become in Node's stat). */
function devName(dev: bigint): Dev {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return `${major}:${minor}`;
}

/** stat() with the inode as the kernel's unsigned 64-bit number (Node's bigint stat is signed). */
function statOf(path: string): Seen {
  const st = statSync(path, { bigint: true });
  return { dev: devName(st.dev), ino: BigInt.asUintN(64, st.ino) };
}

/** stat() of `path` as the process sees it (in its mount namespace). */
function statIn(pid: number, path: string): Seen {
  return statOf(`/proc/${pid}/root${path}`);
}

/** stat() of the mapped file itself, through /proc/PID/map_files (needs CAP_SYS_ADMIN). */
function mapFileStat(pid: number, path: string): Seen {
  return statOf(`/proc/${pid}/map_files/${mapsOf(pid, path).range}`);
}

/** The topmost mount at `mountPoint` in the process's namespace: its device (s_dev) and options. */
function mountIn(pid: number, mountPoint: string): { dev: Dev; options: string } {
  const hit = readFileSync(`/proc/${pid}/mountinfo`, "latin1")
    .split("\n")
    .filter((l) => l.split(" ")[4] === mountPoint);
  const last = hit[hit.length - 1];
  if (last === undefined) throw new Error(`nothing is mounted on ${mountPoint} for pid ${pid}`);
  return { dev: last.split(" ")[2]!, options: last.split(" - ")[1]?.split(" ")[2] ?? "" };
}

const fmt = (s: Seen): string => `${s.dev} ino ${s.ino}`;

// ---------------------------------------------------------------------------------------------
// Namespaces and holders.

const bin = {
  get holder() {
    return compile("holder");
  },
  get lib() {
    return compile("lib", "shared");
  },
};

/** Kills the process (and the namespace, the mounts and the loop device with it) if we die. */
const deathsig = ["setpriv", "--pdeathsig", "SIGKILL", "--"];

/**
 * Writes `body` (a shell script that mounts; `$dir`, `$holder` and `$src` are set) and starts it in
 * a private mount namespace; the script ends by exec'ing the holder on `libs`. Resolves with the
 * holder once it printed "ready".
 */
async function startInNamespace(lab: Lab, dir: string, body: string, libs: string[]): Promise<Started> {
  const script = join(dir, "ns.sh");
  const text = ["set -eu", "dir=$1 holder=$2 src=$3; shift 3", body, `exec "$holder" "$@"`, ""].join("\n");
  writeFileSync(script, text, { mode: 0o755 });
  const args = ["--mount", "--propagation", "private", "--", ...deathsig, "sh", script];
  return lab.start("unshare", [...args, dir, bin.holder, bin.lib, ...libs]).catch((e: unknown) => {
    // In a container without CAP_SYS_ADMIN: not this test's business.
    throw /Operation not permitted|permission denied/i.test(String(e)) ? new CannotHere(String(e)) : e;
  });
}

/** Runs a shell command in the holder's mount namespace. */
async function inNamespace(pid: number, command: string): Promise<void> {
  const r = await collect("nsenter", ["-t", String(pid), "-m", "--", "sh", "-ec", command]);
  if (r.status !== 0) throw new Error(`in the namespace of ${pid}: ${command}\n${r.stderr.toString()}`);
}

/** Another holder of `libs`, started in the namespace of `pid`. */
function joinNamespace(lab: Lab, pid: number, libs: string[]): Promise<Started> {
  return lab.start("nsenter", ["-t", String(pid), "-m", "--", ...deathsig, bin.holder, ...libs]);
}

/** The loop devices whose backing file is `image`. */
function loopsOf(image: string): string[] {
  const r = spawnSync("losetup", ["--associated", image], { encoding: "utf8" });
  return r.stdout
    .split("\n")
    .map((l) => l.slice(0, l.indexOf(":")))
    .filter((d) => d.startsWith("/dev/"));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (what()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether the host's own mount table shows anything under `dir`. */
function hostMountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mountinfo", "latin1")
    .split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((mp) => mp === dir || mp.startsWith(`${dir}/`));
}

async function scan(): Promise<JsonReport> {
  return reportOf(await runCli(["--json", "--explain"]));
}

function assertNotReported(report: JsonReport, pid: number): void {
  assert.equal(
    processOf(report, pid),
    undefined,
    `pid ${pid} is not stale; report says ${describePid(report, pid)}`,
  );
  assert.deepEqual(ignoredOf(report, pid), [], `pid ${pid} maps nothing deleted to ignore`);
}

function assertReported(report: JsonReport, pid: number, path: string, reason: "deleted" | "replaced"): void {
  const proc = processOf(report, pid);
  assert.ok(proc, `pid ${pid} must be in processes[]; report says ${describePid(report, pid)}`);
  assert.deepEqual(
    proc.files.map((f) => ({ path: f.path, kind: f.kind, reason: f.reason })),
    [{ path, kind: "mapping", reason }],
    `pid ${pid} lists exactly the replaced library`,
  );
  assert.deepEqual(ignoredOf(report, pid), [], "no segment of the library is ignored as data");
}

// ---------------------------------------------------------------------------------------------
// The filesystems.

interface Filesystem {
  /** Describes the filesystem in the suite name. */
  title: string;
  key: string;
  needs: { tools: string[]; filesystems: string[]; loop?: boolean };
  /** Host-side preparation in `dir` (folders, the lower layer, the image). */
  prepare(dir: string): Promise<void>;
  /** The mounting part of the namespace script. */
  mount: string;
  /** Where the library is, as the holder sees it. */
  lib(dir: string): string;
  /** Filesystem-specific proofs, run once the first holder is ready. */
  proofs: { name: string; run(t: TestContext, ctx: Ctx): void }[];
  /** Extra host-side cleanup (runs after the holders are gone). */
  cleanup?(dir: string): void;
  /** What is left that must go once every holder is gone (beyond the processes and the mounts). */
  leftovers?(dir: string): string[];
}

interface Ctx {
  dir: string;
  lib: string;
  holder: Started;
}

const KERNEL = `Linux ${release()}`;
/** Andrei Vagin's patch "fs/proc: show correct device and inode numbers in /proc/pid/maps" (2023). */
const MAPS_PATCH = 'the 2023 patch "fs/proc: show correct device and inode numbers in /proc/pid/maps"';

const overlaySameFs: Filesystem = {
  title: "overlayfs with lower and upper on the same ext4",
  key: "ovl-samefs",
  needs: { tools: common, filesystems: ["overlay"] },
  async prepare(dir) {
    for (const d of ["lower", "upper", "work", "merged"]) mkdirSync(join(dir, d), { recursive: true });
    install(bin.lib, join(dir, "lower", LIB));
  },
  mount:
    'mount -t overlay afp-ovl -o "lowerdir=$dir/lower,upperdir=$dir/upper,workdir=$dir/work" "$dir/merged"',
  lib: (dir) => join(dir, "merged", LIB),
  proofs: [
    {
      name: "stat() through the overlay gives the overlay's own device and the lower file's inode",
      run(t, { dir, lib, holder }) {
        const st = statIn(holder.pid, lib);
        const real = statOf(join(dir, "lower", LIB));
        t.diagnostic(`stat ${fmt(st)}; the lower file ${fmt(real)}`);
        assert.match(st.dev, /^0:/, "an overlay has an anonymous device (major 0)");
        assert.notEqual(st.dev, real.dev, "not the lower layer's device");
        assert.equal(st.ino, real.ino, "all layers on one filesystem: st_ino is the real inode");
      },
    },
    {
      name: "maps shows the lower layer's device where stat() shows the overlay's, for the same inode",
      run(t, { dir, lib, holder }) {
        const m = mapsOf(holder.pid, lib);
        const st = statIn(holder.pid, lib);
        const real = statOf(join(dir, "lower", LIB));
        t.diagnostic(`maps ${fmt(m)}; stat ${fmt(st)}; the lower file ${fmt(real)}`);
        assert.equal(m.ino, st.ino, "the same inode either way");
        if (m.dev === st.dev) {
          return t.skip(
            `not on ${KERNEL}: maps shows the overlay's own device and inode (${fmt(m)}), exactly ` +
              `what stat() shows, since ${MAPS_PATCH}; older kernels show the lower file (${fmt(real)})`,
          );
        }
        assert.equal(m.dev, real.dev, "maps shows the lower layer's device");
      },
    },
  ],
};

const overlayXino: Filesystem = {
  title: "overlayfs with the upper layer on tmpfs and xino=on",
  key: "ovl-xino",
  needs: { tools: common, filesystems: ["overlay", "tmpfs"] },
  async prepare(dir) {
    for (const d of ["lower", "upper-fs", "merged"]) mkdirSync(join(dir, d), { recursive: true });
    install(bin.lib, join(dir, "lower", LIB));
  },
  mount: [
    'mount -t tmpfs -o mode=0755 afp-upper "$dir/upper-fs"',
    'mkdir "$dir/upper-fs/upper" "$dir/upper-fs/work"',
    'mount -t overlay afp-ovl -o "lowerdir=$dir/lower,upperdir=$dir/upper-fs/upper,workdir=$dir/upper-fs/work,xino=on" "$dir/merged"',
  ].join("\n"),
  lib: (dir) => join(dir, "merged", LIB),
  proofs: [
    {
      name: "stat() composes the inode from the lower file's inode and the layer in the high bits (xino)",
      run(t, { dir, lib, holder }) {
        const opts = mountIn(holder.pid, join(dir, "merged")).options;
        // overlayfs falls back to xino=off (with a warning) when a layer cannot give up the bits.
        if (!opts.split(",").includes("xino=on")) return t.skip(`the kernel did not enable xino: ${opts}`);
        const st = statIn(holder.pid, lib);
        const real = statOf(join(dir, "lower", LIB));
        const added = st.ino ^ real.ino;
        t.diagnostic(
          `stat ${fmt(st)}; the lower file ${fmt(real)}; added bits 0x${added.toString(16)} (bit ${added.toString(2).length - 1})`,
        );
        assert.notEqual(st.ino, real.ino, "xino changes st_ino of a lower file");
        assert.equal(st.ino & 0xffffffffn, real.ino & 0xffffffffn, "the low 32 bits are the real inode's");
        assert.equal(added & real.ino, 0n, "only bits the real inode does not use are added");
        assert.ok(added >= 1n << 32n, "the layer's id is in the high bits");
        assert.ok(isXinoOf(String(st.ino), String(real.ino)), "verdict.ts's isXinoOf() recognises it");
        assert.notEqual(st.dev, real.dev, "the overlay's device, not the lower layer's");
      },
    },
    {
      name: "maps shows the lower file's real inode where stat() shows the xino one",
      run(t, { dir, lib, holder }) {
        const m = mapsOf(holder.pid, lib);
        const st = statIn(holder.pid, lib);
        const real = statOf(join(dir, "lower", LIB));
        t.diagnostic(`maps ${fmt(m)}; stat ${fmt(st)}; the lower file ${fmt(real)}`);
        if (m.ino === st.ino && m.dev === st.dev) {
          return t.skip(
            `not on ${KERNEL}: maps shows the overlay's device and the xino inode (${fmt(m)}), exactly ` +
              `what stat() shows, since ${MAPS_PATCH}; older kernels show the lower file (${fmt(real)})`,
          );
        }
        assert.equal(m.ino, real.ino, "maps shows the real inode");
        assert.equal(m.dev, real.dev, "maps shows the lower layer's device");
      },
    },
  ],
};

const btrfs: Filesystem = {
  title: "btrfs on a loop device, the library in a subvolume",
  key: "btrfs",
  needs: { tools: [...common, "losetup", "mkfs.btrfs", "btrfs"], filesystems: ["btrfs"], loop: true },
  async prepare(dir) {
    mkdirSync(join(dir, "mnt"), { recursive: true });
    const image = join(dir, "btrfs.img");
    writeFileSync(image, "");
    truncateSync(image, 256 * 1024 * 1024); // sparse
    const r = await collect("mkfs.btrfs", ["-q", "-f", image]);
    if (r.status !== 0) throw new Error(`mkfs.btrfs failed: ${r.stderr.toString()}`);
  },
  mount: [
    'dev=$(losetup --find --show "$dir/btrfs.img")',
    'mount -t btrfs "$dev" "$dir/mnt" || { losetup -d "$dev"; exit 1; }',
    // The device is busy now: losetup -d only marks it (autoclear); the kernel detaches it when the
    // filesystem goes away with this namespace.
    'losetup -d "$dev"',
    'btrfs -q subvolume create "$dir/mnt/sub" >&2',
    'cp "$src" "$dir/mnt/sub/libafp.so.1"',
  ].join("\n"),
  lib: (dir) => join(dir, "mnt", "sub", LIB),
  proofs: [
    {
      name: "maps shows the filesystem's device and stat() the subvolume's own device, for the same inode",
      run(t, { dir, lib, holder }) {
        const m = mapsOf(holder.pid, lib);
        const st = statIn(holder.pid, lib);
        const sb = mountIn(holder.pid, join(dir, "mnt")).dev;
        t.diagnostic(`maps ${fmt(m)}; stat ${fmt(st)}; mountinfo (the superblock) ${sb}`);
        assert.equal(m.ino, st.ino, "the same inode either way");
        assert.equal(m.dev, sb, "maps shows the superblock's device");
        assert.notEqual(st.dev, m.dev, "stat() shows the subvolume's anonymous device");
        assert.match(st.dev, /^0:/, "an anonymous device (major 0)");
      },
    },
  ],
  cleanup(dir) {
    for (const d of loopsOf(join(dir, "btrfs.img"))) spawnSync("losetup", ["-d", d]);
  },
  leftovers: (dir) => loopsOf(join(dir, "btrfs.img")),
};

// ---------------------------------------------------------------------------------------------

describe("device-number quirks on real filesystems", () => {
  let lab: Lab;
  before(() => {
    // Not root: every scenario skips, and build/ may not even be writable.
    if (isRoot) lab = new Lab();
  });
  after(() => (isRoot ? lab.close() : undefined));

  for (const fs of [overlaySameFs, overlayXino, btrfs]) {
    describe(`on ${fs.title}`, () => {
      let skip: string | null = null;
      let failed: unknown = null;
      let ctx: Ctx | undefined;
      let replaced = false;
      /** Every holder in this namespace: the namespace, its mounts and loop device live as long as one does. */
      const holders: Started[] = [];

      before(async () => {
        skip = missing(fs.needs);
        if (skip !== null) return;
        const dir = lab.path(fs.key);
        mkdirSync(dir, { recursive: true });
        lab.onClose(() => fs.cleanup?.(dir));
        try {
          await fs.prepare(dir);
          const lib = fs.lib(dir);
          ctx = { dir, lib, holder: await startInNamespace(lab, dir, fs.mount, [lib]) };
          holders.push(ctx.holder);
        } catch (e) {
          if (e instanceof CannotHere) skip = e.message;
          else failed = e;
        }
      });

      /** The context, or a skip/failure that says why there is none. */
      function need(t: TestContext): Ctx | null {
        if (skip !== null) {
          t.skip(skip);
          return null;
        }
        if (failed !== null) throw failed;
        if (ctx === undefined) throw new Error("the filesystem was not set up");
        return ctx;
      }

      it("keeps its mounts out of the host's mount namespace", (t) => {
        const c = need(t);
        if (c === null) return;
        assert.deepEqual(hostMountsUnder(c.dir), []);
        assert.ok(
          readFileSync(`/proc/${c.holder.pid}/mountinfo`, "latin1").includes(` ${c.dir}/`),
          "the holder's namespace has them",
        );
      });

      for (const proof of fs.proofs) {
        it(proof.name, (t) => {
          const c = need(t);
          if (c === null) return;
          proof.run(t, c);
        });
      }

      it("does not report a holder of the live library", async (t) => {
        const c = need(t);
        if (c === null) return;
        assert.equal(mapsOf(c.holder.pid, c.lib).deleted, false);
        // With xino the inode has bit 63 set: stat() must read it unsigned, as maps prints it.
        assertNotReported(await scan(), c.holder.pid);
      });

      it("reports the holder, with the library deleted, once the library is replaced by rename in the namespace", async (t) => {
        const c = need(t);
        if (c === null) return;
        // As dpkg does: the new file is written beside the old one and renamed over it.
        replaceByRename(`/proc/${c.holder.pid}/root${c.lib}`);
        replaced = true;
        const m = mapsOf(c.holder.pid, c.lib);
        const st = statIn(c.holder.pid, c.lib);
        t.diagnostic(`after the rename: maps ${fmt(m)} (deleted: ${m.deleted}); stat ${fmt(st)}`);
        assert.equal(m.deleted, true, "the kernel marks the old name deleted");
        assert.notEqual(st.ino, m.ino, "the path holds a new inode");
        assertReported(await scan(), c.holder.pid, c.lib, "deleted");
      });

      it("does not report a holder started after the replacement", async (t) => {
        const c = need(t);
        if (c === null) return;
        assert.ok(replaced, "needs the replacement of the previous test");
        const late = await joinNamespace(lab, c.holder.pid, [c.lib]);
        holders.push(late);
        const m = mapsOf(late.pid, c.lib);
        const st = statIn(late.pid, c.lib);
        t.diagnostic(`the new file: maps ${fmt(m)}; stat ${fmt(st)}`);
        const report = await scan();
        assertNotReported(report, late.pid);
        assertReported(report, c.holder.pid, c.lib, "deleted");
      });

      if (fs === btrfs) btrfsCollision(() => ({ lab, ctx, skip, failed, holders }));

      it("leaves no mount, loop device or process behind once its holders are gone", async (t) => {
        const c = need(t);
        if (c === null) return;
        for (const h of holders) await lab.stop(h.child);
        for (const h of holders) assert.equal(alive(h.pid), false, `holder ${h.pid} is gone`);
        assert.deepEqual(hostMountsUnder(c.dir), []);
        const left = (): string[] => fs.leftovers?.(c.dir) ?? [];
        // Autoclear runs when the filesystem is released, which may lag the last exit a little.
        await until(() => left().length === 0, 3000);
        assert.deepEqual(left(), [], "the loop device is detached");
      });
    });
  }

  describe("on overlayfs mounted again over the same directory", () => {
    // A new overlay mounted over the merged directory (new layers, as when an image is swapped):
    // the old mapping keeps its name, unmarked, and the path now resolves in the new overlay.
    let skip: string | null = null;
    let failed: unknown = null;
    let c: { holder: Started; newer: string; same: string; first: { newer: Seen; same: Seen } } | undefined;

    before(async () => {
      skip = missing({ tools: common, filesystems: ["overlay"] });
      if (skip !== null) return;
      const dir = lab.path("ovl-remount");
      try {
        for (const d of [
          "lower",
          "lower-new",
          "u1",
          "w1",
          "u2",
          "w2",
          "u3",
          "w3",
          "u4",
          "w4",
          "newer",
          "same",
        ]) {
          mkdirSync(join(dir, d), { recursive: true });
        }
        install(bin.lib, join(dir, "lower", LIB));
        install(bin.lib, join(dir, "lower-new", LIB)); // same bytes, another inode
        const ovl = (lower: string, n: number, at: string): string =>
          `mount -t overlay afp-ovl -o "lowerdir=$dir/${lower},upperdir=$dir/u${n},workdir=$dir/w${n}" "$dir/${at}"`;
        const newer = join(dir, "newer", LIB);
        const same = join(dir, "same", LIB);
        const holder = await startInNamespace(
          lab,
          dir,
          [ovl("lower", 1, "newer"), ovl("lower", 2, "same")].join("\n"),
          [newer, same],
        );
        const first = { newer: mapsOf(holder.pid, newer), same: mapsOf(holder.pid, same) };
        await inNamespace(
          holder.pid,
          [
            `dir=${dir}`,
            ovl("lower-new", 3, "newer"), // new layers: another file at the path
            ovl("lower", 4, "same"), // the same lower layer again: the same file
          ].join("\n"),
        );
        c = { holder, newer, same, first };
      } catch (e) {
        if (e instanceof CannotHere) skip = e.message;
        else failed = e;
      }
    });

    function need(t: TestContext): NonNullable<typeof c> | null {
      if (skip !== null) {
        t.skip(skip);
        return null;
      }
      if (failed !== null) throw failed;
      if (c === undefined) throw new Error("the overlays were not set up");
      return c;
    }

    it("keeps the old name unmarked while stat() finds the new layer's inode", (t) => {
      const s = need(t);
      if (s === null) return;
      const m = mapsOf(s.holder.pid, s.newer);
      const st = statIn(s.holder.pid, s.newer);
      t.diagnostic(`maps ${fmt(m)} (deleted: ${m.deleted}); stat now ${fmt(st)}`);
      assert.equal(m.deleted, false, "nothing was unlinked");
      assert.equal(m.ino, s.first.newer.ino, "maps still shows the file the holder mapped");
      assert.notEqual(st.ino, m.ino, "the new overlay serves another file");
      assert.notEqual(st.dev, m.dev, "from another overlay instance");
    });

    it("keeps the same inode when the same lower layer is mounted again, on another overlay device", (t) => {
      const s = need(t);
      if (s === null) return;
      const m = mapsOf(s.holder.pid, s.same);
      const st = statIn(s.holder.pid, s.same);
      t.diagnostic(`maps ${fmt(m)}; stat now ${fmt(st)}`);
      assert.equal(m.deleted, false);
      assert.equal(st.ino, m.ino, "one filesystem under both overlays: the real inode");
      assert.notEqual(st.dev, m.dev, "another overlay instance, another device");
    });

    it("reports the library under the new layers as replaced, and not the one under the same layer", async (t) => {
      const s = need(t);
      if (s === null) return;
      assertReported(await scan(), s.holder.pid, s.newer, "replaced");
    });
  });
});

/**
 * btrfs numbers the inodes of every subvolume from 256: a file in another subvolume mounted over
 * the library's directory easily has the very inode number the mapped file has. Only the device
 * tells them apart (stat() of /proc/PID/map_files/… gives the mapped file's own subvolume device).
 */
function btrfsCollision(
  state: () => { lab: Lab; ctx: Ctx | undefined; skip: string | null; failed: unknown; holders: Started[] },
): void {
  let c: { pid: number; lib: string } | undefined;
  let failure: unknown = null;

  function need(t: TestContext): { pid: number; lib: string } | null {
    const s = state();
    if (s.skip !== null) {
      t.skip(s.skip);
      return null;
    }
    if (s.failed !== null) throw s.failed;
    if (failure !== null) throw failure;
    if (c === undefined) throw new Error("the subvolumes were not set up");
    return c;
  }

  it("gives a file in another subvolume mounted over the library's folder the same inode number", async (t) => {
    const s = state();
    if (s.skip !== null) return t.skip(s.skip);
    if (s.failed !== null) throw s.failed;
    if (s.ctx === undefined) throw new Error("the filesystem was not set up");
    const mnt = join(s.ctx.dir, "mnt");
    const lib = join(mnt, "a", LIB);
    try {
      await inNamespace(
        s.ctx.holder.pid,
        [
          `cd '${mnt}'`,
          "btrfs -q subvolume create a >&2",
          "btrfs -q subvolume create b >&2",
          `cp ${bin.lib} a/${LIB}`,
          `cp ${bin.lib} b/${LIB}`,
        ].join("\n"),
      );
      const holder = await joinNamespace(s.lab, s.ctx.holder.pid, [lib]);
      s.holders.push(holder);
      await inNamespace(s.ctx.holder.pid, `mount --bind '${mnt}/b' '${mnt}/a'`);
      c = { pid: holder.pid, lib };
    } catch (e) {
      failure = e;
      throw e;
    }
    const m = mapsOf(c.pid, lib);
    const st = statIn(c.pid, lib);
    const own = mapFileStat(c.pid, lib);
    t.diagnostic(`maps ${fmt(m)}; stat(path) now ${fmt(st)}; stat(map_files) ${fmt(own)}`);
    assert.equal(m.deleted, false, "nothing was unlinked");
    assert.equal(st.ino, m.ino, "another file with the same inode number");
    assert.notEqual(st.dev, own.dev, "map_files shows the mapped file's subvolume, stat() another");
  });

  it("reports a library whose path now resolves to another subvolume's file with the same inode number", {
    todo:
      "afterpatch compares inodes only (verdict.ts), and btrfs reuses inode numbers across subvolumes; " +
      "comparing stat() of /proc/PID/map_files/… (dev and inode) with stat() of the path would tell",
  }, async (t) => {
    const s = need(t);
    if (s === null) return;
    assertReported(await scan(), s.pid, s.lib, "replaced");
  });
}
