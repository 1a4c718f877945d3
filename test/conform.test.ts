// Differential conformance (model/conform.ts, nscheck conform). The identity and comparison
// logic is tested without a kernel; the rest needs the native executor (root, CAP_SYS_ADMIN, cc)
// and otherwise registers no tests and prints one visible SKIPPED line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareRuns, conformTrace, documentedReason, documentedSignatures, InumBijection, loadDifferences, runModel } from '../model/conform';
import { conformRandom, executorUnsafe, randomTrace } from '../model/conform-random';
import { kernelAvailable, type KernelNamespaces } from '../model/executor/kernel';
import { parseTrace, readTrace } from '../model/trace';
import { resolveVariant } from '../model/variants';
import { main } from '../src/cli';
import { defaultSemantics } from '../spec/variants';

const CORPUS = path.join(__dirname, 'regressions', 'kernel');
const sem = defaultSemantics();

function traceOf(steps: unknown[]) {
  return parseTrace({ format: 'nscheck-trace/1', steps }, 'test');
}

// ------------------------------------------------------------------ no kernel needed

test('bijection: consistent pairs are accepted, a second partner on either side is not', () => {
  const b = new InumBijection();
  assert.is(b.bind('1', '4026532201'), null);
  assert.is(b.bind('2', '4026532202'), null);
  assert.is(b.bind('1', '4026532201'), null);
  assert.match(b.bind('1', '4026532999') ?? '', /model 1 was kernel 4026532201/);
  assert.match(b.bind('3', '4026532202') ?? '', /kernel 4026532202 was model 2/);
  assert.equal(b.pairs(), [['1', '4026532201'], ['2', '4026532202']]);
});

test('bijection: a kernel number may be reused only once its model namespace is freed', () => {
  const b = new InumBijection();
  assert.is(b.bind('5', '100'), null);
  assert.ok(b.bind('6', '100', () => false) !== null);
  assert.is(b.bind('6', '100', (m) => m === '5'), null);
  assert.is(b.kernelOf('6'), '100');
  assert.is(b.kernelOf('5'), undefined);
});

test('compareRuns: inode results are identities; a broken bijection is a disagreement', () => {
  const t = traceOf([
    { task: 'P', op: 'fork', args: { child: 'A', flags: ['CLONE_NEWNET'] } },
    { task: 'P', op: 'readlink_ns', args: { pid: 'self', type: 'net' } },
    { task: 'A', op: 'readlink_ns', args: { pid: 'self', type: 'net' } },
    { task: 'P', op: 'readlink_ns', args: { pid: 'A', type: 'net' } },
  ]);
  const model = runModel(t.steps, sem);
  assert.is(model.results[1], 'net:[4026531833]');
  const mk = (r: string[]) => r.map((result, index) => ({ index, result }));
  // the kernel's numbers differ but map one to one: agreement
  const good = compareRuns(t.steps, sem, model, mk(['ok', 'net:[4026532100]', 'net:[4026532300]', 'net:[4026532300]']));
  assert.equal(good.disagreements, []);
  // the kernel says A's netns is P's: the model's two namespaces would map to one kernel one
  const bad = compareRuns(t.steps, sem, model, mk(['ok', 'net:[4026532100]', 'net:[4026532100]', 'net:[4026532100]']));
  assert.is(bad.disagreements.length, 2);
  assert.is(bad.disagreements[0]!.kind, 'identity');
  assert.is(bad.disagreements[0]!.index, 2);
  // a plain result mismatch
  const res = compareRuns(t.steps, sem, model, mk(['EPERM', 'net:[4026532100]', 'net:[4026532300]', 'net:[4026532300]']));
  assert.is(res.disagreements[0]!.kind, 'result');
  assert.is(res.disagreements[0]!.model, 'ok');
  assert.is(res.disagreements[0]!.kernel, 'EPERM');
  // a timeout stops the comparison
  const to = compareRuns(t.steps, sem, model, mk(['ok', 'TIMEOUT']));
  assert.ok(to.timedOut);
  assert.is(to.disagreements.length, 1);
  assert.is(to.disagreements[0]!.kind, 'timeout');
});

