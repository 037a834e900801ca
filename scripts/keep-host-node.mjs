/* global URL */
// The Node binaries that functions run on (optionalDependencies node22-*, node24-*) each declare a
// `node` bin, so npm links one of them as node_modules/.bin/node, which npm scripts put first on
// PATH: `npm test` would then run on that Node instead of the one the developer chose. They are
// found by package name (sandbox/services/lambda/node-runtimes.ts), never through that link.
import { rmSync } from "node:fs";

for (const link of ["node", "node.cmd", "node.ps1"]) rmSync(new URL(`../node_modules/.bin/${link}`, import.meta.url), { force: true });
