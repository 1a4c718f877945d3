// SysV shared memory, to observe which ipc namespace a task is in: ipc/shm.c (newseg, shmget),
// ipc/util.c (ipcget_public, ipcperms). A segment keeps its creator's cred (f_cred of its file:
// the user namespace) and struct pid (shm_cprid: the pid namespace) until it is removed, which
// in a trace means until its ipc namespace dies.

import { nsCapable } from '../caps';
import { getNs } from '../refs';
import type { Namespace, ShmSegment } from '../state';
import type { Call, Outcome } from '../tx';

function ipcNs(c: Call): Namespace {
  return c.tx.get('ns', c.tx.get('proxies', c.actor.proxy!).slots.ipc);
}

/**
 * shmget(key, size, IPC_CREAT|0600): creates the segment, or finds the existing one, which then
 * passes ipcperms: the owner's bits for its uid, the group's for its gid, none for others
 * (a 0600 segment), unless the caller has CAP_IPC_OWNER over the ipc namespace's owner.
 */
export function shmCreate(c: Call, key: number): Outcome {
  const ns = ipcNs(c);
  const cred = c.actor.cred;
  const seg = ns.shm.find((x) => x.key === key);
  if (seg) {
    const denied = c.guard('shm.perm', cred.euid !== seg.uid && (ns.owner === null || !nsCapable(c.tx, cred, ns.owner, 'IPC_OWNER')));
    return denied ?? { ok: true, state: c.tx.base };
  }
  const made: ShmSegment = { key, uid: cred.euid, gid: cred.egid, userNs: cred.userNs, pidNs: c.actor.pidNs };
  getNs(c.tx, made.userNs);
  getNs(c.tx, made.pidNs);
  c.tx.update('ns', ns.id, { shm: [...ns.shm, made] });
  return { ok: true, state: c.tx.commit() };
}

/** shmget(key, 0, 0): only finds (requesting no permission bits, so ipcperms passes). */
export function shmLookup(c: Call, key: number): Outcome {
  return c.guard('shm.noKey', !ipcNs(c).shm.some((x) => x.key === key)) ?? { ok: true, state: c.tx.base };
}
