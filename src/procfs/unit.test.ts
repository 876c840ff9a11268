import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  cgPathDecodeUnit,
  cgPathGetOwnerUid,
  cgPathGetSession,
  cgPathGetSlice,
  cgPathGetUnit,
  cgPathGetUserUnit,
  cgUnescape,
  ROOT_SLICE,
  type UnitNameKinds,
  unitNameIsValid,
} from "./unit.js";

// Vectors ported from systemd's src/test/test-cgroup-util.c (systemd/systemd, the TEST(...) version
// of the v250–v252 era): check_p_d_u, check_p_g_u, check_p_g_u_u, check_p_g_s, check_p_g_o_u,
// check_p_g_slice. A systemd error (-ENXIO) is null here.

const pathDecodeUnit: Array<[string, string | null]> = [
  ["getty@tty2.service", "getty@tty2.service"],
  ["getty@tty2.service/", "getty@tty2.service"],
  ["getty@tty2.service/xxx", "getty@tty2.service"],
  ["getty@.service/", null],
  ["getty@.service", null],
  ["getty.service", "getty.service"],
  ["getty", null],
  ["getty/waldo", null],
  ["_cpu.service", "cpu.service"],
];

const pathGetUnit: Array<[string, string | null]> = [
  ["/system.slice/foobar.service/sdfdsaf", "foobar.service"],
  ["/system.slice/getty@tty5.service", "getty@tty5.service"],
  ["/system.slice/getty@tty5.service/aaa/bbb", "getty@tty5.service"],
  ["/system.slice/getty@tty5.service/", "getty@tty5.service"],
  ["/system.slice/getty@tty6.service/tty5", "getty@tty6.service"],
  ["sadfdsafsda", null],
  ["/system.slice/getty####@tty6.service/xxx", null],
  ["/system.slice/system-waldo.slice/foobar.service/sdfdsaf", "foobar.service"],
  ["/system.slice/system-waldo.slice/_cpu.service/sdfdsaf", "cpu.service"],
  ["/user.slice/user-1000.slice/user@1000.service/server.service", "user@1000.service"],
  ["/user.slice/user-1000.slice/user@.service/server.service", null],
];

const pathGetUserUnit: Array<[string, string | null]> = [
  ["/user.slice/user-1000.slice/session-2.scope/foobar.service", "foobar.service"],
  ["/user.slice/user-1000.slice/session-2.scope/waldo.slice/foobar.service", "foobar.service"],
  ["/user.slice/user-1002.slice/session-2.scope/foobar.service/waldo", "foobar.service"],
  ["/user.slice/user-1000.slice/session-2.scope/foobar.service/waldo/uuuux", "foobar.service"],
  ["/user.slice/user-1000.slice/session-2.scope/waldo/waldo/uuuux", null],
  ["/user.slice/user-1000.slice/session-2.scope/foobar@pie.service/pa/po", "foobar@pie.service"],
  ["/session-2.scope/foobar@pie.service/pa/po", "foobar@pie.service"],
  ["/xyz.slice/xyz-waldo.slice/session-77.scope/foobar@pie.service/pa/po", "foobar@pie.service"],
  ["/meh.service", null],
  ["/session-3.scope/_cpu.service", "cpu.service"],
  ["/user.slice/user-1000.slice/user@1000.service/server.service", "server.service"],
  ["/user.slice/user-1000.slice/user@1000.service/foobar.slice/foobar@pie.service", "foobar@pie.service"],
  ["/user.slice/user-1000.slice/user@.service/server.service", null],
];

const pathGetSession: Array<[string, string | null]> = [
  ["/user.slice/user-1000.slice/session-2.scope/foobar.service", "2"],
  ["/session-3.scope", "3"],
  ["/session-.scope", null],
  ["", null],
];

const pathGetOwnerUid: Array<[string, number | null]> = [
  ["/user.slice/user-1000.slice/session-2.scope/foobar.service", 1000],
  ["/user.slice/user-1006.slice", 1006],
  ["", null],
];

const pathGetSlice: Array<[string, string]> = [
  ["/user.slice", "user.slice"],
  ["/foobar", ROOT_SLICE],
  ["/user.slice/user-waldo.slice", "user-waldo.slice"],
  ["", ROOT_SLICE],
  ["foobar", ROOT_SLICE],
  ["foobar.slice", "foobar.slice"],
  ["foo.slice/foo-bar.slice/waldo.service", "foo-bar.slice"],
];

