// Exit, reparenting, reaping and the death of a pid namespace's init.
// kernel/exit.c (do_exit, exit_notify, forget_original_parent, find_child_reaper,
// release_task), kernel/pid_namespace.c (zap_pid_ns_processes), kernel/nsproxy.c
// (exit_task_namespaces).

import type { Hooks } from './hooks';
import { putFdTable, putFs, putMm, putNs, putProxy } from './refs';
import type { Namespace, Task, TaskId } from './state';
import type { Tx } from './tx';

// Each of exit, reap, reparent and the death of an init is a hook (spec/hooks.ts): the exported
// functions dispatch to the semantics' table, whose defaults (LIFECYCLE_KERNEL) are below.

export function exitTask(tx: Tx, id: TaskId, code: number): void {
  tx.sem.hooks.exitTask(tx, id, code);
}

export function reap(tx: Tx, id: TaskId): void {
  tx.sem.hooks.reap(tx, id);
}

function reparent(tx: Tx, child: Task, father: Task): void {
  tx.sem.hooks.reparent(tx, child, father);
}

function zapPidNs(tx: Tx, ns: Namespace, init: TaskId): void {
  tx.sem.hooks.zapPidNs(tx, ns, init);
}

/** Is `task` a member of pid namespace `ns` (its struct pid has a number at that level)? */
export function inPidNs(tx: Tx, task: Task, ns: Namespace): boolean {
  if (task.pids.length <= ns.level) return false;
  let cur = tx.get('ns', task.pidNs);
  while (cur.level > ns.level && cur.parent !== null) cur = tx.get('ns', cur.parent);
  return cur.id === ns.id;
}

export function liveThreads(tx: Tx, task: Task): Task[] {
  return tx.all('tasks').filter((t) => t.leader === task.leader && t.state === 'running');
}

/**
 * thread_group_empty() is false while the group has another member: a running thread, or a
 * leader that exited first and stays attached as a zombie until the last thread goes.
 */
export function otherGroupMembers(tx: Tx, task: Task): boolean {
  return tx.all('tasks').some((t) => t.leader === task.leader && t.id !== task.id && t.state !== 'reaped');
}

/** do_exit for one task: it becomes a zombie without an nsproxy, fs, files or mm. */
function exitTaskKernel(tx: Tx, id: TaskId, code: number): void {
  const t = tx.get('tasks', id);
  if (t.state !== 'running') return;
  const userDumpable = t.mm === null ? t.userDumpable : tx.get('mms', t.mm).dumpable; // exit_mm
  tx.update('tasks', id, { state: 'zombie', proxy: null, fs: null, files: null, mm: null, exitCode: code, userDumpable });
  if (t.mm !== null) putMm(tx, t.mm);
  if (t.files !== null) putFdTable(tx, t.files);
  if (t.fs !== null) putFs(tx, t.fs);
  if (t.proxy !== null) putProxy(tx, t.proxy); // exit_task_namespaces

  // exit_notify → forget_original_parent → find_child_reaper
  const pidNs = tx.get('ns', t.pidNs);
  if (pidNs.reaper === id && liveThreads(tx, t).length === 0) zapPidNs(tx, pidNs, id);

  for (const child of tx.all('tasks')) {
    if (child.parent !== id || child.state === 'reaped') continue;
    reparent(tx, child, t);
  }

  const self = tx.get('tasks', id);
  if (self.state !== 'zombie') return;
  if (self.leader !== self.id) {
    reap(tx, id); // a thread reaps itself
    // the last thread gone: a zombie leader that waited for it (delay_group_leader) is released
    const leader = tx.get('tasks', self.leader);
    if (leader.state === 'zombie' && liveThreads(tx, leader).length === 0) releaseLeader(tx, leader.id);
    return;
  }
  if (liveThreads(tx, self).length > 0) return; // delay_group_leader: stays until its threads exit
  releaseLeader(tx, id);
}

/**
 * A process whose whole group has exited: its parent is told (do_notify_parent). One outside the
 * trace, a dying one, or one ignoring SIGCHLD reaps it at once.
 */
function releaseLeader(tx: Tx, id: TaskId): void {
  const self = tx.get('tasks', id);
  const parent = self.parent === null ? undefined : tx.get('tasks', self.parent);
  if (!parent || parent.state !== 'running' || parent.ignoresSigchld) reap(tx, id);
}

/**
 * find_new_reaper: a live thread of the dying parent's group, else the child reaper of the
 * parent's pid namespace. A reaper outside the trace, or a dying one, reaps a zombie at once.
 */
function reparentKernel(tx: Tx, child: Task, father: Task): void {
  const thread = liveThreads(tx, father)[0];
  const nsReaper = tx.get('ns', father.pidNs).reaper;
  const reaper = thread ?? (nsReaper !== null && nsReaper !== father.id ? tx.get('tasks', nsReaper) : undefined);
  if (reaper !== undefined && reaper.state === 'running') {
    tx.update('tasks', child.id, { parent: reaper.id });
    return;
  }
  tx.update('tasks', child.id, { parent: null });
  // reparent_leader: the new parent hears of a zombie only once its thread group is empty; a
  // leader whose threads still run is released by the last of them (exitTaskKernel)
  if (child.state === 'zombie' && liveThreads(tx, child).length === 0) reap(tx, child.id);
}

/**
 * zap_pid_ns_processes: the init of `ns` died. No process may be created in it any more
 * (PIDNS_ADDING cleared); every other process in it, and so in its descendants, is killed;
 * the dying init reaps what it can (children inside the namespace).
 */
function zapPidNsKernel(tx: Tx, ns: Namespace, init: TaskId): void {
  tx.update('ns', ns.id, { adding: false });
  // the dying init ignores SIGCHLD so its children autoreap; the disposition lives in the
  // sighand, so every task sharing it (CLONE_SIGHAND, even outside the namespace) ignores it too
  const sighand = tx.get('tasks', init).sighand;
  for (const t of tx.all('tasks')) if (t.sighand === sighand && t.state !== 'reaped') tx.update('tasks', t.id, { ignoresSigchld: true });
  for (const t of tx.all('tasks')) {
    if (t.id !== init && t.state === 'running' && inPidNs(tx, t, ns)) exitTask(tx, t.id, 137);
  }
  for (const t of tx.all('tasks')) {
    // kernel_wait4 in the dying init: wait_task_zombie skips a leader whose threads still run
    if (t.state === 'zombie' && t.id !== init && inPidNs(tx, t, ns) && (t.parent === init || t.parent === null) && liveThreads(tx, t).length === 0) reap(tx, t.id);
  }
}

/** release_task: the pid numbers are freed, the cred's user ns and the struct pid's pid ns dropped. */
function reapKernel(tx: Tx, id: TaskId): void {
  const t = tx.get('tasks', id);
  if (t.state !== 'zombie') return;
  tx.update('tasks', id, { state: 'reaped' });
  putNs(tx, t.cred.userNs);
  putNs(tx, t.pidNs);
}

export const LIFECYCLE_KERNEL: Pick<Hooks, 'exitTask' | 'reap' | 'reparent' | 'zapPidNs'> = {
  exitTask: exitTaskKernel,
  reap: reapKernel,
  reparent: reparentKernel,
  zapPidNs: zapPidNsKernel,
};
