// UTS namespaces: hostname and domain name. kernel/utsname.c; man uts_namespaces(7).

import { CLONE } from '../flags';
import { createPlain, swapSlotInstall } from './common';
import type { NsTypeOps } from './ops';

export const uts: NsTypeOps = {
  name: 'uts',
  flag: CLONE.NEWUTS,
  flagName: 'CLONE_NEWUTS',
  initInum: 0xeffffffe,
  since: 3000,
  slot: 'uts',
  createSlot: 'uts',
  owner: (ns) => ns.owner,
  // utsns_install
  install: swapSlotInstall('uts', 'utsns.cap'),
  // copy_utsname → clone_uts_ns: the new namespace starts with the old one's names
  create: (c, req) => createPlain(c, 'uts', req, { hostname: req.old.hostname }),
};
