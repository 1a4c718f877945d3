// Bind mounts of namespace files, opening through them, umount, propagation, and the targets as
// files. fs/namespace.c: path_mount → do_loopback (may_mount, mnt_ns_loop, graft_tree,
// attach_recursive_mnt → propagate_mnt), do_umount (propagate_umount), do_change_type;
// fs/namei.c: vfs_unlink / vfs_rmdir (is_local_mountpoint, detach_mounts).
// Targets are files (or directories) in one directory, the base mount, which every mount
// namespace has a copy of; the files are shared by all, the binds on them differ between mount
// namespaces, and binds and umounts propagate along the base mount's peer groups
// (spec/propagation.ts).

import { hasMapping, nsCapable } from '../caps';
import { bindMount, getInodeUser, installFd, newFile, openNsInode, putInodeUser, umountMount } from '../refs';
import type { Hooks } from '../hooks';
import type { FdTableId, FsType, InodeId, MountId, Namespace, NsId, NsMount, OpenFile } from '../state';
import type { Call, Outcome, Tx } from '../tx';
import { lookupFd } from './fds';
import { resolveProcNs } from './proc';
import { changePropagation, receivers, type PropagationType } from '../propagation';

export type BindSource = { readonly fd: string | number } | { readonly pid: string; readonly entry: string };

/** The caller's mount namespace (nsproxy) and the one its root sits in (path lookups). */
function mountNamespaces(c: Call): { own: Namespace; root: Namespace } {
  const own = c.tx.get('ns', c.tx.get('proxies', c.actor.proxy!).slots.mnt);
  const root = c.tx.get('ns', c.tx.get('fss', c.actor.fs!).rootNs);
  return { own, root };
}

/** may_mount: CAP_SYS_ADMIN over the owner of the caller's mount namespace. */
function mayMount(c: Call, own: Namespace): boolean {
  return own.owner !== null && nsCapable(c.tx, c.actor.cred, own.owner, 'SYS_ADMIN');
}

function topMount(ns: Namespace, target: string): NsMount | undefined {
  for (let i = ns.mounts.length - 1; i >= 0; i--) if (ns.mounts[i]!.target === target) return ns.mounts[i];
  return undefined;
}

/**
 * bind_ns is two calls, as the executor makes them: create the target if it does not exist
 * (open O_CREAT, or mkdir with `dir`), then mount(source, target, MS_BIND). The target stays
 * even when the mount fails, so a failure carries the state with the new target. With
 * `create: false` the target must exist already: the mount's target lookup fails with ENOENT
 * before anything else is checked.
 */
export function bindNs(c: Call, source: BindSource, target: string, dirArg: boolean, create = true): Outcome {
  const exists = c.tx.target(target) !== undefined;
  if (!create) {
    const missing = c.guard('mount.noTarget', !exists);
    if (missing) return missing;
    return mountBind(c, source, target, dirArg);
  }
  const created = !exists;
  if (created) c.tx.setTarget(target, dirArg, c.actor.cred.euid);
  const r = mountBind(c, source, target, dirArg);
  return !r.ok && created ? { ...r, partial: c.tx.commit() } : r;
}

