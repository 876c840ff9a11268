import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { compareReleases, parseRelease, type ReleaseScheme, sameFlavour } from "./kernel-release.js";

// Real `uname -r` strings: Debian (our own downloads, test/fixtures/kernel), the rest quoted in
// public bug reports and dmesg logs.
const splits: [release: string, scheme: ReleaseScheme, version: string, flavour: string][] = [
  ["6.1.0-27-amd64", "debian", "6.1.0-27", "amd64"],
  ["6.1.0-56-rt-amd64", "debian", "6.1.0-56", "rt-amd64"],
  ["6.1.0-56-cloud-amd64", "debian", "6.1.0-56", "cloud-amd64"],
  ["6.10.11+bpo-amd64", "debian", "6.10.11+bpo", "amd64"],
  ["6.12.48+deb13-cloud-amd64", "debian", "6.12.48+deb13", "cloud-amd64"],
  ["6.1.0-27-arm64", "debian", "6.1.0-27", "arm64"],
  ["6.8.0-48-generic", "debian", "6.8.0-48", "generic"],
  ["6.8.0-48-lowlatency", "debian", "6.8.0-48", "lowlatency"],
  ["6.8.0-1017-aws", "debian", "6.8.0-1017", "aws"],
  ["5.4.0-120-generic", "debian", "5.4.0-120", "generic"],
  ["6.6.51+rpt-rpi-v8", "debian", "6.6.51+rpt", "rpi-v8"],
  ["6.11.4-201.fc40.x86_64", "rpm", "6.11.4-201.fc40", "x86_64"],
  ["6.11.4-201.fc40.x86_64+debug", "rpm", "6.11.4-201.fc40", "x86_64+debug"],
  ["6.10.6-200.fc40.x86_64", "rpm", "6.10.6-200.fc40", "x86_64"],
  ["6.6.0-0.rc6.47.fc40.x86_64", "rpm", "6.6.0-0.rc6.47.fc40", "x86_64"],
  ["5.14.0-362.8.1.el9_3.x86_64", "rpm", "5.14.0-362.8.1.el9_3", "x86_64"],
  ["5.14.0-427.13.1.el9_4.x86_64+rt", "rpm", "5.14.0-427.13.1.el9_4", "x86_64+rt"],
  ["6.1.112-122.189.amzn2023.x86_64", "rpm", "6.1.112-122.189.amzn2023", "x86_64"],
  ["6.11.4-201.fc40.aarch64", "rpm", "6.11.4-201.fc40", "aarch64"],
  ["6.6.4-arch1-1", "arch", "6.6.4.arch1-1", "arch"],
  ["6.15.2-arch1-1", "arch", "6.15.2.arch1-1", "arch"],
  ["6.6.58-1-lts", "arch", "6.6.58-1", "lts"],
  ["6.11.5-zen1-1-zen", "arch", "6.11.5-zen1-1", "zen"],
  ["6.11.5-hardened1-1-hardened", "arch", "6.11.5-hardened1-1", "hardened"],
  ["6.4.0-150600.23.25-default", "suse", "6.4.0-150600.23.25", "default"],
  ["5.14.21-150500.33.29-azure", "suse", "5.14.21-150500.33.29", "azure"],
  ["6.11.3-1-default", "suse", "6.11.3-1", "default"],
  ["6.8.0-1017-azure", "debian", "6.8.0-1017", "azure"],
  ["6.18.44-fc-v657", "other", "6.18.44-fc-v657", "6.18.44-fc-v657"],
  ["6.1.21-v8+", "other", "6.1.21-v8+", "6.1.21-v8+"],
  ["6.11.5-x64v3-xanmod1", "other", "6.11.5-x64v3-xanmod1", "6.11.5-x64v3-xanmod1"],
  ["6.12.0-rc1+", "other", "6.12.0-rc1+", "6.12.0-rc1+"],
  ["6.12.0", "other", "6.12.0", "6.12.0"],
];

describe("splitting a release into version and flavour", () => {
  for (const [release, scheme, version, flavour] of splits) {
    test(`${release} is ${scheme}, version ${version}, flavour ${flavour}`, () => {
      assert.deepEqual(parseRelease(release), { release, scheme, version, flavour });
    });
  }
});