// Our own, from the same rules: names systemd builds from untrusted input, and edge cases of
// parse_uid and session_id_valid that the vectors above do not reach.
const ownPathGetUnit: Array<[string, string | null]> = [
  ["/", null],
  ["/..", null],
  ["/../system.slice/foo.service", null],
  ["/system.slice", null],
  ["/system.slice/", null],
  ["//system.slice//foo.service//x", "foo.service"],
  ["/system.slice/system-demo\\x2dt.slice/demo-t@inst.service", "demo-t@inst.service"],
  ["/system.slice/_system-x.slice/foo.service", "foo.service"], // an escaped slice is still skipped
  ["/system.slice/foo.service (deleted)", null],
  ["/system.slice/foo.service:x", null],
  ["/systemd-testbed-h1cg/system.slice/demo-x.service", null],
  ["/machine.slice/machine-x.scope/system.slice/sshd.service", "machine-x.scope"],
  ["/system.slice/docker-0123abcd.scope", "docker-0123abcd.scope"],
];

const ownPathGetUserUnit: Array<[string, string | null]> = [
  ["/user.slice/user-1000.slice/user@1000.service/app.slice/demo-u.service", "demo-u.service"],
  ["/user.slice/user-1000.slice/user@1000.service/init.scope", "init.scope"],
  ["/user.slice/user-1000.slice/user@1000.service", null],
  ["/user.slice/user-0.slice/user@0.service/app.slice/x.service", "x.service"],
  ["/user.slice/user-1000.slice/user@01000.service/x.service", null], // parse_uid: no leading zero
  ["/user.slice/user-1000.slice/user@+1000.service/x.service", null],
  ["/user.slice/user-65535.slice/user@65535.service/x.service", null], // (uint16_t) -1
  ["/user.slice/user-1.slice/user@4294967295.service/x.service", null], // (uid_t) -1
  ["/user.slice/user-1.slice/user@4294967294.service/x.service", "x.service"],
  ["/user.slice/user-1.slice/user@4294967296.service/x.service", null],
  ["/user.slice/user-0.slice/session-c1.scope/x.service", "x.service"],
  ["/user.slice/user-0.slice/session-c1.scope", null],
  ["/user.slice/user-0.slice/session-c_1.scope/x.service", null],
  ["/system.slice/foo.service/user@1000.service/x.service", null],
];

const ownPathGetSession: Array<[string, string | null]> = [
  ["/user.slice/user-0.slice/session-c1.scope", "c1"],
  ["/user.slice/user-0.slice/session-c1.scope/x", "c1"],
  ["/user.slice/user-0.slice/session-c-1.scope", null],
  ["/user.slice/user-0.slice/session-1.service", null],
  ["/user.slice/user-0.slice/user@0.service/session-2.scope", null],
];

const ownPathGetOwnerUid: Array<[string, number | null]> = [
  ["/user.slice/user-0.slice/session-c1.scope", 0],
  ["/user.slice/user-0.slice/user@0.service/app.slice/x.service", 0],
  ["/user.slice/user-waldo.slice", null],
  ["/system.slice/foo.service", null],
];

describe("cgPathDecodeUnit (systemd test-cgroup-util.c, path_decode_unit)", () => {
  for (const [path, want] of pathDecodeUnit) {
    it(`decodes ${JSON.stringify(path)} as ${want}`, () => assert.equal(cgPathDecodeUnit(path), want));
  }
});

describe("cgPathGetUnit (systemd test-cgroup-util.c, path_get_unit, and our own)", () => {
  for (const [path, want] of [...pathGetUnit, ...ownPathGetUnit]) {
    it(`gives ${want} for ${JSON.stringify(path)}`, () => assert.equal(cgPathGetUnit(path), want));
  }
});

describe("cgPathGetUserUnit (systemd test-cgroup-util.c, path_get_user_unit, and our own)", () => {
  for (const [path, want] of [...pathGetUserUnit, ...ownPathGetUserUnit]) {
    it(`gives ${want} for ${JSON.stringify(path)}`, () => assert.equal(cgPathGetUserUnit(path), want));
  }
});

