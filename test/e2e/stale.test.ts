/**
 * Stale detection against real processes: each scenario starts a small C program that maps or
 * opens something, then replaces or deletes it the way an upgrade would, and the report must put
 * that pid exactly where the scenario says — in processes[] with the right file, in ignored[] with
 * the right rule, or nowhere. Runs under the current Node, Node 18 and the `node` on PATH.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  CannotHere,
  collect,
  compile,
  describePid,
  expectedStatus,
  ignoredOf,
  install,
  isRoot,
  type JsonFile,
  type JsonReport,
  Lab,
  nodeBinaries,
  processOf,
  replaceByRename,
  reportOf,
  runCli,
} from "./helpers.js";

type Expectation =
  | { is: "stale"; path: string; kind: JsonFile["kind"]; reason: JsonFile["reason"]; exe?: string }
  | { is: "ignored"; rule: string; path: string | RegExp; kind: JsonFile["kind"] }
  /** `mapped`: a file the process maps, which must still be in its map after the scan. */
  | { is: "clean"; mapped: string };

interface Scenario {
  name: string;
  /** Where the pid must end up: processes[], ignored[], or nowhere. */
  is: Expectation["is"];
  /** Why the scenario needs root, when it does. */
  root?: string;
  setup(lab: Lab): Promise<{ pid: number; expect: Expectation }>;
}

type Outcome = { pid: number; expect: Expectation } | { skip: string } | { error: unknown };

const tag = `afterpatch-e2e-${process.pid}`;

const bin = {
  get holder() {
    return compile("holder");
  },
  get anon() {
    return compile("anon");
  },
  get mapfile() {
    return compile("mapfile");
  },
  get lib() {
    return compile("lib", "shared");
  },
};

/** A fresh copy of the test library at lab/parts…, parents created. */
function libAt(lab: Lab, ...parts: string[]): string {
  const p = lab.path(...parts);
  mkdirSync(dirname(p), { recursive: true });
  install(bin.lib, p);
  return p;
}

function fileAt(path: string, mode: number, content: string | Buffer = Buffer.alloc(4096, 0xc3)): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { mode });
  return path;
}

/** A file outside the work dir (under /tmp, /dev/shm, …) mapped executable, then deleted; removed on close. */
async function outsideFile(lab: Lab, path: string): Promise<number> {
  lab.trackOutside(path);
  fileAt(path, 0o644);
  const p = await lab.start(bin.mapfile, ["exec", path]);
  unlinkSync(path);
  return p.pid;
}

/**
 * A bash script that opens $1 on fd 3 (for append with $2 = append, else for reading) and waits:
 * afterpatch reads the descriptors of shells, as they run scripts through them.
 */
function holdFd(lab: Lab): string {
  const script = lab.path("bin", "hold-fd.sh");
  fileAt(
    script,
    0o755,
    '#!/bin/bash\nif [ "$2" = append ]; then exec 3>>"$1"; else exec 3<"$1"; fi\necho ready\nsleep 1000 &\nwait\n',
  );
  return script;
}

const stale = (path: string, kind: JsonFile["kind"], reason: JsonFile["reason"]): Expectation => ({
  is: "stale",
  path,
  kind,
  reason,
});
const ignored = (rule: string, path: string | RegExp, kind: JsonFile["kind"] = "mapping"): Expectation => ({
  is: "ignored",
  rule,
  path,
  kind,
});

