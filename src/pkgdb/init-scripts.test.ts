import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { initScriptNames, scriptForProgram } from "./init-scripts.js";

describe("initScriptNames", () => {
  it("finds the scripts of a package's real file list (nginx-common on Debian 12)", () => {
    const list = ["/.", "/etc", "/etc/init.d", "/etc/init.d/nginx", "/etc/logrotate.d/nginx", "/usr/sbin"];
    assert.deepEqual(initScriptNames(list), ["nginx"]);
  });
  it("ignores the folder itself, nested paths, hidden names and paths that only contain the folder", () => {
    const list = [
      "/etc/init.d",
      "/etc/init.d/",
      "/etc/init.d/x/y",
      "/etc/init.d/.depend",
      "/usr/etc/init.d/z",
      "/etc/init.d/a\nb",
    ];
    assert.deepEqual(initScriptNames(list), []);
  });
  it("keeps several scripts once each, in order", () => {
    assert.deepEqual(initScriptNames(["/etc/init.d/exim4", "/etc/init.d/exim4-base", "/etc/init.d/exim4"]), [
      "exim4",
      "exim4-base",
    ]);
  });
});

describe("scriptForProgram", () => {
  it("takes the script named like the program", () => {
    assert.equal(scriptForProgram("/usr/sbin/nginx", ["nginx"]), "nginx");
    assert.equal(scriptForProgram("/usr/sbin/exim4", ["exim4-base", "exim4"]), "exim4");
  });
  it("takes a package's only script for a program named otherwise", () => {
    assert.equal(scriptForProgram("/usr/sbin/sshd", ["ssh"]), "ssh");
  });
  it("says nothing when several scripts could be meant, or none", () => {
    assert.equal(scriptForProgram("/usr/sbin/foo", ["bar", "baz"]), null);
    assert.equal(scriptForProgram("/usr/sbin/foo", []), null);
  });
});