describe("cgPathGetSession (systemd test-cgroup-util.c, path_get_session, and our own)", () => {
  for (const [path, want] of [...pathGetSession, ...ownPathGetSession]) {
    it(`gives ${want} for ${JSON.stringify(path)}`, () => assert.equal(cgPathGetSession(path), want));
  }
});

describe("cgPathGetOwnerUid (systemd test-cgroup-util.c, path_get_owner_uid, and our own)", () => {
  for (const [path, want] of [...pathGetOwnerUid, ...ownPathGetOwnerUid]) {
    it(`gives ${want} for ${JSON.stringify(path)}`, () => assert.equal(cgPathGetOwnerUid(path), want));
  }
});

describe("cgPathGetSlice (systemd test-cgroup-util.c, path_get_slice)", () => {
  for (const [path, want] of pathGetSlice) {
    it(`gives ${want} for ${JSON.stringify(path)}`, () => assert.equal(cgPathGetSlice(path), want));
  }
  it("gives the slice a template instance sits in", () => {
    assert.equal(
      cgPathGetSlice("/system.slice/system-demo\\x2dt.slice/demo-t@inst.service"),
      "system-demo\\x2dt.slice",
    );
  });
});

// src/test/test-cgroup-util.c, test_escape_one: cg_unescape(cg_escape(s)) == s, read backwards.
describe("cgUnescape (systemd test-cgroup-util.c, escape)", () => {
  const cases: Array<[string, string]> = [
    ["foobar", "foobar"],
    ["_.foobar", ".foobar"],
    ["foobar.service", "foobar.service"],
    ["_cgroup.service", "cgroup.service"],
    ["_tasks", "tasks"],
    ["_cpu.service", "cpu.service"],
    ["__foobar", "_foobar"],
    ["_", ""],
    ["__", "_"],
    ["_.", "."],
  ];
  for (const [escaped, want] of cases) {
    it(`reads ${JSON.stringify(escaped)} as ${JSON.stringify(want)}`, () =>
      assert.equal(cgUnescape(escaped), want));
  }
});

// systemd's src/test/test-unit-name.c, TEST(unit_name_is_valid); UnitNameFlags as kinds.
const ANY: UnitNameKinds = { plain: true, instance: true, template: true };
const PLAIN: UnitNameKinds = { instance: false };
const INSTANCE: UnitNameKinds = { plain: false, instance: true };
const TEMPLATE: UnitNameKinds = { plain: false, instance: false, template: true };
const INSTANCE_TEMPLATE: UnitNameKinds = { plain: false, instance: true, template: true };
const PLAIN_INSTANCE: UnitNameKinds = { instance: true };

