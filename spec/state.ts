// The kernel objects the model tracks.
//
// The layout follows the kernel's own structure (include/linux/nsproxy.h, sched.h, cred.h,
// ns_common.h): a task points to a shared, counted nsproxy holding one namespace per slot;
// its user namespace lives in its credentials; its active pid namespace is fixed by its
// struct pid. Every object sits in a table indexed by a dense id. A row is an immutable value:
// a syscall that changes an object puts a new row in its slot (spec/tx.ts), so a row read
// earlier is a snapshot. Ids are allocated deterministically (the lowest free slot), so replay
// and shrinking produce the same ids every time.
//
// A freed object stays in its slot as a tombstone (`freed: true`, a task `reaped`) for the rest
// of the step that freed it: that is what lets an invariant notice a reference to a freed object
// instead of crashing on a missing one. Before the next step the slot becomes reusable
// (spec/world.ts), so a long trace does not accumulate dead rows.

export type Brand<T, B extends string> = T & { readonly __brand: B };
export type TaskId = Brand<number, 'TaskId'>;
export type NsId = Brand<number, 'NsId'>;
export type ProxyId = Brand<number, 'ProxyId'>;
export type FileId = Brand<number, 'FileId'>;
export type FdTableId = Brand<number, 'FdTableId'>;
export type FsId = Brand<number, 'FsId'>;
export type MmId = Brand<number, 'MmId'>;
export type InodeId = Brand<number, 'InodeId'>;
export type MountId = Brand<number, 'MountId'>;

/** The eight namespace types, in the kernel's install order (see spec/ns-types/index.ts). */
export const NS_TYPES = ['user', 'mnt', 'uts', 'ipc', 'pid', 'cgroup', 'net', 'time'] as const;
export type NsType = (typeof NS_TYPES)[number];

/** The eight nsproxy slots (struct nsproxy). The user namespace is not among them: it is in the cred. */
export const SLOTS = ['uts', 'ipc', 'mnt', 'pidForChildren', 'net', 'cgroup', 'time', 'timeForChildren'] as const;
export type Slot = (typeof SLOTS)[number];

/** Capabilities the rules consult, as bits of a mask (the model's own numbering). */
export const CAPS = {
  SYS_ADMIN: 1 << 0,
  SYS_CHROOT: 1 << 1,
  SYS_PTRACE: 1 << 2,
  SETUID: 1 << 3,
  SETGID: 1 << 4,
  SETFCAP: 1 << 5,
  CHECKPOINT_RESTORE: 1 << 6,
  SYS_TIME: 1 << 7,
  IPC_OWNER: 1 << 8,
  DAC_OVERRIDE: 1 << 9,
  NET_ADMIN: 1 << 10,
  SETPCAP: 1 << 11,
  FOWNER: 1 << 12,
} as const;

/** Linux's capability numbers (include/uapi/linux/capability.h) of the ones the model keeps. */
export const CAP_NUMBERS: Readonly<Record<CapName, number>> = {
  SYS_ADMIN: 21, SYS_CHROOT: 18, SYS_PTRACE: 19, SETUID: 7, SETGID: 6, SETFCAP: 31, CHECKPOINT_RESTORE: 40,
  SYS_TIME: 25, IPC_OWNER: 15, DAC_OVERRIDE: 1, NET_ADMIN: 12, SETPCAP: 8, FOWNER: 3,
};
export type CapName = keyof typeof CAPS;
export const ALL_CAPS = Object.values(CAPS).reduce((a, b) => a | b, 0);

/** struct cred, reduced to what namespace rules read. fsuid follows euid, suid follows uid. */
export interface Cred {
  readonly uid: number;
  readonly euid: number;
  /** saved set-user-id (fsuid follows euid: the model has no setfsuid) */
  readonly suid: number;
  readonly gid: number;
  readonly egid: number;
  readonly sgid: number;
  /** effective capability set (mask of CAPS) */
  readonly capEff: number;
  /** permitted set: what capset may raise again */
  readonly capPrm: number;
  /** cred->user_ns: the task's user namespace, held by the cred */
  readonly userNs: NsId;
}

export type TaskState = 'running' | 'zombie' | 'reaped';

