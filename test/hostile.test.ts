// The reproducers of every hostile-input report: traces never run code, unbounded and special
// files are refused, output paths are checked before work, labels are escaped for their medium,
// temporary files do not outlive a killed run, and an interrupted check says so.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exportC } from '../model/export-c';
import { parseTrace } from '../model/trace';
import { main } from '../src/cli';

const ROOT = resolve(__dirname, '..');
const BIN = join(ROOT, 'bin', 'nscheck.js');
const dir = mkdtempSync(join(tmpdir(), 'nscheck-hostile-'));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}
const oneLine = (s: string) => s.trim().split('\n').length === 1 && !s.includes('    at ');
function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}
const TRACE = (extra: object = {}, steps: object[] = [{ task: 'P', op: 'getpid', expect: 'pid=2' }]) => JSON.stringify({ format: 'nscheck-trace/1', steps, ...extra });

test('a trace\'s variant field never loads a file: exit 2, and the file does not run', async () => {
  const marker = join(dir, 'evil-ran');
  file('evil.js', `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x'); module.exports = { default: { name: 'evil', doc: 'x' } };`);
  const t = file('names-evil.trace.json', TRACE({ variant: './evil.js' }));
  const r = await run(['replay', t]);
  assert.is(r.code, 2);
  assert.ok(oneLine(r.err), r.err);
  assert.match(r.err, 'cannot load code');
  assert.not.ok(existsSync(marker), 'the variant file ran');
});

test('only regular files of bounded size are read: /dev/zero, a FIFO and a directory are refused at once', async () => {
  for (const f of ['/dev/zero', dir]) {
    const r = await run(['replay', f]);
    assert.is(r.code, 2, f);
    assert.ok(oneLine(r.err), r.err);
  }
  const fifo = join(dir, 'fifo.trace.json');
  execFileSync('mkfifo', [fifo]);
  const r = await run(['replay', fifo]);
  assert.is(r.code, 2);
  assert.match(r.err, 'FIFO');
});

test('deep nesting, huge strings, prototype names and out-of-range integers: one line each, a short prefix of the value', async () => {
  const cases: [string, RegExp][] = [
    [`{"format":"nscheck-trace/1","steps":[{"task":"P","op":"unshare","args":{"flags":${'['.repeat(100000)}${']'.repeat(100000)}}}]}`, /nested deeper than 32/],
    [TRACE({}, [{ task: 'P', op: 'sethostname', args: { name: 'h'.repeat(10_000_000) } }]), /at most 4096/],
    [TRACE({}, [{ task: 'P', op: 'constructor' }]), /unknown op "constructor"/],
    [TRACE({}, [{ task: 'P', op: '__proto__' }]), /unknown op "__proto__"/],
    [TRACE({}, [{ task: 'P', op: 'close', args: { fd: 'f', toString: 1 } }]), /unknown argument "toString"/],
    [TRACE({}, [{ task: 'P', op: 'unshare', args: { flags: 4294967296 } }]), /from -2147483648 to 4294967295/],
    [TRACE({}, [{ task: 'P', op: 'unshare', args: { flags: 1e21 } }]), /from -2147483648 to 4294967295/],
    [TRACE({}, [{ task: 'P', op: 'setns', args: { fd: 2147483648, nstype: 0 } }]), /argument "fd" must be/],
  ];
  for (const [text, want] of cases) {
    const r = await run(['replay', file('case.trace.json', text)]);
    assert.is(r.code, 2, `${want}: ${r.err.slice(0, 200)}`);
    assert.ok(oneLine(r.err), r.err.slice(0, 300));
    assert.ok(r.err.length < 400, `the error line is ${r.err.length} characters`);
    assert.match(r.err, want);
  }
  // a name that is a member of Object.prototype is an ordinary name where names are free
  const ok = await run(['replay', file('proto-var.trace.json', TRACE({}, [
    { task: 'P', op: 'open_ns', args: { pid: 'self', type: 'net', fd: 'isPrototypeOf' }, expect: 'ok' },
    { task: 'P', op: 'close', args: { fd: 'constructor' }, expect: 'EBADF' },
    { task: 'P', op: 'close', args: { fd: 'isPrototypeOf' }, expect: 'ok' },
    { task: 'P', op: 'fork', args: { child: 'constructor' }, expect: 'ok' },
    { task: 'constructor', op: 'getpid', expect: 'pid=3' },
  ]))]);
  assert.is(ok.code, 0, ok.out + ok.err);
});

test('output paths are checked before any work: one line, exit 2', async () => {
  const t = file('ok.trace.json', TRACE());
  for (const argv of [
    ['replay', t, '--report', '/etc/passwd'], ['replay', t, '--report', '/proc/x'], ['replay', t, '--junit', dir],
    ['check', '--out', '/etc/passwd'], ['check', '--out', '/proc/nscheck'], ['check', '--junit', dir], ['check', '--itf', dir],
  ]) {
    const r = await run(argv);
    assert.is(r.code, 2, argv.join(' '));
    assert.ok(oneLine(r.err), `${argv.join(' ')}: ${r.err}`);
  }
});

