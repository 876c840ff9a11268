/**
 * The exit status of a check, from one table (docs/exit-codes.md). Pure.
 * 1 (action needed) outranks 3 (partial): what was found is certain even when the scan was not.
 */
import type { Report } from "../model/report.js";

export const EXIT = {
  ok: 0,
  stale: 1,
  usage: 2,
  partial: 3,
  internal: 4,
} as const;

export function exitCodeFor(report: Report, opts: { exitCodeOnStale: boolean }): number {
  if (opts.exitCodeOnStale && report.stale.length > 0) return EXIT.stale;
  if (!report.complete) return EXIT.partial;
  return EXIT.ok;
}
