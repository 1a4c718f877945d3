#!/usr/bin/env node
// The nscheck command. Runs the TypeScript sources through ts-node (transpile-only:
// type-checking is `npm run typecheck`, part of `npm test`), so `npm ci` needs no build step.
'use strict';
// A larger young generation: a step allocates short-lived copies of the rows it changes.
require('node:v8').setFlagsFromString('--max-semi-space-size=64');
const path = require('node:path');
// A closed pipe (nscheck ... | head) ends the output quietly.
for (const s of [process.stdout, process.stderr]) s.on('error', (e) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); throw e; });
require('ts-node').register({ transpileOnly: true, project: path.join(__dirname, '..', 'tsconfig.json') });
require('../src/cli').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`nscheck: internal error: ${err && err.stack || err}\n`); process.exitCode = 3; },
);
