// UTS namespaces: hostname and domain name. kernel/utsname.c; man uts_namespaces(7).

import { CLONE } from '../flags';
import { createPlain, installCaps } from './common';
import type { NsTypeOps } from './ops';

export const uts: NsTypeOps = {
  name: 'uts',
  flag: CLONE.NEWUTS,
  flagName: 'CLONE_NEWUTS',
  initInum: 0xeffffffe,
  since: 3000,
  slot: 'uts',
  createSlot: 'uts',
  installSlots: ['uts'],
  owner: (ns) => ns.owner,
  // utsns_install
  install(c, set, target) {
    const refused = installCaps(c, set, target, 'utsns.cap');
    if (refused) return refused;
    set.slots.uts = target.id;
    return undefined;
  },
  // copy_utsname → clone_uts_ns: the new namespace starts with the old one's names
  create: (c, req) => createPlain(c, 'uts', req, { hostname: req.old.hostname }),
};
