/**
 * The pass over /proc when processes change under it: exits, executes another program, unmaps
 * its own executable, or is unreadable. A scripted Host plays /proc, answering each read from a
 * queue, so a process can change between two reads of the same scan exactly where a real one
 * could (test/e2e covers the same scan against real processes).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FileInfo, Host } from "./host.js";
import { type ProcessScan, scanProcesses } from "./processes.js";

const SELF = 100;
const MNT = "mnt:[4026531840]";
const LIB = "/usr/lib/x86_64-linux-gnu/libssl.so.3";

const line = (path: string, perms = "r-xp", inode = "1234") =>
  `7f0000000000-7f0000001000 ${perms} 00000000 fe:00 ${inode}                    ${path}\n`;
const stat = (pid: number, comm = "daemon") =>
  `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 4242 1000000 100\n`;

type Answer = string | Error;
const gone = (path: string) => Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
const denied = (path: string) => Object.assign(new Error(`EACCES: ${path}`), { code: "EACCES" });

/**
 * A /proc that answers each path from its list of answers in turn (the last one repeating), and
 * counts the reads. Mapped files stat as inode 1234 unless `files` says otherwise.
 */
function scriptedHost(
  pids: number[],
  answers: Record<string, Answer[]>,
  files: Record<string, FileInfo | null> = {},
) {
  const reads: Record<string, number> = {};
  const answer = (path: string): string => {
    const list = answers[path];
    if (list === undefined) throw gone(path);
    const n = reads[path] ?? 0;
    reads[path] = n + 1;
    const a = list[Math.min(n, list.length - 1)]!;
    if (a instanceof Error) throw a;
    return a;
  };
  const host: Host = {
    root: "/",
    readText: (path) => answer(path),
    readlink: (path) => (path.endsWith("/ns/mnt") ? MNT : answer(path)),
    readdir: (path) => {
      if (path === "/proc") return [...pids, SELF].map(String);
      throw gone(path);
    },
    stat: (path) => (path in files ? files[path]! : { dev: "fe:00", ino: "1234", mode: 0o100644 }),
    owner: (path) => {
      answer(path);
      return 1000;
    },
    readBuffer: () => {
      throw new Error("not used");
    },
    readHead: () => {
      throw new Error("not used");
    },
    readTransient: () => {
      throw new Error("not used");
    },
    run: () => {
      throw new Error("never runs anything");
    },
  };
  return { host, reads };
}

/** A process that maps its executable and a deleted library: it has something to report. */
function stale(pid: number, exe = "/usr/sbin/daemon"): Record<string, Answer[]> {
  return {
    [`/proc/${pid}/maps`]: [line(exe) + line(`${LIB} (deleted)`)],
    [`/proc/${pid}/stat`]: [stat(pid)],
    [`/proc/${pid}`]: [""],
    [`/proc/${pid}/cgroup`]: ["0::/system.slice/daemon.service\n"],
    [`/proc/${pid}/exe`]: [exe],
  };
}

const scan = (host: Host, isRoot = true): Promise<ProcessScan> =>
  scanProcesses(host, { selfPid: SELF, isRoot, everything: false, readAhead: false });
const deletedOf = (s: ProcessScan, pid: number) =>
  s.processes.find((p) => p.pid === pid)?.maps.flatMap((m) => (m.deleted ? [m.path] : []));

