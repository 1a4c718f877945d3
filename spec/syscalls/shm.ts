// SysV shared memory, to observe which ipc namespace a task is in: ipc/shm.c shmget.

import type { Namespace } from '../state';
import type { Call, Outcome } from '../tx';

function ipcNs(c: Call): Namespace {
  return c.tx.get('ns', c.tx.get('proxies', c.actor.proxy!).slots.ipc);
}

/** shmget(key, size, IPC_CREAT): creates the segment, or finds the existing one. */
export function shmCreate(c: Call, key: number): Outcome {
  const ns = ipcNs(c);
  if (ns.shmKeys.includes(key)) return { ok: true, state: c.tx.base };
  c.tx.update('ns', ns.id, { shmKeys: [...ns.shmKeys, key] });
  return { ok: true, state: c.tx.commit() };
}

/** shmget(key, 0, 0): only finds. */
export function shmLookup(c: Call, key: number): Outcome {
  return c.guard('shm.noKey', !ipcNs(c).shmKeys.includes(key)) ?? { ok: true, state: c.tx.base };
}
