// setns(2): kernel/nsproxy.c SYSCALL_DEFINE2(setns), prepare_nsset, validate_nsset,
// commit_nsset; man setns(2). Joins the namespace an nsfs fd refers to, or (since 5.8) several
// namespaces of the process a pidfd refers to, all or nothing: every requested type installs
// into a scratch nsset, in table order, and the caller changes only if all of them succeed.

import { nsCapable, ptraceMayAccess } from '../caps';
import { CLONE, NS_FLAGS } from '../flags';
import type { NsSet, NsTypeOps } from '../ns-types/ops';
import { getNs, newProxy, putNs, putProxy } from '../refs';
import { ruleInForce, type Failure } from '../semantics';
import type { Namespace, NsId, OpenFile, Task } from '../state';
import type { Call, Outcome } from '../tx';
import { lookupFd } from './fds';

export function setns(c: Call, fd: string | number, nstype: number): Outcome {
  const tx = c.tx;
  const self = c.actor;
  const file = lookupFd(c, fd);
  // (the v3.0-3.7 capability check is evaluated only on kernels that have it)
  const oldGlobalCheck = c.sem.failures['setns.globalCap'] !== undefined;
  const refused =
    c.guard('setns.globalCap', oldGlobalCheck && !nsCapable(tx, self.cred, rootUserNs(c), 'SYS_ADMIN')) ??
    c.guard('setns.badFd', file === undefined || file.opath);
  if (refused) return refused;
  const f = file as OpenFile;

  if (f.kind === 'nsfs' && f.inode !== null) {
    const target = tx.get('ns', tx.get('inodes', f.inode).ns);
    const type = c.sem.typeOf[target.type];
    const mismatch = c.guard('setns.nstypeMismatch', nstype !== 0 && nstype !== type.flag);
    if (mismatch) return mismatch;
    return transact(c, type.flag, [{ type, target }]);
  }
  if (f.kind === 'pidfd' && ruleInForce('setns.pidfdFlags', c.sem.kernel)) {
    return setnsPidfd(c, f, nstype >>> 0);
  }
  return c.fail('setns.notNsFile');
}

/** The initial user namespace: the root of the caller's user-namespace chain. */
function rootUserNs(c: Call): NsId {
  let ns = c.tx.get('ns', c.actor.cred.userNs);
  while (ns.parent !== null) ns = c.tx.get('ns', ns.parent);
  return ns.id;
}

/** The pidfd form: check_setns_flags, then the target snapshot of validate_nsset. */
function setnsPidfd(c: Call, file: OpenFile, flags: number): Outcome {
  const tx = c.tx;
  let supported = 0;
  for (const t of c.sem.types) supported |= t.flag;
  const badFlags = c.guard('setns.pidfdFlags', flags === 0 || (flags & ~NS_FLAGS) !== 0 || (flags & ~supported) !== 0);
  if (badFlags) return badFlags;
  const target = tx.get('tasks', file.pidTask as Task['id']);
  const refused =
    c.guard('setns.pidfdReaped', target.state === 'reaped') ??
    c.guard('setns.pidfdPtrace', !ptraceMayAccess(tx, c.actor, target, 'realcreds')) ??
    c.guard('setns.pidfdExiting', target.proxy === null);
  if (refused) return refused;
  const slots = tx.get('proxies', target.proxy!).slots;
  // the target's namespaces: its cred's user ns, its active pid ns, its own time ns
  const of: Record<string, NsId> = { ...slots, user: target.cred.userNs, pid: target.pidNs, time: slots.time };
  const picks: { type: NsTypeOps; target: Namespace }[] = [];
  for (const t of c.sem.types) {
    if ((flags & t.flag) === 0) continue;
    const id = t.slot === null ? of[t.name] : of[t.slot];
    picks.push({ type: t, target: tx.get('ns', id as NsId) });
  }
  return transact(c, flags, picks);
}

/** prepare_nsset, one install per pick (already in table order), commit_nsset. */
function transact(c: Call, flags: number, picks: readonly { type: NsTypeOps; target: Namespace }[]): Outcome {
  const tx = c.tx;
  const self = c.actor;
  const proxy = tx.get('proxies', self.proxy!);
  const fs = tx.get('fss', self.fs!);
  const set: NsSet = {
    flags,
    slots: { ...proxy.slots },
    cred: self.cred,
    // the caller's own fs_struct for setns(fd, CLONE_NEWNS) alone; else a private copy
    fs: { rootNs: fs.rootNs, cwdNs: fs.cwdNs, users: flags === CLONE.NEWNS ? fs.users : 1 },
  };
  for (const { type, target } of picks) {
    const install = type.install;
    const failed: Failure | undefined = install ? install(c, set, target) : c.guard('setns.notNsFile', true);
    if (failed) {
      // a non-transactional variant has already applied the earlier installs
      return c.sem.effects['setns.transactional'] ? failed : { ...failed, partial: tx.commit() };
    }
    if (!c.sem.effects['setns.transactional']) commit(c, set, [{ type, target }]);
  }
  if (c.sem.effects['setns.transactional']) commit(c, set, picks);
  return { ok: true, state: tx.commit() };
}

/** commit_nsset: credentials, then fs root/cwd, then the nsproxy switch. */
function commit(c: Call, set: NsSet, picks: readonly { type: NsTypeOps; target: Namespace }[]): void {
  const tx = c.tx;
  const self = c.self();
  if (set.cred !== self.cred) {
    // commit_creds: the cred userns_install prepared (a new user ns, a fresh capability set)
    getNs(tx, set.cred.userNs);
    putNs(tx, self.cred.userNs);
    tx.update('tasks', self.id, { cred: set.cred });
  }
  if ((set.flags & CLONE.NEWNS) && self.fs !== null) tx.update('fss', self.fs, { rootNs: set.fs.rootNs, cwdNs: set.fs.cwdNs });
  const old = self.proxy!;
  tx.update('tasks', self.id, { proxy: newProxy(tx, set.slots) });
  putProxy(tx, old);
  // a variant may let pidns_install move the caller itself (the bug 2012's design avoided)
  if (!c.sem.effects['pidns.installKeepsActive'] && picks.some((p) => p.type.name === 'pid')) {
    const target = set.slots.pidForChildren;
    if (target !== self.pidNs) {
      getNs(tx, target);
      putNs(tx, self.pidNs);
      tx.update('tasks', self.id, { pidNs: target });
    }
  }
}