const scenarios: Scenario[] = [
  // --- reported -------------------------------------------------------------------------------
  {
    name: "a library replaced by rename",
    is: "stale",
    async setup(lab) {
      const lib = libAt(lab, "replaced", "libafp.so.1");
      const p = await lab.start(bin.holder, [lib]);
      replaceByRename(lib);
      return { pid: p.pid, expect: stale(lib, "mapping", "deleted") };
    },
  },
  {
    name: "a library removed without a replacement",
    is: "stale",
    async setup(lab) {
      const lib = libAt(lab, "removed", "libafp.so.1");
      const p = await lab.start(bin.holder, [lib]);
      unlinkSync(lib);
      return { pid: p.pid, expect: stale(lib, "mapping", "deleted") };
    },
  },
  {
    name: "a running executable replaced by rename",
    is: "stale",
    async setup(lab) {
      const exe = lab.path("sbin", "afp-daemon");
      mkdirSync(dirname(exe), { recursive: true });
      install(bin.holder, exe, 0o755);
      const p = await lab.start(exe, []);
      replaceByRename(exe);
      return { pid: p.pid, expect: { ...stale(exe, "executable", "deleted"), exe } };
    },
  },
  {
    name: "a library in a directory whose name holds a space and a newline",
    is: "stale",
    async setup(lab) {
      const lib = libAt(lab, "dir with space\nand newline", "libafp.so.1");
      const p = await lab.start(bin.holder, [lib]);
      replaceByRename(lib);
      return { pid: p.pid, expect: stale(lib, "mapping", "deleted") };
    },
  },
  {
    name: "a library replaced in a process whose maps file is longer than a page",
    is: "stale",
    async setup(lab) {
      // read() of /proc/PID/maps returns at most about one page per call. The stale library is
      // loaded first, so it lands last in maps, after 30 other libraries (some 16 KiB of text).
      const lib = libAt(lab, "big", "libafp.so.1");
      const others = Array.from({ length: 30 }, (_, i) => libAt(lab, "big", `libother${i}.so.1`));
      const p = await lab.start(bin.holder, [lib, ...others]);
      replaceByRename(lib);
      const size = readFileSync(`/proc/${p.pid}/maps`).length;
      assert.ok(size > 3 * 4096, `maps of the holder is only ${size} bytes`);
      return { pid: p.pid, expect: stale(lib, "mapping", "deleted") };
    },
  },
  {
    name: "a shell script replaced while bash runs it (bash reads it through fd 255)",
    is: "stale",
    async setup(lab) {
      const script = fileAt(
        lab.path("bin", "job.sh"),
        0o755,
        "#!/bin/bash\necho ready\nsleep 1000 &\nwait\n",
      );
      const p = await lab.start("bash", [script]);
      replaceByRename(script);
      return { pid: p.pid, expect: stale(script, "open-file", "deleted") };
    },
  },
  {
    name: "a jar replaced under a JVM (a process that maps libjvm.so and holds the jar open)",
    is: "stale",
    async setup(lab) {
      const jvm = libAt(lab, "jvm", "lib", "server", "libjvm.so");
      const jar = fileAt(lab.path("jvm", "app.jar"), 0o644);
      const p = await lab.start(bin.holder, ["-o", jar, jvm]);
      replaceByRename(jar);
      return { pid: p.pid, expect: stale(jar, "open-file", "deleted") };
    },
  },
  {
    name: "a library bind-mounted over in the process's own mount namespace (inode changed, no deleted mark)",
    is: "stale",
    root: "needs root for unshare --mount and nsenter",
    async setup(lab) {
      const lib = libAt(lab, "mntns", "libafp.so.1");
      const other = libAt(lab, "mntns", "libafp-new.so.1");
      const p = await lab
        .start("unshare", ["--mount", "--propagation", "private", "--", bin.holder, lib])
        .catch((e) => {
          // In a container without CAP_SYS_ADMIN: not this test's business.
          throw /Operation not permitted/.test(String(e)) ? new CannotHere(String(e)) : e;
        });
      const m = await collect("nsenter", ["-t", String(p.pid), "-m", "mount", "--bind", other, lib]);
      if (m.status !== 0) throw new Error(`nsenter mount failed: ${m.stderr.toString()}`);
      // The host's view of `lib` is untouched: only /proc/PID/root/… shows the new inode.
      return { pid: p.pid, expect: stale(lib, "mapping", "replaced") };
    },
  },
  {
    name: "a library replaced inside a chroot (maps shows the host path)",
    is: "stale",
    root: "needs root for chroot",
    async setup(lab) {
      const root = lab.path("chroot-replaced");
      install(compile("mapfile", "static"), libAt(lab, "chroot-replaced", "mapfile"), 0o755);
      const lib = libAt(lab, "chroot-replaced", "libafp.so.1");
      const p = await lab.start("chroot", [root, "/mapfile", "exec", "/libafp.so.1"]);
      replaceByRename(lib);
      return { pid: p.pid, expect: stale(lib, "mapping", "deleted") };
    },
  },
  // --- ignored by a named rule ----------------------------------------------------------------
  {
    name: "memfd_create() memory mapped executable",
    is: "ignored",
    async setup(lab) {
      const p = await lab.start(bin.anon, ["memfd", "afp-e2e-jit"]);
      return { pid: p.pid, expect: ignored("memfd", "/memfd:afp-e2e-jit") };
    },
  },
  {
    name: "shared anonymous memory (/dev/zero (deleted))",
    is: "ignored",
    async setup(lab) {
      const p = await lab.start(bin.anon, ["dev-zero"]);
      return { pid: p.pid, expect: ignored("dev-zero", "/dev/zero") };
    },
  },
  {
    name: "a System V shared memory segment",
    is: "ignored",
    async setup(lab) {
      const p = await lab.start(bin.anon, ["sysv-shm"]);
      return { pid: p.pid, expect: ignored("sysv-shm", /^\/SYSV[0-9a-f]{8}$/) };
    },
  },
  {
    name: "an io_setup() ring ([aio])",
    is: "ignored",
    async setup(lab) {
      const p = await lab.start(bin.anon, ["aio"]);
      return { pid: p.pid, expect: ignored("aio", "/[aio]") };
    },
  },
  {
    name: "an executable mapping of a deleted file in /dev/shm",
    is: "ignored",
    async setup(lab) {
      const path = `/dev/shm/${tag}-jit`;
      return { pid: await outsideFile(lab, path), expect: ignored("dev-shm", path) };
    },
  },
  {
    name: "an executable mapping of a deleted file in /tmp",
    is: "ignored",
    async setup(lab) {
      const path = `/tmp/${tag}-jit`;
      return { pid: await outsideFile(lab, path), expect: ignored("tmp", path) };
    },
  },
  {
    name: "an executable mapping of a deleted file in /var/tmp",
    is: "ignored",
    async setup(lab) {
      const path = `/var/tmp/${tag}-jit`;
      return { pid: await outsideFile(lab, path), expect: ignored("tmp", path) };
    },
  },
  {
    name: "an executable mapping of a deleted file in /run",
    is: "ignored",
    root: "needs root to write in /run",
    async setup(lab) {
      const path = `/run/${tag}-jit`;
      return { pid: await outsideFile(lab, path), expect: ignored("run", path) };
    },
  },
  {
    name: "a log file in /var/log that a shell holds open for append, deleted (rotated away)",
    is: "ignored",
    root: "needs root to write in /var/log",
    async setup(lab) {
      const path = `/var/log/${tag}.log`;
      lab.trackOutside(path);
      const p = await lab.start("bash", [holdFd(lab), path, "append"]);
      unlinkSync(path);
      return { pid: p.pid, expect: ignored("var-log", path, "open-file") };
    },
  },
  {
    name: "a libffi trampoline file (ffiXXXXXX) mapped executable and deleted",
    is: "ignored",
    async setup(lab) {
      const path = fileAt(lab.path("ffi", "ffiQ7xZ2k"), 0o600);
      const p = await lab.start(bin.mapfile, ["exec", path]);
      unlinkSync(path);
      return { pid: p.pid, expect: ignored("libffi", path) };
    },
  },
  {
    name: "a data file mapped without execute permission and replaced",
    is: "ignored",
    async setup(lab) {
      const path = fileAt(lab.path("data", "locale-archive"), 0o644);
      const p = await lab.start(bin.mapfile, ["read", path]);
      replaceByRename(path);
      return { pid: p.pid, expect: ignored("data-mapping", path) };
    },
  },
  {
    name: "a data file that a shell holds open, deleted",
    is: "ignored",
    async setup(lab) {
      const path = fileAt(lab.path("data", "state.db"), 0o644);
      const p = await lab.start("bash", [holdFd(lab), path, "read"]);
      unlinkSync(path);
      return { pid: p.pid, expect: ignored("data-file", path, "open-file") };
    },
  },
  // --- not stale at all ------------------------------------------------------------------------
  {
    name: "a live library whose file name really ends in ' (deleted)'",
    is: "clean",
    async setup(lab) {
      const lib = libAt(lab, "trick", "libafp.so.1 (deleted)");
      const p = await lab.start(bin.holder, [lib]);
      return { pid: p.pid, expect: { is: "clean", mapped: lib } };
    },
  },
  {
    name: "a process started after its library was replaced",
    is: "clean",
    async setup(lab) {
      const lib = libAt(lab, "later", "libafp.so.1");
      replaceByRename(lib);
      const p = await lab.start(bin.holder, [lib]);
      return { pid: p.pid, expect: { is: "clean", mapped: lib } };
    },
  },
  {
    name: "a process whose library was not touched",
    is: "clean",
    async setup(lab) {
      const lib = libAt(lab, "untouched", "libafp.so.1");
      const p = await lab.start(bin.holder, [lib]);
      return { pid: p.pid, expect: { is: "clean", mapped: lib } };
    },
  },
  {
    name: "a chrooted process whose library was not touched (maps paths are the host's, not the chroot's)",
    is: "clean",
    root: "needs root for chroot",
    async setup(lab) {
      const root = lab.path("chroot-intact");
      install(compile("mapfile", "static"), libAt(lab, "chroot-intact", "mapfile"), 0o755);
      const lib = libAt(lab, "chroot-intact", "libafp.so.1");
      const p = await lab.start("chroot", [root, "/mapfile", "exec", "/libafp.so.1"]);
      return { pid: p.pid, expect: { is: "clean", mapped: lib } };
    },
  },
];

