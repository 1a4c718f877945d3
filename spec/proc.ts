// /proc/<pid>/ns/*: fs/proc/namespaces.c (proc_ns_dir_lookup, proc_ns_get_link,
// proc_ns_readlink) and each type's `get` (ns_get from the task). The entries, in the order
// readdir lists them, each with the namespace it names for a task, or null when `get` fails.

import type { Namespace, NsId, NsType, Slot, Task } from './state';
import type { Hooks } from './hooks';
import { putNs } from './refs';
import type { Tx } from './tx';

export interface ProcEntry {
  readonly name: string;
  readonly type: NsType;
  readonly since: number;
  /** the nsproxy slot it reads */
  readonly slot: Slot | null;
  /** for the two entries outside the nsproxy: user (the cred) and pid (the struct pid) */
  readonly own?: (task: Task) => NsId;
}

export const PROC_ENTRIES: readonly ProcEntry[] = [
  { name: 'net', type: 'net', since: 3000, slot: 'net' },
  { name: 'uts', type: 'uts', since: 3000, slot: 'uts' },
  { name: 'ipc', type: 'ipc', since: 3000, slot: 'ipc' },
  { name: 'pid', type: 'pid', since: 3008, slot: null, own: (t) => t.pidNs },
  { name: 'pid_for_children', type: 'pid', since: 4012, slot: 'pidForChildren' },
  { name: 'user', type: 'user', since: 3008, slot: null, own: (t) => t.cred.userNs },
  { name: 'mnt', type: 'mnt', since: 3008, slot: 'mnt' },
  { name: 'cgroup', type: 'cgroup', since: 4006, slot: 'cgroup' },
  { name: 'time', type: 'time', since: 5006, slot: 'time' },
  { name: 'time_for_children', type: 'time', since: 5006, slot: 'timeForChildren' },
];

export const PROC_ENTRY_NAMES = PROC_ENTRIES.map((e) => e.name);

/**
 * The type's `get(task)`. A zombie has no nsproxy, so every nsproxy entry fails; its `user`
 * (cred) and `pid` (struct pid) entries still work until it is reaped. pid_for_children
 * fails until that namespace has an init (pidns_for_children_get checks child_reaper).
 */
export function procGet(tx: Tx, task: Task, entry: ProcEntry): NsId | null {
  return tx.sem.hooks.procGet(tx, task, entry);
}

function procGetKernel(tx: Tx, task: Task, entry: ProcEntry): NsId | null {
  if (task.state === 'reaped') return null;
  if (entry.own) return entry.own(task);
  if (task.proxy === null || entry.slot === null) return null;
  const id = tx.get('proxies', task.proxy).slots[entry.slot];
  // a namespace's first process is its init (lastPid > 0 once it had one); the initial pid
  // namespace's init stands outside the trace and always exists
  const ns = tx.get('ns', id);
  if (entry.slot === 'pidForChildren' && ns.lastPid === 0 && ns.parent !== null) return null;
  return id;
}

/** readlink text: "pid_for_children" reads as pid:[…], "time_for_children" as time:[…]. */
export function nsLinkText(ns: Namespace): string {
  return `${ns.type}:[${ns.inum}]`;
}

/**
 * After a failed get: nothing to drop, since a get that fails took nothing. A variant that turns
 * `proc.getFailureBalanced` off re-creates 2011's unbalanced put (M4): the namespace in the slot
 * loses a reference it never gave.
 */
function procGetFailedKernel(tx: Tx, task: Task, entry: ProcEntry): void {
  if (tx.sem.effects['proc.getFailureBalanced'] || task.proxy === null || entry.slot === null) return;
  putNs(tx, tx.get('proxies', task.proxy).slots[entry.slot]);
}

export const PROC_KERNEL: Pick<Hooks, 'procGet' | 'procGetFailed'> = { procGet: procGetKernel, procGetFailed: procGetFailedKernel };