export interface Task {
  readonly id: TaskId;
  /** the trace's name for the task */
  readonly name: string;
  readonly state: TaskState;
  /** real parent; null means a process outside the trace (an init that reaps at once) */
  readonly parent: TaskId | null;
  /** thread-group leader (itself for a process) */
  readonly leader: TaskId;
  /** struct pid: the number at every level, from the root pid namespace (index 0) down */
  readonly pids: readonly number[];
  /** task_active_pid_ns(): the namespace of the struct pid; never changes */
  readonly pidNs: NsId;
  readonly proxy: ProxyId | null;
  readonly cred: Cred;
  readonly fs: FsId | null;
  readonly files: FdTableId | null;
  readonly mm: MmId | null;
  /**
   * sighand_struct, a number from a counter in the state: tasks created with CLONE_SIGHAND share
   * it until they are reaped (__exit_signal), not merely until they exit
   */
  readonly sighand: number;
  /**
   * SIGCHLD is ignored (SIG_IGN): children are reaped as they exit. Inherited by fork, shared by
   * every task of the sighand. Set by zap_pid_ns_processes on the dying init's sighand.
   */
  readonly ignoresSigchld: boolean;
  readonly exitCode: number | null;
  /**
   * user_dumpable: whether its mm was dumpable when it exited (exit_mm keeps it, so ptrace checks
   * on a zombie still see it; 31e62c2ebbfd "ptrace: slightly saner 'get_dumpable()' logic")
   */
  readonly userDumpable: boolean;
}

export interface Nsproxy {
  readonly id: ProxyId;
  /** how many tasks point at this nsproxy */
  readonly refs: number;
  readonly freed: boolean;
  readonly slots: Readonly<Record<Slot, NsId>>;
}

/** One bind mount of a namespace file (an nsfs dentry) inside a mount namespace. */
export interface NsMount {
  readonly id: MountId;
  readonly target: string;
  readonly dir: boolean;
  /** the namespace file bound there; null for a bind of an ordinary file */
  readonly inode: InodeId | null;
  /** MNT_LOCKED: copied into a mount namespace of a less privileged user namespace */
  readonly locked: boolean;
  /** made unbindable (MS_UNBINDABLE on the bind); a copy made with its namespace is not (6.18) */
  readonly unbindable?: boolean;
  /** a filesystem mounted there instead of a bind (mount -t proc|sysfs|mqueue); absent for binds */
  readonly fs?: FsType;
  /**
   * the namespace its superblock holds a counted reference on (proc: its pid namespace); null
   * when it holds none (sysfs: a passive reference only; mqueue: none)
   */
  readonly pins?: NsId | null;
  /** filesystem mounts: the namespace the superblock belongs to (sysfs and mqueue have one superblock per namespace) */
  readonly shows?: NsId;
}

export type FsType = 'proc' | 'sysfs' | 'mqueue';

/** A target: a file or directory in the base directory (tmpfs, mode 1777, owned by global root). */
export interface TargetFile {
  /** which file it is (a new one when a name is created again) */
  readonly id: number;
  readonly dir: boolean;
  /** the creator's fsuid (a global id), which may unlink it from the sticky directory */
  readonly owner: number;
}

/** A SysV shared-memory segment: it holds its creator's cred and struct pid until removed. */
export interface ShmSegment {
  readonly key: number;
  /** the creator's euid/egid, which own the 0600 segment */
  readonly uid: number;
  readonly gid: number;
  /** the creator's cred's user namespace (held) */
  readonly userNs: NsId;
  /** the creator's struct pid's pid namespace (held, shm_cprid) */
  readonly pidNs: NsId;
}

export interface IdExtent { readonly inside: number; readonly outside: number; readonly count: number }

export interface Namespace {
  readonly id: NsId;
  readonly type: NsType;
  /** proc inode number (recycled after free, like the kernel's IDA) */
  readonly inum: number;
  /** 64-bit namespace id (6.18: one global counter, never reused); also the mount-ns order */
  readonly nsId: number;
  /** __ns_ref: holders counted by the model (see properties/refcounts.ts for the list) */
  readonly refs: number;
  readonly freed: boolean;
  /**
   * held by something outside the trace, which keeps one reference for good: the initial
   * namespaces (init_nsproxy, init_cred), and the pid namespaces P starts in below them
   */
  readonly external: boolean;
  /** owning user namespace (a user namespace's owner is its parent); null for the initial user ns */
  readonly owner: NsId | null;
  /** parent, for pid and user namespaces */
  readonly parent: NsId | null;
  readonly level: number;
  /** the stashed nsfs inode, if one exists (ns->stashed) */
  readonly stashed: InodeId | null;
  /** ucounts entry charged at creation (user ns, uid); null for initial namespaces */
  readonly charge: { readonly userNs: NsId; readonly uid: number } | null;

  // pid namespace
  /**
   * child_reaper: the task with pid 1. The kernel keeps the pointer after the init dies; the
   * model keeps it until the init is reaped. Whether the namespace ever had an init is
   * `lastPid > 0` (its first process is the init).
   */
  readonly reaper: TaskId | null;
  /** PIDNS_ADDING: cleared when the init dies */
  readonly adding: boolean;
  readonly lastPid: number;

