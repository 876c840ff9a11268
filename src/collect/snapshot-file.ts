/** Writing and replaying snapshots (--dump-snapshot, --from-snapshot). */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  writeSync,
} from "node:fs";
import { SNAPSHOT_FORMAT, type Snapshot } from "../model/snapshot.js";
import { errorCode } from "./host.js";
import { snapshotMisfit } from "./snapshot-shape.js";

export class SnapshotError extends Error {}

/**
 * Byte-string paths are kept exact in JSON: JSON strings hold any code point 0–255.
 *
 * A snapshot lists every process's files and units, and root writes it: so the file is made
 * readable by its owner only, even when it existed before; a symbolic link is not followed (one
 * planted in /tmp would redirect root's write), except under /dev and /proc (`/dev/stdout` is one),
 * and a file of another user is not written into (its owner could read the snapshot). A device or
 * pipe is written as it is.
 */
export function writeSnapshot(file: string, snapshot: Snapshot): void {
  const text = `${JSON.stringify(snapshot)}\n`;
  let fd: number;
  try {
    const follow = /^\/(?:dev|proc)\//.test(file) ? 0 : constants.O_NOFOLLOW;
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | follow, 0o600);
  } catch (e) {
    const code = errorCode(e);
    throw new SnapshotError(
      `cannot write snapshot ${file}: ${code === "ELOOP" ? "it is a symbolic link" : code}`,
    );
  }
  try {
    const st = fstatSync(fd);
    if (st.isFile()) {
      const me = process.geteuid?.() ?? st.uid;
      if (st.uid !== me)
        throw new SnapshotError(`not writing snapshot into ${file}: it belongs to uid ${st.uid}`);
      fchmodSync(fd, 0o600);
      ftruncateSync(fd, 0);
    }
    const bytes = Buffer.from(text, "utf8");
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
  } catch (e) {
    if (e instanceof SnapshotError) throw e;
    throw new SnapshotError(`cannot write snapshot ${file}: ${errorCode(e)}`);
  } finally {
    closeSync(fd);
  }
}

export function readSnapshot(file: string): Snapshot {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new SnapshotError(`cannot read snapshot ${file}: ${(e as Error).message}`);
  }
  const format = (data as { format?: unknown } | null)?.format;
  if (format !== SNAPSHOT_FORMAT) {
    throw new SnapshotError(
      `${file} is not an afterpatch snapshot (format ${JSON.stringify(format)}, expected ${SNAPSHOT_FORMAT})`,
    );
  }
  const misfit = snapshotMisfit(data);
  if (misfit !== null) throw new SnapshotError(`${file} is not a whole afterpatch snapshot: ${misfit}`);
  return data as Snapshot;
}
