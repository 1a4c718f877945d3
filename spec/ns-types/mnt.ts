// Mount namespaces. fs/namespace.c (copy_mnt_ns, mntns_install, mnt_ns_loop); man
// mount_namespaces(7). The model keeps, per mount namespace, the binds of namespace files
// (and of ordinary files) made by traces and the propagation of the base mount they sit on
// (spec/propagation.ts); the rest of the tree is implicit and identical everywhere (the
// executor's sandbox starts with every mount private).

import { nsCapable } from '../caps';
import { CLONE } from '../flags';
import { bindMount, isFailure, refGet, refPut } from '../refs';
import type { MountId, NsMount } from '../state';
import { createPlain } from './common';
import { copiedPropagation } from '../propagation';
import type { NsTypeOps } from './ops';

export const mnt: NsTypeOps = {
  name: 'mnt',
  flag: CLONE.NEWNS,
  flagName: 'CLONE_NEWNS',
  initInum: 0xeffffff8,
  since: 3000,
  slot: 'mnt',
  createSlot: 'mnt',
  owner: (ns) => ns.owner,
  // proc_ns_operations get/put: the common reference count
  get: refGet,
  put: refPut,
  // mntns_install
  install(c, set, target) {
    const cred = c.actor.cred;
    const capable =
      target.owner !== null && nsCapable(c.tx, cred, target.owner, 'SYS_ADMIN') &&
      nsCapable(c.tx, cred, set.cred.userNs, 'SYS_CHROOT') &&
      nsCapable(c.tx, cred, set.cred.userNs, 'SYS_ADMIN');
    const refused =
      c.guard('mntns.cap', !capable) ??
      c.guard('mntns.sharedFs', set.fs.users !== 1); // the fs_struct would span two mount namespaces
    if (refused) return refused;
    set.slots.mnt = target.id;
    // set_fs_root / set_fs_pwd: root and cwd move to the target's root
    if (c.sem.effects['mntns.resetRootCwd']) set.fs = { ...set.fs, rootNs: target.id, cwdNs: target.id };
    return undefined;
  },
  // copy_mnt_ns: copy the tree; binds of mount-namespace files are left out (CL_COPY_MNT_NS_FILE
  // is not passed), because a newer namespace holding an older one could close a cycle. A copy
  // for another (less privileged) user namespace locks its mounts (CL_UNPRIVILEGED, lock_mnt_tree).
  create(c, req) {
    const locked = req.owner !== req.old.owner;
    const ns = createPlain(c, 'mnt', req);
    if (isFailure(ns)) return ns;
    // clone_mnt of the base mount: a peer of a shared original, or a slave of it in a less
    // privileged namespace (spec/propagation.ts)
    c.tx.update('ns', ns.id, copiedPropagation(req.old, locked));
    for (const m of req.old.mounts) {
      const isMntNsFile = m.inode !== null && c.tx.get('ns', c.tx.get('inodes', m.inode).ns).type === 'mnt';
      if (isMntNsFile && c.sem.effects['mntns.copySkipsMntBinds']) continue;
      const copy: NsMount = { ...m, id: c.tx.nextMountId++ as MountId, locked: m.locked || locked, unbindable: false };
      bindMount(c.tx, ns.id, copy);
    }
    return c.tx.get('ns', ns.id);
  },
};

