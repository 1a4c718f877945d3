// getpid / getppid: kernel/sys.c (task_tgid_vnr, task_ppid_nr_ns). Numbers as the caller's
// active pid namespace sees them; a parent outside it reads as 0. A parent outside the trace
// is the init (pid 1) of the caller's pid namespace: the initial one, or one P started in.

import type { Task } from '../state';
import type { Call, Outcome } from '../tx';

function pidIn(c: Call, task: Task): number {
  const level = c.tx.get('ns', c.actor.pidNs).level;
  const leader = c.tx.get('tasks', task.leader);
  // a task outside the caller's namespace has no number there
  if (leader.pids.length <= level) return 0;
  let ns = c.tx.get('ns', leader.pidNs);
  while (ns.level > level && ns.parent !== null) ns = c.tx.get('ns', ns.parent);
  return ns.id === c.actor.pidNs ? (leader.pids[level] ?? 0) : 0;
}

export function getpid(c: Call): Outcome {
  return { ok: true, state: c.tx.base, value: `pid=${pidIn(c, c.actor)}` };
}

export function getppid(c: Call): Outcome {
  const leader = c.tx.get('tasks', c.actor.leader);
  const parentId = c.actor.leader === c.actor.id ? c.actor.parent : leader.parent;
  let ppid: number;
  if (parentId === null) ppid = c.tx.get('ns', c.actor.pidNs).external ? 1 : 0;
  else ppid = pidIn(c, c.tx.get('tasks', parentId));
  return { ok: true, state: c.tx.base, value: `ppid=${ppid}` };
}
