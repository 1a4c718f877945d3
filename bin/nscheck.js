#!/usr/bin/env node
// The nscheck command: the compiled CLI (dist/, built by `npm run build`, which `npm ci` and
// `npm pack` run through the prepare script). No TypeScript tooling runs here.
'use strict';
// A larger young generation: the checker allocates many short-lived rows.
require('node:v8').setFlagsFromString('--max-semi-space-size=64');
try {
  require.resolve('../dist/src/cli.js');
} catch {
  process.stderr.write('nscheck: not built: run "npm run build" in ' + require('node:path').resolve(__dirname, '..') + '\n');
  process.exit(2);
}
const cli = require('../dist/src/cli.js');
require('../dist/src/signals.js').installSignalHandlers();
for (const s of [process.stdout, process.stderr]) {
  s.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
cli.main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`nscheck: internal error: ${(err && err.stack) || err}\n`); process.exitCode = 3; },
);
