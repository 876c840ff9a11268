/**
 * Init scripts a package ships, from its file list: on a host without systemd (sysvinit, OpenRC)
 * a daemon with no unit is restarted through the script its package installs in /etc/init.d.
 */

const INIT_SCRIPT = /^\/etc\/init\.d\/([A-Za-z0-9][A-Za-z0-9._+@-]*)$/;

/** Names of /etc/init.d/NAME among a package's paths, in order, without duplicates. */
export function initScriptNames(paths: Iterable<string>): string[] {
  const out: string[] = [];
  for (const path of paths) {
    const name = initScriptName(path);
    if (name !== null && !out.includes(name)) out.push(name);
  }
  return out;
}

/** "/etc/init.d/nginx" → "nginx"; null for any other path. */
export function initScriptName(path: string): string | null {
  return INIT_SCRIPT.exec(path)?.[1] ?? null;
}

/**
 * The script that restarts a program: the one named like the program's file (nginx → nginx,
 * sshd → ssh is not guessed), else the package's only script, else none (ambiguous: say nothing
 * rather than restart the wrong service).
 */
export function scriptForProgram(exe: string, scripts: readonly string[]): string | null {
  const base = exe.slice(exe.lastIndexOf("/") + 1);
  if (scripts.includes(base)) return base;
  return scripts.length === 1 ? scripts[0]! : null;
}
