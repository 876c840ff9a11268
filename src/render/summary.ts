/** Counts shown at the top of every report: processes, distinct programs, packages and units. */
import type { Report } from "../model/report.js";

export interface Summary {
  processes: number;
  programs: number;
  packages: number;
  units: number;
}

export function summarize(report: Report): Summary {
  const programs = new Set<string>();
  const packages = new Set<string>();
  const units = new Set<string>();
  for (const p of report.stale) {
    programs.add(p.exe ?? p.comm ?? String(p.pid));
    if (p.unit !== null) units.add(p.userUnit === null ? p.unit : `${p.unit}/${p.userUnit}`);
    for (const f of p.files) if (f.package !== null) packages.add(f.package);
  }
  return {
    processes: report.stale.length,
    programs: programs.size,
    packages: packages.size,
    units: units.size,
  };
}
