// open_ns, readlink_ns and same_ns: looking up /proc/<pid>/ns/<entry>.
// fs/proc/namespaces.c proc_ns_get_link / proc_ns_readlink; fs/nsfs.c ns_get_path.

import { ptraceMayAccess } from '../caps';
import { PROC_ENTRIES, procGet, nsLinkText, type ProcEntry } from '../proc';
import { installFd, newFile, openNsInode } from '../refs';
import type { NsMount } from '../state';
import type { Failure } from '../semantics';
import type { FdTableId, NsId, Task } from '../state';
import type { Call, Outcome } from '../tx';
import { lookupFd } from './fds';
import { procTask } from './tasks';

/**
 * Follow /proc/<pid>/ns/<name>: the task must have a /proc directory in the caller's pid
 * namespace, the entry must exist on this kernel, the caller must pass the ptrace read check
 * (with its fs credentials), and the type's get must find a namespace.
 */
export function resolveProcNs(c: Call, pid: string, name: string): NsId | Failure {
  const task = procTask(c, pid);
  const entry: ProcEntry | undefined = PROC_ENTRIES.find((e) => e.name === name && c.sem.kernel >= e.since);
  const refused =
    c.guard('proc.noTask', task === undefined || task.state === 'reaped') ?? // proc_pid_lookup
    c.guard('proc.noEntry', entry === undefined) ?? // proc_ns_dir_lookup
    c.guard('proc.ptrace', !ptraceMayAccess(c.tx, c.actor, task as Task, 'fscreds')); // proc_ns_get_link
  if (refused) return refused;
  const t = task as Task;
  const e = entry as ProcEntry;
  const ns = procGet(c.tx, t, e);
  if (ns !== null) return ns;
  const failed = c.fail('proc.noNs');
  // what the error path drops (nothing, unless a variant says otherwise): if it changed
  // anything, the failure keeps it, as the kernel would
  c.sem.hooks.procGetFailed(c.tx, t, e);
  return c.tx.dirty ? { ...failed, partial: c.tx.commit() } : failed;
}

export function openNs(c: Call, pid: string, name: string, fd: string, opath: boolean): Outcome {
  const ns = resolveProcNs(c, pid, name);
  if (typeof ns !== 'number') return ns;
  const inode = openNsInode(c.tx, ns);
  installFd(c.tx, c.actor.files as FdTableId, fd, newFile(c.tx, c.actor.cred.userNs, { kind: 'nsfs', inode, opath }));
  return { ok: true, state: c.tx.commit() };
}

export function readlinkNs(c: Call, pid: string, name: string): Outcome {
  const ns = resolveProcNs(c, pid, name);
  if (typeof ns !== 'number') return ns;
  return { ok: true, state: c.tx.base, value: nsLinkText(c.tx.get('ns', ns)) };
}

/**
 * One side of same_ns: `fd:VAR` (fstat of an open fd), `TASK:entry` (stat of the proc link), or
 * `path:TARGET` (stat of a target in the caller's mount tree, as `ip netns identify` does).
 */
export type NsRef = { readonly fd: string } | { readonly pid: string; readonly entry: string } | { readonly path: string };

/** What a side stats to: a namespace, or some other file (never equal to a namespace). */
function identity(c: Call, side: NsRef): { ns: NsId } | { file: number | string } | Failure {
  if ('path' in side) {
    const exists = c.tx.target(side.path);
    const missing = c.guard('mount.noTarget', exists === undefined);
    if (missing) return missing;
    const root = c.tx.get('ns', c.tx.get('fss', c.actor.fs!).rootNs);
    let top: NsMount | undefined;
    for (const m of root.mounts) if (m.target === side.path) top = m;
    if (top && top.inode !== null) return { ns: c.tx.get('inodes', top.inode).ns };
    return { file: top ? `mount:${top.id}` : `target:${side.path}` };
  }
  if ('fd' in side) {
    const f = lookupFd(c, side.fd);
    const refused = c.guard('fd.bad', f === undefined);
    if (refused) return refused;
    if (f!.inode !== null) return { ns: c.tx.get('inodes', f!.inode).ns };
    // pidfds of one process share its pidfs inode (6.9+), so fstat compares them equal
    return f!.pidTask !== null ? { file: -1 - f!.pidTask } : { file: f!.id };
  }
  const ns = resolveProcNs(c, side.pid, side.entry);
  return typeof ns === 'number' ? { ns } : ns;
}

export function sameNs(c: Call, a: NsRef, b: NsRef): Outcome {
  const x = identity(c, a);
  if ('ok' in x) return x;
  const y = identity(c, b);
  if ('ok' in y) return y;
  const same = 'ns' in x && 'ns' in y ? x.ns === y.ns : 'file' in x && 'file' in y && x.file === y.file;
  return { ok: true, state: c.tx.base, value: same ? 'same' : 'different' };
}
