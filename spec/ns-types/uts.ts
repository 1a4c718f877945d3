// UTS namespaces: hostname and domain name. kernel/utsname.c; man uts_namespaces(7).

import { CLONE } from '../flags';
import { createPlain, swapSlotInstall } from './common';
import type { NsTypeOps } from './ops';
import { refGet, refPut } from '../refs';

export const uts: NsTypeOps = {
  name: 'uts',
  flag: CLONE.NEWUTS,
  flagName: 'CLONE_NEWUTS',
  initInum: 0xeffffffe,
  since: 3000,
  slot: 'uts',
  createSlot: 'uts',
  owner: (ns) => ns.owner,
  // proc_ns_operations get/put: the common reference count
  get: refGet,
  put: refPut,
  // utsns_install
  install: swapSlotInstall('uts', 'utsns.cap'),
  // copy_utsname → clone_uts_ns: the new namespace starts with the old one's names
  create: (c, req) => createPlain(c, 'uts', req, { hostname: req.old.hostname }),
};