function mountBind(c: Call, source: BindSource, target: string, dirArg: boolean): Outcome {
  const tx = c.tx;
  const { own } = mountNamespaces(c);
  const denied = c.guard('mount.cap', !mayMount(c, own));
  if (denied) return denied;

  // kern_path(source, LOOKUP_FOLLOW): the proc link (through proc_ns_get_link) or /proc/self/fd/N
  let sourceNs: NsId | null = null;
  let sourceFile: OpenFile | undefined;
  if ('fd' in source) {
    sourceFile = lookupFd(c, source.fd);
    const tf = sourceFile?.targetFile ?? null;
    const missing =
      c.guard('mount.noSource', sourceFile === undefined) ??
      // the fd's /proc link of a file since unlinked resolves to nothing the mount can use
      c.guard('mount.sourceUnlinked', tf !== null && ![...tx.base.targets.values()].some((t) => t.id === tf));
    if (missing) return missing;
    sourceNs = sourceFile!.inode === null ? null : tx.get('inodes', sourceFile!.inode).ns;
  } else {
    const ns = resolveProcNs(c, source.pid, source.entry);
    if (typeof ns !== 'number') return ns;
    sourceNs = ns;
  }
  const bound = sourceNs === null ? undefined : tx.get('ns', sourceNs);
  const targetIsDir = tx.target(target) ?? dirArg;
  // __do_loopback: a source must be mounted in the caller's namespace, except an nsfs dentry;
  // a pidfd lives on the internal pidfs mount, never in a namespace
  const foreign = sourceFile !== undefined && sourceNs === null && (sourceFile.kind === 'pidfd' || sourceFile.mntNs !== own.id);
  const refused =
    c.guard('mntns.loop', bound?.type === 'mnt' && c.sem.hooks.mntNsLoop(tx, own, bound)) ?? // mnt_ns_loop
    c.guard('mount.sourceUnbindable', sourceFile !== undefined && sourceMountUnbindable(tx, sourceFile)) ??
    c.guard('mount.sourceNotInNs', foreign) ??
    c.guard('mount.dirMismatch', targetIsDir !== (sourceFile?.kind === 'dir')) ?? // graft_tree
    // attach_recursive_mnt → propagate_mnt → copy_tree: a mount-namespace file is never copied
    // into another namespace, so the bind fails as a whole when its destination propagates
    c.guard('mount.propagatesMntNsFile', bound?.type === 'mnt' && receivers(tx, own).length > 0);
  if (refused) return refused;

  // the new mount keeps the source's dentry: the fd's inode, or the one the path walk found
  // (whose reference, the lookup's, the mount then owns)
  let inode: InodeId | null = null;
  if (sourceFile) inode = sourceFile.inode;
  else if (sourceNs !== null) inode = openNsInode(tx, sourceNs);
  const mount: NsMount = { id: tx.nextMountId++ as MountId, target, dir: targetIsDir, inode, locked: false };
  bindMount(tx, own.id, mount);
  // propagate_mnt: every receiver of the base mount gets its own copy (the root of a propagated
  // tree is not locked, even in a less privileged namespace)
  for (const r of receivers(tx, own)) bindMount(tx, r.id, { ...mount, id: tx.nextMountId++ as MountId });
  if (!sourceFile && inode !== null) putInodeUser(tx, inode); // the path walk's reference
  return { ok: true, state: tx.commit() };
}

/**
 * The mount an fd's file lies on, as __do_loopback sees it: the bind it was opened through, or
 * the base mount of the namespace it was opened in. nsfs files opened from /proc lie on the
 * internal nsfs mount and pidfds on pidfs, neither ever unbindable.
 */
function sourceMountUnbindable(tx: Tx, f: OpenFile): boolean {
  if (f.viaMount !== null) {
    for (const ns of tx.all('ns')) {
      if (ns.freed || ns.type !== 'mnt') continue;
      const m = ns.mounts.find((x) => x.id === f.viaMount);
      if (m !== undefined) return m.unbindable === true;
    }
    return false; // the bind is gone (umount -l): a detached mount, not unbindable
  }
  if (f.mntNs === null || f.inode !== null) return false;
  const ns = tx.get('ns', f.mntNs);
  return !ns.freed && ns.unbindable;
}

/** open(target): the file on top of the target in the caller's mount tree. */
export function openBind(c: Call, target: string, fd: string): Outcome {
  const tx = c.tx;
  const { root } = mountNamespaces(c);
  const exists = tx.target(target);
  const missing = c.guard('mount.noTarget', exists === undefined);
  if (missing) return missing;
  const m = topMount(root, target);
  let file;
  if (m && m.inode !== null) {
    getInodeUser(tx, m.inode);
    file = newFile(tx, c.actor.cred.userNs, { kind: 'nsfs', inode: m.inode, viaMount: m.id });
  } else {
    file = newFile(tx, c.actor.cred.userNs, { kind: exists ? 'dir' : 'file', viaMount: m ? m.id : null, mntNs: root.id, targetFile: m ? null : tx.targetFile(target)!.id });
  }
  installFd(tx, c.actor.files as FdTableId, fd, file);
  return { ok: true, state: tx.commit() };
}

