// The one command behind `npm test`: typecheck, lint and format check, bundle, then every test.
// Tests are compiled by tsc into build/ and run with Node's own runner.
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

function run(cmd, args) {
  process.stdout.write(`\n$ ${cmd} ${args.join(" ")}\n`);
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith(".test.js")) out.push(p);
  }
  return out;
}

const only = process.argv.slice(2); // e.g. `npm test -- build/src/procfs` to run a subset
rmSync("build", { recursive: true, force: true });
run("npx", ["tsc", "-p", "tsconfig.json"]);
run("npx", ["biome", "check", "."]);
run("node", ["scripts/build.mjs"]);
const roots = only.length > 0 ? only : ["build/src", "build/test"];
const files = roots.flatMap((r) => (statSync(r).isDirectory() ? findTests(r) : [r])).sort();
run("node", ["--test", "--test-concurrency=1", ...files]);
