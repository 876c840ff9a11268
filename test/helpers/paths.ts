/** Locations tests need, resolved from the repository root (tests run with it as the cwd). */
import { join } from "node:path";

export const repoRoot = process.cwd();

/** A file or folder under test/fixtures/. */
export function fixturePath(...parts: string[]): string {
  return join(repoRoot, "test", "fixtures", ...parts);
}

/** The bundled CLI, as `npm run build` writes it. */
export const cliPath = join(repoRoot, "dist", "afterpatch.cjs");
