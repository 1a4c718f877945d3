// exit(2) and wait: kernel/exit.c do_exit, do_wait, release_task (spec/lifecycle.ts).

import { exitTask, liveThreads, reap } from '../lifecycle';
import type { Call, Outcome } from '../tx';

export function exit(c: Call, code: number): Outcome {
  exitTask(c.tx, c.actor.id, code);
  return { ok: true, state: c.tx.commit() };
}

/**
 * waitpid(child, WNOHANG-like): the model never blocks; a child that cannot be reaped yet gives
 * EAGAIN: one still running, or a thread-group leader that has exited while other threads of its
 * group still run (delay_group_leader in kernel/exit.c: wait_task_zombie skips it until the last
 * thread is gone).
 */
export function wait(c: Call, child: string): Outcome {
  const id = c.tx.name(child);
  const t = id === undefined ? undefined : c.tx.get('tasks', id);
  const parent = t?.parent ?? null;
  // only thread-group leaders are on a parent's list of children: a thread is never waited for
  const mine = t !== undefined && t.leader === t.id && parent !== null && c.tx.get('tasks', parent).leader === c.actor.leader && t.state !== 'reaped';
  const refused =
    c.guard('wait.notChild', !mine) ??
    c.guard('wait.running', t?.state === 'running' || (t !== undefined && liveThreads(c.tx, t).length > 0));
  if (refused || !t) return refused ?? c.fail('wait.notChild');
  reap(c.tx, t.id);
  return { ok: true, state: c.tx.commit() };
}
