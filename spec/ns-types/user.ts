// User namespaces. kernel/user_namespace.c (create_user_ns, userns_install); man
// user_namespaces(7). A task's user namespace lives in its credentials, not in the nsproxy.
// A user namespace's owner, as nsfs reports it, is its parent; ownerUid/ownerGid record the
// creator's euid/egid (the "owner" of the capability rule, spec/caps.ts).

import { hasMapping, inUserNs, nsCapable } from '../caps';
import { CLONE } from '../flags';
import { otherGroupMembers } from '../lifecycle';
import { allocNs, isFailure, refGet, refPut } from '../refs';
import { ALL_CAPS, CAPS, type Namespace, type NsId } from '../state';
import type { Failure } from '../semantics';
import type { Call, Tx } from '../tx';
import type { NsTypeOps } from './ops';

/**
 * ns_get_owner (fs/nsfs.c): a handle on `owner` is handed out only when it is the caller's user
 * namespace or a descendant of it; the initial user namespace has no owner at all.
 */
export function userNsInScope(c: Call, owner: NsId | null): NsId | Failure {
  if (owner === null) return c.fail('ioctl.userOutOfScope');
  return c.guard('ioctl.userOutOfScope', !inUserNs(c.tx, c.actor.cred.userNs, owner)) ?? owner;
}

export const user: NsTypeOps = {
  name: 'user',
  flag: CLONE.NEWUSER,
  flagName: 'CLONE_NEWUSER',
  initInum: 0xeffffffd,
  since: 3000,
  slot: null,
  createSlot: null,
  owner: (ns) => ns.parent,
  // proc_ns_operations get/put: the common reference count
  get: refGet,
  put: refPut,
  // userns_get_parent → ns_get_owner: the parent must be the caller's user namespace or below it
  getParent: (c, ns) => userNsInScope(c, ns.parent),
  // userns_install
  install(c, set, target) {
    const self = c.actor;
    const otherThreads = otherGroupMembers(c.tx, self);
    const fs = self.fs === null ? undefined : c.tx.get('fss', self.fs);
    const refused =
      c.guard('userns.sameNs', target.id === self.cred.userNs) ?? // re-entering would regain dropped capabilities
      c.guard('userns.threaded', otherThreads) ??
      c.guard('userns.sharedFs', fs !== undefined && fs.users !== 1) ??
      c.guard('userns.cap', !nsCapable(c.tx, self.cred, target.id, 'SYS_ADMIN'));
    if (refused) return refused;
    // the new cred: user ns := target, capabilities reset to the full set of a fresh user ns
    set.cred = { ...set.cred, userNs: target.id, capEff: ALL_CAPS, capPrm: ALL_CAPS };
    return undefined;
  },
  // create_user_ns; req.old is the creator's user namespace, the parent of the new one
  create(c, req) {
    const parent = req.old;
    const refused = c.guard('userns.depth', c.sem.hooks.userNsTooDeep(c.tx, parent)); // parent->level > 32
    if (refused) return refused;
    const ns = allocNs(
      c,
      { type: 'user', owner: parent.id, parent: parent.id, level: parent.level + 1, ownerUid: req.cred.euid, ownerGid: req.cred.egid, setgroupsDeny: parent.setgroupsDeny,
        parentCouldSetfcap: (req.cred.capEff & CAPS.SETFCAP) !== 0, ucountMax: c.sem.limits.maxNamespacesNested },
      { userNs: parent.id, uid: req.cred.euid },
    );
    if (isFailure(ns)) return ns;
    const unmapped = !hasMapping(c.tx, parent.id, req.cred.euid, 'uid') || !hasMapping(c.tx, parent.id, req.cred.egid, 'gid');
    return c.guard('userns.unmappedCreator', unmapped) ?? ns;
  },
};

/** create_user_ns: parent->level > 32, i.e. a child deeper than level 33. */
export function userNsTooDeepKernel(tx: Tx, parent: Namespace): boolean {
  return parent.level + 1 > tx.sem.limits.userNsMaxLevel;
}
