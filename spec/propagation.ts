// Mount propagation (shared subtrees) of the base mount, the directory the bind targets live on.
// fs/pnode.c (propagate_mnt, propagate_umount, change_mnt_propagation), fs/namespace.c
// (do_change_type, copy_mnt_ns → clone_mnt). Documentation/filesystems/sharedsubtree.rst.
//
// Every mount namespace has one copy of the base mount. Its propagation is a peer group (0: not
// shared) and a master group (0: not a slave). A bind or umount at a target in a namespace whose
// base is shared reaches every other peer of that group, every slave of the group, and, through
// slaves that are themselves shared, their peers and slaves in turn. Slaves never propagate back.

import type { Namespace, NsId } from './state';
import type { Tx } from './tx';

export type PropagationType = 'shared' | 'private' | 'slave' | 'unbindable';
export const PROPAGATION_TYPES: readonly PropagationType[] = ['shared', 'private', 'slave', 'unbindable'];

function liveMntNs(tx: Tx): Namespace[] {
  return tx.all('ns').filter((n) => !n.freed && n.type === 'mnt');
}

/**
 * The mount namespaces that receive propagation from `ns`'s base mount (propagate_mnt's walk:
 * the other peers, then the slaves of each group reached, group by group), in table order.
 */
export function receivers(tx: Tx, ns: Namespace): Namespace[] {
  if (ns.peerGroup === 0) return [];
  const all = liveMntNs(tx);
  const out = new Set<NsId>();
  const groups = [ns.peerGroup];
  const seenGroups = new Set(groups);
  while (groups.length) {
    const g = groups.shift()!;
    for (const m of all) {
      if (m.id === ns.id) continue;
      if (m.peerGroup === g || m.master === g) {
        out.add(m.id);
        // a slave that is shared too passes on what it receives to its own peers and slaves
        if (m.peerGroup !== 0 && !seenGroups.has(m.peerGroup)) {
          seenGroups.add(m.peerGroup);
          groups.push(m.peerGroup);
        }
      }
    }
  }
  return all.filter((m) => out.has(m.id));
}

/** A new peer group id (opaque; drawn from the mount-id counter, which never repeats). */
function newGroup(tx: Tx): number {
  return tx.nextMountId++;
}

/** Whether another live mount namespace's base is in peer group `g`. */
function hasOtherPeer(tx: Tx, g: number, self: NsId): boolean {
  return g !== 0 && liveMntNs(tx).some((m) => m.id !== self && m.peerGroup === g);
}

/**
 * The base mount leaves its peer group: when it was the last peer, the group's slaves are handed
 * to its own master (transfer_propagation / do_make_slave).
 */
function leaveGroup(tx: Tx, ns: Namespace): void {
  const g = ns.peerGroup;
  if (g === 0 || hasOtherPeer(tx, g, ns.id)) return;
  for (const m of liveMntNs(tx)) if (m.id !== ns.id && m.master === g) tx.update('ns', m.id, { master: ns.master });
}

/** change_mnt_propagation on the base mount of `ns`. */
export function changePropagation(tx: Tx, ns: Namespace, type: PropagationType): void {
  switch (type) {
    case 'shared':
      if (ns.peerGroup === 0) tx.update('ns', ns.id, { peerGroup: newGroup(tx), unbindable: false });
      else if (ns.unbindable) tx.update('ns', ns.id, { unbindable: false });
      return;
    case 'slave': {
      // master: the group it leaves if peers remain there, else its old master (else private)
      const master = ns.peerGroup !== 0 && hasOtherPeer(tx, ns.peerGroup, ns.id) ? ns.peerGroup : ns.master;
      leaveGroup(tx, ns);
      tx.update('ns', ns.id, { peerGroup: 0, master, unbindable: false });
      return;
    }
    case 'private':
    case 'unbindable':
      leaveGroup(tx, ns);
      tx.update('ns', ns.id, { peerGroup: 0, master: 0, unbindable: type === 'unbindable' });
      return;
  }
}

/**
 * clone_mnt for the base mount of a new mount namespace: a same-owner copy of a shared mount is
 * its peer; a copy for another (less privileged) owner is a slave of the group (CL_SLAVE); a
 * slave stays a slave of the same master; private and unbindable copies are private (6.18 does
 * not copy the unbindable bit).
 */
export function copiedPropagation(old: Namespace, lessPrivileged: boolean): Pick<Namespace, 'peerGroup' | 'master' | 'unbindable'> {
  if (old.peerGroup !== 0) return lessPrivileged ? { peerGroup: 0, master: old.peerGroup, unbindable: false } : { peerGroup: old.peerGroup, master: old.master, unbindable: false };
  return { peerGroup: 0, master: old.master, unbindable: false };
}

/** A dying mount namespace's base mount leaves its group (umount_tree of the namespace's root). */
export function dropPropagation(tx: Tx, ns: Namespace): void {
  leaveGroup(tx, ns);
}
