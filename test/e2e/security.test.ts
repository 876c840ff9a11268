/**
 * afterpatch runs as root over text other users control: process names, file names, processes
 * that come and go. These tests give it hostile input from real processes and check that the
 * JSON carries the exact bytes, that human output cannot be used to forge lines or drive the
 * terminal, that a churning process table never crashes it, and that a non-root run only looks
 * at the caller's own processes.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, symlinkSync } from "node:fs";
import { dirname } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  bytesOf,
  compile,
  describePid,
  expectedStatus,
  ignoredOf,
  install,
  isRoot,
  type JsonReport,
  Lab,
  NOBODY,
  processOf,
  replaceByRename,
  reportOf,
  runCli,
  sleep,
  warningCodes,
} from "./helpers.js";

/** comm that sets the terminal title, rings the bell and turns the text red (13 bytes). */
const escComm = "\x1b]0;pwn\x07\x1b[31m";
/** comm with the 8-bit CSI byte (0x9b) and an 0xff: not UTF-8 at all. */
const rawComm = Buffer.from([0x9b, 0x32, 0x4a, 0xff, 0x66, 0x6f, 0x6f]);
/** A directory name that, printed raw, would add a line of its own to the report. */
const forgedDir = "evil\nFAKE-LINE 1 root /usr/sbin/sshd";
/** A directory name that is not UTF-8 and holds the 8-bit CSI. */
const rawDir = Buffer.from([0x78, 0xff, 0x9b, 0x5b, 0x33, 0x31, 0x6d, 0x79]); // x \xff \x9b [31m y

function hex(b: Buffer | string): string {
  return (typeof b === "string" ? Buffer.from(b, "latin1") : b).toString("hex");
}

function libAt(lab: Lab, ...parts: string[]): string {
  const p = lab.path(...parts);
  mkdirSync(dirname(p), { recursive: true });
  install(compile("lib", "shared"), p);
  return p;
}

/**
 * Text is safe to print to a terminal when it is valid UTF-8 (undecodable bytes must have been
 * escaped) and holds no control character but newline and tab: no C0, no DEL, no C1 (U+0080–U+009F).
 * Returns what is wrong, or null.
 */
function unsafeForTerminal(bytes: Buffer): string | null {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const i = bytes.findIndex((b) => b >= 0x80);
    return `stdout is not valid UTF-8 (raw bytes reach the terminal), near ${JSON.stringify(bytes.subarray(Math.max(0, i - 20), i + 10).toString("latin1"))}`;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
  const bad = /[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f]/u.exec(text);
  if (bad === null) return null;
  return `control character U+${bad[0].codePointAt(0)?.toString(16).padStart(4, "0")} at ${JSON.stringify(text.slice(Math.max(0, bad.index - 30), bad.index + 10))}`;
}

