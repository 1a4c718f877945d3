// PID namespaces. kernel/pid_namespace.c (create_pid_namespace, pidns_install,
// pidns_get_parent); man pid_namespaces(7). A task's own pid namespace is fixed by its struct
// pid and never changes; clone/unshare/setns only change pid_for_children.

import { isSelfOrDescendant } from '../caps';
import { CLONE } from '../flags';
import { createPlain, installCaps } from './common';
import type { NsTypeOps } from './ops';
import type { Namespace } from '../state';
import type { Tx } from '../tx';
import { refGet, refPut } from '../refs';

export const pid: NsTypeOps = {
  name: 'pid',
  flag: CLONE.NEWPID,
  flagName: 'CLONE_NEWPID',
  initInum: 0xeffffffc,
  since: 3000,
  slot: null,
  createSlot: 'pidForChildren',
  owner: (ns) => ns.owner,
  // proc_ns_operations get/put: the common reference count
  get: refGet,
  put: refPut,
  // pidns_get_parent: the parent must be the caller's active pid namespace or below it
  getParent(c, ns) {
    if (ns.parent === null) return c.fail('ioctl.pidOutOfScope'); // the initial pid namespace has none
    return c.guard('ioctl.pidOutOfScope', !isSelfOrDescendant(c.tx, c.actor.pidNs, ns.parent)) ?? ns.parent;
  },
  // pidns_install
  install(c, set, target) {
    const active = c.tx.get('ns', c.actor.pidNs);
    let ancestor = target;
    while (ancestor.level > active.level && ancestor.parent !== null) ancestor = c.tx.get('ns', ancestor.parent);
    const refused =
      installCaps(c, set, target, 'pidns.cap') ??
      c.guard('pidns.ancestor', target.level < active.level) ??
      c.guard('pidns.notDescendant', ancestor.id !== active.id);
    if (refused) return refused;
    set.slots.pidForChildren = target.id;
    return undefined;
  },
  // copy_pid_ns → create_pid_namespace
  create(c, req) {
    const parent = req.old;
    const refused =
      c.guard('pidns.notActive', parent.id !== req.task.pidNs) ??
      c.guard('pidns.ownerNotAncestor', parent.owner === null || !isSelfOrDescendant(c.tx, parent.owner, req.owner)) ??
      c.guard('pidns.depth', c.sem.hooks.pidNsTooDeep(c.tx, parent)); // MAX_PID_NS_LEVEL
    if (refused) return refused;
    return createPlain(c, 'pid', req, { parent: parent.id, level: parent.level + 1 });
  },
};

/** create_pid_namespace: a child of `parent` would be deeper than MAX_PID_NS_LEVEL (32). */
export function pidNsTooDeepKernel(tx: Tx, parent: Namespace): boolean {
  return parent.level + 1 > tx.sem.limits.pidNsMaxLevel;
}
