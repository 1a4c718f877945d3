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
    // capset can only lower the sets
    const keep = mode === 'capset_admin' ? CAPS.SYS_ADMIN : 0;
    next = { ...cred, capEff: cred.capEff & keep, capPrm: cred.capPrm & keep };
  } else {
    const ns = tx.get('ns', cred.userNs);
    const kuid = mapDown(tx, ns.id, NOBODY, 'uid');
    const kgid = mapDown(tx, ns.id, NOBODY, 'gid');
    const all = mode === 'nobody';
    const mayUid = nsCapable(tx, cred, ns.id, 'SETUID') || kuid === cred.uid;
    const mayGid = nsCapable(tx, cred, ns.id, 'SETGID') || kgid === cred.gid;
    const refused =
      // setgroups(0, NULL) first: needs CAP_SETGID and a namespace that allows setgroups
      c.guard('cred.setid', all && (!nsCapable(tx, cred, ns.id, 'SETGID') || ns.setgroupsDeny)) ??
      c.guard('cred.unmapped', (all && kgid === undefined) || kuid === undefined) ??
      c.guard('cred.setid', (all && !mayGid) || !mayUid);
    if (refused) return refused;
    // cap_emulate_setxuid: leaving uid 0 clears the effective set; leaving it everywhere, the permitted too
    next = all
      ? { ...cred, uid: kuid!, euid: kuid!, gid: kgid!, egid: kgid!, capEff: 0, capPrm: 0 }
      : { ...cred, euid: kuid!, capEff: 0 };
  }
  // commit_creds makes a process whose euid/egid changed non-dumpable (suid_dumpable = 0),
  // which would hide its /proc/<pid> from other unprivileged tasks. The trace format's
  // drop_caps is defined to leave the task dumpable (the executor calls
  // prctl(PR_SET_DUMPABLE, 1) after the change), so the model keeps mm.dumpable as it was.
  tx.update('tasks', c.actor.id, { cred: next });
  return { ok: true, state: tx.commit() };
}
