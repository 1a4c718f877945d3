// Naming tasks from a trace: `self`, or a task name.
//
// Two lookups differ, as on the kernel: paths under /proc name tasks by their number in the
// procfs instance, which in a trace is the one of the initial pid namespace (nobody mounts
// another), so every task that has not been reaped is there; syscalls that take a pid number
// (pidfd_open) look it up in the caller's active pid namespace (find_vpid).

import { inPidNs } from '../lifecycle';
import type { Task } from '../state';
import type { Call } from '../tx';

function named(c: Call, name: string): Task | undefined {
  if (name === 'self') return c.actor;
  const id = c.tx.name(name);
  return id === undefined ? undefined : c.tx.get('tasks', id);
}

/** /proc/<pid>: any task until it is reaped. */
export function procTask(c: Call, name: string): Task | undefined {
  const t = named(c, name);
  return t && t.state !== 'reaped' ? t : undefined;
}

/** find_vpid: the task if it has a number in the caller's active pid namespace. */
export function visibleTask(c: Call, name: string): Task | undefined {
  const t = named(c, name);
  return t && inPidNs(c.tx, t, c.tx.get('ns', c.actor.pidNs)) ? t : undefined;
}
