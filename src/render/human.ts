/**
 * Report + Plan → the text an administrator reads: the counts first, then what to restart,
 * grouped the way one acts (services with one combined command, PID 1, containers, VMs, apps,
 * sessions and user units, processes with no unit), then a one-line suggestion. `verbose` adds
 * each process and its stale files. Every byte a process controls goes through forTerminal();
 * colour is the caller's decision (TTY, NO_COLOR, --color).
 */
import type { Action, Plan, PlanGroup } from "../decide/plan.js";
import { compareBytes } from "../model/bytes.js";
import type { RebootVerdict } from "../model/reboot.js";
import type { IgnoredHit, Report, StaleFile, StaleProcess } from "../model/report.js";
import type { PackageInfo } from "../model/snapshot.js";
import { summarize } from "./summary.js";
import { forTerminal } from "./text.js";

export interface HumanOptions {
  color: boolean;
  explain: boolean;
  verbose: boolean;
  /** The terminal can show "→"; otherwise "->". */
  unicode: boolean;
}

const SECTIONS: ReadonlyArray<[Action, string]> = [
  ["restart-unit", "Services to restart:"],
  ["restart-init-script", "Services to restart (init scripts):"],
  ["reexec", "The service manager (PID 1):"],
  ["restart-container", "Containers to restart:"],
  ["restart-vm", "Virtual machines to restart:"],
  ["refresh-app", "Applications to restart:"],
  ["logout", "User sessions (log out and in again):"],
  ["restart-user-unit", "User units:"],
  ["restart-process", "Processes with no unit (restart them where they were started):"],
];

export function renderHuman(report: Report, plan: Plan, opts: HumanOptions): string {
  const c = palette(opts.color);
  const arrow = opts.unicode ? "→" : "->";
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
    const byPid = new Map(report.stale.map((p) => [p.pid, p]));
    for (const [action, title] of SECTIONS) {
      const groups = plan.groups.filter((g) => g.action === action);
      if (groups.length === 0) continue;
      lines.push("", c.bold(title));
      for (const g of groups) {
        lines.push(groupLine(g, byPid, report.packages, c, arrow));
        if (!opts.verbose) lines.push(filesLine(g, byPid, c));
        if (action !== "restart-unit") lines.push(`      ${c.dim(adviceText(g, arrow))}`);
        if (opts.verbose)
          for (const pid of g.pids) lines.push(...processLines(byPid.get(pid)!, report.packages, c, arrow));
      }
      if (action === "restart-unit" && plan.restartServices !== null) {
        lines.push(`  ${arrow} ${c.cyan(commandLine(plan.restartServices))}`);
      }
    }
    lines.push("", `${c.bold("Suggestion:")} ${suggestion(plan)}`);
  }
  if (report.reboot !== null) lines.push("", rebootLine(report.reboot, c));
  if (opts.explain && report.ignored !== null) lines.push("", ...explainLines(report.ignored, c));
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

export type Palette = ReturnType<typeof palette>;

export function palette(on: boolean) {
  const wrap = (code: string) => (t: string) => (on ? `\x1b[${code}m${t}\x1b[0m` : t);
  return { bold: wrap("1"), red: wrap("31"), yellow: wrap("33"), cyan: wrap("36"), dim: wrap("2") };
}

/** "  nginx.service  PIDs 812 813 (nginx)  libssl3 3.0.15 → 3.0.16" */
function groupLine(
  g: PlanGroup,
  byPid: ReadonlyMap<number, StaleProcess>,
  packages: Record<string, PackageInfo>,
  c: Palette,
  arrow: string,
): string {
  const names = [...new Set(g.pids.map((pid) => byPid.get(pid)?.comm).filter((n): n is string => n != null))];
  const who = `${pidList(g.pids)}${names.length > 0 ? ` (${names.map(forTerminal).join(", ")})` : ""}`;
  const pkgs = g.packages.map((k) => packageText(k, packages, arrow)).join(", ");
  return `  ${c.bold(forTerminal(g.label))}  ${who}${pkgs !== "" ? `  ${c.dim(pkgs)}` : ""}`;
}

/** "      files: /usr/lib/…/libssl.so.3, /usr/lib/…/libcrypto.so.3": what is stale, each file once. */
function filesLine(g: PlanGroup, byPid: ReadonlyMap<number, StaleProcess>, c: Palette): string {
  const paths = [...new Set(g.pids.flatMap((pid) => byPid.get(pid)?.files.map((f) => f.path) ?? []))];
  const shown = paths.slice(0, FILES_SHOWN).map(forTerminal).join(", ");
  const more =
    paths.length > FILES_SHOWN ? ` and ${paths.length - FILES_SHOWN} more (--verbose lists them)` : "";
  return `      ${c.dim("files:")} ${shown}${more}`;
}

