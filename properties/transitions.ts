// Transition properties: judged from the state before a step, the step, its outcome and the
// state after. kernel-semantics §5.4-3, -11, -12.

import { nsCapable } from '../spec/caps';
import { fileOfVar, nsOfFile, rowsOf, taskByName } from '../spec/query';
import type { Failure } from '../spec/semantics';
import type { Namespace, NsId, Task } from '../spec/state';
import { nsName } from './names';
import type { StepView, Transition } from './types';
import { flagText } from '../spec/flags';

/** A failed call that kept some of its effects (the failure carries the state after them). */
const partialOf = (o: { ok: boolean }): boolean => !o.ok && (o as Failure).partial !== undefined;

/**
 * Operations that are several independent calls: write_map (setgroups, uid_map, gid_map), bind_ns
 * and mount_fs (create the target, then mount). An earlier call's effect stays when a later fails.
 */
const COMPOUND = new Set(['write_map', 'bind_ns', 'mount_fs']);

export const FailedCallChangesNothing: Transition = {
  name: 'FailedCallChangesNothing',
  doc: 'A call that fails leaves every object as it was.',
  source: 'kernel/nsproxy.c create_new_namespaces error path; kernel/fork.c copy_process cleanup; H28',
  check({ step, outcome }) {
    if (step.op.name === 'setns' || COMPOUND.has(step.op.name) || !partialOf(outcome)) return undefined;
    return { message: `${step.op.name} failed with ${(outcome as Failure).errno} but changed the state`, expected: 'unchanged', actual: 'changed', objects: [] };
  },
};

export const SetnsAllOrNothing: Transition = {
  name: 'SetnsAllOrNothing',
  doc: 'setns either installs every requested namespace or changes nothing.',
  source: 'kernel/nsproxy.c validate_nsset / commit_nsset; Brauner 2020 review of the pidfd RFC; H21',
  check({ step, outcome }) {
    if (step.op.name !== 'setns' || !partialOf(outcome)) return undefined;
    return { message: `setns failed with ${(outcome as Failure).errno} after installing part of the request`, expected: 'unchanged', actual: 'partly installed', objects: [] };
  },
};

export const ActivePidNsNeverChanges: Transition = {
  name: 'ActivePidNsNeverChanges',
  doc: 'A task\'s own pid namespace and pid numbers never change.',
  source: 'kernel/pid_namespace.c pidns_install changes only pid_ns_for_children; H8 (M8b)',
  check(v) {
    const { changes, after } = v;
    for (const c of changes) {
      if (c.table !== 'tasks' || c.before === undefined || c.reused) continue;
      const t = c.before as Task;
      const a = after.tasks[c.id]!;
      if (a.state === 'reaped' || t.state === 'reaped') continue;
      if (a.pidNs !== t.pidNs || a.pids.length !== t.pids.length) {
        return { message: `task ${t.name}'s active pid namespace changed from ${nsName(v.before, t.pidNs)} to ${nsName(after, a.pidNs)}`, expected: nsName(v.before, t.pidNs), actual: nsName(after, a.pidNs), objects: [`task:${t.id}`, `ns:${t.pidNs}`, `ns:${a.pidNs}`] };
      }
    }
    return undefined;
  },
};