describe("the pass over /proc, when processes change under it", () => {
  it("reports a stale process with its details, and skips itself", async () => {
    const { host, reads } = scriptedHost([7], stale(7));
    const s = await scan(host);
    assert.deepEqual(
      s.processes.map((p) => p.pid),
      [7],
    );
    assert.deepEqual(deletedOf(s, 7), [LIB]);
    assert.equal(s.processes[0]!.details?.comm, "daemon");
    assert.equal(s.processes[0]!.exe, "/usr/sbin/daemon");
    assert.deepEqual(s.warnings, []);
    assert.equal(reads[`/proc/${SELF}/maps`], undefined, "afterpatch's own map is not read");
  });

  it("forgets a process that exits before its map is read, without a warning", async () => {
    const { host } = scriptedHost([7, 8], { ...stale(8), "/proc/7/maps": [gone("/proc/7/maps")] });
    const s = await scan(host);
    assert.deepEqual(
      s.processes.map((p) => p.pid),
      [8],
    );
    assert.deepEqual(s.warnings, []);
  });

  it("warns of a stale process that exits while its details are read (a partial scan)", async () => {
    const { host } = scriptedHost([7], { ...stale(7), "/proc/7/stat": [gone("/proc/7/stat")] });
    const s = await scan(host);
    assert.deepEqual(s.processes, []);
    assert.deepEqual(
      s.warnings.map((w) => [w.code, w.pid]),
      [["vanished", 7]],
    );
  });

  it("warns of a map it may not read as root, and counts it without root", async () => {
    const answers = { ...stale(8), "/proc/7/maps": [denied("/proc/7/maps")] };
    const asRoot = await scan(scriptedHost([7, 8], answers).host, true);
    assert.deepEqual(
      asRoot.warnings.map((w) => [w.code, w.pid]),
      [["unreadable", 7]],
    );
    const asUser = await scan(scriptedHost([7, 8], answers).host, false);
    assert.deepEqual(asUser.warnings, []);
    assert.equal(asUser.denied, 1);
    assert.deepEqual(
      asUser.processes.map((p) => p.pid),
      [8],
    );
  });

  it("reads the map again when the process executed another program after it, and judges that", async () => {
    // First map: the old program with a deleted library; then the link already names the new
    // program, whose map (read again) is fresh.
    const { host, reads } = scriptedHost([7], {
      ...stale(7, "/usr/bin/old"),
      "/proc/7/maps": [line("/usr/bin/old") + line(`${LIB} (deleted)`), line("/usr/bin/new") + line(LIB)],
      "/proc/7/exe": ["/usr/bin/new"],
    });
    const s = await scan(host);
    assert.equal(reads["/proc/7/maps"], 2);
    assert.deepEqual(deletedOf(s, 7), [], "the new program maps nothing stale");
    assert.deepEqual(s.warnings, []);
  });

  it("keeps a process that unmapped its own executable (UPX), with the stale library it maps", async () => {
    const { host, reads } = scriptedHost([7], {
      ...stale(7),
      "/proc/7/maps": [line(`${LIB} (deleted)`)],
    });
    const s = await scan(host);
    assert.equal(reads["/proc/7/maps"], 2, "read again once, as for an exec");
    assert.deepEqual(deletedOf(s, 7), [LIB]);
    assert.equal(s.processes[0]!.exe, "/usr/sbin/daemon");
    assert.deepEqual(s.warnings, []);
  });

  it("matches an executable named with the characters \\012 or with a newline to its map, reading it once", async () => {
    // maps prints a newline in a name as \012, and the four characters \012 as themselves.
    for (const exe of ["/home/eve/a\\012b", "/home/eve/a\nb"]) {
      const { host, reads } = scriptedHost([7], {
        ...stale(7, exe),
        "/proc/7/maps": [line("/home/eve/a\\012b (deleted)") + line(`${LIB} (deleted)`)],
        "/proc/7/exe": [`${exe} (deleted)`],
      });
      const s = await scan(host);
      assert.equal(reads["/proc/7/maps"], 1, JSON.stringify(exe));
      assert.deepEqual(deletedOf(s, 7), ["/home/eve/a\nb", LIB], JSON.stringify(exe));
      assert.deepEqual(s.warnings, []);
    }
  });

  it("reads no details of a process with nothing to report", async () => {
    const { host, reads } = scriptedHost([7], {
      "/proc/7/maps": [line("/usr/sbin/daemon") + line(LIB) + line("/memfd:jit (deleted)", "rwxs", "99")],
    });
    const s = await scan(host);
    assert.equal(reads["/proc/7/stat"], undefined);
    assert.equal(reads["/proc/7/exe"], undefined);
    assert.deepEqual(deletedOf(s, 7), ["/memfd:jit"], "kept for the ignore rules, without details");
    assert.equal(s.processes[0]!.details, null);
  });
});
