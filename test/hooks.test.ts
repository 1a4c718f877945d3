// Every hook of the variant API reaches behaviour the checker judges: one mutant per hook,
// written the way a user writes a variant file (defineVariant, the exported types only), each
// caught by random search with default settings in the default scope (a mutant that needs a rare
// ordering of exits may instead be caught by its control trace; the test says so when it is).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomSearch, randomSemantics } from '../model/search/random';
import { loadScope } from '../model/search/scope';
import { HOOK_NAMES, type HookName, type HookOverrides } from '../spec/hooks';
import { defineVariant, type VariantDef } from '../spec/variants/define';
import type { NsId } from '../spec/state';
import { withBase } from '../spec/variants/mutants';
import { LINUX_6_18 } from '../spec/variants/history';
import { parseStep, type ParsedStep } from '../spec/ops';
import { replaySteps } from '../model/search/shrink';
import { semanticsOf } from '../spec/variants/define';

type RawStep = readonly [task: string, op: string, args: Record<string, unknown>];

/** A mutant of one hook and the property it must break. */
const MUTANTS: Readonly<Record<HookName, { readonly doc: string; readonly hooks: HookOverrides; readonly breaks: string; readonly control?: readonly RawStep[] }>> = {
  getNs: { doc: 'get of a net namespace takes two references', hooks: { getNs: (base) => (tx, id) => { base(tx, id); if (tx.get('ns', id).type === 'net') base(tx, id); } }, breaks: 'RefcountsMatchHolders' },
  putNs: { doc: 'put of a uts namespace drops nothing', hooks: { putNs: (base) => (tx, id) => { if (tx.get('ns', id).type !== 'uts') base(tx, id); } }, breaks: 'RefcountsMatchHolders' },
  freeNs: { doc: 'a freed namespace keeps its parent and owner', hooks: { freeNs: () => () => undefined }, breaks: 'RefcountsMatchHolders' },
  allocInum: { doc: 'every new namespace gets the same inode number', hooks: { allocInum: () => () => 4026532000 }, breaks: 'InodeNumbersUnique' },
  allocNsId: { doc: 'every new namespace gets the same id', hooks: { allocNsId: () => () => 4200 }, breaks: 'NsIdsUnique' },
  charge: { doc: 'a new namespace is charged twice', hooks: { charge: (base) => (c, type, userNs, uid) => base(c, type, userNs, uid) ?? base(c, type, userNs, uid) }, breaks: 'UcountsMatchLiveNamespaces' },
  uncharge: { doc: 'a freed namespace keeps its charge', hooks: { uncharge: () => () => undefined }, breaks: 'UcountsMatchLiveNamespaces' },
  procGet: { doc: 'the /proc get of a net entry does not take its reference', hooks: { procGet: (base, hooks) => (tx, task, entry) => { const id = base(tx, task, entry); if (id !== null && entry.name === 'net') hooks.putNs(tx, id); return id; } }, breaks: 'RefcountsMatchHolders' },
  procGetFailed: { doc: 'a failed /proc get drops a reference on the caller\'s user namespace', hooks: { procGetFailed: (_base, hooks) => (tx, task) => hooks.putNs(tx, task.cred.userNs) }, breaks: 'RefcountsMatchHolders' },
  openNsInode: { doc: 'opening an nsfs inode makes the caller its user twice', hooks: { openNsInode: (base, hooks) => (tx, ns) => { const i = base(tx, ns); hooks.getInodeUser(tx, i); return i; } }, breaks: 'RefcountsMatchHolders' },
  getInodeUser: { doc: 'dget of an nsfs dentry counts two users', hooks: { getInodeUser: (base) => (tx, inode) => { base(tx, inode); base(tx, inode); } }, breaks: 'RefcountsMatchHolders' },
  putInodeUser: { doc: 'dput of an nsfs dentry drops nothing', hooks: { putInodeUser: () => () => undefined }, breaks: 'RefcountsMatchHolders' },
  newFile: { doc: 'a new file takes an extra reference on its f_cred user namespace', hooks: { newFile: (base, hooks) => (tx, credNs, fields) => { hooks.getNs(tx, credNs); return base(tx, credNs, fields); } }, breaks: 'RefcountsMatchHolders' },
  putFile: { doc: 'fput releases nothing', hooks: { putFile: () => () => undefined }, breaks: 'RefcountsMatchHolders' },
  installFd: { doc: 'fd_install loses the file', hooks: { installFd: () => () => undefined }, breaks: 'RefcountsMatchHolders' },
  closeFd: { doc: 'close drops the file twice', hooks: { closeFd: (base, hooks) => (tx, table, name) => { const f = tx.get('fdtables', table).fds.get(name); const ok = base(tx, table, name); if (ok && f !== undefined && !tx.get('files', f).freed) hooks.putFile(tx, f); return ok; } }, breaks: 'RefcountsMatchHolders' },
  bindMount: { doc: 'a bind mount does not hold its dentry', hooks: { bindMount: (base, hooks) => (tx, mntNs, mount) => { base(tx, mntNs, mount); if (mount.inode !== null) hooks.putInodeUser(tx, mount.inode); } }, breaks: 'RefcountsMatchHolders' },
  umountMount: { doc: 'umount keeps the dentry of the mount it detaches', hooks: { umountMount: (base, hooks) => (tx, mntNs, mount) => { if (mount.inode !== null) hooks.getInodeUser(tx, mount.inode); base(tx, mntNs, mount); } }, breaks: 'RefcountsMatchHolders' },
  mntNsLoop: { doc: 'mnt_ns_loop never refuses', hooks: { mntNsLoop: () => () => false }, breaks: 'MountNsBindsOrdered' },
  pidNsTooDeep: { doc: 'pid namespaces nest without limit', hooks: { pidNsTooDeep: () => () => false }, breaks: 'NestingDepthBounded' },
  userNsTooDeep: { doc: 'user namespaces nest without limit', hooks: { userNsTooDeep: () => () => false }, breaks: 'NestingDepthBounded' },
  exitTask: { doc: 'exit takes a reference on the task\'s user namespace', hooks: { exitTask: (base, hooks) => (tx, id, code) => { const t = tx.get('tasks', id); base(tx, id, code); if (t.state === 'running') hooks.getNs(tx, t.cred.userNs); } }, breaks: 'RefcountsMatchHolders' },
  reap: { doc: 'release_task keeps the cred and struct pid references', hooks: { reap: () => (tx, id) => { if (tx.get('tasks', id).state === 'zombie') tx.update('tasks', id, { state: 'reaped' }); } }, breaks: 'RefcountsMatchHolders' },
  reparent: { doc: 'an orphan is always handed to an init outside the trace, which reaps a zombie at once', hooks: { reparent: (_base, hooks) => (tx, child) => { tx.update('tasks', child.id, { parent: null }); if (child.state === 'zombie') hooks.reap(tx, child.id); } }, breaks: 'ThreadGroupSharesUserAndPidNs',
    // needs a thread group whose leader and the leader's parent exit in that order: random search finds it in some seeds' 10,000 runs only
    control: [
      ['P', 'fork', { child: 'A', flags: [] }], ['A', 'fork', { child: 'T', flags: ['CLONE_VM', 'CLONE_SIGHAND', 'CLONE_THREAD'] }], ['A', 'exit', {}], ['P', 'exit', {}],
      ['T', 'fork', { child: 'B', flags: ['CLONE_NEWPID'] }], ['B', 'fork', { child: 'C', flags: [] }],
    ] },
  zapPidNs: { doc: 'the death of a pid namespace\'s init kills nobody', hooks: { zapPidNs: () => (tx, ns) => { tx.update('ns', ns.id, { adding: false }); } }, breaks: 'NoProcessInDeadPidNs' },
  afterCommit: { doc: 'every fork takes a reference on the initial user namespace', hooks: { afterCommit: (_base, hooks) => (c, step, outcome) => { if (step.op === 'fork' && outcome.ok) hooks.getNs(c.tx, c.tx.all('ns').find((n) => n.type === 'user' && n.level === 0)!.id as NsId); } }, breaks: 'RefcountsMatchHolders' },
};

