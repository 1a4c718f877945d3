// The package as a user gets it: `npm pack`, installed from the tarball into an empty project
// from the local npm cache (no network), then used from the command line and from TypeScript.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const work = mkdtempSync(path.join(tmpdir(), 'nscheck-pack-'));
const proj = path.join(work, 'project');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', NO_COLOR: '1' };

function sh(cmd: string, args: readonly string[], cwd: string, timeout = 180_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.is(r.status, 0, `${what} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('npm pack ships the compiled package and no tests', () => {
  const out = ok(sh(npm, ['pack', '--json', '--pack-destination', work], ROOT), 'npm pack');
  const info = (JSON.parse(out.slice(out.indexOf('['))) as { files: { path: string }[]; filename: string }[])[0]!;
  const files = info.files.map((f) => f.path);
  assert.ok(files.includes('dist/src/cli.js'), 'the compiled CLI');
  assert.ok(files.includes('dist/src/index.d.ts'), 'the API types');
  assert.ok(files.includes('dist/spec/variants/define.d.ts'), 'nscheck/variant types');
  assert.ok(files.includes('model/executor/nsexec.c'), 'the executor source');
  assert.ok(files.some((f) => f.startsWith('spec/variants/controls/')), 'the mutants\' control traces');
  assert.ok(files.includes('docs/trace-format.md'), 'the trace format');
  assert.not.ok(files.some((f) => f.startsWith('test/') || f.startsWith('dist/test/') || f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('examples/')), `tests or sources shipped: ${files.filter((f) => f.startsWith('test/') || f.startsWith('dist/test/')).join(' ')}`);
});

/**
 * A lockfile for the probe project: nscheck from the tarball, its dependencies (and @types/node)
 * pinned as the repository's own lockfile pins them, so `npm ci --offline` needs nothing but the
 * tarballs the repository's `npm ci` left in the npm cache.
 */
function probeLock(tgz: string): object {
  const repo = (JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> }).packages;
  const pj = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; engines: object };
  const integrity = `sha512-${createHash('sha512').update(readFileSync(path.join(proj, tgz))).digest('base64')}`;
  const deps = { nscheck: `file:${tgz}`, '@types/node': '20.19.43' };
  const packages: Record<string, object> = {
    '': { name: 'probe', version: '1.0.0', dependencies: deps },
    'node_modules/nscheck': { version: pj.version, resolved: `file:${tgz}`, integrity, dependencies: pj.dependencies, bin: { nscheck: 'bin/nscheck.js' }, engines: pj.engines },
  };
  const add = (name: string): void => {
    const key = `node_modules/${name}`;
    if (packages[key]) return;
    const { dev: _dev, ...entry } = repo[key] ?? {};
    assert.ok(repo[key], `the repository's lockfile has ${name}`);
    packages[key] = entry;
    for (const d of Object.keys((entry.dependencies as Record<string, string> | undefined) ?? {})) add(d);
  };
  for (const d of [...Object.keys(pj.dependencies), '@types/node']) add(d);
  return { name: 'probe', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

test('installed from the tarball, offline: the CLI runs, and a TypeScript file uses the API and defines a variant', () => {
  const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
  assert.ok(tgz, 'the tarball');
  mkdirSync(proj, { recursive: true });
  copyFileSync(path.join(work, tgz!), path.join(proj, tgz!));
  writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'probe', version: '1.0.0', private: true, dependencies: { nscheck: `file:${tgz}`, '@types/node': '20.19.43' } }));
  writeFileSync(path.join(proj, 'package-lock.json'), JSON.stringify(probeLock(tgz!), null, 2));
  ok(sh(npm, ['ci', '--offline'], proj), 'npm ci --offline');

  const help = sh('npx', ['--offline', 'nscheck', '--version'], proj);
  assert.match(ok(help, 'nscheck --version'), /^nscheck \d+\.\d+\.\d+/);
  const checkRun = sh('npx', ['--offline', 'nscheck', 'check', '--runs', '30'], proj);
  assert.match(ok(checkRun, 'nscheck check'), /no violation/);

  // a variant file in TypeScript, importing nscheck/variant, from the project's folder
  writeFileSync(path.join(proj, 'my-variant.ts'), [
    "import { defineVariant } from 'nscheck/variant';",
    "export default defineVariant({ name: 'no-mnt-order', doc: 'mnt_ns_loop removed', disable: ['mntns.loop'], expect: { violates: 'MountNsBindsOrdered' } });",
    '',
  ].join('\n'));
  const v = sh('npx', ['--offline', 'nscheck', 'check', '--variant', './my-variant.ts', '--runs', '300', '--out', 'out'], proj);
  assert.is(v.status, 0, `a mutant variant file that is caught as it expects exits 0:\n${v.stdout}\n${v.stderr}`);
  assert.match(v.stdout, /VIOLATION: MountNsBindsOrdered/);
  assert.match(v.stdout, /replay: nscheck replay out\/no-mnt-order-MountNsBindsOrdered\.trace\.json --variant \.\/my-variant\.ts/);

  // the library API, type-checked strictly and run
  writeFileSync(path.join(proj, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noUncheckedIndexedAccess: true, outDir: 'build', types: ['node'] },
    files: ['use-api.ts'],
  }));
  writeFileSync(path.join(proj, 'use-api.ts'), `
import { randomSearch, loadScope, parseTrace, replay, resolveVariant, semanticsOf, BUILTIN_VARIANTS, OPS, type VariantDef } from 'nscheck';
import { defineVariant } from 'nscheck/variant';

const mutant: VariantDef = defineVariant({ name: 'api-M8a', doc: 'setns accepts any pid namespace', disable: ['pidns.ancestor', 'pidns.notDescendant'] });

async function main(): Promise<void> {
  const trace = parseTrace({ format: 'nscheck-trace/1', steps: [{ task: 'P', op: 'getpid', expect: 'pid=2' }] }, 'inline');
  const r = replay(trace, resolveVariant('linux-6.18').sem);
  const found = await randomSearch({ sem: semanticsOf(mutant), scope: loadScope('default'), runs: 2000, maxSteps: 40, seed: 1, target: 'PidNsInescapable' });
  console.log(JSON.stringify({ replayOk: r.ok, variants: BUILTIN_VARIANTS.length, ops: OPS.length, found: found.counterexample?.property ?? null }));
}
void main();
`);
  ok(sh(path.join(proj, 'node_modules', '.bin', 'tsc'), ['-p', '.'], proj), 'tsc on the API user');
  const out = ok(sh(process.execPath, [path.join(proj, 'build', 'use-api.js')], proj), 'running the API user');
  const res = JSON.parse(out) as { replayOk: boolean; variants: number; ops: number; found: string | null };
  assert.ok(res.replayOk);
  assert.ok(res.variants > 5 && res.ops > 10);
  assert.is(res.found, 'PidNsInescapable');
});

test.after(() => {
  if (existsSync(work)) rmSync(work, { recursive: true, force: true });
});

test.run();
