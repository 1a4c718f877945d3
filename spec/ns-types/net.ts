// Network namespaces. net/core/net_namespace.c.

import { CLONE } from '../flags';
import { createPlain, installCaps } from './common';
import type { NsTypeOps } from './ops';

export const net: NsTypeOps = {
  name: 'net',
  flag: CLONE.NEWNET,
  flagName: 'CLONE_NEWNET',
  initInum: 0xeffffff9,
  since: 3000,
  slot: 'net',
  createSlot: 'net',
  installSlots: ['net'],
  owner: (ns) => ns.owner,
  // netns_install
  install(c, set, target) {
    const refused = installCaps(c, set, target, 'netns.cap');
    if (refused) return refused;
    set.slots.net = target.id;
    return undefined;
  },
  // copy_net_ns
  create: (c, req) => createPlain(c, 'net', req),
};
