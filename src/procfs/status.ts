/**
 * /proc/PID/status → the process's real and effective UID.
 *
 * The line is `Uid:\treal\teffective\tsaved\tfilesystem` (fs/proc/array.c, task_state), each as
 * seen from the reader's user namespace (an unmapped ID shows as the overflow UID, 65534). Only
 * the `Name:` line above it holds text the process chooses, and the kernel escapes '\n' and '\\'
 * there, so a forged "Uid:" can never start a line (captured in test/fixtures/procfs).
 */
import type { ByteString } from "../model/bytes.js";

export interface StatusUids {
  real: number;
  effective: number;
}

/** Parses status text (read as latin1); null without exactly one well-formed `Uid:` line. */
export function parseStatusUids(text: ByteString): StatusUids | null {
  let found: StatusUids | null = null;
  let pos = 0;
  while (pos < text.length) {
    let eol = text.indexOf("\n", pos);
    if (eol === -1) eol = text.length;
    if (text.startsWith("Uid:", pos)) {
      if (found !== null) return null;
      found = parseUidLine(text.slice(pos + "Uid:".length, eol));
      if (found === null) return null;
    }
    pos = eol + 1;
  }
  return found;
}

function parseUidLine(rest: string): StatusUids | null {
  const ids = rest.split("\t");
  // "\t1000\t1000\t1000\t1000" splits into "" and four IDs.
  if (ids.length !== 5 || ids[0] !== "") return null;
  const values: number[] = [];
  for (const id of ids.slice(1)) {
    if (!/^(0|[1-9][0-9]{0,9})$/.test(id)) return null;
    const n = Number(id);
    if (n > 0xffffffff) return null;
    values.push(n);
  }
  return { real: values[0]!, effective: values[1]! };
}