describe("ordering releases of one flavour", () => {
  const ordered: [older: string, newer: string, rule: string][] = [
    ["6.1.0-55-amd64", "6.1.0-56-amd64", "dpkg: ABI number"],
    ["6.1.0-9-amd64", "6.1.0-10-amd64", "dpkg: digits compare as numbers"],
    ["6.1.0-27-amd64", "6.10.11+bpo-amd64", "dpkg: backports kernel is newer"],
    ["6.10.11+bpo-amd64", "6.12.48+deb13-amd64", "dpkg: trixie after bookworm-backports"],
    ["5.15.0-94-generic", "6.8.0-48-generic", "dpkg: Ubuntu HWE"],
    ["6.9.7-200.fc40.x86_64", "6.10.6-200.fc40.x86_64", "rpm: version"],
    ["6.10.6-200.fc40.x86_64", "6.10.6-201.fc40.x86_64", "rpm: release"],
    ["6.11.4-201.fc40.x86_64", "6.11.4-300.fc41.x86_64", "rpm: after a Fedora upgrade"],
    ["6.6.0-0.rc6.47.fc40.x86_64", "6.6.0-300.fc40.x86_64", "rpm: rc before final"],
    ["5.14.0-362.8.1.el9_3.x86_64", "5.14.0-427.13.1.el9_4.x86_64", "rpm: RHEL minor release"],
    ["6.6.4-arch1-1", "6.6.10-arch1-1", "pacman: version"],
    ["6.6.4-arch1-1", "6.6.4-arch2-1", "pacman: arch tag"],
    ["6.6.58-1-lts", "6.6.60-1-lts", "pacman: lts"],
    ["6.4.0-150600.23.22-default", "6.4.0-150600.23.25-default", "rpm: SUSE"],
  ];
  for (const [older, newer, rule] of ordered) {
    test(`${older} is older than ${newer} (${rule})`, () => {
      assert.equal(compareReleases(older, newer), -1);
      assert.equal(compareReleases(newer, older), 1);
    });
  }

  const unordered: [a: string, b: string, why: string][] = [
    ["6.1.0-27-amd64", "6.1.0-56-rt-amd64", "another flavour"],
    ["6.1.0-27-amd64", "6.1.0-56-cloud-amd64", "another flavour"],
    ["6.8.0-48-generic", "6.8.0-50-lowlatency", "another flavour"],
    ["6.11.4-201.fc40.x86_64", "6.11.5-200.fc40.x86_64+debug", "debug variant"],
    ["6.6.4-arch1-1", "6.6.58-1-lts", "another Arch package"],
    ["6.18.44-fc-v657", "6.18.45-fc-v658", "a custom release"],
    ["6.1.0-27-amd64", "6.11.4-201.fc40.x86_64", "another scheme"],
  ];
  for (const [a, b, why] of unordered) {
    test(`${a} and ${b} are not ordered (${why})`, () => {
      assert.equal(compareReleases(a, b), null);
      assert.equal(sameFlavour(a, b), false);
    });
  }
});

describe("properties", () => {
  const debianRelease = fc
    .tuple(
      fc.integer({ min: 2, max: 7 }),
      fc.integer({ min: 0, max: 20 }),
      fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: 1, max: 2000 }),
      fc.constantFrom("amd64", "rt-amd64", "cloud-amd64", "arm64", "generic", "lowlatency", "aws", "azure"),
    )
    .map(([a, b, c, abi, fl]) => `${a}.${b}.${c}-${abi}-${fl}`);
  const fedoraRelease = fc
    .tuple(
      fc.integer({ min: 5, max: 7 }),
      fc.integer({ min: 0, max: 20 }),
      fc.integer({ min: 0, max: 30 }),
      fc.integer({ min: 100, max: 400 }),
      fc.integer({ min: 38, max: 42 }),
      fc.constantFrom("x86_64", "aarch64", "x86_64+debug"),
    )
    .map(([a, b, c, r, d, arch]) => `${a}.${b}.${c}-${r}.fc${d}.${arch}`);
  const anyRelease = fc.oneof(debianRelease, fedoraRelease, fc.string());

  test("a Debian-shaped release splits back into itself: version-flavour", () => {
    fc.assert(
      fc.property(debianRelease, (r) => {
        const p = parseRelease(r);
        assert.equal(p.scheme, "debian");
        assert.equal(`${p.version}-${p.flavour}`, r);
      }),
    );
  });

  test("comparison is antisymmetric and null exactly when the flavours differ", () => {
    fc.assert(
      fc.property(anyRelease, anyRelease, (a, b) => {
        const ab = compareReleases(a, b);
        const ba = compareReleases(b, a);
        if (ab === null) {
          assert.equal(ba, null);
          assert.equal(sameFlavour(a, b), false);
        } else {
          assert.equal(ab, -(ba ?? Number.NaN) || 0);
          assert.equal(sameFlavour(a, b), true);
        }
      }),
    );
  });

  test("a release equals itself unless it is unrecognised", () => {
    fc.assert(
      fc.property(anyRelease, (r) => {
        assert.equal(compareReleases(r, r), parseRelease(r).scheme === "other" ? null : 0);
      }),
    );
  });

  test("comparison is transitive within a flavour", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(debianRelease, fedoraRelease), { minLength: 3, maxLength: 3 }), (rs) => {
        const [a, b, c] = rs as [string, string, string];
        const ab = compareReleases(a, b);
        const bc = compareReleases(b, c);
        const ac = compareReleases(a, c);
        if (ab !== null && bc !== null && ac !== null && ab <= 0 && bc <= 0) assert.ok(ac <= 0);
      }),
    );
  });

  test("a higher ABI number of the same upstream and flavour is newer", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 999 }),
        fc.integer({ min: 1, max: 999 }),
        fc.constantFrom("amd64", "rt-amd64", "cloud-amd64"),
        (x, y, fl) => {
          assert.equal(compareReleases(`6.1.0-${x}-${fl}`, `6.1.0-${y}-${fl}`), Math.sign(x - y));
        },
      ),
    );
  });
});
