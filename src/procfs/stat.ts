/**
 * /proc/PID/stat → the few fields afterpatch needs: pid, comm, state, ppid, flags, start time.
 *
 * The line is `pid (comm) state ppid …` (fs/proc/array.c, do_task_stat). comm is printed raw: any
 * process may set it (prctl(PR_SET_NAME), or the name it is executed under) to text holding spaces,
 * parentheses, ") S 1 " or a newline. Every field after comm is numeric, so comm ends at the LAST
 * ')' in the text. Up to 15 bytes for a process; a kernel thread's may be longer
 * ("kworker/R-kvfree_rcu_reclaim").
 */
import type { ByteString } from "../model/bytes.js";

export interface ProcStat {
  pid: number;
  comm: ByteString;
  /** One letter: R, S, D, Z, T, t, X, I, … */
  state: string;
  ppid: number;
  /** task->flags (PF_*), field 9. */
  flags: number;
  /** Field 22: clock ticks after boot, an unsigned 64-bit decimal kept as a string. */
  startTime: string;
}

/** include/linux/sched.h: the task is a kernel thread. */
const PF_KTHREAD = 0x00200000;

/** Fields from `state` (field 3) to `starttime` (field 22). */
const FIELDS_NEEDED = 22 - 3 + 1;

/** Parses one stat text (read as latin1); null when it is not what the kernel prints. */
export function parseStat(text: ByteString): ProcStat | null {
  const open = text.indexOf(" (");
  const close = text.lastIndexOf(")");
  if (open <= 0 || close < open + 1) return null;
  const pid = decimal(text.slice(0, open), 0x7fffffff);
  if (pid === null) return null;
  // After comm: ") " then space-separated fields, and a trailing "\n".
  if (text.charCodeAt(close + 1) !== 32) return null;
  const end = text.endsWith("\n") ? text.length - 1 : text.length;
  const fields = text.slice(close + 2, end).split(" ");
  if (fields.length < FIELDS_NEEDED) return null;
  const state = fields[0]!;
  const ppid = decimal(fields[4 - 3]!, 0x7fffffff);
  const flags = decimal(fields[9 - 3]!, 0xffffffff);
  const startTime = fields[22 - 3]!;
  if (!/^[A-Za-z]$/.test(state) || ppid === null || flags === null) return null;
  if (!isU64(startTime)) return null;
  return { pid, comm: text.slice(open + 2, close), state, ppid, flags, startTime };
}

/** A kernel thread (PF_KTHREAD): it maps no files and belongs to no unit. */
export function isKernelThread(stat: Pick<ProcStat, "flags">): boolean {
  return (stat.flags & PF_KTHREAD) !== 0;
}

/** Unsigned decimal as the kernel prints it (no sign, no leading zero), at most `max`. */
function decimal(text: string, max: number): number | null {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(text)) return null;
  const n = Number(text);
  return n <= max ? n : null;
}

function isU64(text: string): boolean {
  return /^(0|[1-9][0-9]{0,19})$/.test(text) && BigInt(text) <= 0xffffffffffffffffn;
}
