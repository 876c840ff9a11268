import { GENERATE_TARGETS, type GenerateTarget } from "./generate.js";

/**
 * Every flag, defined once. Parsing, --help (and later the man page and completions) come from
 * this table. Parsing only validates and returns plain options; nothing here touches the host.
 */

export interface Options {
  json: boolean;
  explain: boolean;
  verbose: boolean;
  exitCode: boolean;
  rebootHint: boolean;
  color: "auto" | "always" | "never";
  dumpSnapshot: string | null;
  fromSnapshot: string | null;
  root: string;
  help: boolean;
  version: boolean;
  generate: GenerateTarget | null;
}

interface FlagDef {
  name: string;
  /** Placeholder of the value, for flags that take one. */
  value?: string;
  /** Allowed values, when the set is closed. */
  choices?: readonly string[];
  help: string;
  apply(o: Options, v: string): void;
}

export const FLAGS: readonly FlagDef[] = [
  {
    name: "json",
    help: "Print the report as JSON (docs/json.md) on stdout.",
    apply: (o) => {
      o.json = true;
    },
  },
  {
    name: "explain",
    help: "Also list every deleted or replaced file that was not reported, with the rule that ignored it and why (in JSON too: ignored[]).",
    apply: (o) => {
      o.explain = true;
    },
  },
  {
    name: "verbose",
    help: "Also list each process and each of its stale files (the file, the package, old → new version); without it each group names up to three files.",
    apply: (o) => {
      o.verbose = true;
    },
  },
  {
    name: "exit-code",
    help: "Exit with 1 when a process runs replaced code (for scripts and monitoring).",
    apply: (o) => {
      o.exitCode = true;
    },
  },
  {
    name: "reboot-hint",
    help: "Only say whether the machine needs a reboot (kernel, microcode, core libraries, the distribution's flag): exit 1 if it does, 0 if not.",
    apply: (o) => {
      o.rebootHint = true;
    },
  },
  {
    name: "color",
    value: "WHEN",
    choices: ["auto", "always", "never"],
    help: "Colour the human report: auto (on a terminal, unless NO_COLOR is set), always or never.",
    apply: (o, v) => {
      o.color = v as Options["color"];
    },
  },
  {
    name: "dump-snapshot",
    value: "FILE",
    help: "Also write everything read from the host to FILE as JSON (for bug reports and replay).",
    apply: (o, v) => {
      o.dumpSnapshot = v;
    },
  },
  {
    name: "from-snapshot",
    value: "FILE",
    help: "Read nothing from the host: analyse a snapshot written by --dump-snapshot.",
    apply: (o, v) => {
      o.fromSnapshot = v;
    },
  },
  {
    name: "root",
    value: "DIR",
    help: "Read /proc and the package database below DIR instead of / (captured trees, tests).",
    apply: (o, v) => {
      o.root = v;
    },
  },
  {
    name: "generate",
    value: "WHAT",
    choices: GENERATE_TARGETS,
    help: "Print the man page (man) or a shell completion script (complete-bash, complete-zsh) and exit.",
    apply: (o, v) => {
      o.generate = v as GenerateTarget;
    },
  },
  {
    name: "help",
    help: "Show this help and exit.",
    apply: (o) => {
      o.help = true;
    },
  },
  {
    name: "version",
    help: "Show the version and exit.",
    apply: (o) => {
      o.version = true;
    },
  },
];

export class UsageError extends Error {}

export function defaultOptions(): Options {
  return {
    json: false,
    explain: false,
    verbose: false,
    exitCode: false,
    rebootHint: false,
    color: "auto",
    dumpSnapshot: null,
    fromSnapshot: null,
    root: "/",
    help: false,
    version: false,
    generate: null,
  };
}

/** argv (without node and script) → Options. Throws UsageError naming the problem. */
export function parseArgs(argv: readonly string[]): Options {
  const o = defaultOptions();
  const args = [...argv];
  if (args[0] === "check") args.shift();
  else if (args[0] !== undefined && !args[0].startsWith("-")) {
    throw new UsageError(`unknown command '${args[0]}' (the only command is 'check')`);
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-h") {
      o.help = true;
      continue;
    }
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const def = FLAGS.find((f) => f.name === name);
    if (def === undefined) throw new UsageError(`unknown option '--${name}'`);
    let value = "";
    if (def.value !== undefined) {
      if (eq !== -1) value = arg.slice(eq + 1);
      else if (i + 1 < args.length) value = args[++i]!;
      else throw new UsageError(`option '--${name}' needs a value (${def.value})`);
      if (value === "") throw new UsageError(`option '--${name}' needs a non-empty value (${def.value})`);
      if (def.choices !== undefined && !def.choices.includes(value)) {
        throw new UsageError(`option '--${name}' takes ${def.choices.join(", ")}, not '${value}'`);
      }
    } else if (eq !== -1) {
      throw new UsageError(`option '--${name}' takes no value`);
    }
    def.apply(o, value);
  }
  if (o.fromSnapshot !== null && (o.dumpSnapshot !== null || o.root !== "/")) {
    throw new UsageError(
      "--from-snapshot reads no host: it cannot be combined with --dump-snapshot or --root",
    );
  }
  return o;
}

export function helpText(version: string): string {
  const rows = FLAGS.map((f) => {
    const left = `  --${f.name}${f.value !== undefined ? `=${f.value}` : ""}`;
    return `${left.padEnd(24)}${f.help}`;
  });
  return `afterpatch ${version}: find every process that still runs code an upgrade replaced.

Usage: afterpatch [check] [OPTIONS]

Lists the processes that map a deleted or replaced shared library or executable, or hold such
code open, with the file, the package behind it (old → new version) and the systemd unit that
owns the process. Run it as root to check every process.

Options:
${rows.join("\n")}

Exit codes (docs/exit-codes.md):
${EXIT_CODE_ROWS.map(([code, text]) => `  ${code}  ${text}`).join("\n")}
`;
}

/** The exit codes, for --help and the man page (docs/exit-codes.md has the full story). */
export const EXIT_CODE_ROWS: ReadonlyArray<readonly [number, string]> = [
  [0, "the check ran completely (whether or not something is stale)"],
  [1, "a process runs replaced code, and --exit-code was given"],
  [2, "usage error: a bad option or a snapshot that cannot be read"],
  [3, "partial check: something could not be read (for example, not run as root)"],
  [4, "internal error"],
  [1, "with --reboot-hint: the machine needs a reboot (or a soft reboot); 0 if it does not"],
];
