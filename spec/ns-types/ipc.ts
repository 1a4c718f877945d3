// IPC namespaces: System V IPC objects and POSIX message queues. ipc/namespace.c.

import { CLONE } from '../flags';
import { createPlain, swapSlotInstall } from './common';
import type { NsTypeOps } from './ops';
import { refGet, refPut } from '../refs';

export const ipc: NsTypeOps = {
  name: 'ipc',
  flag: CLONE.NEWIPC,
  flagName: 'CLONE_NEWIPC',
  initInum: 0xefffffff,
  since: 3000,
  slot: 'ipc',
  createSlot: 'ipc',
  owner: (ns) => ns.owner,
  // proc_ns_operations get/put: the common reference count
  get: refGet,
  put: refPut,
  // ipcns_install (commit also detaches the SysV semaphore undo list; not modelled)
  install: swapSlotInstall('ipc', 'ipcns.cap'),
  // copy_ipcs: a new namespace starts empty
  create: (c, req) => createPlain(c, 'ipc', req),
};
