/**
 * Report → the text an administrator reads: the counts first, then each process with its
 * program, owner and stale files, then a one-line suggestion. Every byte that a process controls
 * goes through forTerminal(); colour is the caller's decision (TTY, NO_COLOR, --color).
 */
import type { IgnoredHit, Report, StaleFile, StaleProcess } from "../model/report.js";
import type { PackageInfo } from "../model/snapshot.js";
import { summarize } from "./summary.js";
import { forTerminal } from "./text.js";

export interface HumanOptions {
  color: boolean;
  explain: boolean;
  /** The terminal can show "→"; otherwise "->". */
  unicode: boolean;
}

export function renderHuman(report: Report, opts: HumanOptions): string {
  const c = palette(opts.color);
  const lines: string[] = [];
  const s = summarize(report);
  const checked = `${report.processesScanned} ${plural(report.processesScanned, "process", "processes")} checked${
    report.ownProcessesOnly ? ", only your own" : ""
  }`;
  if (s.processes === 0) {
    lines.push(`${c.bold("No process runs replaced code")} (${checked}).`);
  } else {
    lines.push(
      `${c.bold(`${s.processes} ${plural(s.processes, "process runs", "processes run")} replaced code`)}: ` +
        `${s.programs} ${plural(s.programs, "program", "programs")}, ${s.packages} ${plural(s.packages, "package", "packages")} (${checked}).`,
    );
    lines.push("");
    for (const p of report.stale) lines.push(...processLines(p, report.packages, c, opts.unicode));
    lines.push("");
    lines.push(`${c.bold("Suggestion:")} ${suggestion(report.stale)}`);
  }
  if (opts.explain) lines.push("", ...explainLines(report.ignored, c));
  if (report.warnings.length > 0) {
    lines.push(
      "",
      c.yellow(
        `Partial scan: ${report.warnings.length} ${plural(report.warnings.length, "problem", "problems")}:`,
      ),
    );
    for (const w of report.warnings) lines.push(`  ${w.code}: ${forTerminal(w.message)}`);
  }
  return `${lines.join("\n")}\n`;
}

type Palette = ReturnType<typeof palette>;

function palette(on: boolean) {
  const wrap = (code: string) => (t: string) => (on ? `\x1b[${code}m${t}\x1b[0m` : t);
  return { bold: wrap("1"), red: wrap("31"), yellow: wrap("33"), cyan: wrap("36"), dim: wrap("2") };
}

function processLines(
  p: StaleProcess,
  packages: Record<string, PackageInfo>,
  c: Palette,
  unicode: boolean,
): string[] {
  const program = p.exe !== null ? forTerminal(p.exe) : "?";
  const name = p.comm !== null ? ` (${forTerminal(p.comm)})` : "";
  const out = [`  ${c.bold(String(p.pid).padStart(7))}  ${program}${name}  ${c.cyan(owner(p))}`];
  for (const f of p.files) out.push(`           ${fileLine(f, packages, c, unicode)}`);
  return out;
}

function owner(p: StaleProcess): string {
  if (p.unit === null) return "no unit";
  return p.userUnit === null ? p.unit : `${p.unit}/${p.userUnit}`;
}

function fileLine(f: StaleFile, packages: Record<string, PackageInfo>, c: Palette, unicode: boolean): string {
  const what = f.kind === "executable" ? "executable " : f.kind === "open-file" ? "open file " : "";
  const pkg = f.package === null ? undefined : packages[f.package];
  let origin = "no package";
  if (pkg !== undefined) {
    const arrow = unicode ? "→" : "->";
    const versions =
      pkg.previousVersion !== null && pkg.version !== null
        ? `${pkg.previousVersion} ${arrow} ${pkg.version}`
        : (pkg.version ?? "");
    origin = `${pkg.name}${pkg.arch !== null ? `:${pkg.arch}` : ""} ${versions}`.trimEnd();
  }
  return `${forTerminal(f.path)}  ${c.red(`${what}${f.reason}`)}  ${c.dim(origin)}`;
}

/** One line: which units to restart, and what has no unit to restart it by. */
export function suggestion(stale: StaleProcess[]): string {
  const restart = new Set<string>();
  const sessions = new Set<string>();
  const byHand: number[] = [];
  for (const p of stale) {
    if (p.pid === 1) restart.add("daemon-reexec");
    else if (p.unit === null) byHand.push(p.pid);
    else if (p.userUnit !== null || /^user@\d+\.service$/.test(p.unit) || p.unit.endsWith(".scope"))
      sessions.add(p.unit);
    else restart.add(p.unit);
  }
  const parts: string[] = [];
  if (restart.delete("daemon-reexec")) parts.push("systemctl daemon-reexec");
  if (restart.size > 0) parts.push(`systemctl restart ${[...restart].sort().join(" ")}`);
  if (sessions.size > 0)
    parts.push(`log out and in again, or restart within: ${[...sessions].sort().join(" ")}`);
  if (byHand.length > 0) parts.push(`restart by hand: ${pidList(byHand)}`);
  return `${parts.join("; ")}.`;
}

function explainLines(ignored: IgnoredHit[], c: Palette): string[] {
  if (ignored.length === 0) return [c.bold("Ignored: nothing.")];
  // rule → "kind\0path" → PIDs: one line per file, however many processes share it.
  const byRule = new Map<string, { reason: string; files: Map<string, number[]> }>();
  for (const h of ignored) {
    let rule = byRule.get(h.rule);
    if (rule === undefined) {
      rule = { reason: h.reason, files: new Map() };
      byRule.set(h.rule, rule);
    }
    const key = `${h.kind}\0${h.path}`;
    const pids = rule.files.get(key);
    if (pids === undefined) rule.files.set(key, [h.pid]);
    else pids.push(h.pid);
  }
  const out = [c.bold(`Ignored (${ignored.length}), by rule:`)];
  for (const [name, rule] of [...byRule].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`  ${c.bold(name)}: ${rule.reason}`);
    for (const [key, pids] of rule.files) {
      const [kind, path] = key.split("\0", 2) as [string, string];
      out.push(`    ${forTerminal(path)}  ${c.dim(`${kind}, ${pidList(pids)}`)}`);
    }
  }
  return out;
}

/** "PID 7" or "PIDs 7 9 12 … (+N more)": a long list must not drown the report. */
export function pidList(pids: readonly number[], max = 10): string {
  const shown = pids.slice(0, max).join(" ");
  const more = pids.length > max ? ` … (+${pids.length - max} more)` : "";
  return `${plural(pids.length, "PID", "PIDs")} ${shown}${more}`;
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}
