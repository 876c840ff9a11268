import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Host, type Later, oneRecord, type ReadEnd } from "./host.js";
import { DEPTH, type EarlyMaps, REFILL_AT, ReadAhead } from "./read-ahead.js";

/**
 * A host whose later reads answer on a later turn of the event loop, in an order the test picks:
 * "fail" fails at open (answered at once), anything else is the text of the file.
 */
function laterHost(answer: (path: string) => string | "fail") {
  const state = { inflight: 0, most: 0, started: [] as string[], ends: new Set<ReadEnd | undefined>() };
  const host = {
    readTextLater(path: string, done: Later, end?: ReadEnd): string | null {
      state.ends.add(end);
      const text = answer(path);
      if (text === "fail") return "ENOENT";
      state.started.push(path);
      state.most = Math.max(state.most, ++state.inflight);
      setImmediate(() => {
        state.inflight--;
        done(null, text);
      });
      return null;
    },
  } as unknown as Host;
  return { host, state };
}

function list(n: number): () => number {
  let i = 0;
  return () => (i < n ? ++i : -1); // PIDs 1..n
}

describe("ReadAhead", () => {
  it("judges every PID it takes once, with its own map, keeping at most DEPTH reads in flight", async () => {
    const { host, state } = laterHost((path) => `map of ${path}`);
    const judged = new Map<number, EarlyMaps>();
    const ahead = ReadAhead.start(
      host,
      list(500),
      (pid) => `/proc/${pid}/maps`,
      oneRecord,
      (pid, maps) => {
        assert.ok(!judged.has(pid), `PID ${pid} judged twice`);
        judged.set(pid, maps);
      },
    )!;
    assert.equal(state.inflight, DEPTH, "starts DEPTH reads at once");
    await ahead.drain();
    assert.equal(judged.size, 500);
    assert.equal(state.most, DEPTH);
    assert.deepEqual([...state.ends], [oneRecord], "every read ends where the caller said");
    for (const [pid, maps] of judged)
      assert.deepEqual(maps, { code: null, text: `map of /proc/${pid}/maps` });
  });

  it("starts reads again in batches: only once REFILL_AT are left in flight, then up to DEPTH", async () => {
    const { host, state } = laterHost(() => "x");
    const seen: number[] = [];
    const host2 = {
      readTextLater(path: string, done: Later, end?: ReadEnd): string | null {
        seen.push(state.inflight); // reads in flight when this one starts
        return host.readTextLater!(path, done, end);
      },
    } as unknown as Host;
    const ahead = ReadAhead.start(host2, list(300), String, oneRecord, () => {})!;
    await ahead.drain();
    assert.equal(seen.length, 300);
    // The first DEPTH start at once; after that every batch opens with REFILL_AT in flight.
    assert.deepEqual(
      seen.slice(0, DEPTH),
      Array.from({ length: DEPTH }, (_, i) => i),
    );
    const batches = seen.slice(DEPTH).filter((inflight, i, rest) => i === 0 || inflight <= rest[i - 1]!);
    assert.ok(batches.length > 0);
    for (const inflight of batches) assert.equal(inflight, REFILL_AT);
    assert.ok(Math.max(...seen) < DEPTH);
  });

  it("shares the list with its caller: what the caller takes meanwhile is not read ahead", async () => {
    const { host } = laterHost(() => "x");
    const next = list(100);
    const early: number[] = [];
    const ahead = ReadAhead.start(host, next, String, oneRecord, (pid) => early.push(pid))!;
    const mine: number[] = [];
    for (let pid = next(); pid !== -1; pid = next()) {
      mine.push(pid);
      await ahead.pause();
    }
    await ahead.drain();
    assert.ok(mine.length > 0 && early.length > DEPTH, `${mine.length} by the caller, ${early.length} ahead`);
    assert.deepEqual(
      [...mine, ...early].sort((a, b) => a - b),
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
  });

  it("judges a file that cannot even be opened at once, without recursing (100 000 in a row)", async () => {
    const { host, state } = laterHost(() => "fail");
    const codes = new Set<string | null>();
    let count = 0;
    const ahead = ReadAhead.start(host, list(100_000), String, oneRecord, (_pid, maps) => {
      codes.add(maps.code);
      count++;
    })!;
    await ahead.drain();
    assert.equal(count, 100_000);
    assert.deepEqual([...codes], ["ENOENT"]);
    assert.equal(state.started.length, 0);
  });

  it("rejects drain() with what a judge threw, after the reads in flight have finished", async () => {
    const { host, state } = laterHost(() => "x");
    const boom = new Error("judge failed");
    const ahead = ReadAhead.start(host, list(200), String, oneRecord, (pid) => {
      if (pid === 5) throw boom;
    })!;
    await assert.rejects(ahead.drain(), boom);
    assert.equal(state.inflight, 0);
    assert.ok(state.started.length < 200, "no new reads after the failure");
  });

  it("is not started on a host that cannot read later", () => {
    const host = {} as Host;
    assert.equal(
      ReadAhead.start(host, list(3), String, oneRecord, () => {}),
      null,
    );
  });
});
