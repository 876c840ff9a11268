/**
 * The scan with its read-ahead (src/collect/read-ahead.ts) against the real /proc: maps files read
 * on the thread pool while this thread judges must give the answer the synchronous scan gives,
 * for a real process running a replaced library, in PID order, each process once.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Host, realHost } from "../../src/collect/host.js";
import { type ProcessScan, scanProcesses } from "../../src/collect/processes.js";
import { compile, install, isRoot, Lab, replaceByRename } from "./helpers.js";

describe("the scan with read-ahead", () => {
  let lab: Lab;
  const holders: number[] = [];
  let lib = "";
  before(async () => {
    lab = new Lab();
    lib = lab.path("read-ahead", "libafp.so.1");
    mkdirSync(dirname(lib), { recursive: true });
    install(compile("lib", "shared"), lib);
    // More holders than reads in flight, so that both this thread and the pool read some.
    for (let i = 0; i < 40; i++) holders.push((await lab.start(compile("holder"), [lib])).pid);
    replaceByRename(lib);
  });
  after(async () => {
    await lab?.close();
  });

  let readLater = 0;
  const scan = (readAhead: boolean) => {
    // The real host, counting the maps files read on the thread pool.
    const real = realHost("/");
    const host: Host = {
      ...real,
      readTextLater: (path, done, end) => {
        readLater++;
        return real.readTextLater!(path, done, end);
      },
    };
    return scanProcesses(host, { selfPid: process.pid, isRoot, everything: false, readAhead });
  };
  const staleOf = (s: ProcessScan, pid: number) =>
    s.processes
      .find((p) => p.pid === pid)
      ?.maps.filter((m) => m.deleted)
      .map((m) => m.path);

  it("finds every stale holder, as the synchronous scan does", async () => {
    readLater = 0;
    const ahead = await scan(true);
    assert.ok(readLater > 0, "maps files were read on the thread pool");
    const early = readLater;
    const sync = await scan(false);
    assert.equal(readLater, early, "none without read-ahead");
    for (const pid of holders) {
      assert.deepEqual(staleOf(ahead, pid), [lib], `holder ${pid} with read-ahead`);
      assert.deepEqual(staleOf(sync, pid), [lib], `holder ${pid} without`);
    }
    const ours = (s: ProcessScan) => s.processes.filter((p) => holders.includes(p.pid));
    assert.deepEqual(ours(ahead), ours(sync));
  });

  it("lists each process once, in PID order", async () => {
    const s = await scan(true);
    const pids = s.processes.map((p) => p.pid);
    assert.deepEqual(
      pids,
      [...pids].sort((a, b) => a - b),
    );
    assert.equal(new Set(pids).size, pids.length);
    assert.ok(!pids.includes(process.pid), "not afterpatch itself");
  });
});
