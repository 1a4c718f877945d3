// The state a trace starts from: task P, an ordinary root process (pid 2 in the initial pid
// namespace, child of an init outside the trace) in all eight initial namespaces, with its own
// fs_struct, fd table and mm (docs/trace-format.md "Tasks").
//
// A trace (or the kernel executor, whose sandbox is itself a pid namespace) may start P deeper:
// `start.pidLevel` nested pid namespaces below the initial one, each with an init outside the
// trace, P pid 2 in the deepest. They are held from outside (`external`), like the initial ones.

import { NS_TABLE } from './ns-types';
import { FIRST_DYNAMIC_INUM, getNs, makeNs, newProxy } from './refs';
import type { Semantics } from './semantics';
import { ALL_CAPS, type FdTableId, type FsId, type MmId, type Namespace, type NsId, type NsType, type Slot, type State, type TaskId, type World } from './state';
import { Tx } from './tx';
import { newWorld } from './world';

/** Namespace ids the initial namespaces had at boot on Linux 6.18 (kernel-semantics §1.4). */
const INIT_NS_ID: Readonly<Record<NsType, number>> = { uts: 1, time: 2, net: 3, mnt: 4, cgroup: 5, pid: 6, ipc: 4098, user: 4099 };
/** P's pid: the first child of an init (pid 1) that stands outside the trace. */
export const P_PID = 2;
export const INIT_HOSTNAME = 'nscheck';

function emptyWorld(): World {
  return {
    tasks: [], ns: [], proxies: [], inodes: [], files: [], fdtables: [], fss: [], mms: [],
    targets: new Map(), names: new Map(), nextNsId: 4100, nextMountId: 1, nextSighand: 1,
    free: { tasks: [], ns: [], proxies: [], inodes: [], files: [], fdtables: [], fss: [], mms: [] }, dying: [],
  };
}

/** Where a trace starts P (docs/trace-format.md "start"). */
export interface Start {
  /** the pid-namespace level of P's pid namespace (0: the initial one) */
  readonly pidLevel?: number;
}

/** The deepest start the format allows: P's namespace must leave room to nest (MAX_PID_NS_LEVEL). */
export const MAX_START_PID_LEVEL = 31;

const cache = new WeakMap<Semantics, Map<number, State>>();

/** A fresh initial state to step in (built once per semantics and start, copied for every run). */
export function initialState(sem: Semantics, start: Start = {}): World {
  const level = start.pidLevel ?? 0;
  let bySem = cache.get(sem);
  if (!bySem) cache.set(sem, (bySem = new Map()));
  let s = bySem.get(level);
  if (!s) {
    s = buildInitialState(sem, level);
    bySem.set(level, s);
  }
  return newWorld(s);
}

function buildInitialState(sem: Semantics, pidLevel: number): State {
  const tx = new Tx(emptyWorld(), sem);
  const ids = {} as Record<NsType, NsId>;
  // The rest of the system holds one reference on every initial namespace (init_nsproxy,
  // init_cred, ...): each starts with refs = 1 and is never freed.
  for (const t of NS_TABLE) {
    const ns: Namespace = makeNs(tx.nextId('ns') as NsId, t.initInum, INIT_NS_ID[t.name], { type: t.name, owner: null, parent: null, level: 0, charge: null, external: true });
    tx.insert('ns', () => ns);
    ids[t.name] = ns.id;
  }
  const user = ids.user;
  tx.update('ns', user, { uidMap: [{ inside: 0, outside: 0, count: 4294967295 }], gidMap: [{ inside: 0, outside: 0, count: 4294967295 }], ucountMax: sem.limits.maxNamespacesInit });
  tx.update('ns', ids.uts, { hostname: INIT_HOSTNAME });
  tx.update('ns', ids.pid, { lastPid: P_PID });
  for (const t of NS_TABLE) {
    if (t.name === 'user') continue;
    tx.update('ns', ids[t.name], { owner: user });
    getNs(tx, user);
  }
  // P's pid namespace: the initial one, or the deepest of a chain made before the trace
  let pidNs = ids.pid;
  const pids = [P_PID];
  for (let level = 1; level <= pidLevel; level++) {
    const ns = tx.insert('ns', (id) => makeNs(id as NsId, FIRST_DYNAMIC_INUM + level - 1, tx.nextNsId++, {
      type: 'pid', owner: user, parent: pidNs, level, charge: null, external: true, lastPid: P_PID,
    }));
    getNs(tx, pidNs); // the child's reference on its parent
    getNs(tx, user); // on its owner
    pidNs = ns.id;
    pids.push(P_PID);
  }
  const slots: Record<Slot, NsId> = {
    uts: ids.uts, ipc: ids.ipc, mnt: ids.mnt, pidForChildren: pidNs, net: ids.net, cgroup: ids.cgroup, time: ids.time, timeForChildren: ids.time,
  };
  const proxy = newProxy(tx, slots);
  const fs = tx.insert('fss', (id) => ({ id: id as FsId, users: 1, rootNs: ids.mnt, cwdNs: ids.mnt, freed: false }));
  const files = tx.insert('fdtables', (id) => ({ id: id as FdTableId, users: 1, fds: new Map(), freed: false }));
  const mm = tx.insert('mms', (id) => ({ id: id as MmId, users: 1, userNs: user, dumpable: true, freed: false }));
  getNs(tx, user); // P's cred
  getNs(tx, pidNs); // P's struct pid
  const p = tx.insert('tasks', (id) => ({
    id: id as TaskId, name: 'P', state: 'running' as const, parent: null, leader: id as TaskId,
    pids, pidNs, proxy,
    cred: { uid: 0, euid: 0, suid: 0, gid: 0, egid: 0, sgid: 0, capEff: ALL_CAPS, capPrm: ALL_CAPS, userNs: user },
    fs: fs.id, files: files.id, mm: mm.id, sighand: tx.newSighand(), ignoresSigchld: false, exitCode: null, userDumpable: true,
  }));
  tx.setName('P', p.id);
  return tx.commit();
}
