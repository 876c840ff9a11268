/** Writing and replaying snapshots (--dump-snapshot, --from-snapshot). */
import { readFileSync, writeFileSync } from "node:fs";
import { SNAPSHOT_FORMAT, type Snapshot } from "../model/snapshot.js";

/** Byte-string paths are kept exact in JSON: JSON strings hold any code point 0–255. */
export function writeSnapshot(file: string, snapshot: Snapshot): void {
  writeFileSync(file, `${JSON.stringify(snapshot)}\n`, { mode: 0o600 });
}

export class SnapshotError extends Error {}

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
  return data as Snapshot;
}