const scope = loadScope('default');

test('every hook has a mutant here', () => {
  assert.equal(Object.keys(MUTANTS).sort(), [...HOOK_NAMES].sort());
});

for (const hook of HOOK_NAMES) {
  const m = MUTANTS[hook];
  test(`hook ${hook}: "${m.doc}" is caught by ${m.breaks}`, async () => {
    const def: VariantDef = withBase(defineVariant({ name: `hook-${hook}`, doc: m.doc, hooks: m.hooks, expect: { violates: m.breaks } }), LINUX_6_18);
    const r = await randomSearch({ ...randomSemantics(def, scope), scope, runs: 10000, maxSteps: 40, seed: 1, target: m.breaks, ignore: def.knownFindings ?? [] });
    if (!r.counterexample && m.control) {
      // a miss is allowed only for a mutant with a control trace, which must break the property
      console.log(`  hook ${hook}: not found in ${r.runs} runs; its control trace is replayed instead`);
      const steps = m.control.map(([task, op, args]) => parseStep(task, op, args));
      for (const st of steps) if (typeof st === 'string') throw new Error(st);
      const res = replaySteps(semanticsOf(def), steps as ParsedStep[]);
      assert.ok(res.broken.some((b) => b.property === m.breaks), `${hook}: neither search nor its control trace breaks ${m.breaks}`);
      return;
    }
    assert.ok(r.counterexample, `${hook}: ${m.breaks} not broken in ${r.runs} runs`);
    assert.is(r.counterexample!.property, m.breaks);
  });
}

test.run();
