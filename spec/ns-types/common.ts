// Pieces several namespace types share: the two-sided capability check of the install
// handlers, and the plain constructor of the types that keep nothing from the old namespace.

import { nsCapable } from '../caps';
import { allocNs } from '../refs';
import type { RuleName } from '../rules';
import type { Failure } from '../semantics';
import type { Namespace, NsType, Slot } from '../state';
import type { Call } from '../tx';
import type { CreateRequest, NsSet, NsTypeOps } from './ops';

/**
 * The check of utsns_install, ipcns_install, netns_install, pidns_install, timens_install and
 * cgroupns_install: CAP_SYS_ADMIN over the target's owner and over the nsset's user namespace,
 * both judged with the caller's current credentials (kernel-semantics §2.3, §4.3).
 */
export function installCaps(c: Call, set: NsSet, target: Namespace, rule: RuleName): Failure | undefined {
  const cred = c.actor.cred;
  const ok = target.owner !== null && nsCapable(c.tx, cred, target.owner, 'SYS_ADMIN') && nsCapable(c.tx, cred, set.cred.userNs, 'SYS_ADMIN');
  return c.guard(rule, !ok);
}

/**
 * The install handler of the types that check the two capabilities and swap one slot
 * (utsns_install, ipcns_install, netns_install, cgroupns_install).
 */
export function swapSlotInstall(slot: Slot, rule: RuleName): NonNullable<NsTypeOps['install']> {
  return (c, set, target) => {
    const refused = installCaps(c, set, target, rule);
    if (refused) return refused;
    set.slots[slot] = target.id;
    return undefined;
  };
}

/** A fresh namespace owned by `req.owner`, charged to the creator's euid there (copy_*_ns). */
export function createPlain(c: Call, type: NsType, req: CreateRequest, extra: Partial<Namespace> = {}): Namespace | Failure {
  return allocNs(c, { type, owner: req.owner, parent: null, level: 0, ...extra }, { userNs: req.owner, uid: req.cred.euid });
}
