// Objects in the kernel's own terms, for violation messages: a namespace as readlink shows it
// (`user:[4026532xxx]`), a task by its trace name, the other objects by whose they are ("the
// nsproxy of T1 and T2", "T1's fd f0").

import { SLOTS, type State } from '../spec/state';
import type { ObjRef } from './types';

/** A namespace as readlink shows it: `mnt:[4026532201]`. */
export function nsName(s: State, id: number | null): string {
  const ns = id === null ? undefined : s.ns[id];
  return ns ? `${ns.type}:[${ns.inum}]` : `namespace #${id ?? '-'}`;
}

const list = (names: readonly string[]): string => (names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`);

/** The names of the tasks (not reaped) whose field `key` is `id`. */
function usersOf(s: State, key: 'proxy' | 'files' | 'fs' | 'mm', id: number): string[] {
  const out: string[] = [];
  for (const t of s.tasks) if (t.state !== 'reaped' && t[key] === id) out.push(t.name);
  return out;
}

/** Where a file is installed: `T1's f0`, or `an open file` when no fd table holds it. */
function fileName(s: State, id: number): string {
  for (const t of s.fdtables) {
    if (t.freed) continue;
    for (const [v, f] of t.fds) {
      if (f !== id) continue;
      const owners = usersOf(s, 'files', t.id);
      return `${owners.length ? `${list(owners)}'s` : 'an orphaned fd table\'s'} ${v.startsWith('#') ? 'fd' : v}`;
    }
  }
  return 'an open file';
}

/** One object (`kind:id`) in words. */
export function objectName(s: State, ref: ObjRef): string {
  const i = ref.indexOf(':');
  const kind = ref.slice(0, i);
  const id = Number(ref.slice(i + 1));
  switch (kind) {
    case 'task':
      return s.tasks[id]?.name ?? ref;
    case 'ns':
      return nsName(s, id);
    case 'proxy': {
      const u = usersOf(s, 'proxy', id);
      return u.length ? `the nsproxy of ${list(u)}` : 'an nsproxy no task uses';
    }
    case 'inode': {
      const ino = s.inodes[id];
      return ino ? `the nsfs inode of ${nsName(s, ino.ns)}` : ref;
    }
    case 'file': {
      const f = s.files[id];
      if (!f) return ref;
      const what = f.inode !== null ? `nsfs file of ${nsName(s, s.inodes[f.inode]!.ns)}` : f.kind === 'pidfd' ? `pidfd of ${f.pidTask === null ? '?' : (s.tasks[f.pidTask]?.name ?? '?')}` : f.kind;
      return `${fileName(s, id)} (${what})`;
    }
    case 'fdtable': {
      const u = usersOf(s, 'files', id);
      return u.length ? `the fd table of ${list(u)}` : 'an fd table no task uses';
    }
    case 'fs': {
      const u = usersOf(s, 'fs', id);
      return u.length ? `the fs_struct of ${list(u)}` : 'an fs_struct no task uses';
    }
    case 'mm': {
      const u = usersOf(s, 'mm', id);
      return u.length ? `the mm of ${list(u)}` : 'an mm no task uses';
    }
    default:
      return ref;
  }
}

/** Slot names as the nsproxy fields are called. */
export const SLOT_FIELD: Readonly<Record<(typeof SLOTS)[number], string>> = {
  uts: 'uts_ns', ipc: 'ipc_ns', mnt: 'mnt_ns', pidForChildren: 'pid_ns_for_children', cgroup: 'cgroup_ns', net: 'net_ns', time: 'time_ns', timeForChildren: 'time_ns_for_children',
};

export { list as joinNames };
