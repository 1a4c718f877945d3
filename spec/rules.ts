// Every guard of the model, by name: the errno it returns, the kernel function it mirrors and
// one sentence of what it refuses. A syscall file fires a guard with `c.guard(name, cond)`;
// a variant may disable a guard or change its errno (spec/semantics.ts). Looking for the rule
// behind an errno? Search this file for the errno, then grep the rule name in spec/syscalls/.
//
// `since`/`until` give the kernel versions (as major*1000+minor, so 4.12 is 4012) in which a
// rule exists; a history profile (spec/variants/history.ts) runs with its version and the rule
// is simply not there outside that range.

export type Errno =
  | 'EPERM' | 'ENOENT' | 'ESRCH' | 'EINTR' | 'EBADF' | 'ECHILD' | 'EAGAIN' | 'ENOMEM' | 'EACCES'
  | 'EFAULT' | 'EBUSY' | 'EEXIST' | 'ENOTDIR' | 'EINVAL' | 'ENOSPC' | 'ENOTTY' | 'EUSERS'
  | 'ESTALE' | 'ELOOP' | 'EOPNOTSUPP' | 'ENOSYS';

export const ERRNOS: readonly Errno[] = [
  'EPERM', 'ENOENT', 'ESRCH', 'EINTR', 'EBADF', 'ECHILD', 'EAGAIN', 'ENOMEM', 'EACCES', 'EFAULT',
  'EBUSY', 'EEXIST', 'ENOTDIR', 'EINVAL', 'ENOSPC', 'ENOTTY', 'EUSERS', 'ESTALE', 'ELOOP', 'EOPNOTSUPP', 'ENOSYS',
];

export interface RuleInfo {
  readonly errno: Errno;
  /** the kernel function (and file) whose check this is */
  readonly kernel: string;
  readonly doc: string;
  readonly since?: number;
  readonly until?: number;
  /** errno in older kernels: the first entry whose `until` is above the version wins */
  readonly errnoHistory?: readonly { readonly until: number; readonly errno: Errno }[];
}

const r = (errno: Errno, kernel: string, doc: string, extra: Partial<RuleInfo> = {}): RuleInfo => ({ errno, kernel, doc, ...extra });