export function umount(c: Call, target: string, detach: boolean): Outcome {
  const tx = c.tx;
  const { own } = mountNamespaces(c);
  const m = topMount(own, target);
  // umount_tree(UMOUNT_PROPAGATE): the mount on the same target in every receiver goes too
  const copies: { ns: NsId; mount: NsMount }[] = [];
  if (m !== undefined) {
    for (const r of receivers(tx, own)) {
      const cm = topMount(r, target);
      if (cm) copies.push({ ns: r.id, mount: cm });
    }
  }
  const pinnedMount = (x: NsMount) => tx.all('files').some((f) => !f.freed && f.viaMount === x.id);
  const busy = m !== undefined && (pinnedMount(m) || copies.some((x) => pinnedMount(x.mount)));
  // path_umount: the path lookup, then can_umount (may_mount, a mount point, not locked), then
  // busy (propagate_mount_busy: the mount or any copy that would go with it)
  const refused =
    c.guard('mount.noTarget', tx.target(target) === undefined) ??
    c.guard('umount.cap', !mayMount(c, own)) ??
    c.guard('umount.notMounted', m === undefined) ?? // not a mount point of this namespace
    c.guard('umount.locked', m !== undefined && m.locked) ??
    c.guard('umount.busy', busy && !detach);
  if (refused) return refused;
  umountMount(tx, own.id, m as NsMount);
  for (const x of copies) umountMount(tx, x.ns, x.mount);
  return { ok: true, state: tx.commit() };
}

/** open(target, O_CREAT|O_EXCL) or mkdir(target): a new file or directory among the targets. */
export function createTarget(c: Call, target: string, dir: boolean): Outcome {
  const refused = c.guard('create.exists', c.tx.target(target) !== undefined);
  if (refused) return refused;
  c.tx.setTarget(target, dir, c.actor.cred.euid);
  return { ok: true, state: c.tx.commit() };
}

/**
 * unlink(target), or rmdir for a directory: EBUSY while it is a mount point in the caller's
 * mount namespace (is_local_mountpoint, since 3.18); after it is gone, every mount on it in
 * every other namespace is detached (detach_mounts: lazily, no propagation, no busy check).
 */
export function unlinkTarget(c: Call, target: string): Outcome {
  const tx = c.tx;
  const { own } = mountNamespaces(c);
  const file = tx.targetFile(target);
  // may_delete → check_sticky: in the sticky base directory (owned by global root) only the
  // file's owner, root, or CAP_FOWNER over the owner may remove it
  const sticky = file !== undefined && c.actor.cred.euid !== file.owner && c.actor.cred.euid !== 0 && !capableWrtUid(c, file.owner);
  const refused =
    c.guard('unlink.noTarget', file === undefined) ??
    c.guard('unlink.sticky', sticky) ??
    c.guard('unlink.mountpoint', tx.all('ns').some((n) => !n.freed && n.type === 'mnt' && topMount(n, target) !== undefined)) ??
    c.guard('unlink.localMountpoint', topMount(own, target) !== undefined);
  if (refused) return refused;
  tx.deleteTarget(target);
  for (const ns of tx.all('ns')) {
    if (ns.freed || ns.type !== 'mnt') continue;
    for (const mt of ns.mounts) if (mt.target === target) umountMount(tx, ns.id, mt);
  }
  return { ok: true, state: tx.commit() };
}

/**
 * mount(NULL, path, NULL, MS_SHARED|MS_PRIVATE|MS_SLAVE|MS_UNBINDABLE [| MS_REC]): the base
 * mount's propagation (no target), or a bind mount's (a target mounted in the caller's namespace;
 * of a bind the model keeps only whether it is unbindable: binds have no mounts below them).
 * path_mount (may_mount), then do_change_type (a mount root).
 */
export function setPropagation(c: Call, type: PropagationType, target: string | undefined): Outcome {
  const tx = c.tx;
  const { own } = mountNamespaces(c);
  const refused =
    (target !== undefined ? c.guard('mount.noTarget', tx.target(target) === undefined) : undefined) ??
    c.guard('propagation.cap', !mayMount(c, own)) ??
    (target !== undefined ? c.guard('propagation.notMountRoot', topMount(own, target) === undefined) : undefined);
  if (refused) return refused;
  if (target === undefined) changePropagation(tx, own, type);
  else {
    // the model keeps only the unbindable bit of a bind (what a later bind from it sees)
    const m = topMount(own, target) as NsMount;
    const unbindable = type === 'unbindable';
    if ((m.unbindable === true) !== unbindable) tx.update('ns', own.id, { mounts: own.mounts.map((x) => (x.id === m.id ? { ...x, unbindable } : x)) });
  }
  return { ok: true, state: tx.commit() };
}

