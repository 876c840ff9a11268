import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { indexPacmanLog } from "./pacman-log.js";

describe("indexPacmanLog", () => {
  const log = [
    "[2024-04-01T09:00:00+0200] [PACMAN] Running 'pacman -Syu'",
    "[2024-04-01T09:00:01+0200] [ALPM] transaction started",
    "[2024-04-01T09:00:02+0200] [ALPM] installed openssl (3.2.1-1)",
    "[2024-04-01T09:00:02+0200] [ALPM] installed foo (1.0-1)",
    "[2024-05-01T10:00:00+0200] [ALPM] upgraded openssl (3.3.0-1 -> 3.3.1-1)",
    "[2024-05-01T10:00:00+0200] [ALPM-SCRIPTLET] upgraded openssl (9 -> 9)",
    "[2024-05-02T10:00:00+0200] [ALPM] downgraded glibc (2.40-1 -> 2.39-4)",
    "[2024-05-03T10:00:00+0200] [ALPM] reinstalled zlib (1:1.3.1-2)",
    "[2024-05-03T10:00:00+0200] [ALPM] removed foo (1.0-1)",
    "[2012-01-01 10:00] [PACMAN] upgraded bash (4.2.020-1 -> 4.2.024-1)",
    "[2024-05-04T10:00:00+0200] [ALPM] upgraded cut-short (1.0-1",
    "",
  ].join("\n");
  const index = indexPacmanLog(log);

  const cases: [string, unknown][] = [
    [
      "openssl",
      { action: "upgraded", previousVersion: "3.3.0-1", version: "3.3.1-1", at: "2024-05-01T10:00:00+0200" },
    ],
    [
      "glibc",
      { action: "downgraded", previousVersion: "2.40-1", version: "2.39-4", at: "2024-05-02T10:00:00+0200" },
    ],
    [
      "zlib",
      {
        action: "reinstalled",
        previousVersion: "1:1.3.1-2",
        version: "1:1.3.1-2",
        at: "2024-05-03T10:00:00+0200",
      },
    ],
    [
      "bash",
      { action: "upgraded", previousVersion: "4.2.020-1", version: "4.2.024-1", at: "2012-01-01 10:00" },
    ],
    ["foo", undefined],
    ["cut-short", undefined],
  ];
  for (const [name, expected] of cases) {
    test(`finds the last event of ${name}`, () => assert.deepEqual(index.get(name), expected));
  }

  test("keeps an install, with no previous version", () => {
    const only = indexPacmanLog("[2024-04-01T09:00:02+0200] [ALPM] installed bar (1.0-1)\n");
    assert.deepEqual(only.get("bar"), {
      action: "installed",
      previousVersion: null,
      version: "1.0-1",
      at: "2024-04-01T09:00:02+0200",
    });
  });
});
