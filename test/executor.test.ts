// Kernel executor (model/executor): runs traces on the live kernel inside a sandbox.
// Needs root with CAP_SYS_ADMIN and a C compiler; otherwise the file registers no tests and
// prints one visible SKIPPED line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kernelAvailable, nsexecBinary, runTraceOnKernel, TraceInputError } from '../model/executor/kernel';
import { cacheDir } from '../model/package';

const CORPUS = path.join(__dirname, 'regressions', 'kernel');

interface TraceDoc {
  format: string;
  title?: string;
  variant?: string;
  expect?: unknown;
  source?: string;
  steps: { task: string; op: string; args?: Record<string, unknown>; expect?: string }[];
}

function corpusFiles(): string[] {
  return fs
    .readdirSync(CORPUS)
    .filter((f) => f.endsWith('.trace.json'))
    .sort();
}

function readTrace(file: string): TraceDoc {
  return JSON.parse(fs.readFileSync(path.join(CORPUS, file), 'utf8')) as TraceDoc;
}

/** pid and command name of every process whose name starts with "nsexec" */
function nsexecProcesses(): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const comm = fs.readFileSync(`/proc/${e}/comm`, 'utf8').trim();
      if (comm.startsWith('nsexec')) out.push(`${e}:${comm}`);
    } catch {
      // the process went away while we looked
    }
  }
  return out;
}

function ourChildren(): string {
  let all = '';
  for (const t of fs.readdirSync(`/proc/${process.pid}/task`)) {
    try {
      all += fs.readFileSync(`/proc/${process.pid}/task/${t}/children`, 'utf8');
    } catch {
      // thread exited
    }
  }
  return all.trim();
}

function hostState(): { mountinfo: string; hostname: string; netdev: string[]; shm: string } {
  return {
    mountinfo: fs.readFileSync('/proc/self/mountinfo', 'utf8'),
    hostname: os.hostname(),
    netdev: fs
      .readFileSync('/proc/net/dev', 'utf8')
      .split('\n')
      .slice(2)
      .map((l) => l.split(':')[0]!.trim())
      .filter((n) => n.length > 0)
      .sort(),
    shm: fs.readFileSync('/proc/sysvipc/shm', 'utf8'),
  };
}