/**
 * mnt_ns_loop: a mount-namespace file may be bound only inside an older mount namespace (the
 * order is creation: ns_id since 6.18, mnt_namespace.seq before), so binds never form a cycle.
 */
function mntNsLoopKernel(_tx: Tx, caller: Namespace, bound: Namespace): boolean {
  return caller.nsId >= bound.nsId;
}

export const MOUNT_KERNEL: Pick<Hooks, 'mntNsLoop'> = { mntNsLoop: mntNsLoopKernel };

/** The namespace whose owner decides a filesystem mount (fc->user_ns), and what the superblock holds. */
function fsNamespaces(c: Call, type: FsType): { decides: Namespace; pins: NsId | null } {
  const tx = c.tx;
  const slots = tx.get('proxies', c.actor.proxy!).slots;
  switch (type) {
    case 'proc': // proc_init_fs_context: the caller's active pid namespace, held by the superblock
      return { decides: tx.get('ns', c.actor.pidNs), pins: c.actor.pidNs };
    case 'sysfs': // the caller's net namespace, held passively (no liveness)
      return { decides: tx.get('ns', slots.net), pins: null };
    case 'mqueue': // the caller's ipc namespace; the superblock keeps only a pointer
      return { decides: tx.get('ns', slots.ipc), pins: null };
  }
}

/**
 * mount -t proc|sysfs|mqueue at `target` (a directory, created first unless `create` is false).
 * path_mount (target lookup, may_mount), do_new_mount: the filesystem's init_fs_context (sysfs:
 * CAP_SYS_ADMIN over the net namespace's owner), mount_capable (CAP_SYS_ADMIN over the owner of
 * the namespace the filesystem shows), then graft_tree (a directory target). mount_too_revealing
 * is not modelled: the sandbox's /proc and /sys are fully visible, so it never refuses there.
 * The mount propagates like a bind.
 */
export function mountFs(c: Call, type: FsType, target: string, create: boolean): Outcome {
  const tx = c.tx;
  const exists = tx.target(target) !== undefined;
  const missing = !create ? c.guard('mount.noTarget', !exists) : undefined;
  if (missing) return missing;
  const created = !exists;
  if (created) tx.setTarget(target, true, c.actor.cred.euid);
  const fail = (r: Outcome): Outcome => (created && !r.ok ? { ...r, partial: tx.commit() } : r);
  const { own } = mountNamespaces(c);
  const { decides, pins } = fsNamespaces(c, type);
  const owner = decides.type === 'user' ? decides.id : decides.owner;
  const refused =
    c.guard('mount.cap', !mayMount(c, own)) ??
    (type === 'sysfs' ? c.guard('mountfs.sysfsNetCap', owner === null || !nsCapable(tx, c.actor.cred, owner, 'SYS_ADMIN')) : undefined) ??
    c.guard('mountfs.cap', owner === null || !nsCapable(tx, c.actor.cred, owner, 'SYS_ADMIN')) ??
    // do_add_mount: the same superblock on the same mount point (sysfs and mqueue superblocks are
    // one per namespace; proc makes a new one for every mount)
    c.guard('mountfs.busy', type !== 'proc' && topMount(own, target)?.fs === type && topMount(own, target)?.shows === decides.id) ??
    c.guard('mount.dirMismatch', tx.target(target) !== true);
  if (refused) return fail(refused);
  const mount: NsMount = { id: tx.nextMountId++ as MountId, target, dir: true, inode: null, locked: false, fs: type, pins, shows: decides.id };
  bindMount(tx, own.id, mount);
  for (const r of receivers(tx, own)) bindMount(tx, r.id, { ...mount, id: tx.nextMountId++ as MountId });
  return { ok: true, state: tx.commit() };
}

/** capable_wrt_inode_uidgid(CAP_FOWNER): the capability in the caller's user namespace, where the owner is mapped. */
function capableWrtUid(c: Call, uid: number): boolean {
  const cred = c.actor.cred;
  return nsCapable(c.tx, cred, cred.userNs, 'FOWNER') && hasMapping(c.tx, cred.userNs, uid, 'uid');
}