describe("hostile process names and file names", () => {
  let lab: Lab;
  const pid = {
    esc: 0,
    raw: 0,
    forged: 0,
    rawPath: 0,
    deletedName: 0,
    memfdLib: 0,
    memfdMark: 0,
  };
  let rawLibBytes: Buffer;
  let forgedLib: string;
  let deletedNameLib: string;
  const prefixes: { lib: string; pid: number }[] = [];
  let report: JsonReport;
  let jsonStatus: number | null;

  before(async () => {
    lab = new Lab();
    const holder = compile("holder");
    const anon = compile("anon");

    const a = libAt(lab, "esc", "libafp.so.1");
    pid.esc = (await lab.start(holder, ["-c", hex(escComm), a])).pid;
    replaceByRename(a);

    const b = libAt(lab, "raw", "libafp.so.1");
    pid.raw = (await lab.start(holder, ["-c", hex(rawComm), b])).pid;
    replaceByRename(b);

    forgedLib = libAt(lab, forgedDir, "libafp.so.1");
    pid.forged = (await lab.start(holder, [forgedLib])).pid;
    replaceByRename(forgedLib);

    // argv from Node is UTF-8 only: reach the non-UTF-8 directory through a symlink; the kernel
    // shows the resolved name in maps.
    const dir = Buffer.concat([Buffer.from(`${lab.dir}/`), rawDir]);
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    rawLibBytes = Buffer.concat([dir, Buffer.from("/libafp.so.1")]);
    install(compile("lib", "shared"), rawLibBytes);
    symlinkSync(rawLibBytes, lab.path("raw-link.so"));
    pid.rawPath = (await lab.start(holder, [lab.path("raw-link.so")])).pid;
    replaceByRename(rawLibBytes);

    deletedNameLib = libAt(lab, "named", "libafp.so.1 (deleted)");
    pid.deletedName = (await lab.start(holder, [deletedNameLib])).pid;
    replaceByRename(deletedNameLib); // maps now shows "…libafp.so.1 (deleted) (deleted)"

    // One process per folder: each maps file stays well under a page.
    for (const d of ["tmp", "run", "dev/shm", "var/log", "var/tmp"]) {
      const lib = libAt(lab, "tree", d, "libafp.so.1");
      prefixes.push({ lib, pid: (await lab.start(holder, [lib])).pid });
      replaceByRename(lib);
    }

    pid.memfdLib = (await lab.start(anon, ["memfd", "/usr/lib/x86_64-linux-gnu/libc.so.6"])).pid;
    pid.memfdMark = (await lab.start(anon, ["memfd", "a\nb (deleted)"])).pid;

    const r = await runCli(["--json", "--explain"]);
    jsonStatus = r.status;
    report = reportOf(r);
  });
  after(() => lab.close());

  it("exits 0, or 3 when the scan was partial, whatever the names", () => {
    assert.equal(jsonStatus, expectedStatus(report));
  });

  it("keeps a process name made of terminal escape sequences exact in JSON", () => {
    const p = processOf(report, pid.esc);
    assert.ok(p, "the process with the escape-sequence name is reported");
    assert.equal(p.command, escComm);
    assert.equal(p.command_base64, undefined, "valid UTF-8 needs no _base64 field");
  });

  it("carries a process name that is not UTF-8 exactly in command_base64, with \\xNN in command", () => {
    const p = processOf(report, pid.raw);
    assert.ok(p, "the process with the raw-byte name is reported");
    assert.deepEqual(bytesOf(p.command, p.command_base64), rawComm);
    assert.equal(p.command, "\\x9b2J\\xfffoo");
  });

  it("reports the exact path of a library in a directory whose name holds a newline (maps shows \\012)", () => {
    const p = processOf(report, pid.forged);
    assert.ok(p, "reported");
    assert.deepEqual(
      p.files.map((f) => f.path),
      [forgedLib],
    );
  });

  it("carries a path that is not UTF-8 exactly in path_base64, with \\xNN in path", () => {
    const p = processOf(report, pid.rawPath);
    assert.ok(p, "reported");
    const f = p.files[0];
    assert.ok(f, "one file");
    assert.deepEqual(bytesOf(f.path, f.path_base64), rawLibBytes);
    assert.equal(f.path, `${lab.dir}/x\\xff\\x9b[31my/libafp.so.1`);
  });

  it("strips only the kernel's own ' (deleted)' mark from a replaced file whose name ends in ' (deleted)'", () => {
    const p = processOf(report, pid.deletedName);
    assert.ok(p, "reported");
    assert.deepEqual(
      p.files.map((f) => [f.path, f.reason]),
      [[deletedNameLib, "deleted"]],
    );
  });

  it("applies the tmp, run, dev-shm and var-log rules to whole path prefixes, not to any folder so named", () => {
    for (const { lib, pid: p } of prefixes) {
      const proc = processOf(report, p);
      assert.ok(proc, `${lib} is reported; report says ${describePid(report, p)}`);
      assert.deepEqual(
        proc.files.map((f) => f.path),
        [lib],
      );
      assert.deepEqual(ignoredOf(report, p), [], `${lib} is not ignored`);
    }
  });

  for (const [key, name, what] of [
    [
      "memfdLib",
      "/memfd:/usr/lib/x86_64-linux-gnu/libc.so.6",
      "a library path (memfd names may hold slashes)",
    ],
    ["memfdMark", "/memfd:a\nb (deleted)", "a newline and the deleted mark"],
  ] as const) {
    it(`ignores memfd memory whose name imitates ${what}`, () => {
      const p = pid[key];
      assert.equal(
        processOf(report, p),
        undefined,
        `${JSON.stringify(name)} is not a stale library: ${describePid(report, p)}`,
      );
      const ign = ignoredOf(report, p).filter((i) => i.kind === "mapping");
      assert.deepEqual(
        ign.map((i) => [i.path, i.rule]),
        [[name, "memfd"]],
      );
    });
  }

  describe("human output", () => {
    for (const color of ["", "--color=never", "--color=always"]) {
      it(`writes no raw control bytes to stdout${color === "" ? " (colour auto, not a terminal)" : ` with ${color}`}`, async () => {
        const args = ["--explain", ...(color === "" ? [] : [color])];
        const r = await runCli(args);
        assert.ok(r.status === 0 || r.status === 3, `status ${r.status}: ${r.stderr}`);
        let out = r.stdoutBytes;
        if (color === "--color=always") {
          // Colour codes are the only escape sequences allowed: SGR, ESC [ digits/semicolons m.
          // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what an SGR sequence starts with
          out = Buffer.from(out.toString("latin1").replace(/\x1b\[[0-9;]*m/g, ""), "latin1");
        } else {
          assert.equal(out.includes(0x1b), false, "no ESC at all without colour");
        }
        assert.equal(unsafeForTerminal(out), null);
        const text = out.toString("utf8");
        assert.ok(text.includes("pwn"), "the hostile name is shown, escaped");
        for (const p of [pid.esc, pid.raw, pid.forged, pid.rawPath]) {
          assert.ok(text.includes(String(p)), `pid ${p} is listed`);
        }
        const forged = text.split("\n").filter((l) => l.trimStart().startsWith("FAKE-LINE"));
        assert.deepEqual(forged, [], "a newline in a path cannot start a line of its own");
      });
    }
  });
});

describe("processes that vanish while afterpatch reads them", () => {
  let lab: Lab;
  let churnPid = 0;

  before(async () => {
    lab = new Lab();
    const lib = libAt(lab, "churn", "libafp.so.1");
    const c = await lab.start(compile("churn"), [lib], { stdin: true });
    churnPid = c.pid;
    replaceByRename(lib); // every child inherits a stale mapping: each is read in full
    c.child.stdin?.write("g");
    await sleep(100);
  });
  after(() => lab.close());

  it("never crashes over a churning process table: exit 0 or 3, one valid report each time", async () => {
    for (let round = 0; round < 6; round++) {
      const json = round % 2 === 0;
      const r = await runCli(json ? ["--json", "--explain"] : ["--explain"]);
      assert.ok(
        r.status === 0 || r.status === 3,
        `round ${round}: status ${r.status} ${r.signal}\n${r.stderr}`,
      );
      assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n/, `round ${round}: no stack trace on stderr`);
      if (!json) continue;
      const report = reportOf(r);
      assert.equal(report.format, "afterpatch-report/1");
      assert.equal(
        r.status,
        expectedStatus(report),
        `round ${round}: warnings ${JSON.stringify(report.scan.warnings)}`,
      );
      assert.equal(report.scan.complete, report.scan.warnings.length === 0, "partial exactly when warned");
      for (const w of report.scan.warnings) assert.ok(warningCodes.has(w.code), `documented code: ${w.code}`);
      assert.ok(processOf(report, churnPid), `round ${round}: the churning parent ${churnPid} is reported`);
    }
  });
});