test('variant files: a throwing default getter, a loop and an allocation without end are refused in one line', async () => {
  const getter = file('getter.js', 'Object.defineProperty(exports, "default", { get() { throw new Error("boom"); } });');
  const r1 = await run(['check', '--variant', getter, '--runs', '1']);
  assert.is(r1.code, 2);
  assert.ok(oneLine(r1.err), r1.err);
  // the limits run in a child process with a short time limit (the default is 10 s)
  const loop = file('loop.js', 'for (;;) {}');
  const hog = file('hog.js', 'const a = []; for (;;) a.push(new Array(1e6).fill(1));');
  for (const f of [loop, hog]) {
    const p = spawnSync(process.execPath, [BIN, 'check', '--variant', f, '--runs', '1'], { encoding: 'utf8', timeout: 60000, env: { ...process.env, NSCHECK_VARIANT_LOAD_MS: '1500' } });
    assert.is(p.status, 2, `${f}: ${p.stderr}`);
    assert.ok(oneLine(p.stderr), p.stderr);
    assert.match(p.stderr, f === loop ? /did not finish loading/ : /MB while loading|did not finish loading/);
  }
});

test('labels reach every medium escaped: reports, the terminal, and a C reproducer that compiles with -Wall -Werror', async () => {
  const hostile = 'x onerror=1 href="javascript:alert(1)" </script> */ \u202e\u0007 ??/ \ud800';
  const t = file('labels.trace.json', JSON.stringify({
    format: 'nscheck-trace/1', title: hostile, variant: 'M10a', expect: { violates: 'MountNsBindsOrdered' },
    steps: [{ task: 'P', op: 'sethostname', args: { name: hostile }, expect: 'ok' }, { task: 'P', op: 'bind_ns', args: { pid: 'self', type: 'mnt', target: hostile }, expect: 'ok' }],
  }));
  const rep = join(dir, 'labels-report');
  const r = await run(['replay', t, '--report', rep, '--summary', join(rep, 's.md'), '--junit', join(rep, 'j.xml')]);
  assert.is(r.code, 0, r.out + r.err);
  assert.not.match(r.out, /[\u202e\u0007]/);
  for (const f of ['index.html', 's.md', 'j.xml', 'violation.dot', 'violation.svg']) {
    const text = readFileSync(join(rep, f), 'utf8');
    assert.not.match(text, /[\u202e\u0007]|<\/script> \*\//, f);
    assert.not.match(text, /\ud800/, f);
  }
  const html = readFileSync(join(rep, 'index.html'), 'utf8');
  assert.not.match(html, /<script>alert/);
  assert.match(html, /\\u202e/);
  // the C export: labels only in escaped literals and sanitised comments
  const forC = { format: 'nscheck-trace/1', title: hostile, steps: [{ task: 'P', op: 'sethostname', args: { name: hostile }, expect: 'ok' }, { task: 'P', op: 'gethostname', expect: `hostname=${hostile}` }] };
  const c = exportC(parseTrace(forC, 'labels'));
  const src = join(dir, 'labels.c');
  writeFileSync(src, c);
  if (spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0) {
    const cc = spawnSync('cc', ['-Wall', '-Werror', '-o', join(dir, 'labels'), src], { encoding: 'utf8' });
    assert.is(cc.status, 0, cc.stderr);
  }
});

test('temporary files: a killed writer\'s leftovers are removed by the next run, an interrupted check exits 130 and says so', async () => {
  const out = join(dir, 'out');
  mkdirSync(out, { recursive: true });
  // a leftover of a process that no longer runs (pid 2^22 is above pid_max's default)
  writeFileSync(join(out, '.M10a-MountNsBindsOrdered.trace.json.4194303.0.tmp'), 'half');
  const r = await run(['check', '--variant', 'M10a', '--out', out]);
  assert.is(r.code, 0);
  assert.equal(readdirSync(out).filter((f) => f.endsWith('.tmp')), []);
  // SIGINT during a long check: exit 130, JUnit and summary say "interrupted", no leftovers
  const junit = join(dir, 'int.xml');
  const summary = join(dir, 'int.md');
  const p = spawn(process.execPath, [BIN, 'check', '--runs', '100000000', '--out', out, '--junit', junit, '--summary', summary], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  await new Promise((r2) => setTimeout(r2, 1500));
  p.kill('SIGINT');
  const code = await new Promise<number | null>((r2) => p.on('exit', (c) => r2(c)));
  assert.is(code, 130, stdout);
  assert.match(stdout, 'interrupted');
  assert.match(readFileSync(junit, 'utf8'), /<error message="interrupted/);
  assert.match(readFileSync(summary, 'utf8'), /interrupted/);
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

test.run();