test('compareRuns: liveness is compared through the observed namespaces', () => {
  // A creates a netns and exits; P reaps it: the model frees the netns
  const t = traceOf([
    { task: 'P', op: 'fork', args: { child: 'A', flags: ['CLONE_NEWNET'] } },
    { task: 'A', op: 'exit' },
    { task: 'P', op: 'wait', args: { child: 'A' } },
  ]);
  const model = runModel(t.steps, sem);
  const entries = (net: string) => ({
    net: { id: net, inum: Number(net) }, uts: { id: '11', inum: 11 }, ipc: { id: '12', inum: 12 }, pid: { id: '13', inum: 13 },
    pid_for_children: { id: '13', inum: 13 }, user: { id: '4099', inum: 4026531837 }, mnt: { id: '14', inum: 14 },
    cgroup: { id: '5', inum: 4026531835 }, time: { id: '2', inum: 4026531834 }, time_for_children: { id: '2', inum: 4026531834 },
  });
  const results = [{ index: 0, result: 'ok' }, { index: 1, result: 'ok' }, { index: 2, result: 'ok' }];
  const ns = (netAlive: string): KernelNamespaces => ({
    observations: [{ index: -1, task: 'P', entries: entries('10') }, { index: 0, task: 'P', entries: entries('10') }, { index: 0, task: 'A', entries: entries('20') }],
    alive: { 10: 'alive', 11: 'alive', 12: 'alive', 13: 'alive', 14: 'alive', 4099: 'alive', 5: 'alive', 2: 'alive', 20: netAlive },
    settledMs: 0,
  });
  const ok = compareRuns(t.steps, sem, model, results, ns('ESTALE'));
  assert.equal(ok.disagreements, []);
  assert.is(ok.liveness.compared, 9);
  assert.is(ok.liveness.freed, 1);
  const leak = compareRuns(t.steps, sem, model, results, ns('alive'));
  assert.is(leak.disagreements.length, 1);
  assert.is(leak.disagreements[0]!.kind, 'liveness');
  assert.is(leak.disagreements[0]!.model, 'freed');
  // an observation that does not map one to one is an identity disagreement
  const twisted: KernelNamespaces = { ...ns('ESTALE'), observations: [{ index: -1, task: 'P', entries: entries('10') }, { index: 0, task: 'A', entries: entries('10') }] };
  const id = compareRuns(t.steps, sem, model, results, twisted);
  assert.is(id.disagreements[0]?.kind, 'identity');
});

test('random traces are deterministic and leave out exits the executor cannot finish', () => {
  const a = randomTrace(sem, 5, 3, 30).map((s) => `${s.task} ${s.op.name} ${JSON.stringify(s.raw)}`);
  const b = randomTrace(sem, 5, 3, 30).map((s) => `${s.task} ${s.op.name} ${JSON.stringify(s.raw)}`);
  assert.equal(a, b);
  assert.ok(a.length >= 1 && a.length <= 30);
  // the init of a new pid namespace with another live member: its exit would block
  const t = traceOf([
    { task: 'P', op: 'unshare', args: { flags: ['CLONE_NEWPID'] } },
    { task: 'P', op: 'fork', args: { child: 'I' } },
    { task: 'P', op: 'fork', args: { child: 'M' } },
  ]);
  const model = runModel(t.steps, sem);
  const exitI = traceOf([{ task: 'I', op: 'exit' }]).steps[0]!;
  const exitM = traceOf([{ task: 'M', op: 'exit' }]).steps[0]!;
  assert.ok(executorUnsafe(model.states[3]!, exitI));
  assert.not.ok(executorUnsafe(model.states[3]!, exitM));
  assert.not.ok(executorUnsafe(model.states[2]!, exitI));
});

