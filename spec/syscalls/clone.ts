// clone(2)/clone3(2), as the trace's `fork` and `clone_probe`: kernel/fork.c copy_process,
// kernel/nsproxy.c copy_namespaces, kernel/pid.c alloc_pid; man clone(2).

import { nsCapable } from '../caps';
import { CLONE } from '../flags';
import { exitTask, reap } from '../lifecycle';
import { adoptProxy, copyFdTable, getNs, getProxy, installFd, isFailure, newFile, putNs } from '../refs';
import type { Failure } from '../semantics';
import { ALL_CAPS, type Cred, type FdTableId, type FsId, type MmId, type NsId, type ProxyId, type TaskId } from '../state';
import type { Call, Outcome } from '../tx';
import { createNamespaces, createUserNs } from './create';

/** Bits copy_namespaces sends to create_new_namespaces (all namespace bits but user). */
const NSPROXY_BITS = CLONE.NEWNS | CLONE.NEWUTS | CLONE.NEWIPC | CLONE.NEWNET | CLONE.NEWPID | CLONE.NEWCGROUP | CLONE.NEWTIME;

export interface ForkArgs {
  readonly child: string;
  readonly flags: number;
  /** fd variable for CLONE_PIDFD */
  readonly pidfd?: string;
}

export function fork(c: Call, args: ForkArgs): Outcome {
  const made = copyProcess(c, args);
  if (isFailure(made)) return made;
  return { ok: true, state: c.tx.commit() };
}

/**
 * clone_probe: is the flag combination accepted? The child exits at once; the caller reaps it
 * when it is the caller's child. A CLONE_PARENT child is its grandparent's: it stays a zombie
 * there (its exit signal is 0, so nobody is told), unless that parent is outside the trace.
 */
export function cloneProbe(c: Call, flags: number): Outcome {
  const made = copyProcess(c, { child: '', flags });
  if (isFailure(made)) return made;
  exitTask(c.tx, made, 0);
  const child = c.tx.get('tasks', made);
  if (child.state === 'zombie' && child.parent !== null && c.tx.get('tasks', child.parent).leader === c.actor.leader) reap(c.tx, made);
  return { ok: true, state: c.tx.commit() };
}

