/** Locations tests need, resolved from the repository root (tests run with it as the cwd). */
import { homedir } from "node:os";
import { join } from "node:path";

export const repoRoot = process.cwd();

/** A file or folder under test/fixtures/. */
export function fixturePath(...parts: string[]): string {
  return join(repoRoot, "test", "fixtures", ...parts);
}

/** The bundled CLI, as `npm run build` writes it. */
export const cliPath = join(repoRoot, "dist", "afterpatch.cjs");

/**
 * Where end-to-end tests put the libraries they replace. afterpatch ignores deleted files under
 * /tmp, /var/tmp, /run and /dev/shm by design, so a checkout there (CI may clone anywhere) must not
 * hold them: then root uses /var/lib/afterpatch-tests, anyone else ~/.cache/afterpatch-tests.
 */
export const labBase = /^\/(?:tmp|var\/tmp|run|var\/run|dev\/shm)(?:\/|$)/.test(repoRoot)
  ? process.getuid?.() === 0
    ? "/var/lib/afterpatch-tests"
    : join(homedir(), ".cache", "afterpatch-tests")
  : join(repoRoot, "build");