export const ChildBornInPidForChildren: Transition = {
  name: 'ChildBornInPidForChildren',
  doc: 'A new process is born in its creator\'s pid_for_children, or in a new namespace directly below it.',
  source: 'kernel/fork.c copy_process → alloc_pid(p->nsproxy->pid_ns_for_children)',
  check(v) {
    const { step, outcome, after, changes } = v;
    if (!outcome.ok) return undefined;
    const born = changes.filter((c) => c.table === 'tasks' && (c.before === undefined || c.reused));
    if (born.length === 0) return undefined;
    const before = v.before;
    const creator = taskByName(before, step.task);
    if (!creator || creator.proxy === null) return undefined;
    const pfc = before.proxies[creator.proxy]!.slots.pidForChildren;
    const isNew = (ns: Namespace) => changes.some((c) => c.table === 'ns' && c.id === ns.id && (c.before === undefined || c.reused));
    for (const c of born) {
      const t = after.tasks[c.id]!;
      const ns = after.ns[t.pidNs]!;
      if (t.pidNs !== pfc && !(ns.parent === pfc && isNew(ns))) {
        return { message: `${t.name} was born in ${nsName(after, t.pidNs)}, not in ${creator.name}'s pid_for_children ${nsName(before, pfc)}`, expected: nsName(before, pfc), actual: nsName(after, t.pidNs), objects: [`task:${creator.id}`, `task:${t.id}`, `ns:${pfc}`, `ns:${t.pidNs}`] };
      }
    }
    return undefined;
  },
};

export const NoCapabilityGain: Transition = {
  name: 'NoCapabilityGain',
  doc: 'A task that stays in its user namespace never gains a permitted capability, and no task gains CAP_SYS_ADMIN over a user namespace it could not already act on, except by exec (root of its user namespace execs with the full set).',
  source: 'kernel/user_namespace.c userns_install ("Don\'t allow gaining capabilities by reentering the same user namespace"); H12',
  check(v) {
    const { after, changes } = v;
    // exec of an ordinary binary gives root of the user namespace the full set (cap_bprm_creds_from_file)
    if (v.step.op.name === 'exec') return undefined;
    for (const c of changes) {
      if (c.table !== 'tasks' || c.before === undefined || c.reused) continue;
      const t = c.before as Task;
      const a = after.tasks[c.id]!;
      // credentials are immutable values: the same object grants the same capabilities
      if (t.state !== 'running' || a.state !== 'running' || a.cred === t.cred) continue;
      const before = v.before;
      const tb = rowsOf(before);
      const ta = rowsOf(after);
      // capset may raise the effective set from the permitted one; the permitted set only shrinks
      if (a.cred.userNs === t.cred.userNs && (a.cred.capPrm & ~t.cred.capPrm) !== 0) {
        return { message: `task ${t.name} gained permitted capabilities without leaving user:[${before.ns[t.cred.userNs]!.inum}]`, expected: `⊆ ${t.cred.capPrm}`, actual: String(a.cred.capPrm), objects: [`task:${t.id}`, `ns:${t.cred.userNs}`] };
      }
      for (const ns of before.ns) {
        if (ns.freed || ns.type !== 'user') continue;
        const id = ns.id as NsId;
        // what a task could act on: its permitted set, which capset can always make effective,
        // under any uid it holds (setresuid back to a held uid needs no capability)
        const couldBefore = [t.cred.uid, t.cred.euid, t.cred.suid].some((euid) => nsCapable(tb, { ...t.cred, euid, capEff: t.cred.capPrm }, id, 'SYS_ADMIN'));
        if (!couldBefore && nsCapable(ta, { ...a.cred, capEff: a.cred.capPrm }, id, 'SYS_ADMIN')) {
          return { message: `task ${t.name} gained CAP_SYS_ADMIN over user:[${ns.inum}]`, expected: 'no capability', actual: 'CAP_SYS_ADMIN', objects: [`task:${t.id}`, `ns:${id}`] };
        }
      }
    }
    return undefined;
  },
};

export const SetnsHonoursNstype: Transition = {
  name: 'SetnsHonoursNstype',
  doc: 'setns with a namespace fd and a nonzero nstype succeeds only when the fd\'s namespace has that type.',
  source: 'kernel/nsproxy.c SYSCALL_DEFINE2(setns) (nstype check); setns(2); H3 (M3a)',
  check(v) {
    const { step, outcome, sem } = v;
    if (step.op.name !== 'setns' || !outcome.ok) return undefined;
    const nstype = step.args.nstype as number;
    const fd = step.args.fd;
    if (nstype === 0 || typeof fd !== 'string') return undefined;
    const before = v.before;
    const file = fileOfVar(before, step.task, fd);
    const ns = file && nsOfFile(before, file);
    if (!ns) return undefined;
    if (sem.typeOf[ns.type].flag !== nstype) return { message: `${step.task}'s setns(${fd}, ${flagText(nstype)}) joined ${nsName(before, ns.id)}, a namespace of another type`, expected: flagText(nstype), actual: ns.type, objects: [`task:${taskByName(before, step.task)?.id ?? -1}`, `ns:${ns.id}`, `file:${file.id}`] };
    return undefined;
  },
};

