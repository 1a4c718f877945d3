// Structural invariants: pid-namespace inescapability, the mount-namespace bind order,
// homogeneity of what tasks share, depth limits, nsfs and inode-number identity, dead pid
// namespaces. kernel-semantics §5.4.

import { ruleInForce } from '../spec/semantics';
import type { Namespace, NsId, State, Task } from '../spec/state';
import type { Invariant, Violation } from './types';

const running = (s: State): Task[] => s.tasks.filter((t) => t.state === 'running');

import { nsName, objectName } from './names';

export { nsName };

function isSelfOrDescendant(s: State, outer: NsId, inner: NsId): boolean {
  for (let ns: Namespace | undefined = s.ns[inner]; ns; ns = ns.parent === null ? undefined : s.ns[ns.parent]) if (ns.id === outer) return true;
  return false;
}

export const PidNsInescapable: Invariant = {
  name: 'PidNsInescapable',
  reads: ['tasks', 'ns', 'proxies'],
  doc: 'Every task\'s pid_for_children is its active pid namespace or a descendant of it, and its struct pid has one number per level down to its active namespace.',
  source: 'kernel/pid_namespace.c pidns_install ("Only allow entering the current active pid namespace or a child"); H8',
  check(s) {
    for (const t of running(s)) {
      const active = s.ns[t.pidNs]!;
      if (t.pids.length !== active.level + 1) {
        return { message: `task ${t.name} has ${t.pids.length} pid number(s) but its active pid namespace ${nsName(s, t.pidNs)} is at level ${active.level}`, expected: String(active.level + 1), actual: String(t.pids.length), objects: [`task:${t.id}`, `ns:${t.pidNs}`] };
      }
      if (t.proxy === null) continue;
      const pfc = s.proxies[t.proxy]!.slots.pidForChildren;
      if (!isSelfOrDescendant(s, t.pidNs, pfc)) {
        const n = s.ns[pfc]!;
        return { message: `task ${t.name}'s pid_for_children pid:[${n.inum}] is outside its active pid namespace pid:[${active.inum}]`, expected: `pid:[${active.inum}] or below`, actual: `pid:[${n.inum}]`, objects: [`task:${t.id}`, `ns:${pfc}`, `ns:${t.pidNs}`] };
      }
    }
    return undefined;
  },
};

export const MountNsBindsOrdered: Invariant = {
  name: 'MountNsBindsOrdered',
  reads: ['ns', 'inodes'],
  doc: 'A mount namespace only holds binds of mount-namespace files newer than itself, so the "holds a bind of" relation is acyclic and every mount namespace can be freed.',
  source: 'fs/namespace.c mnt_ns_loop; 4ce5d2b1a8fd "vfs: Don\'t copy mount bind mounts of /proc/<pid>/ns/mnt between namespaces"; H10',
  check(s) {
    for (const x of s.ns) {
      if (x.freed || x.type !== 'mnt') continue;
      for (const m of x.mounts) {
        if (m.inode === null) continue;
        const y = s.ns[s.inodes[m.inode]!.ns]!;
        if (y.type === 'mnt' && y.nsId <= x.nsId) {
          return { message: `${nsName(s, x.id)} (sequence ${x.nsId}) holds a bind of ${nsName(s, y.id)} (sequence ${y.nsId}) at "${m.target}", which is not newer`, expected: `order > ${x.nsId}`, actual: String(y.nsId), objects: [`ns:${x.id}`, `ns:${y.id}`, `inode:${m.inode}`] };
        }
      }
    }
    return undefined;
  },
};