describe("unitNameIsValid (systemd test-unit-name.c, unit_name_is_valid, and our own)", () => {
  const cases: Array<[string, UnitNameKinds, string, boolean]> = [
    ["foo.service", ANY, "ANY", true],
    ["foo.service", PLAIN, "PLAIN", true],
    ["foo.service", INSTANCE, "INSTANCE", false],
    ["foo.service", TEMPLATE, "TEMPLATE", false],
    ["foo.service", INSTANCE_TEMPLATE, "INSTANCE|TEMPLATE", false],
    ["foo@bar.service", ANY, "ANY", true],
    ["foo@bar.service", PLAIN, "PLAIN", false],
    ["foo@bar.service", INSTANCE, "INSTANCE", true],
    ["foo@bar.service", TEMPLATE, "TEMPLATE", false],
    ["foo@bar.service", INSTANCE_TEMPLATE, "INSTANCE|TEMPLATE", true],
    ["foo@bar@bar.service", ANY, "ANY", true],
    ["foo@bar@bar.service", PLAIN, "PLAIN", false],
    ["foo@bar@bar.service", INSTANCE, "INSTANCE", true],
    ["foo@bar@bar.service", TEMPLATE, "TEMPLATE", false],
    ["foo@bar@bar.service", INSTANCE_TEMPLATE, "INSTANCE|TEMPLATE", true],
    ["foo@.service", ANY, "ANY", true],
    ["foo@.service", PLAIN, "PLAIN", false],
    ["foo@.service", INSTANCE, "INSTANCE", false],
    ["foo@.service", TEMPLATE, "TEMPLATE", true],
    ["foo@.service", INSTANCE_TEMPLATE, "INSTANCE|TEMPLATE", true],
    [".test.service", PLAIN, "PLAIN", true],
    [".test@.service", TEMPLATE, "TEMPLATE", true],
    ["_strange::::.service", ANY, "ANY", true],
    [".service", ANY, "ANY", false],
    ["", ANY, "ANY", false],
    ["foo.waldo", ANY, "ANY", false],
    ["@.service", ANY, "ANY", false],
    ["@piep.service", ANY, "ANY", false],
    ["user@1000.slice", ANY, "ANY", true],
    ["user@1000.slice", INSTANCE, "INSTANCE", true],
    ["user@1000.slice", TEMPLATE, "TEMPLATE", false],
    ["foo@%i.service", ANY, "ANY", false],
    ["foo@%i.service", INSTANCE, "INSTANCE", false],
    ["foo@%%i.service", INSTANCE, "INSTANCE", false],
    ["foo@%%i%f.service", INSTANCE, "INSTANCE", false],
    ["foo@%F.service", INSTANCE, "INSTANCE", false],
    ["foo.target.wants/plain.service", ANY, "ANY", false],
    ["foo.target.conf/foo.conf", ANY, "ANY", false],
    ["foo.target.requires/plain.socket", ANY, "ANY", false],
    // Our own: the brief form { instance } is PLAIN or PLAIN|INSTANCE, as cg_path_decode_unit asks.
    ["getty@tty1.service", PLAIN_INSTANCE, "PLAIN|INSTANCE", true],
    ["getty@.service", PLAIN_INSTANCE, "PLAIN|INSTANCE", false],
    ["system-demo\\x2dt.slice", PLAIN, "PLAIN", true],
    ["foo.service ", PLAIN, "PLAIN", false],
    ["fo o.service", PLAIN, "PLAIN", false],
    ["f\u00fc.service", PLAIN, "PLAIN", false],
    ["foo.", PLAIN, "PLAIN", false],
    ["foo.Service", PLAIN, "PLAIN", false],
    [`${"a".repeat(255 - ".service".length)}.service`, PLAIN, "PLAIN", true], // 255 bytes
    [`${"a".repeat(256 - ".service".length)}.service`, PLAIN, "PLAIN", false], // UNIT_NAME_MAX
  ];
  for (const [name, kinds, label, want] of cases) {
    const shown = name.length > 40 ? `${name.length}-byte name` : JSON.stringify(name);
    it(`${want ? "accepts" : "refuses"} ${shown} as ${label}`, () =>
      assert.equal(unitNameIsValid(name, kinds), want));
  }
});

describe("cgPathGetUnit properties", () => {
  const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.\\";
  const word = (min: number) =>
    fc.array(fc.constantFrom(...chars), { minLength: min, maxLength: 20 }).map((a) => a.join(""));
  const unit = fc
    .record({
      prefix: word(1).filter((p) => !p.startsWith("_")),
      instance: fc.option(fc.oneof(word(1), fc.constant("a@b"))),
      type: fc.constantFrom(
        "service",
        "scope",
        "socket",
        "mount",
        "swap",
        "target",
        "device",
        "timer",
        "path",
        "automount",
      ),
    })
    .map((u) => `${u.prefix}${u.instance === null ? "" : `@${u.instance}`}.${u.type}`);
  const sliceWord = fc
    .array(fc.constantFrom(..."abcxyz019-"), { minLength: 1, maxLength: 12 })
    .map((a) => a.join(""));
  const slices = fc.array(
    sliceWord.map((w) => `${w}.slice`),
    { maxLength: 4 },
  );
  const sub = fc.array(
    fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !s.includes("/")),
    { maxLength: 3 },
  );

  it("finds any valid unit below any slices, escaped or not, whatever follows it", () => {
    fc.assert(
      fc.property(unit, slices, sub, fc.boolean(), (u, sl, rest, escaped) => {
        const component = escaped ? `_${u}` : u;
        const path = `/${[...sl, component, ...rest].join("/")}`;
        assert.equal(cgPathGetUnit(path), u);
      }),
    );
  });

  it("never answers with a slice or an invalid name", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (path) => {
        const got = cgPathGetUnit(path);
        if (got !== null) {
          assert.ok(unitNameIsValid(got, { instance: true }), got);
          assert.ok(!got.endsWith(".slice"), got);
        }
      }),
    );
  });
});
