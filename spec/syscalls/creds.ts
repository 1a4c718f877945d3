// Dropping privilege: kernel/sys.c (setgroups, setresgid, setresuid, setreuid), kernel/capability.c
// (capset), security/commoncap.c (cap_emulate_setxuid). uids are held as global (kernel) ids.

import { mapDown, nsCapable } from '../caps';
import { CAPS, type Cred } from '../state';
import type { Call, Outcome } from '../tx';

export type DropMode = 'nobody' | 'seteuid_nobody' | 'capset_zero' | 'capset_admin';
/** capset_admin (an nscheck extension of the format): keep only CAP_SYS_ADMIN in the effective and permitted sets */
export const DROP_MODES: readonly DropMode[] = ['nobody', 'seteuid_nobody', 'capset_zero', 'capset_admin'];

const NOBODY = 65534;

export function dropCaps(c: Call, mode: DropMode): Outcome {
  const tx = c.tx;
  const cred = c.actor.cred;
  let next: Cred;
  if (mode === 'capset_zero' || mode === 'capset_admin') {
    // cap_capset: the new permitted set must lie within the old one, the new effective within the
    // new permitted; capset_admin asks for effective = permitted = {CAP_SYS_ADMIN}
    const want = mode === 'capset_admin' ? CAPS.SYS_ADMIN : 0;
    const refused = c.guard('cred.capset', (want & ~cred.capPrm) !== 0);
    if (refused) return refused;
    next = { ...cred, capEff: want, capPrm: want };
  } else {
    const ns = tx.get('ns', cred.userNs);
    const kuid = mapDown(tx, ns.id, NOBODY, 'uid');
    const kgid = mapDown(tx, ns.id, NOBODY, 'gid');
    const all = mode === 'nobody';
    // setresuid/setresgid: without CAP_SETUID/CAP_SETGID an id may only become one the task already has
    const mayUid = nsCapable(tx, cred, ns.id, 'SETUID') || kuid === cred.uid || kuid === cred.euid;
    const mayGid = nsCapable(tx, cred, ns.id, 'SETGID') || kgid === cred.gid || kgid === cred.egid;
    const refused =
      // setgroups(0, NULL) first: may_setgroups needs CAP_SETGID and userns_may_setgroups (a
      // written gid map, setgroups not denied)
      c.guard('cred.setgroups', all && (!nsCapable(tx, cred, ns.id, 'SETGID') || ns.setgroupsDeny || ns.gidMap === null)) ??
      c.guard('cred.unmapped', (all && kgid === undefined) || kuid === undefined) ??
      c.guard('cred.setid', (all && !mayGid) || !mayUid);
    if (refused) return refused;
    const ids = all ? { ...cred, uid: kuid!, euid: kuid!, suid: kuid!, gid: kgid!, egid: kgid!, sgid: kgid! } : { ...cred, euid: kuid! };
    next = emulateSetxuid(cred, ids, mapDown(tx, ns.id, 0, 'uid'));
  }
  // commit_creds makes a process whose euid/egid changed non-dumpable (suid_dumpable = 0),
  // which would hide its /proc/<pid> from other unprivileged tasks. The trace format's
  // drop_caps is defined to leave the task dumpable: the executor calls prctl(PR_SET_DUMPABLE, 1)
  // after the change, which also makes a task that an earlier setresuid left non-dumpable
  // dumpable again. (setresuid, setresgid and capset do not: they follow commit_creds.)
  tx.update('tasks', c.actor.id, { cred: next });
  if (c.actor.mm !== null && !tx.get('mms', c.actor.mm).dumpable) tx.update('mms', c.actor.mm, { dumpable: true });
  return { ok: true, state: tx.commit() };
}

/**
 * cap_emulate_setxuid (security/commoncap.c): when every one of uid, euid, suid leaves the
 * namespace's root uid, the permitted and effective sets are cleared; when only the euid leaves
 * it, the effective set; when the euid comes back to it, effective := permitted.
 */
function emulateSetxuid(old: Cred, next: Cred, rootUid: number | undefined): Cred {
  const isRoot = (uid: number) => uid === rootUid;
  if ((isRoot(old.uid) || isRoot(old.euid) || isRoot(old.suid)) && !isRoot(next.uid) && !isRoot(next.euid) && !isRoot(next.suid)) return { ...next, capEff: 0, capPrm: 0 };
  if (isRoot(old.euid) && !isRoot(next.euid)) return { ...next, capEff: 0 };
  if (!isRoot(old.euid) && isRoot(next.euid)) return { ...next, capEff: next.capPrm };
  return next;
}

