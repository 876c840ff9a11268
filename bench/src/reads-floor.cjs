// The reads of reads-floor.c, made by Node: the same files, read the same way (open, read until
// the same end, close), on one thread, with synchronous calls and no other work. Not a target and
// not part of the bundle: it tells what the reads alone cost a Node program, before any parsing,
// package lookup or report; what afterpatch takes above it is its own JavaScript (bench/README.md).
//
//   node bench/src/reads-floor.cjs [-v]
"use strict";
// CommonJS, as the bundle is: an ES module would add the module loader's start-up (~4 ms here).
const { closeSync, openSync, readdirSync, readlinkSync, readSync, statSync } = require("node:fs");

const buf = Buffer.allocUnsafe(1 << 20);
const GATE_START = "ffffffffff600000-ffffffffff601000 ";
const GATE_END = " [vsyscall]\n";

/** Whether the text ends with x86-64's vsyscall line, the last of a 64-bit maps file. */
function endsAtGate(len) {
  if (len < GATE_START.length + GATE_END.length || buf[len - 1] !== 10) return false;
  const text = buf.latin1Slice(Math.max(0, len - 128), len);
  const line = text.lastIndexOf("\n", text.length - 2) + 1;
  return text.startsWith(GATE_START, line) && text.endsWith(GATE_END);
}

/** Reads a whole file as reads-floor.c does (maps: to the vsyscall line; stat, cgroup: one record). */
function slurp(path, end) {
  let fd;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  let len = 0;
  try {
    for (;;) {
      const asked = buf.length - len;
      const n = readSync(fd, buf, len, asked, null);
      if (n === 0) break;
      len += n;
      if ((end === "record" && n < asked) || (end === "gate" && endsAtGate(len))) break;
    }
  } catch {
    len = -1;
  }
  closeSync(fd);
  return len <= 0 ? null : buf.latin1Slice(0, len);
}

/** Whether a maps line names a deleted file mapped with execute permission. */
function mapsDeletedCode(text) {
  for (let at = text.indexOf(" (deleted)\n"); at !== -1; at = text.indexOf(" (deleted)\n", at + 1)) {
    const line = text.lastIndexOf("\n", at) + 1;
    if (text.charCodeAt(text.indexOf(" ", line) + 3) === 120) return true; // "x"
  }
  return false;
}

function readlinkOrNull(path) {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

let procs = 0;
let detailed = 0;
for (const name of readdirSync("/proc")) {
  const c = name.charCodeAt(0);
  if (c < 48 || c > 57) continue;
  const dir = `/proc/${name}`;
  const maps = slurp(`${dir}/maps`, "gate");
  if (maps === null) continue;
  procs++;
  if (readlinkOrNull(`${dir}/ns/mnt`) === null || !mapsDeletedCode(maps)) continue;
  detailed++;
  slurp(`${dir}/stat`, "record");
  try {
    statSync(dir);
  } catch {}
  slurp(`${dir}/cgroup`, "record");
  readlinkOrNull(`${dir}/exe`);
}
if (process.argv[2] === "-v") console.log(`${procs} processes, ${detailed} with details`);