function testName(s: Scenario): string {
  if (s.is === "stale") return `reports ${s.name}`;
  if (s.is === "ignored") return `ignores ${s.name}, naming the rule`;
  return `does not report ${s.name}`;
}

function checkScenario(report: JsonReport, pid: number, expect: Expectation): void {
  // An absence proves nothing about a process that had died, or that the scan gave up on.
  assert.ok(existsSync(`/proc/${pid}`), `pid ${pid} still runs after the scan`);
  assert.deepEqual(
    report.scan.warnings.filter((w) => w.pid === pid),
    [],
    `the scan read pid ${pid} without a problem`,
  );
  const proc = processOf(report, pid);
  const ign = ignoredOf(report, pid);
  const seen = describePid(report, pid);
  if (expect.is === "stale") {
    assert.ok(proc, `pid ${pid} must be in processes[]; report says ${seen}`);
    assert.equal(proc.ppid, process.pid, "the test started it");
    assert.equal(proc.uid, process.getuid?.());
    assert.equal(proc.command, readFileSync(`/proc/${pid}/comm`, "utf8").replace(/\n$/, ""));
    const hit = proc.files.find((f) => f.path === expect.path);
    assert.ok(
      hit,
      `pid ${pid} must list ${JSON.stringify(expect.path)}; it lists ${JSON.stringify(proc.files)}`,
    );
    assert.equal(hit.kind, expect.kind, `kind of ${JSON.stringify(expect.path)}`);
    assert.equal(hit.reason, expect.reason, `reason for ${JSON.stringify(expect.path)}`);
    assert.equal(hit.package, null, "no package owns a file in the work dir");
    assert.match(hit.inode, /^[0-9]+$/, "inode is a decimal string");
    for (const f of proc.files) {
      assert.equal(f.path, expect.path, `pid ${pid} lists a file nothing replaced: ${JSON.stringify(f)}`);
    }
    const keys = proc.files.map((f) => `${f.kind} ${f.path}`);
    assert.equal(new Set(keys).size, keys.length, `each file is listed once, not once per mapping: ${keys}`);
    if (expect.exe !== undefined) assert.equal(proc.exe, expect.exe, "exe without the ' (deleted)' mark");
    // A library maps as several segments (r--, r-x, r--, rw-); the file is code as a whole, so no
    // segment of it may show up as ignored "data".
    assert.deepEqual(
      ign.filter((i) => i.path === expect.path),
      [],
      "a reported file is not also ignored",
    );
  } else if (expect.is === "ignored") {
    assert.equal(proc, undefined, `pid ${pid} must not be in processes[]; report says ${seen}`);
    const hit = ign.find((i) => i.rule === expect.rule && i.kind === expect.kind);
    assert.ok(
      hit,
      `ignored[] must name rule ${expect.rule} for a ${expect.kind} of pid ${pid}; it has ${JSON.stringify(ign)}`,
    );
    if (typeof expect.path === "string") assert.equal(hit.path, expect.path);
    else assert.match(hit.path, expect.path);
    for (const i of ign)
      assert.equal(i.rule, expect.rule, `pid ${pid} has nothing else deleted: ${JSON.stringify(i)}`);
    assert.ok(hit.reason.length > 0, "every ignored hit says why");
  } else {
    const maps = readFileSync(`/proc/${pid}/maps`, "latin1");
    assert.ok(maps.includes(` ${expect.mapped}\n`), `pid ${pid} maps ${expect.mapped}: ${maps}`);
    assert.equal(proc, undefined, `pid ${pid} must not be in processes[]; report says ${seen}`);
    assert.deepEqual(ign, [], `pid ${pid} has nothing deleted to ignore`);
  }
}