  // user namespace
  readonly ownerUid: number;
  readonly ownerGid: number;
  readonly uidMap: readonly IdExtent[] | null;
  readonly gidMap: readonly IdExtent[] | null;
  readonly setgroupsDeny: boolean;
  /** parent_could_setfcap: the creator had CAP_SETFCAP (verify_root_map) */
  readonly parentCouldSetfcap: boolean;
  /** per (type, uid) ucount charges at this level: key `${type}:${uid}` */
  readonly ucounts: Readonly<Record<string, number>>;
  /** ucount_max for this user namespace, per type */
  readonly ucountMax: number;

  // uts
  readonly hostname: string;
  // ipc
  readonly shm: readonly ShmSegment[];
  // mnt
  readonly mounts: readonly NsMount[];
  /**
   * propagation of the mount the bind targets live on (the base directory, a mount root in every
   * mount namespace): its peer group (0: not shared), the group it is a slave of (0: none), and
   * whether it is unbindable. Group ids are opaque; mounts with the same id are peers.
   */
  readonly peerGroup: number;
  readonly master: number;
  readonly unbindable: boolean;
}

/** The single nsfs inode of a namespace; it owns one namespace reference (nsfs_evict drops it). */
export interface NsfsInode {
  readonly id: InodeId;
  readonly ns: NsId;
  /** holders of the dentry: open files and bind mounts */
  readonly users: number;
  readonly freed: boolean;
}

export type FileKind = 'nsfs' | 'pidfd' | 'file' | 'dir' | 'socket';

/** An open file description (struct file). */
export interface OpenFile {
  readonly id: FileId;
  readonly kind: FileKind;
  /** opened with O_PATH: usable for fstat, not for setns or ioctl */
  readonly opath: boolean;
  /** nsfs files: the inode they keep alive */
  readonly inode: InodeId | null;
  /** pidfds: the task whose struct pid they hold, and that pid's namespace (held) */
  readonly pidTask: TaskId | null;
  readonly pidNs: NsId | null;
  /** f_cred: the opener's credentials, which keep their user namespace allocated (held) */
  readonly credNs: NsId;
  /** ordinary files: the mount namespace whose mount they were opened on */
  readonly mntNs: NsId | null;
  /** the bind mount the file was opened through (pins it: umount gives EBUSY) */
  readonly viaMount: MountId | null;
  /** sockets: the net namespace they were created in (sk_net, a counted reference) */
  readonly sockNet: NsId | null;
  /** a target file opened as itself (no mount on it): which one (TargetFile.id), to know when it was unlinked */
  readonly targetFile: number | null;
  /** fd-table slots pointing at this description */
  readonly refs: number;
  readonly freed: boolean;
}

/** files_struct: the fd table, named by the trace's fd variables. */
export interface FdTable {
  readonly id: FdTableId;
  readonly users: number;
  readonly fds: ReadonlyMap<string, FileId>;
  readonly freed: boolean;
}

/** fs_struct: root and cwd, located by the mount namespace they sit in. */
export interface FsStruct {
  readonly id: FsId;
  readonly users: number;
  readonly rootNs: NsId;
  readonly cwdNs: NsId;
  readonly freed: boolean;
}

/** mm_struct, reduced to what time namespaces and ptrace read. */
export interface Mm {
  readonly id: MmId;
  readonly users: number;
  /** mm->user_ns: the user namespace ptrace consults for a non-dumpable task */
  readonly userNs: NsId;
  readonly dumpable: boolean;
  readonly freed: boolean;
}

export interface Tables {
  tasks: Task;
  ns: Namespace;
  proxies: Nsproxy;
  inodes: NsfsInode;
  files: OpenFile;
  fdtables: FdTable;
  fss: FsStruct;
  mms: Mm;
}
export type TableName = keyof Tables;

export const TABLE_NAMES: readonly TableName[] = ['tasks', 'ns', 'proxies', 'inodes', 'files', 'fdtables', 'fss', 'mms'];

/** The model's own allocation counters: they decide ids, never behaviour. */
export interface Counters {
  /** next 64-bit namespace id (6.18: one global counter, never reused; also the mount-ns order) */
  nextNsId: number;
  nextMountId: number;
  nextSighand: number;
}

/** A state as the rules and properties read it. */
export type State = { readonly [K in TableName]: readonly Tables[K][] } & Readonly<Counters> & {
  /** bind targets that exist (created on first use, shared by every mount namespace) */
  readonly targets: ReadonlyMap<string, TargetFile>;
  /** trace name → task */
  readonly names: ReadonlyMap<string, TaskId>;
};

/**
 * The state a run steps in place (spec/world.ts). Tables are arrays of immutable rows; a step
 * replaces rows and journals the ones it replaced (spec/tx.ts). `free` lists the reusable slots
 * of every table, lowest first; `dying` the slots freed by the last step, released at the start
 * of the next one.
 */
export type World = { [K in TableName]: Tables[K][] } & Counters & {
  targets: Map<string, TargetFile>;
  names: Map<string, TaskId>;
  free: { [K in TableName]: number[] };
  dying: { table: TableName; id: number }[];
};
