// Reads what bench/run.sh wrote (hyperfine JSON + meta per N) and prints medians, ratios and targets.
// Plain JS, not part of the bundle.
//
//   node bench/report.mjs RESULTS_DIR            all N, then the targets (exit 1 if one fails)
//   node bench/report.mjs --only N RESULTS_DIR   one N, no targets
//   node bench/report.mjs --afterpatch-pids FILE pids from `afterpatch --json` output (sanity check)
//   node bench/report.mjs --cpuprofile FILE [K]  top K self-time functions of a `node --cpu-prof` profile
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const AFTERPATCH = ["afterpatch", "afterpatch --json"];
const COMPETITORS = ["needrestart -b", "checkrestart", "lsof +L1"];
const FLOOR_C = "floor: C maps reader";
const FLOOR_NODE = "floor: node -e 0";
/** Not a target: what afterpatch's own reads cost the kernel (bench/src/reads-floor.c). */
const READS_C = "C: afterpatch's reads";
/** Not a target: the same reads made by Node, with no other work (bench/src/reads-floor.cjs). */
const READS_NODE = "Node: afterpatch's reads";
const SANITY_KEY = {
  afterpatch: "afterpatch",
  "afterpatch --json": "afterpatch",
  "needrestart -b": "needrestart",
  checkrestart: "checkrestart",
  "lsof +L1": "lsof",
  [FLOOR_C]: "floor-c",
  [FLOOR_NODE]: "floor-node",
  [READS_C]: "reads-c",
  [READS_NODE]: "reads-node",
};

// Targets from the issue: [N, competitor, minimum speed-up]; floor factor; RSS.
const SPEEDUP_TARGETS = [
  [1000, "checkrestart", 2.5],
  [3000, "checkrestart", 3],
];
const FLOOR_TARGET = { ns: [1000, 3000], factor: 1.6 };
const RSS_TARGET = { n: 3000, mib: 100 };

const args = process.argv.slice(2);

if (args[0] === "--afterpatch-pids") {
  const doc = JSON.parse(readFileSync(args[1], "utf8"));
  if (doc.format !== "afterpatch-report/1" || !Array.isArray(doc.processes)) {
    console.error(`unexpected document: format=${JSON.stringify(doc.format)}`);
    process.exit(1);
  }
  for (const p of doc.processes) if (Number.isInteger(p.pid)) console.log(p.pid);
  process.exit(0);
}

if (args[0] === "--cpuprofile") {
  // Self time per function from `node --cpu-prof` profiles (one file per thread), top K each.
  const files = args.slice(1).filter((a) => !/^\d+$/.test(a));
  const top = Number(args.slice(1).find((a) => /^\d+$/.test(a)) ?? 15);
  for (const file of files) {
    const prof = JSON.parse(readFileSync(file, "utf8"));
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const self = new Map();
    let total = 0;
    prof.samples.forEach((id, i) => {
      const dt = prof.timeDeltas[i] ?? 0;
      total += dt;
      const cf = byId.get(id).callFrame;
      const where = cf.url ? `${cf.url.replace(/^.*\//, "")}:${cf.lineNumber + 1}` : "";
      const key = `${cf.functionName || "(anonymous)"} ${where}`;
      self.set(key, (self.get(key) ?? 0) + dt);
    });
    const thread = /\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.[1];
    console.log(
      `${thread === "0" ? "main thread" : `thread ${thread}`}: ${(total / 1000).toFixed(0)} ms sampled`,
    );
    for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(
        `${lpad((us / 1000).toFixed(1), 7)} ms ${lpad(((100 * us) / total).toFixed(1), 5)} %  ${k}`,
      );
    }
  }
  process.exit(0);
}

let only = null;
if (args[0] === "--only") {
  only = Number(args[1]);
  args.splice(0, 2);
}
const dir = args[0];
if (!dir) {
  console.error("usage: node bench/report.mjs [--only N] RESULTS_DIR");
  process.exit(2);
}

const readJson = (f) => JSON.parse(readFileSync(f, "utf8"));
const machine = existsSync(join(dir, "machine.json")) ? readJson(join(dir, "machine.json")) : {};
// One hyperfine JSON per round (N1000.hyperfine.r1.json, …, and .slow.json for needrestart; a single
// N1000.hyperfine.json from older runs): each command's runs are pooled and its median taken over all.
const HF_FILE = /^N(\d+)\.hyperfine(?:\.(?:r\d+|slow))?\.json$/;
const files = readdirSync(dir).filter((f) => HF_FILE.test(f));
const ns = [...new Set(files.map((f) => Number(HF_FILE.exec(f)[1])))]
  .filter((n) => only === null || n === only)
  .sort((a, b) => a - b);