const FD_REQUESTS = new Set(['NS_GET_PARENT', 'NS_GET_USERNS']);

export const NoAncestorPidNsHandle: Transition = {
  name: 'NoAncestorPidNsHandle',
  doc: 'NS_GET_PARENT never hands out a pid namespace above the caller\'s active one.',
  source: 'kernel/pid_namespace.c pidns_get_parent; 6786741dbf99 (NS_GET_PARENT); H16',
  check({ step, outcome, after }: StepView) {
    // only the requests that return a namespace fd in `out`
    if (step.op.name !== 'ioctl_ns' || !outcome.ok || typeof step.args.out !== 'string' || !FD_REQUESTS.has(step.args.req as string)) return undefined;
    const task = taskByName(after, step.task);
    const file = fileOfVar(after, step.task, step.args.out);
    const ns = file && nsOfFile(after, file);
    if (!task || !ns || ns.type !== 'pid') return undefined;
    for (let p: number | null = ns.id; p !== null; p = after.ns[p]!.parent) if (p === task.pidNs) return undefined;
    return { message: `${step.task} got a handle on ${nsName(after, ns.id)}, an ancestor of its own pid namespace ${nsName(after, task.pidNs)}`, objects: [`task:${task.id}`, `ns:${ns.id}`, `ns:${task.pidNs}`, `file:${file.id}`] };
  },
};

const CREATING = new Set(['fork', 'unshare', 'clone_probe']);
const NEWUSER = 0x10000000;

export const NewNamespacesOwnedByNewUserNs: Transition = {
  name: 'NewNamespacesOwnedByNewUserNs',
  doc: 'Every namespace a clone or unshare creates together with CLONE_NEWUSER is owned by the new user namespace; without it, by the caller\'s user namespace.',
  source: 'kernel/fork.c copy_process (copy_creds before copy_namespaces, which passes the child\'s cred user ns); kernel/nsproxy.c unshare_nsproxy_namespaces (new_cred ? new_cred->user_ns : current_user_ns())',
  check(v) {
    const { step, outcome, after, changes } = v;
    if (!CREATING.has(step.op.name) || !outcome.ok) return undefined;
    const created = changes.filter((c) => c.table === 'ns' && (c.before === undefined || c.reused)).map((c) => after.ns[c.id]!);
    if (created.length === 0) return undefined;
    const before = v.before;
    const creator = taskByName(before, step.task);
    if (!creator) return undefined;
    const flags = typeof step.args.flags === 'number' ? step.args.flags : 0;
    const user = created.find((n) => n.type === 'user');
    const owner = (flags & NEWUSER) !== 0 && user ? user.id : creator.cred.userNs;
    for (const ns of created) {
      if (ns.type === 'user' || ns.owner === owner) continue;
      return {
        message: `${step.task}'s ${step.op.name} created ${nsName(after, ns.id)} owned by ${nsName(after, ns.owner)}, not by ${(flags & NEWUSER) !== 0 ? 'the new ' : 'its caller\'s '}${nsName(after, owner)}`,
        expected: nsName(after, owner), actual: nsName(after, ns.owner), objects: [`task:${creator.id}`, `ns:${ns.id}`, `ns:${owner}`, ...(ns.owner !== null ? [`ns:${ns.owner}`] : [])],
      };
    }
    return undefined;
  },
};
