/**
 * Node built-ins that only rare paths need (zlib for a compressed kernel image, child_process for
 * rpm) are loaded on first use: each costs 1–3 ms of start-up.
 */
import { createRequire } from "node:module";

// In the bundle, import.meta.url is defined by scripts/build.mjs from __filename.
const load = createRequire(import.meta.url);

export function lazy<T>(id: string): () => T {
  let module: T | undefined;
  return () => {
    module ??= load(id) as T;
    return module;
  };
}