export const RULES = {
  // --- the model's own conventions (no kernel function: how a trace step meets a dead task) ---
  'task.exited': r('ESRCH', '(model)', 'the acting task has exited or never came to exist; it cannot make a call'),
  'fd.bad': r('EBADF', 'fdget', 'the fd variable is not open in the caller\'s fd table'),

  // --- setns front end: kernel/nsproxy.c SYSCALL_DEFINE2(setns) ---
  'setns.globalCap': r('EPERM', 'SYSCALL_DEFINE2(setns) (v3.0-3.7)', 'the original setns required CAP_SYS_ADMIN in the initial user namespace before looking at the fd', { until: 3008 }),
  'setns.badFd': r('EBADF', 'SYSCALL_DEFINE2(setns): fdget', 'the fd is not open, or was opened O_PATH (fdget skips path-only files)'),
  'setns.nstypeMismatch': r('EINVAL', 'SYSCALL_DEFINE2(setns)', 'a nonzero nstype must equal the type of the namespace the fd refers to'),
  'setns.pidfdFlags': r('EINVAL', 'check_setns_flags', 'with a pidfd, flags must be a nonzero set of namespace bits the kernel supports', { since: 5008 }),
  'setns.notNsFile': r('EINVAL', 'SYSCALL_DEFINE2(setns)', 'the fd is neither a namespace file nor a pidfd'),
  'setns.pidfdReaped': r('ESRCH', 'validate_nsset: pid_task', 'the pidfd\'s process has been reaped', { since: 5008 }),
  'setns.pidfdPtrace': r('EPERM', 'validate_nsset: ptrace_may_access(PTRACE_MODE_READ_REALCREDS)', 'the caller may not inspect the pidfd\'s process', { since: 5008 }),
  'setns.pidfdExiting': r('ESRCH', 'validate_nsset', 'the pidfd\'s process is exiting or a zombie: it has no nsproxy any more', { since: 5008 }),

  // --- install handlers (proc_ns_operations.install) ---
  'userns.sameNs': r('EINVAL', 'userns_install (kernel/user_namespace.c)', 'joining the user namespace one is already in would regain dropped capabilities'),
  'userns.threaded': r('EINVAL', 'userns_install: thread_group_empty', 'a multithreaded process cannot change its user namespace (threads share credentials\' user ns)'),
  'userns.sharedFs': r('EINVAL', 'userns_install: fs->users', 'a task sharing its fs_struct cannot change user namespace (CVE-2013-1858)'),
  'userns.cap': r('EPERM', 'userns_install: ns_capable(target, CAP_SYS_ADMIN)', 'the caller needs CAP_SYS_ADMIN over the target user namespace (so it must be a descendant)'),
  'mntns.cap': r('EPERM', 'mntns_install (fs/namespace.c)', 'needs CAP_SYS_ADMIN over the target\'s owner and CAP_SYS_CHROOT and CAP_SYS_ADMIN in the caller\'s user namespace'),
  'mntns.sharedFs': r('EINVAL', 'mntns_install: fs->users != 1', 'a task sharing its fs_struct (CLONE_FS) cannot switch mount namespace'),
  'utsns.cap': r('EPERM', 'utsns_install (kernel/utsname.c)', 'needs CAP_SYS_ADMIN over the target\'s owner and in the caller\'s user namespace'),
  'ipcns.cap': r('EPERM', 'ipcns_install (ipc/namespace.c)', 'needs CAP_SYS_ADMIN over the target\'s owner and in the caller\'s user namespace'),
  'pidns.cap': r('EPERM', 'pidns_install (kernel/pid_namespace.c)', 'needs CAP_SYS_ADMIN over the target\'s owner and in the caller\'s user namespace'),
  'pidns.ancestor': r('EINVAL', 'pidns_install: new->level < active->level', 'a task may not put its children into an ancestor of its own pid namespace'),
  'pidns.notDescendant': r('EINVAL', 'pidns_install: parent walk', 'the target pid namespace must be the caller\'s active one or a descendant of it'),
  'cgroupns.cap': r('EPERM', 'cgroupns_install (kernel/cgroup/namespace.c)', 'needs CAP_SYS_ADMIN in the caller\'s user namespace and over the target\'s owner', { since: 4006 }),
  'netns.cap': r('EPERM', 'netns_install (net/core/net_namespace.c)', 'needs CAP_SYS_ADMIN over the target\'s owner and in the caller\'s user namespace'),
  'timens.sharedMm': r('EUSERS', 'timens_install: current_is_single_threaded', 'a task sharing its mm (a thread or a CLONE_VM sibling) cannot change time namespace', { since: 5006 }),
  'timens.cap': r('EPERM', 'timens_install (kernel/time/namespace.c)', 'needs CAP_SYS_ADMIN over the target\'s owner and in the caller\'s user namespace', { since: 5006 }),

  // --- unshare: kernel/fork.c ksys_unshare ---
  'unshare.badFlags': r('EINVAL', 'check_unshare_flags', 'unshare accepts only THREAD, FS, NEWNS, SIGHAND, VM, FILES, SYSVSEM and the namespace bits'),
  'unshare.threaded': r('EINVAL', 'check_unshare_flags: thread_group_empty', 'THREAD, SIGHAND or VM (also implied by NEWUSER) cannot be unshared by a multithreaded process'),
  'unshare.sharedSighand': r('EINVAL', 'check_unshare_flags: sighand->count', 'SIGHAND or VM cannot be unshared while another task, even a zombie not yet reaped, shares the signal handlers'),
  'unshare.sharedMm': r('EINVAL', 'check_unshare_flags: mm_users', 'VM cannot be unshared while another task shares the mm'),
  'unshare.cap': r('EPERM', 'unshare_nsproxy_namespaces', 'creating a non-user namespace needs CAP_SYS_ADMIN in the user namespace that will own it'),

  // --- clone: kernel/fork.c copy_process / copy_namespaces ---
  'clone.newnsFs': r('EINVAL', 'copy_process', 'CLONE_NEWNS and CLONE_FS together: the fs_struct would span two mount namespaces'),
  'clone.newuserFs': r('EINVAL', 'copy_process', 'CLONE_NEWUSER and CLONE_FS together: the fs_struct would span two user namespaces (CVE-2013-1858)'),
  'clone.threadNoSighand': r('EINVAL', 'copy_process', 'CLONE_THREAD needs CLONE_SIGHAND'),
  'clone.sighandNoVm': r('EINVAL', 'copy_process', 'CLONE_SIGHAND needs CLONE_VM'),
  'clone.parentFromInit': r('EINVAL', 'copy_process: SIGNAL_UNKILLABLE', 'an init (of any pid namespace) may not create siblings with CLONE_PARENT'),
  'clone.threadNewns': r('EINVAL', 'copy_process', 'a thread cannot get a new user or pid namespace, nor be created while pid_for_children differs from the active pid namespace'),
  'clone.ipcSysvsem': r('EINVAL', 'copy_namespaces', 'CLONE_NEWIPC with CLONE_SYSVSEM would share semaphore undo across ipc namespaces'),
  'clone.cap': r('EPERM', 'copy_namespaces', 'creating a non-user namespace needs CAP_SYS_ADMIN in the user namespace that will own it'),
  'clone.newtime': r('EINVAL', 'copy_namespaces / clone3', 'CLONE_NEWTIME is unknown to this kernel', { until: 5006 }),
  'pid.deadNs': r('ENOMEM', 'alloc_pid: PIDNS_ADDING', 'no process may be created in a pid namespace whose init has died'),

  // --- namespace constructors (shared by clone and unshare) ---
  'userns.depth': r('ENOSPC', 'create_user_ns: parent->level > 32', 'user namespaces nest at most 33 levels below the initial one', { since: 3011, errnoHistory: [{ until: 4009, errno: 'EUSERS' }] }),
  'userns.unmappedCreator': r('EPERM', 'create_user_ns: kuid_has_mapping', 'the creator\'s euid and egid must be mapped in its user namespace'),
  'ucount.limit': r('ENOSPC', 'inc_ucount', 'the per-user namespace count (/proc/sys/user/max_*_namespaces) is exhausted at some level', { since: 4009 }),
  'pidns.notActive': r('EINVAL', 'copy_pid_ns', 'a new pid namespace can be made only while pid_for_children equals the active pid namespace'),
  'pidns.ownerNotAncestor': r('EINVAL', 'copy_pid_ns: in_userns', 'the new pid namespace\'s owner must be inside the parent pid namespace\'s owner'),
  'pidns.depth': r('ENOSPC', 'create_pid_namespace: MAX_PID_NS_LEVEL', 'pid namespaces nest at most 32 levels', { since: 3007, errnoHistory: [{ until: 4009, errno: 'EINVAL' }] }),

  // --- /proc/<pid>/ns: fs/proc/namespaces.c ---
  'proc.noTask': r('ENOENT', 'proc_pid_lookup', 'no /proc/<pid> directory: the task was reaped or is not visible in this procfs'),
  'proc.noEntry': r('ENOENT', 'proc_ns_dir_lookup', 'this kernel has no such /proc/<pid>/ns entry'),
  'proc.ptrace': r('EACCES', 'proc_ns_get_link: ptrace_may_access(PTRACE_MODE_READ_FSCREDS)', 'the caller may not inspect the task'),
  'proc.noNs': r('ENOENT', 'proc_ns_get_link: ops->get', 'the task has no such namespace now: a zombie has no nsproxy, and pid_for_children has none until its init exists'),

  // --- fds, files ---
  'close.badFd': r('EBADF', 'close_fd', 'the fd variable is not open'),

  // --- mounts: fs/namespace.c ---
  'mount.cap': r('EPERM', 'may_mount', 'mounting needs CAP_SYS_ADMIN over the owner of the caller\'s mount namespace'),
  'mount.noSource': r('ENOENT', 'do_loopback: kern_path', 'the source path does not resolve'),
  'mntns.loop': r('EINVAL', 'mnt_ns_loop', 'a mount-namespace file may only be bound inside an older mount namespace (creation order), so binds never form a cycle', { since: 3008 }),
  'mount.sourceUnlinked': r('ENOENT', 'do_loopback: kern_path of /proc/self/fd/N', 'the source fd names a target file that has since been unlinked'),
  'mount.sourceUnbindable': r('EINVAL', '__do_loopback: IS_MNT_UNBINDABLE', 'the mount the source lies on is unbindable'),
  'mount.sourceNotInNs': r('EINVAL', '__do_loopback: check_mnt', 'the source must be mounted in the caller\'s mount namespace, unless it is a namespace file (nsfs); a pidfd never is'),
  'mount.dirMismatch': r('ENOTDIR', 'graft_tree', 'a directory can only be mounted on a directory, a file only on a file'),
  'mount.noTarget': r('ENOENT', 'path lookup', 'the target does not exist'),
  'umount.cap': r('EPERM', 'may_mount (ksys_umount)', 'unmounting needs CAP_SYS_ADMIN over the owner of the caller\'s mount namespace'),
  'umount.notMounted': r('EINVAL', 'do_umount: check_mnt', 'the target is not a mount point in the caller\'s mount namespace'),
  'umount.locked': r('EINVAL', 'can_umount: MNT_LOCKED', 'mounts copied into a mount namespace of a less privileged user namespace are locked together'),
  'umount.busy': r('EBUSY', 'do_umount: propagate_mount_busy', 'a file opened through the mount, or through a copy propagation would remove with it, pins it; only MNT_DETACH can remove it'),
  'mount.propagatesMntNsFile': r('EINVAL', 'attach_recursive_mnt → propagate_mnt → copy_tree (is_mnt_ns_file)', 'a mount-namespace file cannot be bound where propagation would copy it into another mount namespace', { since: 3009 }),
  'propagation.cap': r('EPERM', 'path_mount: may_mount', 'changing propagation needs CAP_SYS_ADMIN over the owner of the caller\'s mount namespace'),
  'propagation.notMountRoot': r('EINVAL', 'do_change_type: path_mounted', 'only the root of a mount can change its propagation'),

  // --- filesystem mounts: fs/namespace.c do_new_mount, fs/super.c mount_capable ---
  'mountfs.sysfsNetCap': r('EPERM', 'sysfs_init_fs_context: kobj_ns_current_may_mount', 'mounting sysfs needs CAP_SYS_ADMIN over the owner of the caller\'s net namespace'),
  'mountfs.busy': r('EBUSY', 'do_add_mount', 'the same superblock is already mounted on that mount point (sysfs and mqueue have one superblock per namespace)'),
  'mountfs.cap': r('EPERM', 'mount_capable', 'a filesystem mount needs CAP_SYS_ADMIN over the owner of the namespace it shows (proc: the active pid namespace; sysfs: the net namespace; mqueue: the ipc namespace)'),

  // --- the targets as files: fs/namei.c ---
  'create.exists': r('EEXIST', 'open(O_CREAT|O_EXCL) / mkdir: lookup_open', 'the target already exists'),
  'unlink.noTarget': r('ENOENT', 'do_unlinkat: lookup', 'the target does not exist'),
  'unlink.sticky': r('EPERM', 'may_delete: check_sticky', 'the base directory is sticky (1777, owned by root): only the file\'s owner, root, or CAP_FOWNER may remove it'),
  'unlink.mountpoint': r('EBUSY', 'vfs_unlink / vfs_rmdir: d_mountpoint', 'before 3.18 a target mounted on in any mount namespace could not be removed', { until: 3018 }),
  'unlink.localMountpoint': r('EBUSY', 'vfs_unlink / vfs_rmdir: is_local_mountpoint', 'the target is a mount point in the caller\'s mount namespace (mounts in other namespaces are detached instead)', { since: 3018 }),

  // --- nsfs ioctls: fs/nsfs.c ns_ioctl ---
  'ioctl.badFd': r('EBADF', 'fdget (ioctl)', 'the fd is not open or was opened O_PATH'),
  'ioctl.notNsfs': r('ENOTTY', 'vfs_ioctl', 'the fd is not a namespace file'),
  'ioctl.unknown': r('ENOTTY', 'ns_ioctl', 'unknown or unsupported ioctl request for this kernel'),
  'ioctl.noParent': r('EINVAL', 'ns_ioctl: NS_GET_PARENT', 'only pid and user namespaces have parents (no get_parent operation)', { since: 4009 }),
  'ioctl.userOutOfScope': r('EPERM', 'ns_get_owner', 'the owner (or parent) user namespace is outside the caller\'s user namespace', { since: 4009 }),
  'ioctl.pidOutOfScope': r('EPERM', 'pidns_get_parent', 'the parent pid namespace is above the caller\'s active pid namespace', { since: 4009 }),
  'ioctl.notUserNs': r('EINVAL', 'ns_ioctl: NS_GET_OWNER_UID', 'NS_GET_OWNER_UID applies to user namespaces only', { since: 4011 }),
  'ioctl.notMntNs': r('EINVAL', 'ns_ioctl: NS_GET_MNTNS_ID', 'NS_GET_MNTNS_ID applies to mount namespaces only', { since: 6011 }),

  // --- sockets: net/socket.c ---
  'ioctl.sockCap': r('EPERM', 'sock_ioctl: SIOCGSKNS ns_capable(CAP_NET_ADMIN)', 'SIOCGSKNS needs CAP_NET_ADMIN over the owner of the socket\'s net namespace', { since: 4009 }),
  'socketat.enosys': r('ENOSYS', '(no such system call)', 'socketat(nsfd, ...) was proposed with setns in 2010-2011 and never merged; the socketat-2011 variant has it'),
  'socketat.badFd': r('EBADF', 'socketat (proposed): get_net_ns_by_fd', 'the namespace fd is not open'),
  'socketat.notNetNs': r('EINVAL', 'socketat (proposed): get_net_ns_by_fd', 'the fd is not a net namespace file'),

  // --- pidfd: kernel/pid.c pidfd_open ---
  'pidfd.noProcess': r('ESRCH', 'pidfd_open: find_get_pid', 'the process is reaped, or not visible from the caller\'s pid namespace'),
  // ENOENT since 6.16 ("pidfd: improve uapi when task isn't found", vfs-6.16-rc1): observed on
  // Linux 6.18, pidfd_open of a non-leader thread fails ENOENT (rules/pidfd.notLeader+reach)
  'pidfd.notLeader': r('ENOENT', 'pidfd_prepare: !pid_has_task(PIDTYPE_TGID) without PIDFD_THREAD', 'without PIDFD_THREAD a pidfd refers to a thread-group leader', { errnoHistory: [{ until: 6016, errno: 'EINVAL' }] }),
  'pidfd.unsupported': r('EINVAL', 'pidfd_open', 'pidfds do not exist before 5.3', { until: 5003 }),

  // --- uts ---
  'uts.cap': r('EPERM', 'sethostname: ns_capable(uts->user_ns, CAP_SYS_ADMIN)', 'setting the hostname needs CAP_SYS_ADMIN over the uts namespace\'s owner'),
  'uts.tooLong': r('EINVAL', 'sethostname', 'a hostname is at most 64 bytes'),

  // --- ipc ---
  'shm.perm': r('EACCES', 'ipcget_public → ipcperms', 'finding an existing segment with IPC_CREAT|0600 needs the owner\'s uid (or CAP_IPC_OWNER over the ipc namespace)'),
  'shm.noKey': r('ENOENT', 'shmget', 'no shared-memory segment with that key in the caller\'s ipc namespace'),

  // --- credentials: kernel/sys.c ---
  'cred.capset': r('EPERM', 'cap_capset', 'capset can keep only capabilities that are still permitted'),
  'cred.setgroups': r('EPERM', 'may_setgroups', 'setgroups needs CAP_SETGID and a user namespace with a gid map whose setgroups is allowed'),
  'cred.setid': r('EPERM', 'setresuid: ns_capable_setid', 'changing uids needs CAP_SETUID in the caller\'s user namespace'),
  'cred.setgid': r('EPERM', '__sys_setresgid: ns_capable_setid(CAP_SETGID)', 'changing gids to ones the task does not hold needs CAP_SETGID in its user namespace'),
  'cred.groupUnmapped': r('EINVAL', 'setgroups: groups_from_user (make_kgid)', 'every supplementary gid must be mapped in the caller\'s user namespace'),
  'cred.capsetEffective': r('EPERM', 'cap_capset: cap_issubset(*effective, *permitted)', 'the new effective set must lie within the new permitted set'),
  'cred.unmapped': r('EINVAL', 'setresuid: make_kuid', 'the uid is not mapped in the caller\'s user namespace'),

  // --- id maps: kernel/user_namespace.c map_write, proc_setgroups_write ---
  'map.open': r('EACCES', 'proc inode permission (generic_permission)', '/proc/<pid>/{uid_map,gid_map,setgroups} are 0644 files of the task\'s euid: others need CAP_DAC_OVERRIDE'),
  'map.noTask': r('ENOENT', 'proc_pid_lookup', 'the target task has been reaped'),
  'map.alreadySet': r('EPERM', 'map_write', 'a uid or gid map can be written only once'),
  'map.wrongNs': r('EPERM', 'map_write', 'the writer must be in the target user namespace or its parent'),
  'map.cap': r('EPERM', 'map_write: file_ns_capable(CAP_SYS_ADMIN)', 'the writer needs CAP_SYS_ADMIN over the target user namespace'),
  'map.parse': r('EINVAL', 'map_write', 'a map line is "inside outside count" with a nonzero count, extents not overlapping'),
  'map.rootWithoutSetfcap': r('EPERM', 'verify_root_map', 'mapping outside uid 0 needs CAP_SETFCAP: the namespace\'s creator had it (writing one\'s own map) or the writer has it over the parent'),
  'map.notPermitted': r('EPERM', 'new_idmap_permitted', 'without CAP_SETUID/CAP_SETGID over the parent, only the owner\'s own id may be mapped (for gids, after setgroups is denied)'),
  'map.unmappedLower': r('EPERM', 'map_write: map_id_range_down', 'the outside ids must be mapped in the parent user namespace'),
  'setgroups.afterGidMap': r('EPERM', 'proc_setgroups_write', 'setgroups cannot be denied after the gid map is written'),
  // proc_setgroups_open returns -EACCES (ret = -EACCES before the ns_capable check); observed on
  // Linux 6.18 (rules/setgroups.cap+reach)
  'setgroups.cap': r('EACCES', 'proc_setgroups_open: ns_capable(ns, CAP_SYS_ADMIN)', 'opening setgroups for writing needs CAP_SYS_ADMIN over the user namespace'),

  // --- wait ---
  'wait.notChild': r('ECHILD', 'do_wait', 'the named task is not a child of the caller'),
  'wait.running': r('EAGAIN', 'do_wait (WNOHANG); delay_group_leader', 'the child cannot be reaped yet: it still runs, or it is a leader whose other threads still run; the model does not block'),
} as const satisfies Record<string, RuleInfo>;

export type RuleName = keyof typeof RULES;
export const RULE_NAMES = Object.keys(RULES) as RuleName[];

export function isRuleName(s: string): s is RuleName {
  return Object.prototype.hasOwnProperty.call(RULES, s);
}
