// File descriptors as trace variables: lookup, close, open_file, pidfd_open, and sockets (socket,
// the proposed socketat). fs/file.c (fdget, close_fd), kernel/pid.c (pidfd_open), net/socket.c.

import { installFd, closeFd, getNs, newFile } from '../refs';
import type { FdTableId, FileKind, OpenFile, Task } from '../state';
import type { Call, Outcome } from '../tx';
import { visibleTask } from './tasks';

/** fdget: the open file behind a trace fd (a variable, or a literal number, which is never open). */
export function lookupFd(c: Call, fd: string | number): OpenFile | undefined {
  if (typeof fd === 'number' || c.actor.files === null) return undefined;
  const id = c.tx.get('fdtables', c.actor.files).fds.get(fd);
  return id === undefined ? undefined : c.tx.get('files', id);
}

export function close(c: Call, fd: string | number): Outcome {
  const ok = typeof fd === 'string' && c.actor.files !== null && closeFd(c.tx, c.actor.files, fd);
  return c.guard('close.badFd', !ok) ?? { ok: true, state: c.tx.commit() };
}

/** An ordinary file or directory, for the not-a-namespace cases. */
export function openFile(c: Call, fd: string, dir: boolean): Outcome {
  const kind: FileKind = dir ? 'dir' : 'file';
  const mntNs = c.tx.get('fss', c.actor.fs!).rootNs; // opened on the tmpfs of the caller's tree
  installFd(c.tx, c.actor.files as FdTableId, fd, newFile(c.tx, c.actor.cred.userNs, { kind, mntNs }));
  return { ok: true, state: c.tx.commit() };
}

/** pidfd_open: a pidfd holds the struct pid, hence its pid namespace. */
export function pidfdOpen(c: Call, pid: string, fd: string): Outcome {
  const target: Task | undefined = visibleTask(c, pid);
  const refused =
    c.guard('pidfd.unsupported', true) ??
    c.guard('pidfd.noProcess', target === undefined || target.state === 'reaped') ??
    c.guard('pidfd.notLeader', target !== undefined && target.leader !== target.id);
  if (refused) return refused;
  const t = target as Task;
  getNs(c.tx, t.pidNs);
  installFd(c.tx, c.actor.files as FdTableId, fd, newFile(c.tx, c.actor.cred.userNs, { kind: 'pidfd', pidTask: t.id, pidNs: t.pidNs }));
  return { ok: true, state: c.tx.commit() };
}

/** socket(AF_UNIX, SOCK_DGRAM): a socket in the caller's net namespace, which it holds (sk_alloc: get_net). */
export function socket(c: Call, fd: string): Outcome {
  const tx = c.tx;
  const net = tx.get('proxies', c.actor.proxy!).slots.net;
  getNs(tx, net);
  installFd(tx, c.actor.files as FdTableId, fd, newFile(tx, c.actor.cred.userNs, { kind: 'socket', sockNet: net }));
  return { ok: true, state: tx.commit() };
}

/**
 * socketat(nsfd, ...): the design proposed with setns (2010-2011), never merged: a socket created
 * in the net namespace an nsfs fd names, without switching namespaces. Linux has no such call
 * (ENOSYS); the socketat-2011 variant turns that rule off. Its permission checks were never
 * settled: the variant needs only a valid net namespace fd (get_net_ns_by_fd).
 */
export function socketat(c: Call, nsfd: string | number, fd: string): Outcome {
  const tx = c.tx;
  const missing = c.guard('socketat.enosys', true);
  if (missing) return missing;
  const f = lookupFd(c, nsfd);
  const ns = f?.inode != null ? tx.get('ns', tx.get('inodes', f.inode).ns) : undefined;
  const refused =
    c.guard('socketat.badFd', f === undefined || f.opath) ??
    c.guard('socketat.notNetNs', ns === undefined || ns.type !== 'net');
  if (refused) return refused;
  getNs(tx, ns!.id);
  installFd(tx, c.actor.files as FdTableId, fd, newFile(tx, c.actor.cred.userNs, { kind: 'socket', sockNet: ns!.id }));
  return { ok: true, state: tx.commit() };
}
