/**
 * The acceptance test of issue 3: a real systemd (this machine's, booted as PID 1 of its own
 * namespaces by test/sandbox/systemd.sh), real Debian daemons as their packaged units (nginx.service,
 * ssh.service, exim4.service), a python3 and a java process in no unit, and a real `dpkg -i` of
 * libssl3, libgnutls30 and the python and java runtime packages — all inside the sandbox, whose
 * root is an overlay: the host's packages and files never change. afterpatch runs inside too and
 * must name each daemon's unit, and no unit for python/java, in each cgroup layout systemd knows:
 * unified, hybrid and legacy.
 *
 * The .debs are the mirror's current versions (an upgrade inside the sandbox when the host is
 * behind, a reinstall otherwise), fetched once into build/e2e-cache/debs and reused.
 *
 * Needs root, util-linux, overlayfs, systemd, the daemons and runtimes installed on the host (CI:
 * `apt-get install -y --no-install-recommends nginx openssh-server exim4-daemon-light python3
 * openjdk-17-jre-headless`, with a policy-rc.d exiting 101) and the Debian mirror. Skips otherwise.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { repoRoot } from "../helpers/paths.js";
import {
  type CliResult,
  cliUnderTest,
  collect,
  describePid,
  isRoot,
  type JsonReport,
  Lab,
  processOf,
  reportOf,
  sleep,
} from "./helpers.js";

const sandbox = join(repoRoot, "test", "sandbox", "systemd.sh");
const sandboxName = "afterpatch-e2e";
const debCache = join(repoRoot, "build", "e2e-cache", "debs");
/** The machine's node runs the bundle inside (the sandbox's root is the machine's /). */
const nodeInside = existsSync("/usr/bin/node") ? "/usr/bin/node" : process.execPath;
const modes = ["unified", "hybrid", "legacy"] as const;
type Mode = (typeof modes)[number];

/** The daemons: unit, program name (comm) and the package whose library it must report. */
const daemons = [
  { unit: "nginx.service", comm: "nginx", exe: "/usr/sbin/nginx", pkg: "libssl3" },
  { unit: "ssh.service", comm: "sshd", exe: "/usr/sbin/sshd", pkg: "libssl3" }, // libcrypto.so.3
  { unit: "exim4.service", comm: "exim4", exe: "/usr/sbin/exim4", pkg: "libgnutls30" },
] as const;

function whyNot(): string | false {
  if (process.platform !== "linux") return "Linux only";
  if (!isRoot) return "not root: namespaces, overlayfs and dpkg -i need root";
  // The sandbox mounts fresh tmpfs on /tmp and /run, which would hide a checkout there.
  if (/^\/(?:tmp|run|var\/run|dev\/shm)(?:\/|$)/.test(repoRoot)) {
    return `the checkout is at ${repoRoot}: the sandbox mounts its own /tmp and /run over it`;
  }
  for (const p of ["/usr/bin/dpkg", "/usr/bin/apt-get"]) if (!existsSync(p)) return `not Debian: no ${p}`;
  for (const p of ["/usr/bin/unshare", "/usr/bin/nsenter", "/usr/bin/script", "/usr/bin/setpriv"])
    if (!existsSync(p)) return `${p} is missing (util-linux)`;
  if (!existsSync("/lib/systemd/systemd")) return "systemd is not installed";
  if (!readFileSync("/proc/filesystems", "latin1").includes("\toverlay\n"))
    return "the kernel has no overlayfs loaded (modprobe overlay)";
  for (const d of daemons) if (!existsSync(d.exe)) return `${d.exe} is not installed (see the file comment)`;
  for (const p of ["/usr/bin/python3", "/usr/bin/java"]) if (!existsSync(p)) return `${p} is not installed`;
  return false;
}

async function sh(args: readonly string[], mode: Mode, timeoutMs = 60_000) {
  const env = { ...process.env, SANDBOX_NAME: sandboxName, SANDBOX_CGROUP_MODE: mode };
  return collect(sandbox, args, { env, timeoutMs });
}

/** Runs a command inside the sandbox; throws with its output unless it exits 0. */
async function inside(mode: Mode, cmd: readonly string[], timeoutMs = 60_000): Promise<string> {
  const r = await sh(["exec", ...cmd], mode, timeoutMs);
  if (r.status !== 0)
    throw new Error(`inside: ${cmd.join(" ")} → ${r.status}\n${r.stdout.toString()}\n${r.stderr.toString()}`);
  return r.stdout.toString();
}

