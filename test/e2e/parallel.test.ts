/**
 * The scan on two threads (src/collect/parallel.ts), forced on however few processes the machine
 * has: the worker is the real bundle, the stale holder a real process, and the answer must be the
 * one the single thread gives.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { after, before, describe, it } from "node:test";
import { realHost } from "../../src/collect/host.js";
import { scanProcesses } from "../../src/collect/parallel.js";
import type { ProcessScan } from "../../src/collect/processes.js";
import { cliPath } from "../helpers/paths.js";
import { compile, install, isRoot, Lab, replaceByRename } from "./helpers.js";

describe("the scan on two threads", () => {
  let lab: Lab;
  let holder = 0;
  let lib = "";
  before(async () => {
    lab = new Lab();
    lib = lab.path("parallel", "libafp.so.1");
    mkdirSync(dirname(lib), { recursive: true });
    install(compile("lib", "shared"), lib);
    holder = (await lab.start(compile("holder"), [lib])).pid;
    replaceByRename(lib);
  });
  after(async () => {
    await lab?.close();
  });

  const scan = (workerScript: string | null) =>
    scanProcesses(realHost("/"), {
      workerScript,
      minPidsForWorker: 1,
      selfPid: process.pid,
      isRoot,
      everything: false,
      reboot: true,
    });
  const staleOf = (s: ProcessScan, pid: number) =>
    s.processes
      .find((p) => p.pid === pid)
      ?.maps.filter((m) => m.deleted)
      .map((m) => m.path);

  it("runs a worker thread, finds the stale holder, and brings the reboot facts back", async () => {
    const two = await scan(cliPath);
    assert.equal(two.threads, 2, "the worker ran");
    assert.deepEqual(staleOf(two, holder), [lib]);
    assert.ok(two.reboot !== undefined, "the worker gathered the reboot facts");
    assert.ok(two.views.host !== undefined);
    const pids = two.processes.map((p) => p.pid);
    assert.deepEqual(
      pids,
      [...pids].sort((a, b) => a - b),
      "merged in PID order",
    );
    assert.equal(new Set(pids).size, pids.length, "no process scanned twice");
  });

  it("gives the same stale files as one thread", async () => {
    const [one, two] = [await scan(null), await scan(cliPath)];
    assert.equal(one.threads, 1);
    assert.deepEqual(staleOf(two, holder), staleOf(one, holder));
    assert.deepEqual(two.reboot?.flags, one.reboot?.flags);
  });

  it("falls back to one thread when the worker cannot start", async () => {
    const s = await scan("/nonexistent/afterpatch-worker.cjs");
    assert.equal(s.threads, 1);
    assert.deepEqual(staleOf(s, holder), [lib]);
  });
});
