// Historical bugs and rejected designs (kernel-semantics §7, the M-list), each re-introduced as
// a variant, with the invariant the checker must find broken. These are the negative controls:
// an invariant that no mutant breaks is untested.

import type { CreateRequest, NsTypeOps, VariantDef } from './define';
import type { Call } from '../tx';
import { LINUX_6_18 } from './history';

/** Mutants are changes to linux-6.18, so they share its known kernel findings, except for the property a mutant must break. */
function onLinux618(def: VariantDef): VariantDef {
  return withBase({ ...def, base: 'linux-6.18' }, LINUX_6_18);
}

/**
 * A variant on top of a profile: the profile's kernel version (unless the variant gives one) and
 * its known findings, except findings of the property the variant must break (a mutant that is
 * expected to break it must not have that muted).
 */
export function withBase(def: VariantDef, base: VariantDef): VariantDef {
  const expected = def.expect !== undefined && def.expect !== 'holds' ? def.expect.violates : undefined;
  const findings = [...(base.knownFindings ?? []), ...(def.knownFindings ?? [])]
    .filter((f) => (typeof f === 'string' ? f : f.property) !== expected);
  return { ...def, kernel: def.kernel ?? base.kernel ?? 6018, knownFindings: findings };
}

const DEFS: readonly VariantDef[] = [
  { name: 'M3a', doc: 'setns ignores nstype: any namespace fd joins, whatever type was asked for', disable: ['setns.nstypeMismatch'], expect: { violates: 'SetnsHonoursNstype' }, source: 'H3: the nstype check of 0663c6f8fa37' },
  { name: 'M4', doc: 'a failed /proc ns get drops a reference it does not own (2011 zombie oops)', effects: { 'proc.getFailureBalanced': false }, expect: { violates: 'NoUseAfterFree' }, source: 'H4 "proc: Fix Oops on stat of /proc/<zombie pid>/ns/net"' },
  { name: 'M6', doc: 'unused nsfs dentries stay cached and keep their namespace alive', effects: { 'nsfs.evictUnused': false }, expect: { violates: 'NoLeakedNamespace' }, source: 'H6 "proc-ns: use d_set_d_op() API to set dentry ops"' },
  { name: 'M7', doc: 'no cap on pid-namespace nesting', disable: ['pidns.depth'], expect: { violates: 'NestingDepthBounded' }, control: 'M7.trace.json', source: 'H7 "pidns: limit the nesting depth of pid namespaces"' },
  { name: 'M8a', doc: 'setns accepts an ancestor or sibling pid namespace', disable: ['pidns.ancestor', 'pidns.notDescendant'], expect: { violates: 'PidNsInescapable' }, source: 'H8 "pidns: Add setns support"' },
  { name: 'M8b', doc: 'setns into a pid namespace moves the caller itself', effects: { 'pidns.installKeepsActive': false }, expect: { violates: 'ActivePidNsNeverChanges' }, source: 'H8 (design rejected in 2012)' },
  { name: 'M8d', doc: 'alloc_pid ignores a dead pid namespace', disable: ['pid.deadNs'], expect: { violates: 'NoProcessInDeadPidNs' }, source: 'H8 "pidns: Don\'t allow new processes in a dead pid namespace"' },
  { name: 'M9', doc: 'every namespace gets the same inode number', effects: { 'ns.inumFromFreeIds': false }, expect: { violates: 'InodeNumbersUnique' }, source: 'H9 98f842e675f9' },
  { name: 'M10a', doc: 'no mount-namespace order check on binds (mnt_ns_loop removed)', disable: ['mntns.loop'], expect: { violates: 'MountNsBindsOrdered' }, source: 'H10 (v3.8 mnt_ns_loop)' },
  { name: 'M10b', doc: 'copy_mnt_ns copies binds of mount-namespace files', effects: { 'mntns.copySkipsMntBinds': false }, expect: { violates: 'MountNsBindsOrdered' }, control: 'M10b.trace.json', source: 'H10 4ce5d2b1a8fd' },
  { name: 'M11a', doc: 'CLONE_NEWUSER|CLONE_FS allowed, and setns(user) with a shared fs_struct', disable: ['clone.newuserFs', 'userns.sharedFs'], expect: { violates: 'FsSharersShareUserNs' }, source: 'H11 CVE-2013-1858' },
  { name: 'M12a', doc: 'setns into one\'s own user namespace is allowed (and resets capabilities)', disable: ['userns.sameNs'], expect: { violates: 'NoCapabilityGain' }, source: 'H12 "Don\'t allow gaining capabilities by reentering the same user namespace"' },
  { name: 'M12b', doc: 'a multithreaded process may setns into a user namespace', disable: ['userns.threaded'], expect: { violates: 'ThreadGroupSharesUserAndPidNs' }, control: 'M12b.trace.json', source: 'H12' },
  { name: 'M13', doc: 'no cap on user-namespace nesting', disable: ['userns.depth'], expect: { violates: 'NestingDepthBounded' }, control: 'M13.trace.json', source: 'H13 "userns: limit the maximum depth of user_namespace->parent chain"' },
  { name: 'M14', doc: 'the nsfs inode is not stashed: every open makes a new one', effects: { 'nsfs.stash': false }, expect: { violates: 'OneNsfsInodePerNs' }, source: 'H14 e149ed2b805f' },
  { name: 'M16a', doc: 'NS_GET_PARENT hands out pid namespaces above the caller\'s', disable: ['ioctl.pidOutOfScope'], expect: { violates: 'NoAncestorPidNsHandle' }, control: 'M16a.trace.json', source: 'H16 6786741dbf99' },
  { name: 'M16b', doc: 'the stash fast path keeps the reference the get took', effects: { 'nsfs.stashReuseDropsRef': false }, expect: { violates: 'RefcountsMatchHolders' }, source: 'H16 (v3 of the patch fixed a ref leak on the retry path)' },
  { name: 'M17', doc: 'freeing a namespace does not give back its ucount', effects: { 'ucount.decOnFree': false }, expect: { violates: 'UcountsMatchLiveNamespaces' }, source: 'H17 per-user-namespace ucounts' },
  { name: 'M19', doc: 'fork allocates the pid in the parent\'s own pid namespace, ignoring pid_for_children', effects: { 'clone.allocInPidForChildren': false }, expect: { violates: 'ChildBornInPidForChildren' }, source: 'H8/H19 (pid_for_children semantics)' },
  { name: 'M20a', doc: 'setns(time) allowed while the mm is shared', disable: ['timens.sharedMm'], expect: { violates: 'MmSharersShareTimeNs' }, source: 'H20, CVE-2023-23586' },
  { name: 'M21c', doc: 'setns through a pidfd commits each namespace as it installs it', effects: { 'setns.transactional': false }, expect: { violates: 'SetnsAllOrNothing' }, source: 'H21 (2020 pidfd setns review)' },
  { name: 'M28', doc: 'a failed clone/unshare leaks the namespaces it created before the failure', effects: { 'create.unwind': false }, expect: { violates: 'FailedCallChangesNothing' }, source: 'H28 "pidns: Make the pidns proc mount/umount logic obvious"' },
  {
    name: 'M30', doc: 'namespaces created together with CLONE_NEWUSER are owned by the caller\'s old user namespace (copy_namespaces before copy_creds)',
    nsTypes: Object.fromEntries((['mnt', 'uts', 'ipc', 'pid', 'cgroup', 'net', 'time'] as const).map((t) => [t, { create: (base: NsTypeOps) => (c: Call, req: CreateRequest) => base.create(c, { ...req, owner: req.cred.userNs }) }])),
    expect: { violates: 'NewNamespacesOwnedByNewUserNs' }, source: 'design: the order of copy_creds and copy_namespaces in copy_process, and of unshare_userns and unshare_nsproxy_namespaces',
  },
  { name: 'M31', doc: 'ns_tree_gen_id hands every mount namespace the same id', hooks: { allocNsId: (base) => (tx) => { base(tx); return 0x7fff0000; } }, expect: { violates: 'NsIdsUnique' }, source: 'design: the namespace id must be unique (NS_GET_MNTNS_ID, listns, mnt_ns_loop)' },
  { name: 'M29', doc: 'setns into a mount namespace keeps the old root and cwd', effects: { 'mntns.resetRootCwd': false }, expect: { violates: 'FsRootInOwnMntNs' }, source: 'H29' },
];

export const MUTANTS: readonly VariantDef[] = DEFS.map(onLinux618);
