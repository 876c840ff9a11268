/**
 * V8's tier-up budget, raised before the rest of the bundle runs (main.ts imports this first).
 *
 * A check lasts 0.1–0.3 s. In that time V8's optimising compiler spends about a core's worth of
 * background time on functions that run only a few hundred times (bench/README.md), and that core
 * is the one the scan's read-ahead reads /proc on. A larger budget leaves the short-lived
 * functions to the baseline tiers. Measured on 2 cores, Node 20, interleaved medians: 5–7 % less
 * wall time at 1000 and 3000 processes, alike for budgets from 120 000 to 600 000 (Node 20's default
 * is 67 584, Node 18's 135 168). It changes when code is optimised, never what it computes.
 *
 * Only on Node 18 and 20: from Node 22 V8 tiers up by invocation counts and has no such flag, and
 * V8 prints an unknown flag's error on stdout, where --json goes.
 */
import { setFlagsFromString } from "node:v8";

export const INTERRUPT_BUDGET = 200_000;

export function tunesV8(nodeVersion: string): boolean {
  const major = Number(nodeVersion.split(".")[0]);
  return major === 18 || major === 20;
}

if (tunesV8(process.versions.node)) setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
