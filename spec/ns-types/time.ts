// Time namespaces (since 5.6): clock offsets. kernel/time/namespace.c; man time_namespaces(7).
// unshare(CLONE_NEWTIME) changes only time_for_children; the task itself would enter at exec
// (not an operation of the model); children enter at fork. setns changes both slots.

import { CLONE } from '../flags';
import { createPlain, installCaps } from './common';
import type { NsTypeOps } from './ops';
import { refGet, refPut } from '../refs';

export const time: NsTypeOps = {
  name: 'time',
  flag: CLONE.NEWTIME,
  flagName: 'CLONE_NEWTIME',
  initInum: 0xeffffffa,
  since: 5006,
  slot: 'time',
  createSlot: 'timeForChildren',
  owner: (ns) => ns.owner,
  // proc_ns_operations get/put: the common reference count
  get: refGet,
  put: refPut,
  // timens_install
  install(c, set, target) {
    const mm = c.actor.mm === null ? undefined : c.tx.get('mms', c.actor.mm);
    const refused =
      c.guard('timens.sharedMm', mm !== undefined && mm.users > 1) ?? // current_is_single_threaded()
      installCaps(c, set, target, 'timens.cap');
    if (refused) return refused;
    set.slots.time = target.id;
    set.slots.timeForChildren = target.id;
    return undefined;
  },
  // copy_time_ns → clone_time_ns (offsets copied; offsets are not modelled)
  create: (c, req) => createPlain(c, 'time', req),
};
