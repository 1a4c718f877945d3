#!/usr/bin/env node
// npm test: build, strict type-check, then every uvu test file, then the closing line CI reads.
// uvu prints "Total/Passed/Skipped" but no "N passed, N failed" line and exits 0 when no
// test ran; this wrapper adds the line and fails a run in which zero tests ran.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
// the compiled package first (what the bin and the package test run), then every file strictly
for (const [what, args] of [['build', ['-p', path.join(root, 'tsconfig.build.json')]], ['type-check', ['--noEmit', '-p', root]]]) {
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), ...args], { stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.log(`${what} failed`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

const pattern = process.argv[2];
const args = [path.join(path.dirname(require.resolve('uvu')), '..', 'bin.js'), '-r', 'ts-node/register/transpile-only', '-i', 'fixtures', '-i', 'helpers', 'test'];
if (pattern) args.push(pattern);
const run = spawnSync(process.execPath, args, {
  cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', TS_NODE_TRANSPILE_ONLY: '1' },
  maxBuffer: 256 * 1024 * 1024,
});
process.stdout.write(run.stdout || '');
process.stderr.write(run.stderr || '');
const num = (label) => {
  const m = new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm').exec(run.stdout || '');
  return m ? Number(m[1]) : 0;
};
const total = num('Total'), passed = num('Passed'), skipped = num('Skipped');
// uvu's Total excludes skipped tests; a file that threw while loading counts as one failure.
let failed = total - passed;
if (run.status !== 0 && failed === 0) failed = 1;
if (total === 0 && failed === 0) {
  console.log('no tests ran');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || run.status !== 0 ? 1 : 0);