function sharers(s: State, key: 'leader' | 'fs' | 'mm'): Task[][] {
  const groups = new Map<number, Task[]>();
  for (const t of running(s)) {
    const k = t[key];
    if (k === null) continue;
    const g = groups.get(k);
    if (g) g.push(t);
    else groups.set(k, [t]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

function homogeneous(s: State, key: 'leader' | 'fs' | 'mm', what: string, get: (t: Task) => NsId | undefined): Violation | undefined {
  for (const g of sharers(s, key)) {
    const first = g[0]!;
    for (const t of g) {
      const a = get(first);
      const b = get(t);
      if (a !== b) {
        const shared = key === 'leader' ? 'a thread group' : key === 'fs' ? 'an fs_struct' : 'an mm';
        return { message: `${first.name} and ${t.name} share ${shared} but are in different ${what} namespaces: ${first.name} in ${a === undefined ? 'none' : nsName(s, a)}, ${t.name} in ${b === undefined ? 'none' : nsName(s, b)}`, expected: a === undefined ? 'none' : nsName(s, a), actual: b === undefined ? 'none' : nsName(s, b), objects: [`task:${first.id}`, `task:${t.id}`, ...(a !== undefined ? [`ns:${a}`] : []), ...(b !== undefined ? [`ns:${b}`] : [])] };
      }
    }
  }
  return undefined;
}

const slotOf = (s: State, t: Task, slot: 'mnt' | 'time') => (t.proxy === null ? undefined : s.proxies[t.proxy]!.slots[slot]);

export const ThreadGroupSharesUserAndPidNs: Invariant = {
  name: 'ThreadGroupSharesUserAndPidNs',
  reads: ['tasks'],
  doc: 'Threads of one process share their user namespace and their active pid namespace.',
  source: 'kernel/user_namespace.c userns_install (thread_group_empty); kernel/fork.c copy_process (CLONE_THREAD with NEWUSER/NEWPID); H12',
  check: (s) => homogeneous(s, 'leader', 'user', (t) => t.cred.userNs) ?? homogeneous(s, 'leader', 'pid', (t) => t.pidNs),
};

export const FsSharersShareUserNs: Invariant = {
  name: 'FsSharersShareUserNs',
  reads: ['tasks'],
  doc: 'Tasks sharing an fs_struct (CLONE_FS) are in the same user namespace.',
  source: 'CVE-2013-1858 "userns: Don\'t allow CLONE_NEWUSER | CLONE_FS"; userns_install fs->users; H11',
  check: (s) => homogeneous(s, 'fs', 'user', (t) => t.cred.userNs),
};

export const FsRootInOwnMntNs: Invariant = {
  name: 'FsRootInOwnMntNs',
  reads: ['tasks', 'fss', 'proxies'],
  doc: 'A task\'s root and cwd lie in its own mount namespace.',
  source: 'fs/namespace.c mntns_install (set_fs_root, set_fs_pwd); copy_mnt_ns; H29',
  check(s, sem) {
    for (const v of this.violations!(s, sem)) return v;
    return undefined;
  },
  *violations(s) {
    for (const t of running(s)) {
      if (t.fs === null || t.proxy === null) continue;
      const fs = s.fss[t.fs]!;
      const mnt = s.proxies[t.proxy]!.slots.mnt;
      for (const [what, at] of [['root', fs.rootNs], ['cwd', fs.cwdNs]] as const) {
        if (at !== mnt) {
          yield { message: `task ${t.name}'s ${what} is in ${nsName(s, at)} but the task is in ${nsName(s, mnt)} (${objectName(s, `fs:${t.fs}`)})`, expected: nsName(s, mnt), actual: nsName(s, at), objects: [`task:${t.id}`, `ns:${mnt}`, `ns:${at}`, `fs:${t.fs}`] };
          break;
        }
      }
    }
  },
};

export const MmSharersShareTimeNs: Invariant = {
  name: 'MmSharersShareTimeNs',
  reads: ['tasks', 'proxies'],
  doc: 'Tasks sharing an mm (threads, CLONE_VM) are in the same time namespace, since the vDSO data page is per mm.',
  source: 'kernel/time/namespace.c timens_install (current_is_single_threaded → EUSERS); CVE-2023-23586; H20',
  check: (s) => homogeneous(s, 'mm', 'time', (t) => slotOf(s, t, 'time')),
};

export const NestingDepthBounded: Invariant = {
  name: 'NestingDepthBounded',
  reads: ['ns'],
  doc: 'Pid namespaces nest at most 32 levels and user namespaces at most 33 below the initial ones (or the limits a scope sets).',
  source: 'MAX_PID_NS_LEVEL (create_pid_namespace); create_user_ns parent->level > 32; H7, H13',
  check(s, sem) {
    for (const ns of s.ns) {
      if (ns.freed) continue;
      const limit = ns.type === 'pid' ? (ruleInForce('pidns.depth', sem.kernel) ? sem.limits.pidNsMaxLevel : Infinity)
        : ns.type === 'user' ? (ruleInForce('userns.depth', sem.kernel) ? sem.limits.userNsMaxLevel : Infinity) : Infinity;
      if (ns.level > limit) return { message: `${ns.type}:[${ns.inum}] is at level ${ns.level}, deeper than ${limit}`, expected: `≤ ${limit}`, actual: String(ns.level), objects: [`ns:${ns.id}`] };
    }
    return undefined;
  },
};

/** The first two live rows sharing a key, in table order. */
function firstDuplicate<T extends { readonly id: number; readonly freed: boolean }>(rows: readonly T[], key: (r: T) => number): [T, T] | undefined {
  const seen = new Map<number, T>();
  for (const r of rows) {
    if (r.freed) continue;
    const other = seen.get(key(r));
    if (other) return [other, r];
    seen.set(key(r), r);
  }
  return undefined;
}

export const OneNsfsInodePerNs: Invariant = {
  name: 'OneNsfsInodePerNs',
  reads: ['inodes', 'ns'],
  doc: 'A namespace has at most one nsfs inode, and it is the stashed one.',
  source: 'fs/libfs.c path_from_stashed; e149ed2b805f "take the targets of /proc/*/ns/* symlinks to separate fs"; H14',
  check(s) {
    const dup = firstDuplicate(s.inodes, (i) => i.ns);
    if (dup) return { message: `${nsName(s, dup[0].ns)} has two live nsfs inodes`, expected: '1', actual: '2', objects: [`ns:${dup[0].ns}`, `inode:${dup[0].id}`, `inode:${dup[1].id}`] };
    const stray = s.inodes.find((i) => !i.freed && s.ns[i.ns]!.stashed !== i.id);
    return stray && { message: `${nsName(s, stray.ns)} has a live nsfs inode that is not the stashed one`, objects: [`ns:${stray.ns}`, `inode:${stray.id}`] };
  },
};

export const InodeNumbersUnique: Invariant = {
  name: 'InodeNumbersUnique',
  reads: ['ns'],
  doc: 'Live namespaces have distinct inode numbers, so (dev, ino) identifies a live namespace.',
  source: '98f842e675f9 "proc: Usable inode numbers for the namespace file descriptors"; H9',
  check(s) {
    const dup = firstDuplicate(s.ns, (ns) => ns.inum);
    return dup && { message: `two live namespaces share inode number ${dup[1].inum}: a ${dup[0].type} and a ${dup[1].type} namespace (${nsName(s, dup[0].id)}, ${nsName(s, dup[1].id)})`, objects: [`ns:${dup[0].id}`, `ns:${dup[1].id}`] };
  },
};

export const NsIdsUnique: Invariant = {
  name: 'NsIdsUnique',
  reads: ['ns'],
  doc: 'Live namespaces have distinct 64-bit ids, so NS_GET_MNTNS_ID and the mount-namespace order name one namespace each.',
  source: 'kernel/nstree.c ns_tree_gen_id (a global increasing counter); fs/namespace.c mnt_ns_loop compares these ids',
  check(s) {
    const dup = firstDuplicate(s.ns, (ns) => ns.nsId);
    return dup && { message: `${nsName(s, dup[0].id)} and ${nsName(s, dup[1].id)} share the namespace id ${dup[1].nsId}`, objects: [`ns:${dup[0].id}`, `ns:${dup[1].id}`] };
  },
};

export const NoProcessInDeadPidNs: Invariant = {
  name: 'NoProcessInDeadPidNs',
  reads: ['tasks', 'ns'],
  doc: 'Once a pid namespace\'s init has died, no running process is a member of it.',
  source: 'kernel/pid.c alloc_pid (PIDNS_ADDING); "pidns: Don\'t allow new processes in a dead pid namespace"; H8',
  check(s) {
    for (const t of running(s)) {
      for (let ns: Namespace | undefined = s.ns[t.pidNs]; ns; ns = ns.parent === null ? undefined : s.ns[ns.parent]) {
        if (!ns.adding) return { message: `task ${t.name} is running in pid:[${ns.inum}], whose init has died`, objects: [`task:${t.id}`, `ns:${ns.id}`] };
      }
    }
    return undefined;
  },
};
