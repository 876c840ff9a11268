/**
 * Report → the documented JSON document (docs/json.md, format "afterpatch-report/1").
 * Field names here are the public contract: rename nothing without a new format version.
 */

import type { Plan } from "../decide/plan.js";
import type { ByteString } from "../model/bytes.js";
import type { Owner } from "../model/owner.js";
import type { Report } from "../model/report.js";
import { summarize } from "./summary.js";
import { decodeBytes, jsonForTerminal } from "./text.js";

export const REPORT_FORMAT = "afterpatch-report/1";

export function renderJson(report: Report, plan: Plan, version: string): string {
  const doc = {
    format: REPORT_FORMAT,
    version,
    collected_at: report.collectedAt,
    host: {
      hostname: report.host.hostname,
      kernel_release: report.host.kernelRelease,
      package_manager: report.host.packageManager,
      init_system: report.host.initSystem ?? "systemd",
    },
    scan: {
      complete: report.complete,
      own_processes_only: report.ownProcessesOnly,
      uid: report.scannerUid,
      processes_scanned: report.processesScanned,
      warnings: report.warnings.map((w) => ({ code: w.code, pid: w.pid ?? null, message: w.message })),
    },
    summary: summarize(report),
    processes: report.stale.map((p) => ({
      pid: p.pid,
      ppid: p.ppid,
      uid: p.uid,
      ...bytesField("command", p.comm),
      ...bytesField("exe", p.exe),
      unit: p.unit,
      user_unit: p.userUnit,
      ...bytesField("cgroup", p.cgroup),
      owner: ownerJson(p.owner),
      init_script: p.initScript,
      files: p.files.map((f) => ({
        ...bytesField("path", f.path),
        kind: f.kind,
        reason: f.reason,
        inode: f.inode,
        package: f.package,
      })),
    })),
    packages: Object.fromEntries(
      Object.entries(report.packages).map(([key, p]) => [
        key,
        {
          name: p.name,
          arch: p.arch,
          version: p.version,
          previous_version: p.previousVersion,
          upgraded_at: p.upgradedAt,
        },
      ]),
    ),
    restart: {
      services: plan.restartServices,
      groups: plan.groups.map((g) => ({
        action: g.action,
        owner: ownerJson(g.owner),
        label: g.label,
        command: g.command,
        advice: g.advice,
        pids: g.pids,
        packages: g.packages,
        rebuild_image: g.rebuildImage,
      })),
    },
    reboot: report.reboot === null ? null : snakeKeys(report.reboot),
    // Listed with --explain only: on a busy host it is thousands of memfd and shared-memory entries.
    ignored:
      report.ignored === null
        ? null
        : report.ignored.map((h) => ({
            pid: h.pid,
            ...bytesField("path", h.path),
            kind: h.kind,
            rule: h.rule,
            reason: h.reason,
          })),
  };
  // Read on a terminal as often as by a program: what JSON.stringify leaves raw is escaped too.
  return `${jsonForTerminal(JSON.stringify(doc, null, 2))}\n`;
}

/** Plain data with camelCase keys (the reboot verdict) in the JSON's snake_case. */
function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`), snakeKeys(v)]),
  );
}

/** The owner in the JSON's snake_case; names from the cgroup are text (systemd escapes them). */
function ownerJson(o: Owner): Record<string, unknown> {
  switch (o.kind) {
    case "user-service":
      return { kind: o.kind, unit: o.unit, uid: o.uid, user_unit: o.userUnit };
    default:
      return { ...o };
  }
}

/** `{name: text}`, plus `{name_base64: exact bytes}` when the bytes are not valid UTF-8. */
function bytesField(name: string, value: ByteString | null): Record<string, string | null> {
  if (value === null) return { [name]: null };
  const { text, exact } = decodeBytes(value);
  return exact
    ? { [name]: text }
    : { [name]: text, [`${name}_base64`]: Buffer.from(value, "latin1").toString("base64") };
}
