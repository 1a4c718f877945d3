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
    const ids = all ? { ...cred, uid: kuid!, euid: kuid!, gid: kgid!, egid: kgid! } : { ...cred, euid: kuid! };
    next = emulateSetxuid(cred, ids, mapDown(tx, ns.id, 0, 'uid'));
  }
  // commit_creds makes a process whose euid/egid changed non-dumpable (suid_dumpable = 0),
  // which would hide its /proc/<pid> from other unprivileged tasks. The trace format's
  // drop_caps is defined to leave the task dumpable (the executor calls
  // prctl(PR_SET_DUMPABLE, 1) after the change), so the model keeps mm.dumpable as it was.
  tx.update('tasks', c.actor.id, { cred: next });
  return { ok: true, state: tx.commit() };
}

/**
 * cap_emulate_setxuid (security/commoncap.c), with suid = uid: when every uid leaves the
 * namespace's root uid, the permitted and effective sets are cleared; when only the euid leaves
 * it, the effective set; when the euid comes back to it, effective := permitted.
 */
function emulateSetxuid(old: Cred, next: Cred, rootUid: number | undefined): Cred {
  const isRoot = (uid: number) => uid === rootUid;
  if ((isRoot(old.uid) || isRoot(old.euid)) && !isRoot(next.uid) && !isRoot(next.euid)) return { ...next, capEff: 0, capPrm: 0 };
  if (isRoot(old.euid) && !isRoot(next.euid)) return { ...next, capEff: 0 };
  if (!isRoot(old.euid) && isRoot(next.euid)) return { ...next, capEff: next.capPrm };
  return next;
}
