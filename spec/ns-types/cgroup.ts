// Cgroup namespaces (since 4.6). kernel/cgroup/namespace.c.

import { CLONE } from '../flags';
import { createPlain, swapSlotInstall } from './common';
import type { NsTypeOps } from './ops';
import { refGet, refPut } from '../refs';

export const cgroup: NsTypeOps = {
  name: 'cgroup',
  flag: CLONE.NEWCGROUP,
  flagName: 'CLONE_NEWCGROUP',
  initInum: 0xeffffffb,
  since: 4006,
  slot: 'cgroup',
  createSlot: 'cgroup',
  owner: (ns) => ns.owner,
  // proc_ns_operations get/put: the common reference count
  get: refGet,
  put: refPut,
  // cgroupns_install: joining the namespace one is in is a successful no-op after the check
  install: swapSlotInstall('cgroup', 'cgroupns.cap'),
  // copy_cgroup_ns (its own CAP_SYS_ADMIN check repeats the caller's and is not modelled twice)
  create: (c, req) => createPlain(c, 'cgroup', req),
};
