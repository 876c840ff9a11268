/**
 * A real upgrade: Debian's nginx runs (in the foreground, on a loopback port, with its own config
 * and files in the work dir), then the libpcre2-8 and zlib packages it maps are reinstalled with
 * `dpkg -i` from .debs fetched with `apt-get download`. dpkg unpacks each file as X.dpkg-new and
 * renames it over X, exactly as in an upgrade, so nginx's maps show the libraries " (deleted)".
 *
 * zlib1g ships its files under /lib (the .list says /lib/x86_64-linux-gnu/libz.so.1.2.13) while
 * maps show /usr/lib/…: the /usr-merge alias must still find the package. libpcre2-8-0 lists
 * /usr/lib/…: the plain case. zlib1g's version carries an epoch (1:1.2.13.dfsg-1).
 *
 * Needs root, nginx installed (`apt-get install nginx`; a policy-rc.d exiting 101 keeps the
 * package from starting its own service) and the Debian mirror. Skips, saying why, otherwise.
 * Reinstalls the same versions: nothing on the machine changes but inode numbers.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, realpathSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  childrenOf,
  collect,
  describePid,
  expectedStatus,
  freePort,
  ignoredOf,
  isRoot,
  type JsonFile,
  type JsonReport,
  Lab,
  processOf,
  reportOf,
  runCli,
  sleep,
} from "./helpers.js";

const nginx = "/usr/sbin/nginx";
/** The packages reinstalled under nginx, and how to find their library among their files. */
const libraries = [
  { pkg: "libpcre2-8-0", file: /\/libpcre2-8\.so\.0\.[0-9.]+$/ },
  { pkg: "zlib1g", file: /\/libz\.so\.1\.[0-9.]+$/ },
];

function whyNot(): string | false {
  if (!isRoot) return "not root: dpkg -i needs root";
  if (!existsSync("/usr/bin/dpkg") || !existsSync("/usr/bin/apt-get"))
    return "not a Debian system (no dpkg/apt-get)";
  if (!existsSync(nginx))
    return "nginx is not installed (CI: apt-get install -y --no-install-recommends nginx)";
  return false;
}

/** Resolves once something accepts connections on 127.0.0.1:port. */
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

interface Lib {
  pkg: string;
  /** The package key the report must use: name:arch. */
  key: string;
  version: string;
  /** The library file as the kernel names it in maps (all symlinks, /lib → usr/lib, resolved). */
  path: string;
}

const skip = whyNot();