/** The package that owns a file, by dpkg -S (tries the /usr-merge alias too). */
async function ownerOf(file: string): Promise<string> {
  for (const f of [file, file.replace(/^\/usr\//, "/")]) {
    const r = await collect("dpkg-query", ["-S", f]);
    if (r.status === 0) return (r.stdout.toString().split(":")[0] ?? "").trim();
  }
  throw new Error(`no package owns ${file}`);
}

/** The packages to upgrade: the two libraries, the python runtime and the java runtime. */
async function packagesToUpgrade(): Promise<string[]> {
  const python = realpathSync("/usr/bin/python3"); // /usr/bin/python3.11
  const pyPkg = await ownerOf(python); // python3.11-minimal
  const ver = /python(3\.[0-9]+)$/.exec(python)?.[1];
  const java = realpathSync("/usr/bin/java");
  const javaPkg = await ownerOf(join(java, "..", "..", "lib", "server", "libjvm.so"));
  const pkgs = ["libssl3", "libgnutls30", pyPkg, javaPkg];
  // python3.X-minimal pins libpython3.X-minimal to its own version: upgrade the pair.
  if (ver !== undefined) pkgs.push(`libpython${ver}-minimal`);
  return pkgs;
}

/** Downloads (once; cached under build/) the mirror's version of each package. null = all there. */
async function download(pkgs: readonly string[]): Promise<string | null> {
  mkdirSync(debCache, { recursive: true });
  const have = (p: string) => readdirSync(debCache).some((f) => f.startsWith(`${p}_`) && f.endsWith(".deb"));
  const missing = pkgs.filter((p) => !have(p));
  if (missing.length > 0) {
    // cwd is a host folder (never below /proc/PID/root).
    const r = await collect("apt-get", ["download", "-q", ...missing], { cwd: debCache, timeoutMs: 180_000 });
    const still = pkgs.filter((p) => !have(p));
    if (still.length > 0)
      return `apt-get download ${still.join(" ")} failed (no mirror?): ${r.stderr.toString().trim().slice(0, 400)}`;
  }
  return null;
}

/** The units after "Suggestion: systemctl restart" and the pids after "restart by hand:". */
function suggestion(text: string): { units: string[]; byHand: number[]; line: string } {
  const line = text.split("\n").find((l) => l.startsWith("Suggestion:")) ?? "";
  const units = /systemctl restart ([^;]+)/.exec(line)?.[1]?.trim().split(/\s+/) ?? [];
  const byHand = (/restart by hand: PIDs? ([0-9 ,]+)/.exec(line)?.[1] ?? "")
    .split(/[ ,]+/)
    .filter((s) => s !== "")
    .map(Number);
  return { units, byHand, line };
}

const skip = whyNot();

describe("afterpatch under a real systemd with Debian's daemons and a real dpkg upgrade", { skip }, () => {
  let lab: Lab;
  let pkgs: string[] = [];
  let unavailable: string | null = null;

  before(async () => {
    lab = new Lab();
    // A java program that stays up: the JRE runs single-file sources (no JDK needed).
    writeFileSync(
      lab.path("Sleep.java"),
      'public class Sleep { public static void main(String[] a) throws Exception { System.out.println("ready"); Thread.sleep(3_600_000L); } }\n',
    );
    pkgs = await packagesToUpgrade();
    unavailable = await download(pkgs);
  });

  after(async () => {
    await lab?.close();
  });

  for (const mode of modes) {
    describe(`with systemd's ${mode} cgroup layout`, () => {
      let booted = false;
      let report: JsonReport;
      let human: CliResult;
      const pidsOf = new Map<string, number[]>(); // comm → pids inside the sandbox
      let python = 0;
      let java = 0;
      /** The /proc/PID/cgroup text of every checked pid, for failure messages. */
      const cgroups = new Map<number, string>();
      let t0 = 0;

      before(async () => {
        t0 = Date.now();
        if (unavailable !== null) return;
        const up = await sh(["up"], mode);
        if (up.status !== 0) throw new Error(`sandbox up (${mode}) failed:\n${up.stderr.toString()}`);
        booted = true;
        await inside(mode, ["systemctl", "start", ...daemons.map((d) => d.unit)]);
        for (const d of daemons) {
          const pids = (await inside(mode, ["pidof", d.comm])).trim().split(/\s+/).map(Number);
          pidsOf.set(d.comm, pids);
        }
        // Started with `exec`: children of nsenter's shell, then of the sandbox's PID 1 — in no unit.
        const bg = async (cmd: string) =>
          Number((await inside(mode, ["sh", "-c", `${cmd} & echo $!`])).trim());
        python = await bg(`python3 -c 'import ssl, time; time.sleep(3600)' >/dev/null 2>&1`);
        const javaLog = lab.path(`java-${mode}.log`);
        java = await bg(`java ${lab.path("Sleep.java")} >${javaLog} 2>&1`);
        for (let i = 0; i < 300; i++) {
          const maps = await inside(mode, ["cat", `/proc/${python}/maps`]).catch(() => "");
          if (
            maps.includes("libssl.so.3") &&
            existsSync(javaLog) &&
            readFileSync(javaLog, "utf8").includes("ready")
          )
            break;
          await sleep(100);
        }
        // The upgrade, inside. --force-depends: only the runtime's core packages are upgraded, not
        // every sibling pinned to the same version (python3.11, libpython3.11-stdlib …); the
        // sandbox is thrown away afterwards.
        const debs = readdirSync(debCache)
          .filter((f) => f.endsWith(".deb") && pkgs.some((p) => f.startsWith(`${p}_`)))
          .map((f) => join(debCache, f));
        const dpkg = await sh(["exec", "dpkg", "-i", "--force-depends", ...debs], mode, 180_000);
        if (dpkg.status !== 0) throw new Error(`dpkg -i failed:\n${dpkg.stderr.toString()}`);
        for (const pid of [...[...pidsOf.values()].flat(), python, java])
          cgroups.set(pid, await inside(mode, ["cat", `/proc/${pid}/cgroup`]).catch((e: Error) => e.message));
        const json = await sh(["exec", nodeInside, cliUnderTest, "--json"], mode);
        report = reportOf({
          status: json.status,
          signal: json.signal,
          stdout: json.stdout.toString(),
          stdoutBytes: json.stdout,
          stderr: json.stderr.toString(),
          ...(tryParse(json.stdout.toString()) ?? {}),
        });
        const h = await sh(["exec", nodeInside, cliUnderTest, "--color=never"], mode);
        human = {
          status: h.status,
          signal: h.signal,
          stdout: h.stdout.toString(),
          stdoutBytes: h.stdout,
          stderr: h.stderr.toString(),
        };
      });

      after(async () => {
        if (booted) await sh(["down"], mode);
        console.log(`# ${mode}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      });

      const why = (pid: number) => `${describePid(report, pid)}\n/proc/${pid}/cgroup:\n${cgroups.get(pid)}`;

      for (const d of daemons) {
        it(`reports ${d.comm} with unit ${d.unit} and the replaced ${d.pkg} library`, (t) => {
          if (unavailable !== null) return t.skip(unavailable);
          const pids = pidsOf.get(d.comm) ?? [];
          assert.ok(pids.length > 0, `${d.comm} runs`);
          for (const pid of pids) {
            const p = processOf(report, pid);
            assert.ok(p !== undefined, `${d.comm} PID ${pid} is reported: ${why(pid)}`);
            assert.equal(p.unit, d.unit, why(pid));
            const f = p.files.find((x) => x.package?.split(":")[0] === d.pkg);
            assert.ok(f !== undefined, `a file of ${d.pkg}: ${why(pid)}`);
            assert.match(f.path, d.pkg === "libssl3" ? /\/lib(ssl|crypto)\.so\.3$/ : /\/libgnutls\.so\.30/);
            assert.equal(f.reason, "deleted");
            assert.ok(report.packages[f.package ?? ""] !== undefined, `packages[] has ${f.package}`);
            if (p.owner !== undefined) assert.equal(p.owner.kind, "service", why(pid));
          }
        });
      }

      it("reports the python3 and java processes started outside any unit with no unit", (t) => {
        if (unavailable !== null) return t.skip(unavailable);
        for (const [pid, needs] of [
          [python, /\/libssl\.so\.3$/],
          [java, /\/lib\/server\/libjvm\.so$/],
        ] as const) {
          const p = processOf(report, pid);
          assert.ok(p !== undefined, `PID ${pid} is reported: ${why(pid)}`);
          assert.equal(p.unit, null, why(pid));
          assert.equal(p.user_unit, null, why(pid));
          assert.ok(
            p.files.some((f) => needs.test(f.path) && f.package !== null),
            `a replaced ${needs}: ${why(pid)}`,
          );
          if (p.owner !== undefined) assert.equal(p.owner.kind, "none", why(pid));
        }
      });

      it("suggests one sorted systemctl restart of the three units and python/java by hand", (t) => {
        if (unavailable !== null) return t.skip(unavailable);
        const s = suggestion(human.stdout);
        assert.ok(s.line !== "", `a Suggestion line in:\n${human.stdout}\n${human.stderr}`);
        // Other units may be listed too (journald and PID 1 map libcrypto): the three must be, sorted.
        for (const d of daemons) assert.ok(s.units.includes(d.unit), `${d.unit} in: ${s.line}`);
        assert.deepEqual(s.units, [...s.units].sort(), s.line);
        assert.ok(
          s.line.includes("systemctl restart exim4.service nginx.service ssh.service"),
          `the three units side by side: ${s.line}`,
        );
        assert.ok(
          s.byHand.includes(python) && s.byHand.includes(java),
          `PIDs ${python} ${java} in: ${s.line}`,
        );
      });
    });
  }
});

function tryParse(text: string): { json: JsonReport } | undefined {
  try {
    return { json: JSON.parse(text) as JsonReport };
  } catch {
    return undefined;
  }
}
