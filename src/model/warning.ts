/** Something the scan could not do. Any warning makes the scan partial (exit code 3). */
export interface Warning {
  code: WarningCode;
  pid?: number;
  message: string;
}

export type WarningCode =
  | "not-root" // only the caller's own processes could be read
  | "unreadable" // a /proc file of a live process could not be read
  | "vanished" // a process exited while its details were being read
  | "proc" // /proc itself could not be listed
  | "pkgdb"; // the package database could not be read