const runs = new Map();
for (const n of ns) {
  const metaFile = join(dir, `N${n}.meta.json`);
  const meta = existsSync(metaFile) ? readJson(metaFile) : { n, sanity: {}, skipped: {} };
  const pooled = new Map();
  for (const f of files.filter((f) => Number(HF_FILE.exec(f)[1]) === n)) {
    for (const r of readJson(join(dir, f)).results) {
      const p = pooled.get(r.command) ?? { command: r.command, times: [], exit_codes: [] };
      p.times.push(...(r.times ?? [r.median]));
      p.exit_codes.push(...(r.exit_codes ?? []));
      pooled.set(r.command, p);
    }
  }
  const byName = new Map([...pooled].map(([name, p]) => [name, { ...p, ...stats(p.times) }]));
  runs.set(n, { meta, byName });
}

function stats(times) {
  const t = [...times].sort((a, b) => a - b);
  const mid = t.length >> 1;
  const median = t.length % 2 === 1 ? t[mid] : (t[mid - 1] + t[mid]) / 2;
  const mean = t.reduce((a, b) => a + b, 0) / t.length;
  const stddev = t.length > 1 ? Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) / (t.length - 1)) : 0;
  return { median, mean, stddev };
}

const fmtS = (s) => (s >= 10 ? s.toFixed(1) : s >= 1 ? s.toFixed(2) : s.toFixed(3));
const fmtX = (x) => `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×`;
const mib = (kib) => (kib == null ? "" : `${(kib / 1024).toFixed(1)} MiB`);
const pad = (s, w) => String(s).padEnd(w);
function lpad(s, w) {
  return String(s).padStart(w);
}

function floorOf(byName) {
  const c = byName.get(FLOOR_C);
  const node = byName.get(FLOOR_NODE);
  return c && node ? c.median + node.median : null;
}

function table(n, { meta, byName }) {
  const lines = [];
  const ap = byName.get("afterpatch") ?? byName.get("afterpatch --json");
  const procs = meta.processes_on_host ? `, ${meta.processes_on_host} processes on the host` : "";
  lines.push(
    `N=${n}: ${meta.stale ?? n / 2} holders map the replaced library, ${meta.fresh ?? n / 2} do not${procs}`,
  );
  const head = [
    pad("command", 24),
    lpad("median s", 9),
    lpad("± σ s", 8),
    lpad("runs", 5),
    "  ",
    pad("afterpatch is", 14),
    lpad("exit", 4),
    pad("found stale/fresh", 18),
    lpad("peak RSS", 10),
  ].join(" ");
  lines.push(head, "-".repeat(head.length));
  for (const name of [...AFTERPATCH, ...COMPETITORS, FLOOR_C, FLOOR_NODE, READS_C, READS_NODE]) {
    const r = byName.get(name);
    if (!r) continue;
    let ratio = "";
    if (ap && name !== ap.command) {
      const x = r.median / ap.median;
      ratio = x >= 1 ? `${fmtX(x)} faster` : `${fmtX(1 / x)} slower`;
    } else if (ap) ratio = "—";
    const san = meta.sanity?.[SANITY_KEY[name]];
    const found = san && san.stale_found != null ? `${san.stale_found}/${san.fresh_found}` : "";
    const rss =
      name === "afterpatch --json" && meta.afterpatch_rss_kib ? meta.afterpatch_rss_kib : san?.rss_kib;
    const exits = [...new Set(r.exit_codes ?? [])].join(",");
    lines.push(
      [
        pad(name, 24),
        lpad(fmtS(r.median), 9),
        lpad(fmtS(r.stddev ?? 0), 8),
        lpad(r.times?.length ?? "", 5),
        "  ",
        pad(ratio, 14),
        lpad(exits, 4),
        pad(found, 18),
        lpad(mib(rss), 10),
      ].join(" "),
    );
  }
  // A sum of medians, and afterpatch's ratio to it, in the table's columns.
  const sumLine = (label, sum, what) =>
    [
      pad(label, 24),
      lpad(fmtS(sum), 9),
      lpad("", 8),
      lpad("", 5),
      "  ",
      ap ? `afterpatch = ${fmtX(ap.median / sum)} ${what}` : "",
    ].join(" ");
  const floor = floorOf(byName);
  if (floor !== null) lines.push(sumLine("floor (node -e 0 + C)", floor, "floor"));
  const reads = byName.get(READS_C);
  const node = byName.get(FLOOR_NODE);
  if (reads && node)
    lines.push(sumLine("node -e 0 + C reads", reads.median + node.median, "this (not a target)"));
  // How much of the floor target the reads alone use up when Node makes them.
  const nodeReads = byName.get(READS_NODE);
  if (nodeReads && floor !== null)
    lines.push(
      [
        pad("Node's reads alone", 24),
        lpad(fmtS(nodeReads.median), 9),
        lpad("", 8),
        lpad("", 5),
        "  ",
        `= ${fmtX(nodeReads.median / floor)} floor, before any parsing (not a target)`,
      ].join(" "),
    );
  for (const [tool, why] of Object.entries(meta.skipped ?? {})) lines.push(`  not run: ${tool}: ${why}`);
  lines.push(
    "  exit: exit codes of the timed runs (afterpatch 3 = partial scan: something was unreadable, see its warnings)",
  );
  lines.push(
    `  found stale/fresh: holders each tool reported, out of ${meta.stale ?? n / 2} stale / ${meta.fresh ?? n / 2} fresh (want all / 0; lsof +L1: all / all, for the deleted log fd — it does not select replaced mappings)`,
  );
  return lines.join("\n");
}

