/**
 * The entry point: argv and environment → options → run() → exit code. The only module that
 * reads process state (argv, env, uid, TTY) or decides how the process ends.
 */
import "./v8-tuning.js"; // first: it tunes V8 before the rest of the bundle runs
import { analyse } from "../analyse/analyse.js";
import { collect } from "../collect/collect.js";
import { realHost } from "../collect/host.js";
import { readSnapshot, SnapshotError, writeSnapshot } from "../collect/snapshot-file.js";
import { EXIT, exitCodeFor } from "../decide/exit-code.js";
import { plan } from "../decide/plan.js";
import { palette, rebootLine, renderHuman } from "../render/human.js";
import { renderJson } from "../render/json.js";
import { helpText, parseArgs, UsageError } from "./flags.js";
import { generate } from "./generate.js";

declare const AFTERPATCH_VERSION: string;
const VERSION = typeof AFTERPATCH_VERSION === "string" ? AFTERPATCH_VERSION : "0.0.0-dev";

async function run(argv: readonly string[]): Promise<number> {
  const opts = parseArgs(argv);
  if (opts.help) {
    out(helpText(VERSION));
    return EXIT.ok;
  }
  if (opts.generate !== null) {
    out(generate(opts.generate, VERSION));
    return EXIT.ok;
  }
  if (opts.version) {
    out(`afterpatch ${VERSION}\n`);
    return EXIT.ok;
  }
  const snapshot =
    opts.fromSnapshot !== null
      ? readSnapshot(opts.fromSnapshot)
      : await collect(realHost(opts.root), {
          selfPid: process.pid,
          uid: process.getuid?.() ?? 0,
          everything: opts.dumpSnapshot !== null,
          now: new Date(),
        });
  if (opts.dumpSnapshot !== null) writeSnapshot(opts.dumpSnapshot, snapshot);
  const report = analyse(snapshot, { ignored: opts.explain });
  if (opts.rebootHint) {
    // Like `dnf needs-restarting -r`: one line, and the answer in the exit code.
    out(
      `${report.reboot === null ? "Reboot: cannot tell." : rebootLine(report.reboot, palette(wantColor(opts.color)))}\n`,
    );
    return report.reboot?.verdict === "reboot" || report.reboot?.verdict === "soft-reboot"
      ? EXIT.stale
      : EXIT.ok;
  }
  const restart = plan(report);
  if (opts.json) out(renderJson(report, restart, VERSION));
  else {
    const human = {
      color: wantColor(opts.color),
      explain: opts.explain,
      verbose: opts.verbose,
      unicode: utf8Locale(),
    };
    out(renderHuman(report, restart, human));
  }
  return exitCodeFor(report, { exitCodeOnStale: opts.exitCode });
}

function wantColor(when: "auto" | "always" | "never"): boolean {
  if (when !== "auto") return when === "always";
  return process.stdout.isTTY === true && (process.env.NO_COLOR ?? "") === "" && process.env.TERM !== "dumb";
}

function utf8Locale(): boolean {
  const env = process.env;
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || "";
  return /utf-?8/i.test(locale);
}

function out(text: string): void {
  process.stdout.write(text);
}

async function main(): Promise<void> {
  // A reader that goes away (`afterpatch | head`) is not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  try {
    process.exitCode = await run(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError || e instanceof SnapshotError) {
      process.stderr.write(
        `afterpatch: ${e.message}\n${e instanceof UsageError ? "Try 'afterpatch --help'.\n" : ""}`,
      );
      process.exitCode = EXIT.usage;
    } else {
      process.stderr.write(
        `afterpatch: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      process.exitCode = EXIT.internal;
    }
  }
}

void main();
