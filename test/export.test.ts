// nscheck export --c: standalone C reproducers. Generating needs nothing; compiling needs `cc`;
// running needs root (the program builds the same sandbox as the native executor). Missing
// pieces print a visible SKIPPED line and register no failing tests.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kernelAvailable } from '../model/executor/kernel';
import { cString, exportC } from '../model/export-c';
import { parseTrace, readTrace } from '../model/trace';
import { main } from '../src/cli';

const CORPUS = path.join(__dirname, 'regressions', 'kernel');
const CORPUS_SAMPLE = [
  'setns-pid+sibling', 'setns-pidfd+all-namespaces', 'unshare-files+private-table', 'procns-readlink+initial-inodes',
  'bind_ns-net+outlives-task', 'setns-mnt+fs-shared', 'pidns-init-exit+kills-members', 'setns-user+child-then-no-way-back',
  'ioctl_ns-userns+child-userns', 'setns-uts+hostname',
];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscheck-export-'));

function build(name: string, text: string): { ok: boolean; bin: string; stderr: string } {
  const src = path.join(dir, `${name}.c`);
  const bin = path.join(dir, name);
  fs.writeFileSync(src, text);
  const r = spawnSync('cc', ['-Wall', '-Werror', '-o', bin, src], { encoding: 'utf8' });
  return { ok: r.status === 0, bin, stderr: r.stderr };
}

test('cString escapes quotes, backslashes, trigraph marks and non-ASCII bytes', () => {
  assert.is(cString('a"b\\c'), '"a\\"b\\\\c"');
  assert.is(cString('??='), '"\\?\\?="');
  assert.is(cString('é\n'), '"\\303\\251\\012"');
});

test('the program embeds the executor and one table row per step', () => {
  const t = readTrace(path.join(CORPUS, 'setns-pid+sibling.trace.json'));
  const c = exportC(t);
  assert.match(c, /#define NSX_EMBEDDED 1/);
  assert.match(c, /static int sandbox_start\(/);
  assert.match(c, /#define NX_STEPS 5\n/);
  assert.match(c, /"setns \{f:0\} 536870912"/);
  assert.match(c, /"EINVAL"/);
  assert.match(c, /#ifndef NSX_EMBEDDED\nint main\(int argc/); // nsexec's own main is compiled out
});

test('export: usage errors exit 2; -o writes the file', async () => {
  const io = { out: () => {}, err: () => {} };
  assert.is(await main(['export', path.join(CORPUS, 'setns-pid+sibling.trace.json')], io), 2);
  assert.is(await main(['export', '--c'], io), 2);
  const out = path.join(dir, 'w.c');
  assert.is(await main(['export', path.join(CORPUS, 'setns-pid+sibling.trace.json'), '--c', '-o', out], io), 0);
  assert.match(fs.readFileSync(out, 'utf8'), /nscheck C reproducer/);
});

const cc = spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;
if (!cc) {
  console.log('SKIPPED: compiling exported C reproducers (no C compiler: cc)');
} else {
  test('exported corpus traces compile with cc -Wall -Werror', () => {
    for (const name of CORPUS_SAMPLE) {
      const r = build(name, exportC(readTrace(path.join(CORPUS, `${name}.trace.json`))));
      assert.ok(r.ok, `${name}: ${r.stderr}`);
    }
  });

  const avail = kernelAvailable();
  if (!avail.ok) {
    console.log(`SKIPPED: running exported C reproducers (${avail.reason})`);
  } else {
    test('exported corpus traces run and exit 0 (TAP, every step ok)', () => {
      for (const name of CORPUS_SAMPLE) {
        const bin = path.join(dir, name);
        if (!fs.existsSync(bin)) build(name, exportC(readTrace(path.join(CORPUS, `${name}.trace.json`))));
        const r = spawnSync(bin, [], { encoding: 'utf8', timeout: 60000 });
        assert.is(r.status, 0, `${name}:\n${r.stdout}`);
        const t = readTrace(path.join(CORPUS, `${name}.trace.json`));
        assert.match(r.stdout, new RegExp(`^1\\.\\.${t.steps.length}$`, 'm'));
        assert.not.match(r.stdout, /^not ok/m);
      }
    });

    test('a trace with a wrong expect makes the program exit 1 with not ok and both results', () => {
      const t = parseTrace({
        format: 'nscheck-trace/1', title: 'a deliberately wrong expectation',
        steps: [
          { task: 'P', op: 'fork', args: { child: 'A', flags: ['CLONE_NEWPID'] }, expect: 'ok' },
          { task: 'A', op: 'open_ns', args: { pid: 'P', type: 'pid', fd: 'p' }, expect: 'ok' },
          { task: 'A', op: 'setns', args: { fd: 'p', nstype: 'CLONE_NEWPID' }, expect: 'ok' },
          { task: 'A', op: 'getpid', expect: 'pid=1' },
        ],
      }, 'wrong');
      const r = build('wrong', exportC(t));
      assert.ok(r.ok, r.stderr);
      const run = spawnSync(r.bin, [], { encoding: 'utf8', timeout: 60000 });
      assert.is(run.status, 1, run.stdout);
      assert.match(run.stdout, /^not ok 3 - A: setns\(p, 0x20000000\)$/m);
      assert.match(run.stdout, /#   expected: ok\n#   actual:   EINVAL/);
      assert.match(run.stdout, /^ok 4 - A: getpid\(\) = pid=1$/m);
    });

    test('namespace inode numbers are checked as identities in the C program', () => {
      const ok = parseTrace({ format: 'nscheck-trace/1', steps: [
        { task: 'P', op: 'fork', args: { child: 'A', flags: ['CLONE_NEWNET'] }, expect: 'ok' },
        { task: 'P', op: 'readlink_ns', args: { pid: 'self', type: 'net' }, expect: 'net:[4026531833]' },
        { task: 'A', op: 'readlink_ns', args: { pid: 'self', type: 'net' }, expect: 'net:[4026532200]' },
        { task: 'P', op: 'readlink_ns', args: { pid: 'A', type: 'net' }, expect: 'net:[4026532200]' },
      ] }, 'ids');
      const r = build('ids', exportC(ok));
      assert.ok(r.ok, r.stderr);
      const run = spawnSync(r.bin, [], { encoding: 'utf8', timeout: 60000 });
      assert.is(run.status, 0, run.stdout);
      const bad = parseTrace({ format: 'nscheck-trace/1', steps: [
        { task: 'P', op: 'fork', args: { child: 'A', flags: ['CLONE_NEWNET'] }, expect: 'ok' },
        { task: 'P', op: 'readlink_ns', args: { pid: 'self', type: 'net' }, expect: 'net:[4026531833]' },
        { task: 'A', op: 'readlink_ns', args: { pid: 'self', type: 'net' }, expect: 'net:[4026531833]' },
      ] }, 'ids-bad');
      const r2 = build('ids-bad', exportC(bad));
      assert.ok(r2.ok, r2.stderr);
      const run2 = spawnSync(r2.bin, [], { encoding: 'utf8', timeout: 60000 });
      assert.is(run2.status, 1, run2.stdout);
      assert.match(run2.stdout, /^not ok 3 /m);
    });
  }
}

test.after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test.run();
