import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fixturePath } from "../../test/helpers/paths.js";
import { findPacmanOwners, parseDesc, parseFiles, splitEntryName } from "./pacman-db.js";

const LOCAL = fixturePath("pacman-tree", "var", "lib", "pacman", "local");
const read = (entry: string, file: string) => readFileSync(`${LOCAL}/${entry}/${file}`, "latin1");

describe("parseDesc on a desc written by pacman 6.0.2", () => {
  test("reads name, version, arch and dates", () => {
    const desc = parseDesc(read("libfoo-1.1-1", "desc"));
    assert.ok(desc !== null);
    assert.equal(desc.name, "libfoo");
    assert.equal(desc.version, "1.1-1");
    assert.equal(desc.arch, "x86_64");
    assert.ok(desc.buildDate !== null && desc.installDate !== null && desc.installDate >= desc.buildDate);
  });

  test("returns null without %NAME%", () => assert.equal(parseDesc("%VERSION%\n1-1\n\n"), null));
});

describe("parseFiles", () => {
  test("lists paths without a leading slash, directories ending in '/'", () => {
    assert.deepEqual(parseFiles(read("libfoo-1.1-1", "files")), [
      "usr/",
      "usr/bin/",
      "usr/bin/libfood",
      "usr/lib/",
      "usr/lib/liblibfoo.so",
      "usr/lib/liblibfoo.so.1",
      "usr/share/",
      "usr/share/libfoo/",
      "usr/share/libfoo/with space.txt",
    ]);
  });
});

describe("splitEntryName", () => {
  const table: [string, ReturnType<typeof splitEntryName>][] = [
    ["libfoo-1.1-1", { name: "libfoo", version: "1.1-1" }],
    ["xorg-server-21.1.13-1", { name: "xorg-server", version: "21.1.13-1" }],
    ["zlib-1:1.3.1-2", { name: "zlib", version: "1:1.3.1-2" }],
    ["ALPM_DB_VERSION", null],
    ["a-1", null],
  ];
  for (const [entry, expected] of table) {
    test(`splits ${entry}`, () => assert.deepEqual(splitEntryName(entry), expected));
  }
});

describe("findPacmanOwners", () => {
  const files = (...entries: [string, string][]) =>
    entries.map(([key, text]) => ({ key, content: Buffer.from(text, "latin1") }));
  const db = files(
    ["a", "%FILES%\nusr/\nusr/lib/\nusr/lib/liba.so.1\n\n%BACKUP%\netc/a.conf\tabc\n"],
    ["b", "%FILES%\netc/\netc/a.conf\nusr/bin/b\n"],
    ["c", "%FILES%\n\n%BACKUP%\nusr/lib/liba.so.1\n"],
  );
  const cases: [string, boolean, string[]][] = [
    ["/usr/lib/liba.so.1", false, ["a"]],
    ["/lib/liba.so.1", false, []],
    ["/lib/liba.so.1", true, ["a"]],
    ["/etc/a.conf", false, ["b"]],
    ["/usr/bin/b", true, ["b"]],
    ["/usr/lib", false, []],
    ["/usr/lib/liba.so", false, []],
  ];
  for (const [path, merged, owners] of cases) {
    test(`finds ${path}${merged ? " on a merged host" : ""} owned by [${owners.join(", ")}]`, () => {
      assert.deepEqual(findPacmanOwners(db, [path], merged).get(path), owners);
    });
  }

  test("stops reading once every path has an owner", () => {
    const seen: string[] = [];
    function* lazy() {
      for (const f of db) {
        seen.push(f.key);
        yield f;
      }
    }
    findPacmanOwners(lazy(), ["/usr/lib/liba.so.1"], false, true);
    assert.deepEqual(seen, ["a"]);
  });

  test("matches bytes above 0x7f as latin1", () => {
    const path = "/usr/share/caf\xe9";
    const owners = findPacmanOwners(files(["d", `%FILES%\nusr/share/caf\xe9\n`]), [path], false);
    assert.deepEqual(owners.get(path), ["d"]);
  });
});