function copyProcess(c: Call, args: ForkArgs): TaskId | Failure {
  const tx = c.tx;
  const self = c.actor;
  const f = args.flags >>> 0;
  const has = (bit: number) => (f & bit) !== 0;
  const proxy = tx.get('proxies', self.proxy as ProxyId);
  const selfPidNs = tx.get('ns', self.pidNs);
  const reaper = selfPidNs.reaper === null ? undefined : tx.get('tasks', selfPidNs.reaper);
  const isInit = reaper !== undefined && reaper.state !== 'reaped' && reaper.leader === self.leader;

  // copy_process: flag conflicts, before anything is allocated
  const refused =
    c.guard('clone.newtime', has(CLONE.NEWTIME)) ??
    c.guard('clone.newnsFs', has(CLONE.NEWNS) && has(CLONE.FS)) ??
    c.guard('clone.newuserFs', has(CLONE.NEWUSER) && has(CLONE.FS)) ??
    c.guard('clone.threadNoSighand', has(CLONE.THREAD) && !has(CLONE.SIGHAND)) ??
    c.guard('clone.sighandNoVm', has(CLONE.SIGHAND) && !has(CLONE.VM)) ??
    c.guard('clone.parentFromInit', has(CLONE.PARENT) && isInit) ??
    c.guard('clone.threadNewns', has(CLONE.THREAD) && (has(CLONE.NEWUSER | CLONE.NEWPID) || proxy.slots.pidForChildren !== self.pidNs));
  if (refused) return refused;

  // copy_creds: a new user namespace goes into the child's credentials
  let cred: Cred = self.cred;
  if (has(CLONE.NEWUSER)) {
    const userNs = createUserNs(c, self, self.cred, { syscall: 'clone', flags: f });
    if (isFailure(userNs)) return userNs;
    cred = { ...self.cred, userNs: userNs.id, capEff: ALL_CAPS, capPrm: ALL_CAPS };
  } else {
    getNs(tx, cred.userNs);
  }

  // copy_namespaces
  let childProxy: ProxyId;
  const timePending = proxy.slots.time !== proxy.slots.timeForChildren;
  if (!has(NSPROXY_BITS) && (has(CLONE.VM) || !timePending)) {
    getProxy(tx, proxy.id);
    childProxy = proxy.id;
  } else {
    const denied =
      c.guard('clone.cap', has(NSPROXY_BITS) && !nsCapable(tx, self.cred, cred.userNs, 'SYS_ADMIN')) ?? // the parent's creds
      c.guard('clone.ipcSysvsem', has(CLONE.NEWIPC) && has(CLONE.SYSVSEM));
    if (denied) return denied;
    const created = createNamespaces(c, self, f, cred.userNs, self.cred, { syscall: 'clone', flags: f });
    if (isFailure(created)) return created;
    if (!has(CLONE.VM) && created.slots.time !== created.slots.timeForChildren) {
      // timens_on_fork: the child enters time_for_children
      getNs(tx, created.slots.timeForChildren);
      putNs(tx, created.slots.time);
      created.slots.time = created.slots.timeForChildren;
    }
    childProxy = adoptProxy(tx, created.slots);
  }
  const childSlots = tx.get('proxies', childProxy).slots;

  // alloc_pid in the child's pid_for_children, one number per level
  const target = tx.get('ns', c.sem.effects['clone.allocInPidForChildren'] ? childSlots.pidForChildren : self.pidNs);
  const dead = c.guard('pid.deadNs', !target.adding);
  if (dead) return dead;
  const chain = [];
  for (let ns = target; ; ns = tx.get('ns', ns.parent as NsId)) {
    chain.unshift(ns);
    if (ns.parent === null) break;
  }
  const pids = chain.map((ns) => {
    const nr = ns.lastPid + 1;
    tx.update('ns', ns.id, { lastPid: nr });
    return nr;
  });
  getNs(tx, target.id); // the struct pid's reference on its namespace

  // copy_fs, copy_files, copy_mm
  const fs = tx.get('fss', self.fs as FsId);
  let fsId: FsId;
  if (has(CLONE.FS)) {
    tx.update('fss', fs.id, { users: fs.users + 1 });
    fsId = fs.id;
  } else {
    const mntMoved = childSlots.mnt !== proxy.slots.mnt;
    fsId = tx.insert('fss', (id) => ({
      id: id as FsId, users: 1, freed: false,
      rootNs: mntMoved ? childSlots.mnt : fs.rootNs, cwdNs: mntMoved ? childSlots.mnt : fs.cwdNs,
    })).id;
  }
  let files: FdTableId;
  if (has(CLONE.FILES)) {
    const t = tx.get('fdtables', self.files as FdTableId);
    tx.update('fdtables', t.id, { users: t.users + 1 });
    files = t.id;
  } else {
    files = copyFdTable(tx, self.files as FdTableId);
  }
  const mm = tx.get('mms', self.mm as MmId);
  let mmId: MmId;
  if (has(CLONE.VM)) {
    tx.update('mms', mm.id, { users: mm.users + 1 });
    mmId = mm.id;
  } else {
    mmId = tx.insert('mms', (id) => ({ id: id as MmId, users: 1, userNs: mm.userNs, dumpable: mm.dumpable, freed: false })).id;
  }

  const id = tx.nextId('tasks') as TaskId;
  const thread = has(CLONE.THREAD);
  const child = tx.insert('tasks', () => ({
    id, name: args.child || `#${id}`, state: 'running' as const,
    parent: thread || has(CLONE.PARENT) ? self.parent : self.id,
    leader: thread ? self.leader : id,
    pids, pidNs: target.id, proxy: childProxy, cred,
    fs: fsId, files, mm: mmId, sighand: has(CLONE.SIGHAND) ? self.sighand : tx.newSighand(), ignoresSigchld: self.ignoresSigchld, exitCode: null, userDumpable: true,
  }));
  if (pids[pids.length - 1] === 1) tx.update('ns', target.id, { reaper: child.id }); // the first process is init
  if (args.child) tx.setName(args.child, child.id);

  if (has(CLONE.PIDFD) && args.pidfd !== undefined) {
    getNs(tx, target.id);
    const file = newFile(tx, self.cred.userNs, { kind: 'pidfd', pidTask: child.id, pidNs: target.id });
    installFd(tx, self.files as FdTableId, args.pidfd, file);
  }
  return child.id;
}