describe("a run as an unprivileged user", {
  skip: isRoot ? false : "not root: cannot switch to nobody",
}, () => {
  let lab: Lab;
  let nobodyPid = 0;
  let rootPid = 0;
  let nobodyLib = "";
  let report: JsonReport;
  let status: number | null;

  before(async () => {
    lab = new Lab();
    const holder = compile("holder");
    nobodyLib = libAt(lab, "nobody", "libafp.so.1");
    const rootLib = libAt(lab, "root", "libafp.so.1");
    const ids = [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups"];
    nobodyPid = (await lab.start("setpriv", [...ids, holder, nobodyLib])).pid;
    rootPid = (await lab.start(holder, [rootLib])).pid;
    replaceByRename(nobodyLib);
    replaceByRename(rootLib);
    const r = await runCli(["--json", "--explain"], { asUser: NOBODY });
    status = r.status;
    report = reportOf(r);
  });
  after(() => lab.close());

  it("says it checked only the caller's processes, warns not-root and exits 3", () => {
    assert.equal(report.scan.own_processes_only, true);
    assert.equal(report.scan.complete, false);
    assert.equal(report.scan.uid, NOBODY);
    assert.ok(
      report.scan.warnings.some((w) => w.code === "not-root"),
      JSON.stringify(report.scan.warnings),
    );
    assert.equal(status, 3);
  });

  it("still reports the caller's own stale process", () => {
    const p = processOf(report, nobodyPid);
    assert.ok(p, `nobody's holder ${nobodyPid} is reported`);
    assert.deepEqual(
      p.files.map((f) => [f.path, f.reason]),
      [[nobodyLib, "deleted"]],
    );
  });

  it("reports and ignores nothing of root's", () => {
    assert.equal(processOf(report, rootPid), undefined, "root's stale holder is not reported");
    for (const p of report.processes) assert.equal(p.uid, NOBODY, `pid ${p.pid} belongs to uid ${p.uid}`);
    assert.deepEqual(ignoredOf(report, rootPid), []);
    assert.deepEqual(ignoredOf(report, 1), [], "nothing about PID 1");
  });
});
