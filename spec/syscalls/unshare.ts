// unshare(2): kernel/fork.c ksys_unshare; man unshare(2). Moves the caller into new
// namespaces (pid and time: only its children). Implied flags are added first.

import { nsCapable } from '../caps';
import { otherGroupMembers } from '../lifecycle';
import { CLONE } from '../flags';
import { adoptProxy, copyFdTable, isFailure, putFdTable, putFs, putNs, putProxy } from '../refs';
import type { Failure } from '../semantics';
import { ALL_CAPS, type Cred, type FsId } from '../state';
import type { Call, Outcome } from '../tx';
import { createNamespaces, createUserNs } from './create';

/** The bits unshare accepts (check_unshare_flags). */
const UNSHARE_OK =
  CLONE.THREAD | CLONE.FS | CLONE.NEWNS | CLONE.SIGHAND | CLONE.VM | CLONE.FILES | CLONE.SYSVSEM |
  CLONE.NEWUTS | CLONE.NEWIPC | CLONE.NEWNET | CLONE.NEWUSER | CLONE.NEWPID | CLONE.NEWCGROUP | CLONE.NEWTIME;

/** The namespace bits handled by unshare_nsproxy_namespaces (everything but user). */
const NSPROXY_BITS = CLONE.NEWNS | CLONE.NEWUTS | CLONE.NEWIPC | CLONE.NEWNET | CLONE.NEWPID | CLONE.NEWCGROUP | CLONE.NEWTIME;

/** Types this kernel does not know are unknown bits to check_unshare_flags. */
function knownBits(c: Call): number {
  let bits = UNSHARE_OK;
  for (const t of Object.values(c.sem.typeOf)) if (!c.sem.types.includes(t)) bits &= ~t.flag;
  return bits;
}

export function unshare(c: Call, requested: number): Outcome {
  const tx = c.tx;
  const self = c.actor;
  let flags = requested >>> 0;
  // implied flags, in ksys_unshare's order
  if (flags & CLONE.NEWUSER) flags |= CLONE.THREAD | CLONE.FS;
  if (flags & CLONE.VM) flags |= CLONE.SIGHAND;
  if (flags & CLONE.SIGHAND) flags |= CLONE.THREAD;
  if (flags & CLONE.NEWNS) flags |= CLONE.FS;

  const otherThreads = otherGroupMembers(tx, self);
  const mm = self.mm === null ? undefined : tx.get('mms', self.mm);
  const refused =
    c.guard('unshare.badFlags', (flags & ~knownBits(c)) !== 0) ?? // check_unshare_flags
    c.guard('unshare.threaded', (flags & (CLONE.THREAD | CLONE.SIGHAND | CLONE.VM)) !== 0 && otherThreads) ??
    c.guard('unshare.sharedSighand', (flags & (CLONE.SIGHAND | CLONE.VM)) !== 0 && tx.all('tasks').some((t) => t.sighand === self.sighand && t.id !== self.id && t.state !== 'reaped')) ??
    c.guard('unshare.sharedMm', (flags & CLONE.VM) !== 0 && mm !== undefined && mm.users > 1);
  if (refused) return refused;

  // unshare_fs / unshare_fd: private copies when shared
  const fs = self.fs === null ? undefined : tx.get('fss', self.fs);
  let newFs: FsId | null = null;
  if ((flags & CLONE.FS) && fs && fs.users > 1) {
    newFs = tx.insert('fss', (id) => ({ id: id as FsId, users: 1, rootNs: fs.rootNs, cwdNs: fs.cwdNs, freed: false })).id;
  }
  const files = self.files === null ? undefined : tx.get('fdtables', self.files);
  const newFiles = (flags & CLONE.FILES) && files && files.users > 1 ? copyFdTable(tx, files.id) : null;

  // unshare_userns → create_user_ns
  let newCred: Cred | null = null;
  if (flags & CLONE.NEWUSER) {
    const userNs = createUserNs(c, self, self.cred, { syscall: 'unshare', flags: requested >>> 0 });
    if (isFailure(userNs)) return userNs;
    newCred = { ...self.cred, userNs: userNs.id, capEff: ALL_CAPS, capPrm: ALL_CAPS };
  }

  // unshare_nsproxy_namespaces
  let newProxySlots = null;
  if (flags & NSPROXY_BITS) {
    const owner = newCred ? newCred.userNs : self.cred.userNs;
    const denied = c.guard('unshare.cap', !nsCapable(tx, self.cred, owner, 'SYS_ADMIN')); // judged with the old creds
    if (denied) return denied;
    const created = createNamespaces(c, self, flags, owner, self.cred, { syscall: 'unshare', flags: requested >>> 0 });
    if (isFailure(created)) return created as Failure;
    newProxySlots = created.slots;
  }

  // commit: nothing below can fail
  const patch: { proxy?: typeof self.proxy; cred?: Cred; fs?: FsId; files?: typeof self.files } = {};
  if (newProxySlots && self.proxy !== null) {
    patch.proxy = adoptProxy(tx, newProxySlots);
    putProxy(tx, self.proxy);
  }
  const fsId = newFs ?? self.fs;
  if (newFs !== null && self.fs !== null) {
    patch.fs = newFs;
    putFs(tx, self.fs);
  }
  if ((flags & CLONE.NEWNS) && fsId !== null && newProxySlots) {
    // copy_mnt_ns re-points the (now private) fs root and cwd into the copy
    tx.update('fss', fsId, { rootNs: newProxySlots.mnt, cwdNs: newProxySlots.mnt });
  }
  if (newFiles !== null && self.files !== null) {
    patch.files = newFiles;
    putFdTable(tx, self.files);
  }
  if (newCred) {
    patch.cred = newCred;
    putNs(tx, self.cred.userNs);
  }
  tx.update('tasks', self.id, patch);
  return { ok: true, state: tx.commit() };
}