test('model-differences.json: paths are relative to the repository (and the list is empty: the sandbox depth is a start, not a difference)', () => {
  const d = loadDifferences();
  assert.is(d.size, 0);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nscheck-diff-'));
  const file = path.join(tmp, 'differences.json');
  fs.writeFileSync(file, JSON.stringify({ 'test/regressions/kernel/pidns-depth+enospc-sandbox.trace.json': 'a reason' }));
  const listed = loadDifferences(file);
  const depth = path.join(CORPUS, 'pidns-depth+enospc-sandbox.trace.json');
  assert.type(documentedReason(listed, depth), 'string');
  assert.type(documentedReason(listed, path.relative(process.cwd(), depth)), 'string');
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('conform: usage errors and bad input exit 2 before anything runs', async () => {
  const io = () => {
    const o = { out: '', err: '' };
    return { o, io: { out: (s: string) => { o.out += s; }, err: (s: string) => { o.err += s; } } };
  };
  const a = io();
  assert.is(await main(['conform'], a.io), 2);
  const b = io();
  assert.is(await main(['conform', '--random', '3', 'x.trace.json'], b.io), 2);
  const c = io();
  const bad = path.join(os.tmpdir(), `nscheck-bad-${process.pid}.trace.json`);
  fs.writeFileSync(bad, JSON.stringify({ format: 'nscheck-trace/1', steps: [{ task: 'P', op: 'bind_ns', args: { pid: 'self', type: 'net', target: '../x' } }] }));
  assert.is(await main(['conform', bad], c.io), 2);
  assert.match(c.o.err, /step 0/);
  fs.unlinkSync(bad);
});

// ------------------------------------------------------------------ on the kernel

function hostState(): { mountinfo: string; hostname: string; nsexec: string[]; children: string } {
  const nsexec: string[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const comm = fs.readFileSync(`/proc/${e}/comm`, 'utf8').trim();
      if (comm.startsWith('nsexec')) nsexec.push(`${e}:${comm}`);
    } catch {
      // gone meanwhile
    }
  }
  let children = '';
  for (const t of fs.readdirSync(`/proc/${process.pid}/task`)) {
    try {
      children += fs.readFileSync(`/proc/${process.pid}/task/${t}/children`, 'utf8');
    } catch {
      // thread exited
    }
  }
  return { mountinfo: fs.readFileSync('/proc/self/mountinfo', 'utf8'), hostname: os.hostname(), nsexec, children: children.trim() };
}

const avail = kernelAvailable();
if (!avail.ok) {
  console.log(`SKIPPED: conform tests on the kernel (${avail.reason})`);
} else {
  const differences = loadDifferences();

  test('the kernel corpus agrees with the model (except documented differences)', async () => {
    // the kernel corpus, the model bugs the checker found, and the tools corpus
    const more = (dir: string) => fs.readdirSync(path.join(CORPUS, '..', dir)).filter((f) => f.endsWith('.trace.json')).sort().map((f) => path.join('..', dir, f));
    const files = [...fs.readdirSync(CORPUS).filter((f) => f.endsWith('.trace.json')).sort(), ...more('checker'), ...more('tools')];
    assert.ok(files.length >= 80);
    const bad: string[] = [];
    for (const f of files) {
      const file = path.join(CORPUS, f);
      const trace = readTrace(file);
      const r = await conformTrace(trace, resolveVariant(trace.variant).sem);
      if (!r.agree && documentedReason(differences, file) === undefined) {
        bad.push(`${f}: ${r.disagreements.map((d) => `${d.kind} @${d.index} ${d.call}: model ${d.model}, kernel ${d.kernel}`).join('; ')}`);
      }
      assert.ok(r.liveness.skipped === undefined, `${f}: liveness not compared (${r.liveness.skipped})`);
    }
    assert.equal(bad, []);
  });

  test('every documented trace still shows a disagreement (or is fixed: then remove it)', async () => {
    for (const [file, reason] of differences) {
      const trace = readTrace(file);
      const r = await conformTrace(trace, resolveVariant(trace.variant).sem);
      if (r.agree) console.log(`  note: ${path.relative(process.cwd(), file)} is listed in model-differences.json (${reason.slice(0, 60)}...) but now agrees`);
    }
  });

  test('under load (two CPU burners): 500 random traces, every step the same on both sides, none even flaky', async () => {
    const burners = [0, 1].map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
    try {
      const r = await conformRandom({ runs: 500, seed: 777, maxSteps: 40, shrink: false });
      assert.is(r.runs, 500);
      assert.equal(r.timedOut, []);
      assert.equal(r.findings.map((f) => `trace ${f.traceIndex}: ${f.signature}${f.notReproducible ? ' (not reproducible)' : ''}`), []);
      assert.is(r.agreeing, 500);
    } finally {
      for (const b of burners) b.kill('SIGKILL');
    }
  });

  test('random conformance (30 traces, seed 3): no disagreement other than documented ones', async () => {
    const documented = await documentedSignatures(differences);
    const r = await conformRandom({ runs: 30, seed: 3, maxSteps: 20, shrink: false, documented });
    assert.is(r.runs, 30);
    assert.equal(r.timedOut, []);
    const fresh = r.findings.filter((f) => f.documented === undefined).map((f) => `trace ${f.traceIndex}: ${f.signature}`);
    assert.equal(fresh, []);
    assert.is(r.agreeing + r.disagreeing, 30);
  });

  test('liveness: namespaces dropped by exit and wait are gone on the kernel too', async () => {
    const t = traceOf([
      { task: 'P', op: 'fork', args: { child: 'A', flags: ['CLONE_NEWNET', 'CLONE_NEWUTS', 'CLONE_NEWIPC', 'CLONE_NEWNS'] } },
      { task: 'A', op: 'unshare', args: { flags: ['CLONE_NEWCGROUP', 'CLONE_NEWTIME'] } },
      { task: 'P', op: 'fork', args: { child: 'B', flags: ['CLONE_NEWUSER', 'CLONE_NEWPID'] } },
      { task: 'A', op: 'exit' },
      { task: 'B', op: 'exit' },
      { task: 'P', op: 'wait', args: { child: 'A' } },
      { task: 'P', op: 'wait', args: { child: 'B' } },
    ]);
    const r = await conformTrace(t, sem);
    assert.equal(r.disagreements, []);
    assert.ok(r.liveness.freed >= 6, `freed ${r.liveness.freed}`);
  });

  test('liveness: a bind mount keeps a netns alive after its last task is gone', async () => {
    const t = readTrace(path.join(CORPUS, 'bind_ns-net+outlives-task.trace.json'));
    const r = await conformTrace(t, sem);
    assert.equal(r.disagreements, []);
    assert.ok(r.liveness.compared > 8);
  });

  test('nscheck conform: exit 0 on agreement, 1 on a disagreement, JSON output', async () => {
    const out = { s: '' };
    const io = { out: (s: string) => { out.s += s; }, err: () => {} };
    assert.is(await main(['conform', path.join(CORPUS, 'setns-pid+sibling.trace.json'), '--json'], io), 0);
    const doc = JSON.parse(out.s) as { traces: { agree: boolean }[]; summary: { agree: number } };
    assert.is(doc.summary.agree, 1);
    // a trace whose model and kernel results differ: the setgroups file of a task in another
    // user namespace, opened for writing without CAP_SYS_ADMIN there
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscheck-conform-'));
    const f = path.join(dir, 'x.trace.json');
    fs.writeFileSync(f, JSON.stringify({ format: 'nscheck-trace/1', steps: [
      { task: 'P', op: 'fork', args: { child: 'A', flags: ['CLONE_NEWUSER'] } },
      { task: 'A', op: 'write_map', args: { pid: 'P', setgroups: 'deny' } },
    ] }));
    out.s = '';
    const code = await main(['conform', f], io);
    // 1 while the model disagrees with the kernel here, 0 once it is fixed
    assert.ok(code === 0 || code === 1);
    if (code === 1) assert.match(out.s, /DISAGREE/);
    fs.rmSync(dir, { recursive: true });
  });

  test('the host is unchanged after a conform run: mounts, hostname, processes', async () => {
    const before = hostState();
    const files = ['setns-mnt+child', 'setns-uts+hostname', 'bind_ns-net+outlives-task', 'pidns-init-exit+kills-members'];
    for (const f of files) {
      const trace = readTrace(path.join(CORPUS, `${f}.trace.json`));
      await conformTrace(trace, sem);
    }
    await conformRandom({ runs: 5, seed: 11, maxSteps: 15, shrink: false });
    await new Promise((r) => setTimeout(r, 100));
    const after = hostState();
    assert.is(after.mountinfo, before.mountinfo);
    assert.is(after.hostname, before.hostname);
    assert.equal(after.nsexec, []);
    assert.is(after.children, before.children);
  });
}

test.run();
