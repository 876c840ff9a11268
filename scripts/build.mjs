// Bundles the CLI into one file that runs on Node 18 and newer, with no runtime dependencies.
import { chmodSync, readFileSync } from "node:fs";
import { build } from "esbuild";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

await build({
  entryPoints: ["src/cli/main.ts"],
  outfile: "dist/afterpatch.cjs",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node18",
  banner: {
    js: '#!/usr/bin/env node\nconst __importMetaUrl = require("node:url").pathToFileURL(__filename).href;',
  },
  // src/lazy.ts resolves built-ins with createRequire(import.meta.url); CommonJS has __filename.
  define: { AFTERPATCH_VERSION: JSON.stringify(version), "import.meta.url": "__importMetaUrl" },
  legalComments: "none",
  logLevel: "warning",
});
// Runnable as it is (`sudo dist/afterpatch.cjs`), as npm makes a package's bin on install.
chmodSync("dist/afterpatch.cjs", 0o755);
