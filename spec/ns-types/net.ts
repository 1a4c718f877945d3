// Network namespaces. net/core/net_namespace.c.

import { CLONE } from '../flags';
import { createPlain, swapSlotInstall } from './common';
import type { NsTypeOps } from './ops';
import { refGet, refPut } from '../refs';

export const net: NsTypeOps = {
  name: 'net',
  flag: CLONE.NEWNET,
  flagName: 'CLONE_NEWNET',
  initInum: 0xeffffff9,
  since: 3000,
  slot: 'net',
  createSlot: 'net',
  owner: (ns) => ns.owner,
  // proc_ns_operations get/put: the common reference count
  get: refGet,
  put: refPut,
  // netns_install
  install: swapSlotInstall('net', 'netns.cap'),
  // copy_net_ns
  create: (c, req) => createPlain(c, 'net', req),
};