/** commit_creds: a changed euid or egid makes the process non-dumpable (suid_dumpable is 0). */
function commitCreds(c: Call, next: Cred): void {
  const old = c.actor.cred;
  c.tx.update('tasks', c.actor.id, { cred: next });
  if ((old.euid !== next.euid || old.egid !== next.egid) && c.actor.mm !== null) c.tx.update('mms', c.actor.mm, { dumpable: false });
}

/**
 * setresuid(r, e, s) / setresgid (kernel/sys.c __sys_setresuid): ids in the caller's user
 * namespace, -1 keeps one. Each given id must be mapped (EINVAL); an id the task does not hold
 * as one of its three needs CAP_SETUID (CAP_SETGID) in its user namespace (EPERM); a call that
 * changes nothing succeeds without a check. Capabilities follow cap_emulate_setxuid; a changed
 * euid or egid makes the process non-dumpable.
 */
export function setresid(c: Call, which: 'uid' | 'gid', r: number, e: number, sv: number): Outcome {
  const tx = c.tx;
  const cred = c.actor.cred;
  const ns = cred.userNs;
  const k = (x: number) => (x === -1 ? null : mapDown(tx, ns, x >>> 0, which));
  const kr = k(r), ke = k(e), ks = k(sv);
  const cur = which === 'uid' ? [cred.uid, cred.euid, cred.suid] : [cred.gid, cred.egid, cred.sgid];
  const isNew = (x: number | null | undefined) => x !== null && x !== undefined && !cur.includes(x);
  const refused =
    c.guard('cred.unmapped', kr === undefined || ke === undefined || ks === undefined) ??
    c.guard(which === 'uid' ? 'cred.setid' : 'cred.setgid', (isNew(kr) || isNew(ke) || isNew(ks)) && !nsCapable(tx, cred, ns, which === 'uid' ? 'SETUID' : 'SETGID'));
  if (refused) return refused;
  let next: Cred = which === 'uid'
    ? { ...cred, uid: kr ?? cred.uid, euid: ke ?? cred.euid, suid: ks ?? cred.suid }
    : { ...cred, gid: kr ?? cred.gid, egid: ke ?? cred.egid, sgid: ks ?? cred.sgid };
  if (which === 'uid') next = emulateSetxuid(cred, next, mapDown(tx, ns, 0, 'uid'));
  commitCreds(c, next);
  return { ok: true, state: tx.commit() };
}

/**
 * setgroups(2) (kernel/groups.c): may_setgroups (CAP_SETGID in the caller's user namespace and
 * userns_may_setgroups: a gid map is written and setgroups is not denied), then every gid must
 * be mapped. The model keeps no supplementary groups (no rule reads them).
 */
export function setgroups(c: Call, groups: readonly number[]): Outcome {
  const tx = c.tx;
  const cred = c.actor.cred;
  const ns = tx.get('ns', cred.userNs);
  const refused =
    c.guard('cred.setgroups', !nsCapable(tx, cred, ns.id, 'SETGID') || ns.setgroupsDeny || ns.gidMap === null) ??
    c.guard('cred.groupUnmapped', groups.some((g) => mapDown(tx, ns.id, g >>> 0, 'gid') === undefined));
  if (refused) return refused;
  return { ok: true, state: tx.commit() };
}

/**
 * capset(2) on the caller (security/commoncap.c cap_capset, inheritable sets left empty): the
 * new permitted set must lie within the old one, the new effective set within the new permitted.
 */
export function capset(c: Call, effective: number, permitted: number): Outcome {
  const cred = c.actor.cred;
  const refused =
    c.guard('cred.capset', (permitted & ~cred.capPrm) !== 0) ??
    c.guard('cred.capsetEffective', (effective & ~permitted) !== 0);
  if (refused) return refused;
  commitCreds(c, { ...cred, capEff: effective, capPrm: permitted });
  return { ok: true, state: c.tx.commit() };
}

/** Capability names (CAP_SYS_ADMIN, ...) as the model's mask; undefined names one the model does not keep. */
export function capMask(names: readonly string[]): number | string {
  let m = 0;
  for (const n of names) {
    const k = n.startsWith('CAP_') ? n.slice(4) : n;
    if (!Object.prototype.hasOwnProperty.call(CAPS, k)) return n;
    m |= CAPS[k as keyof typeof CAPS];
  }
  return m;
}