/** Stale files named on a group's line without --verbose: enough to say what to look at. */
const FILES_SHOWN = 3;

function adviceText(g: PlanGroup, arrow: string): string {
  const rebuild = g.rebuildImage ? "; the stale files are in the container's image: rebuild it" : "";
  return g.command !== null
    ? `${arrow} ${commandLine(g.command)}${rebuild}`
    : `${forTerminal(g.advice)}${rebuild}`;
}

function processLines(
  p: StaleProcess,
  packages: Record<string, PackageInfo>,
  c: Palette,
  arrow: string,
): string[] {
  const program = p.exe !== null ? forTerminal(p.exe) : "?";
  const name = p.comm !== null ? ` (${forTerminal(p.comm)})` : "";
  const out = [`      ${String(p.pid).padStart(7)}  ${program}${name}`];
  for (const f of p.files) out.push(`               ${fileLine(f, packages, c, arrow)}`);
  return out;
}

function fileLine(f: StaleFile, packages: Record<string, PackageInfo>, c: Palette, arrow: string): string {
  const what = f.kind === "executable" ? "executable " : f.kind === "open-file" ? "open file " : "";
  const origin = f.package === null ? "no package" : packageText(f.package, packages, arrow);
  return `${forTerminal(f.path)}  ${c.red(`${what}${f.reason}`)}  ${c.dim(origin)}`;
}

/** "libssl3:amd64 3.0.15-1 → 3.0.16-1", or the installed version alone when the log does not tell. */
function packageText(key: string, packages: Record<string, PackageInfo>, arrow: string): string {
  const pkg = packages[key];
  if (pkg === undefined) return key;
  const versions =
    pkg.previousVersion !== null && pkg.version !== null
      ? `${pkg.previousVersion} ${arrow} ${pkg.version}`
      : (pkg.version ?? "");
  return `${pkg.name}${pkg.arch !== null ? `:${pkg.arch}` : ""} ${versions}`.trimEnd();
}

/** The reboot verdict in one line, with its reasons (from the machine, not from any process). */
export function rebootLine(r: RebootVerdict, c: Palette = palette(false)): string {
  const why = r.reasons.length > 0 ? `: ${r.reasons.join("; ")}` : "";
  switch (r.verdict) {
    case "reboot":
      return `${c.bold(c.red("Reboot needed"))}${why}.`;
    case "soft-reboot":
      return `${c.bold(c.yellow("Soft reboot needed"))} (systemctl soft-reboot)${why}.`;
    case "reexec":
      return `${c.bold("Reboot: not needed")}; re-execute the service manager (systemctl daemon-reexec)${why}.`;
    case "unknown":
      return `${c.bold("Reboot: cannot tell")}${why}.`;
    case "none":
      return r.reasons.length > 0
        ? `${c.bold("Reboot: not needed")}, as far as can be told${why}.`
        : `${c.bold("Reboot: not needed")}.`;
  }
}

/** A command (or the restart list) as one line, each word escaped: unit names come from cgroup paths. */
function commandLine(argv: readonly string[]): string {
  return argv.map(forTerminal).join(" ");
}

/** One line: everything to do, in the order of the report. */
export function suggestion(plan: Plan): string {
  const parts: string[] = [];
  if (plan.restartServices !== null) parts.push(commandLine(plan.restartServices));
  const of = (action: Action) => plan.groups.filter((g) => g.action === action);
  for (const g of of("restart-init-script")) parts.push(commandLine(g.command!));
  if (of("reexec").length > 0) parts.push("systemctl daemon-reexec");
  for (const g of [...of("restart-container"), ...of("restart-vm"), ...of("refresh-app")]) {
    parts.push(
      g.command !== null ? commandLine(g.command) : `${forTerminal(g.advice)} (${forTerminal(g.label)})`,
    );
  }
  const logout = [...of("logout"), ...of("restart-user-unit")].map((g) => forTerminal(g.label));
  if (logout.length > 0) parts.push(`log out and in again, or restart within: ${logout.join("; ")}`);
  const byHand = of("restart-process").map((g) => g.pids[0]!);
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
  for (const [name, rule] of [...byRule].sort(([a], [b]) => compareBytes(a, b))) {
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