const avail = kernelAvailable();
if (!avail.ok) {
  console.log(`SKIPPED: kernel executor tests (${avail.reason})`);
} else {
  test('nsexec is compiled once into the cache and reused', () => {
    const a = nsexecBinary();
    const b = nsexecBinary();
    assert.is(a, b);
    assert.ok(a.startsWith(path.join(cacheDir(), 'nsexec-')), a);
    assert.ok(fs.statSync(a).mode & 0o100);
  });

  test('the format example: setns into an ancestor pid namespace is EINVAL', async () => {
    const r = await runTraceOnKernel({
      steps: [
        { task: 'P', op: 'fork', args: { child: 'A', flags: ['CLONE_NEWPID'] } },
        { task: 'A', op: 'open_ns', args: { pid: 'P', type: 'pid', fd: 'p' } },
        { task: 'A', op: 'setns', args: { fd: 'p', nstype: 'CLONE_NEWPID' } },
        { task: 'A', op: 'getpid' },
      ],
    });
    assert.equal(
      r.results.map((x) => x.result),
      ['ok', 'ok', 'EINVAL', 'pid=1'],
    );
    assert.equal(r.results.map((x) => x.index), [0, 1, 2, 3]);
    assert.equal(r.liveness, { tasks: { P: 'alive', A: 'alive' } });
  });

  test('a task that has exited answers ESRCH without running anything; liveness reports it', async () => {
    const r = await runTraceOnKernel({
      steps: [
        { task: 'P', op: 'fork', args: { child: 'A' } },
        { task: 'A', op: 'exit', args: { code: 2 } },
        { task: 'A', op: 'getpid' },
        { task: 'Q', op: 'getpid' },
        { task: 'P', op: 'wait', args: { child: 'A' } },
      ],
    });
    assert.equal(
      r.results.map((x) => x.result),
      ['ok', 'ok', 'ESRCH', 'ESRCH', 'ok'],
    );
    assert.equal(r.liveness, { tasks: { P: 'alive', A: 'exited', Q: 'never' } });
  });

  test('fd variables: CLONE_FILES shares the table, a plain fork copies it', async () => {
    const r = await runTraceOnKernel({
      steps: [
        { task: 'P', op: 'fork', args: { child: 'S', flags: ['CLONE_FILES'] } },
        { task: 'P', op: 'fork', args: { child: 'C' } },
        { task: 'P', op: 'open_ns', args: { pid: 'self', type: 'net', fd: 'n' } },
        { task: 'S', op: 'setns', args: { fd: 'n', nstype: 'CLONE_NEWNET' } },
        { task: 'C', op: 'setns', args: { fd: 'n', nstype: 'CLONE_NEWNET' } },
        { task: 'S', op: 'close', args: { fd: 'n' } },
        { task: 'P', op: 'setns', args: { fd: 'n', nstype: 'CLONE_NEWNET' } },
      ],
    });
    assert.equal(
      r.results.map((x) => x.result),
      ['ok', 'ok', 'ok', 'ok', 'EBADF', 'ok', 'EBADF'],
    );
  });

  test('a hung step gives TIMEOUT and the whole sandbox is torn down', async () => {
    // CLONE_VFORK: the parent waits until the child execs or exits, which it never does.
    const t0 = Date.now();
    const r = await runTraceOnKernel(
      {
        steps: [
          { task: 'P', op: 'fork', args: { child: 'A', flags: ['CLONE_VFORK'] } },
          { task: 'P', op: 'getpid' },
        ],
      },
      { stepTimeoutMs: 300 },
    );
    assert.equal(r.results.map((x) => x.result), ['TIMEOUT']);
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(nsexecProcesses(), []);
  });

  test('input errors are rejected before anything runs', async () => {
    const bad: { steps: { task: string; op: string; args?: Record<string, unknown> }[] }[] = [
      { steps: [{ task: 'P', op: 'getpid' }, { task: 'P', op: 'frobnicate' }] },
      { steps: [{ task: 'P', op: 'unshare', args: { flags: ['CLONE_NOPE'] } }] },
      { steps: [{ task: 'P', op: 'open_ns', args: { pid: 'self', type: 'nett', fd: 'x' } }] },
      { steps: [{ task: 'P', op: 'setns', args: { fd: true, nstype: 0 } }] },
    ];
    for (const t of bad) {
      let err: unknown;
      try {
        await runTraceOnKernel(t);
      } catch (e) {
        err = e;
      }
      assert.instance(err, TraceInputError);
    }
  });

  for (const file of corpusFiles()) {
    test(`corpus ${file}`, async () => {
      const doc = readTrace(file);
      assert.is(doc.format, 'nscheck-trace/1');
      assert.is(doc.variant, 'linux-6.18');
      assert.is(doc.expect, 'holds');
      assert.type(doc.title, 'string');
      assert.type(doc.source, 'string');
      const r = await runTraceOnKernel(doc);
      const got = doc.steps.map((_, i) => r.results.find((x) => x.index === i)?.result ?? 'NOT_RUN');
      const want = doc.steps.map((s) => s.expect ?? '(missing expect)');
      assert.equal(got, want);
    });
  }

  test('the host is unchanged: mounts, hostname, interfaces, shm, and no leftover processes', async () => {
    const before = hostState();
    const childrenBefore = ourChildren();
    const procsBefore = nsexecProcesses();
    for (const f of ['setns-uts+hostname', 'umount-ebusy+open-fd', 'bind_ns-mnt+not-copied-on-unshare', 'setns-ipc+shm', 'unshare-ok+each-flag', 'pidns-init-exit+kills-members', 'clone-thread+after-unshare-newpid']) {
      await runTraceOnKernel(readTrace(`${f}.trace.json`));
    }
    // a run interrupted by a timeout must clean up as well
    await runTraceOnKernel({ steps: [{ task: 'P', op: 'fork', args: { child: 'A', flags: ['CLONE_VFORK'] } }] }, { stepTimeoutMs: 200 });
    const after = hostState();
    assert.is(after.mountinfo, before.mountinfo);
    assert.is(after.hostname, before.hostname);
    assert.equal(after.netdev, before.netdev);
    assert.is(after.shm, before.shm);
    assert.is(ourChildren(), childrenBefore);
    assert.equal(procsBefore, []);
    assert.equal(nsexecProcesses(), []);
  });
}

test.run();