describe("a real dpkg upgrade under a running Debian daemon", { skip }, () => {
  let lab: Lab;
  const libs: Lib[] = [];
  let master = 0;
  let workers: number[] = [];
  let report: JsonReport;
  let status: number | null = null;
  /** Set when the .debs could not be had: the tests skip with this reason. */
  let unavailable: string | null = null;

  before(async () => {
    lab = new Lab();
    const arch = (await collect("dpkg", ["--print-architecture"])).stdout.toString().trim();
    for (const l of libraries) {
      const q = await collect("dpkg-query", [
        "-W",
        "-f",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
        "${Version}\\n${db:Status-Status}",
        `${l.pkg}:${arch}`,
      ]);
      const [version, state] = q.stdout.toString().split("\n");
      if (q.status !== 0 || state !== "installed" || version === undefined) {
        unavailable = `${l.pkg}:${arch} is not installed`;
        return;
      }
      const list = (await collect("dpkg-query", ["-L", `${l.pkg}:${arch}`])).stdout.toString().split("\n");
      const file = list.find((f) => l.file.test(f));
      if (file === undefined) throw new Error(`no file matching ${l.file} in dpkg -L ${l.pkg}`);
      libs.push({ pkg: l.pkg, key: `${l.pkg}:${arch}`, version, path: realpathSync(file) });
    }

    // Exactly the installed versions: a reinstall, never an upgrade of the test machine.
    const dl = await collect("apt-get", ["download", "-q", ...libs.map((l) => `${l.key}=${l.version}`)], {
      cwd: lab.dir,
      timeoutMs: 120_000,
    });
    const debs = readdirSync(lab.dir).filter((f) => f.endsWith(".deb"));
    if (dl.status !== 0 || debs.length !== libs.length) {
      unavailable = `apt-get download failed (no mirror access, or the installed versions are gone from it): ${dl.stderr.toString().trim()}`;
      return;
    }

    const port = await freePort();
    const conf = lab.path("nginx.conf");
    const t = lab.dir;
    writeFileSync(
      conf,
      [
        `pid ${t}/nginx.pid;`,
        `error_log ${t}/error.log;`,
        "worker_processes 2;",
        "events { worker_connections 16; }",
        "http {",
        "  access_log off;",
        `  client_body_temp_path ${t}/body; proxy_temp_path ${t}/proxy; fastcgi_temp_path ${t}/fastcgi;`,
        `  uwsgi_temp_path ${t}/uwsgi; scgi_temp_path ${t}/scgi;`,
        // A shared-memory zone: nginx maps it as "/dev/zero (deleted)".
        "  limit_req_zone $binary_remote_addr zone=e2e:1m rate=10r/s;",
        `  server { listen 127.0.0.1:${port}; location / { return 204; } }`,
        "}",
        "",
      ].join("\n"),
    );
    // nginx prints nothing when ready: wait for its port. With "daemon off" the master is our child.
    master = lab.launch(nginx, ["-p", t, "-e", `${t}/error.log`, "-c", conf, "-g", "daemon off;"]).pid;
    await waitForPort(port, 10_000);
    for (let i = 0; i < 50 && childrenOf(master).length < 2; i++) await sleep(20);
    workers = childrenOf(master);
    assert.equal(workers.length, 2, "nginx started its two workers");

    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive", NEEDRESTART_SUSPEND: "1" };
    const inst = await collect("dpkg", ["-i", ...debs.map((d) => lab.path(d))], {
      cwd: lab.dir,
      env,
      timeoutMs: 120_000,
    });
    assert.equal(inst.status, 0, `dpkg -i failed: ${inst.stderr.toString()}`);

    const r = await runCli(["--json", "--explain"]);
    status = r.status;
    report = reportOf(r);
  });
  after(async () => {
    await lab?.close();
  });

  it("reports the nginx master and both workers, and exits 0 (or 3 when partial)", (t) => {
    if (unavailable !== null) return t.skip(unavailable);
    assert.equal(status, expectedStatus(report));
    for (const pid of [master, ...workers]) {
      const p = processOf(report, pid);
      assert.ok(p, `nginx pid ${pid} is reported; report says ${describePid(report, pid)}`);
      assert.equal(p.exe, nginx);
    }
  });

  it("names each reinstalled library file as deleted, with its package key", (t) => {
    if (unavailable !== null) return t.skip(unavailable);
    const p = processOf(report, master);
    assert.ok(p, "master reported");
    for (const l of libs) {
      const f: JsonFile | undefined = p.files.find((x) => x.path === l.path);
      assert.ok(f, `${l.path} is listed; files are ${JSON.stringify(p.files)}`);
      assert.equal(f.kind, "mapping");
      assert.equal(f.reason, "deleted");
      assert.equal(f.package, l.key, `${l.path} belongs to ${l.key}`);
    }
    const others = p.files.filter((f) => !libs.some((l) => l.path === f.path));
    assert.deepEqual(others, [], "nothing else nginx maps was replaced");
  });

  it("describes each package: name, architecture, installed and previous version from dpkg.log", (t) => {
    if (unavailable !== null) return t.skip(unavailable);
    for (const l of libs) {
      const pkg = report.packages[l.key];
      assert.ok(pkg, `packages[${l.key}] exists; packages are ${JSON.stringify(report.packages)}`);
      assert.equal(pkg.name, l.pkg);
      assert.equal(pkg.arch, l.key.split(":")[1]);
      assert.equal(pkg.version, l.version);
      // A reinstall is logged by dpkg as "upgrade PKG V V": the previous version is V.
      assert.equal(pkg.previous_version, l.version);
      assert.ok(pkg.upgraded_at !== null, "upgraded_at comes from dpkg.log");
    }
    assert.ok(report.summary.packages >= libs.length);
  });

  it("ignores nginx's shared-memory zone (/dev/zero (deleted)) by the dev-zero rule", (t) => {
    if (unavailable !== null) return t.skip(unavailable);
    const hits = ignoredOf(report, master).filter((i) => i.rule === "dev-zero");
    assert.ok(hits.length > 0, `ignored for ${master}: ${JSON.stringify(ignoredOf(report, master))}`);
    assert.ok(hits.every((h) => h.path === "/dev/zero"));
  });

  it("exits 1 with --exit-code", async (t) => {
    if (unavailable !== null) return t.skip(unavailable);
    const r = await runCli(["--json", "--exit-code"]);
    const rep = reportOf(r);
    if (rep.scan.complete) assert.equal(r.status, 1);
    else assert.ok(r.status === 1 || r.status === 3, `status ${r.status}`);
  });

  it("without systemd, restarts nginx through the init script its package ships (service nginx restart)", (t) => {
    if (unavailable !== null) return t.skip(unavailable);
    if (existsSync("/run/systemd/system"))
      return t.skip("systemd runs here: units, not init scripts, restart daemons");
    const doc = report as unknown as {
      processes: Array<{ pid: number; init_script?: string | null }>;
      restart: { groups: Array<{ action: string; command: string[] | null; pids: number[] }> };
    };
    for (const pid of [master, ...workers]) {
      assert.equal(doc.processes.find((p) => p.pid === pid)?.init_script, "nginx", `init script of ${pid}`);
    }
    const group = doc.restart.groups.find((g) => g.pids.includes(master));
    assert.ok(group, "nginx has a restart group");
    assert.equal(group.action, "restart-init-script");
    assert.deepEqual(group.command, ["service", "nginx", "restart"]);
    assert.deepEqual(
      [...group.pids].sort(),
      [master, ...workers].sort(),
      "the workers are restarted with their master",
    );
  });
});
