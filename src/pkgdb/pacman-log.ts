/**
 * /var/log/pacman.log → the last time each package's files were replaced: by which version, over which.
 *
 * libalpm logs one line per package action (lib/libalpm/add.c, remove.c), prefixed by a timestamp and
 * the caller's tag:
 *
 *     [2024-05-01T10:00:00+0200] [ALPM] upgraded openssl (3.3.0-1 -> 3.3.1-1)
 *     [2024-05-01T10:00:00+0200] [ALPM] downgraded foo (2.0-1 -> 1.9-1)
 *     [2024-05-01T10:00:00+0200] [ALPM] reinstalled foo (1.9-1)
 *     [2024-05-01T10:00:00+0200] [ALPM] installed bar (1.0-1)
 *     [2024-05-01T10:00:00+0200] [ALPM] removed bar (1.0-1)
 *
 * pacman before 5.0 wrote "[2012-01-01 10:00] [PACMAN] upgraded …"; both forms are read. A reinstall
 * replaces the files like an upgrade (previous = new); an install has no previous version; a removal
 * forgets the package. Lines of other tags ([PACMAN] "Running 'pacman -U …'", [ALPM-SCRIPTLET] output)
 * are skipped: only a line whose text after the tag starts with an action word counts.
 */

export type PacmanAction = "upgraded" | "downgraded" | "reinstalled" | "installed";

export interface PacmanLogEvent {
  action: PacmanAction;
  /** null for an install. */
  previousVersion: string | null;
  version: string;
  /** The timestamp as written, without brackets ("2024-05-01T10:00:00+0200"). */
  at: string;
}

const LINE =
  /^\[([^\]]+)\] \[(?:ALPM|PACMAN)\] (upgraded|downgraded|reinstalled|installed|removed) (\S+) \((.*)\)$/;

/** Package name → its last install/upgrade/downgrade/reinstall, from one pass over the log. */
export function indexPacmanLog(text: string): Map<string, PacmanLogEvent> {
  const out = new Map<string, PacmanLogEvent>();
  for (const raw of text.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const m = LINE.exec(line);
    if (m === null) continue;
    const [, at, action, name, versions] = m as unknown as [string, string, string, string, string];
    if (action === "removed") {
      out.delete(name);
      continue;
    }
    const arrow = versions.indexOf(" -> ");
    if (action === "upgraded" || action === "downgraded") {
      if (arrow === -1) continue;
      out.set(name, {
        action,
        previousVersion: versions.slice(0, arrow),
        version: versions.slice(arrow + 4),
        at,
      });
    } else if (arrow === -1 && versions !== "") {
      out.set(name, {
        action: action as "reinstalled" | "installed",
        previousVersion: action === "reinstalled" ? versions : null,
        version: versions,
        at,
      });
    }
  }
  return out;
}