if (only === null && machine.date) {
  console.log(
    `afterpatch bench — ${machine.date}, ${machine.os}, kernel ${machine.kernel}, ${machine.cores} cores (${machine.cpu}), ${machine.mem_gib} GiB`,
  );
  console.log(
    `node ${machine.node}, hyperfine ${machine.hyperfine}, needrestart ${machine.needrestart}, debian-goodies ${machine.debian_goodies}, lsof ${machine.lsof}; holders ${machine.detach ? "reparented to PID 1" : "children of the launcher"}; afterpatch bundle sha256 ${machine.afterpatch_bundle_sha256 ?? "?"} (git ${machine.afterpatch_commit ?? "?"} + working tree)`,
  );
  console.log(envLine(machine));
  console.log("");
}
for (const [n, run] of runs) {
  console.log(table(n, run));
  console.log("");
}
if (only !== null) process.exit(0);

// Targets
let failed = false;
const results = [];
const verdict = (ok) => (ok === null ? "NOT MEASURED" : ok ? "PASS" : "FAIL");
const record = (what, want, got, ok) => {
  if (ok !== true) failed = true;
  results.push([what, want, got, verdict(ok)]);
};
for (const variant of AFTERPATCH) {
  for (const [n, competitor, min] of SPEEDUP_TARGETS) {
    const r = runs.get(n);
    const ap = r?.byName.get(variant);
    const c = r?.byName.get(competitor);
    const x = ap && c ? c.median / ap.median : null;
    record(
      `N=${n} ${variant} vs ${competitor}`,
      `≥ ${min}× faster`,
      x === null ? "—" : `${fmtX(x)} faster`,
      x === null ? null : x >= min,
    );
  }
  for (const n of FLOOR_TARGET.ns) {
    const r = runs.get(n);
    const ap = r?.byName.get(variant);
    const floor = r ? floorOf(r.byName) : null;
    const x = ap && floor ? ap.median / floor : null;
    record(
      `N=${n} ${variant} vs floor`,
      `≤ ${FLOOR_TARGET.factor}× floor`,
      x === null ? "—" : `${fmtX(x)} floor (${fmtS(ap.median)} s / ${fmtS(floor)} s)`,
      x === null ? null : x <= FLOOR_TARGET.factor,
    );
  }
}
{
  const kib = runs.get(RSS_TARGET.n)?.meta.afterpatch_rss_kib ?? null;
  record(
    `N=${RSS_TARGET.n} afterpatch --json peak RSS`,
    `< ${RSS_TARGET.mib} MiB`,
    kib === null ? "—" : mib(kib),
    kib === null ? null : kib / 1024 < RSS_TARGET.mib,
  );
}
for (const [n, r] of runs) {
  const kib = r.meta.afterpatch_rss_kib;
  if (kib != null && n !== RSS_TARGET.n) console.log(`N=${n} afterpatch --json peak RSS: ${mib(kib)}`);
}
console.log("Targets");
for (const [what, want, got, v] of results)
  console.log(`  ${pad(what, 40)} ${pad(want, 16)} ${pad(got, 40)} ${v}`);
process.exit(failed ? 1 : 0);

/** How the timed commands' environment was set (older runs did not say: the caller's). */
function envLine(m) {
  if (m.env === "clean") {
    const dropped = m.env_dropped ? `; of the caller's, dropped: ${m.env_dropped}` : "";
    return `environment: clean, as sudo leaves it (env -i PATH HOME LC_ALL=C)${dropped}`;
  }
  return `environment: the caller's${m.env === "inherit" ? " (BENCH_ENV=inherit)" : " (not recorded)"}`;
}