describe("stale detection on real processes", () => {
  let lab: Lab;
  const outcomes = new Map<Scenario, Outcome>();

  before(async () => {
    lab = new Lab();
    for (const s of scenarios) {
      if (s.root !== undefined && !isRoot) {
        outcomes.set(s, { skip: `not root: ${s.root}` });
        continue;
      }
      try {
        outcomes.set(s, await s.setup(lab));
      } catch (e) {
        outcomes.set(s, e instanceof CannotHere ? { skip: e.message } : { error: e });
      }
    }
  });
  after(() => lab.close());

  /** Our pids and what each must be, for the "exactly these" checks. */
  function ours(): { pid: number; expect: Expectation }[] {
    return [...outcomes.values()].filter((o): o is { pid: number; expect: Expectation } => "pid" in o);
  }

  for (const node of nodeBinaries()) {
    describe(`with the bundle run by Node ${node.version}`, () => {
      let report: JsonReport;
      let status: number | null = null;

      before(async () => {
        const r = await runCli(["--json", "--explain"], { node: node.path });
        status = r.status;
        report = reportOf(r);
      });

      it("prints a report in the documented format and exits 0, or 3 when the scan was partial", () => {
        assert.equal(report.format, "afterpatch-report/1");
        assert.equal(status, expectedStatus(report), `warnings: ${JSON.stringify(report.scan.warnings)}`);
        assert.equal(report.scan.own_processes_only, !isRoot);
      });

      for (const s of scenarios) {
        it(testName(s), (t) => {
          const o = outcomes.get(s);
          if (o === undefined) throw new Error("scenario was not set up");
          if ("skip" in o) return t.skip(o.skip);
          if ("error" in o) throw o.error;
          assert.equal(o.expect.is, s.is, "the scenario's setup and declaration agree");
          checkScenario(report, o.pid, o.expect);
        });
      }

      it("reports exactly the stale scenarios' pids among the processes this test started", () => {
        const mine = new Set(ours().map((o) => o.pid));
        const want = ours()
          .filter((o) => o.expect.is === "stale")
          .map((o) => o.pid)
          .sort((a, b) => a - b);
        const got = report.processes
          .map((p) => p.pid)
          .filter((pid) => mine.has(pid))
          .sort((a, b) => a - b);
        assert.deepEqual(got, want);
      });

      it("counts in the summary what the lists hold", () => {
        assert.equal(report.summary.processes, report.processes.length);
        assert.equal(report.summary.programs, new Set(report.processes.map((p) => p.exe)).size);
        const pkgs = new Set(
          report.processes.flatMap((p) => p.files.map((f) => f.package)).filter((k) => k !== null),
        );
        assert.equal(report.summary.packages, pkgs.size);
        for (const k of pkgs) assert.ok(report.packages[k], `packages has an entry for ${k}`);
      });
    });
  }

  describe("exit codes and snapshots", () => {
    it("exits 1 with --exit-code when a stale process was found", async (t) => {
      if (!ours().some((o) => o.expect.is === "stale")) return t.skip("no stale scenario could be set up");
      const r = await runCli(["--json", "--exit-code"]);
      const report = reportOf(r);
      // A partial scan (exit 3) may take precedence; a complete one with stale processes is 1.
      if (report.scan.complete) assert.equal(r.status, 1);
      else assert.ok(r.status === 1 || r.status === 3, `status ${r.status}`);
    });

    it("exits 2 on an unknown option and on a bad --color value, printing no report", async () => {
      for (const args of [["--no-such-option"], ["--color=sometimes"], ["--json", "--from-snapshot"]]) {
        const r = await runCli(args);
        assert.equal(r.status, 2, `afterpatch ${args.join(" ")}: ${r.stderr}`);
        assert.equal(r.json, undefined, `no JSON on stdout for ${args.join(" ")}`);
        assert.ok(r.stderr.length > 0, "says what is wrong on stderr");
      }
    });

    it("accepts the `check` subcommand as the default command", async () => {
      const mine = new Set(ours().map((o) => o.pid));
      const pids = (r: JsonReport) =>
        r.processes
          .map((p) => p.pid)
          .filter((p) => mine.has(p))
          .sort((a, b) => a - b);
      const plain = reportOf(await runCli(["--json"]));
      const check = await runCli(["check", "--json"]);
      assert.equal(check.status, expectedStatus(reportOf(check)));
      assert.deepEqual(pids(reportOf(check)), pids(plain));
    });

    it("reports the same stale pids and files when a dumped snapshot is replayed", async () => {
      const snap = lab.path("snapshot.json");
      const live = reportOf(await runCli(["--json", "--explain", "--dump-snapshot", snap]));
      const replay = await runCli(["--json", "--explain", "--from-snapshot", snap]);
      const replayed = reportOf(replay);
      const mine = new Set(ours().map((o) => o.pid));
      const pick = (r: JsonReport) => {
        assert.ok(r.ignored !== null, "--explain lists ignored[]");
        return {
          processes: r.processes.filter((p) => mine.has(p.pid)).sort((a, b) => a.pid - b.pid),
          ignored: r.ignored
            .filter((i) => mine.has(i.pid))
            .sort((a, b) => a.pid - b.pid || a.path.localeCompare(b.path) || a.rule.localeCompare(b.rule)),
        };
      };
      assert.deepEqual(pick(replayed), pick(live));
      assert.ok(pick(live).processes.length > 0, "the snapshot holds our stale processes");
    });
  });
});
