// The kernel functions a variant may replace. Every reference the model takes or drops, every
// allocation of an id, the comparisons inside the depth and mount-order rules, exit, reaping,
// reparenting and the death of a pid namespace's init go through one of these, so a kernel patch
// to any of those paths can be written as a variant (VariantDef.hooks) without editing spec/.
//
// A variant's hook receives the function it replaces (`base`) and the whole table (`hooks`, so it
// can call the others), and returns its own version:
//
//   hooks: { putNs: (base) => (tx, id) => { if (tx.get('ns', id).type !== 'net') base(tx, id); } }
//
// The defaults are the model's kernel functions (spec/refs.ts, spec/lifecycle.ts, ...); the
// implementations call each other through the table, so a replaced hook is used everywhere.

import type { ProcEntry } from './proc';
import type { Failure } from './semantics';
import type { FdTableId, FileId, InodeId, Namespace, NsId, NsMount, NsType, OpenFile, Task, TaskId } from './state';
import type { Call, Outcome, Tx } from './tx';

export type FileFields = Partial<OpenFile> & Pick<OpenFile, 'kind'>;

export interface Hooks {
  /** get_*_ns: take one reference on a namespace */
  getNs(tx: Tx, id: NsId): void;
  /** put_*_ns: drop one reference; the last one frees the namespace (freeNs) */
  putNs(tx: Tx, id: NsId): void;
  /** the destructor of a namespace whose count reached zero: what it holds is released */
  freeNs(tx: Tx, ns: Namespace): void;
  /** proc_alloc_inum: the inode number of a new namespace */
  allocInum(tx: Tx): number;
  /** ns_tree_gen_id: the 64-bit id of a new namespace (also the mount-namespace order) */
  allocNsId(tx: Tx): number;
  /** inc_ucount: charge a new namespace to (user ns, uid) and every level above; a failure refuses it */
  charge(c: Call, type: NsType, userNs: NsId, uid: number): Failure | undefined;
  /** dec_ucount: give a freed namespace's charge back */
  uncharge(tx: Tx, type: NsType, userNs: NsId, uid: number): void;
  /** the /proc/<pid>/ns entry's get (proc_ns_operations.get): the namespace it names, or null */
  procGet(tx: Tx, task: Task, entry: ProcEntry): NsId | null;
  /** after a failed get: what the lookup drops (nothing: a get that fails holds nothing) */
  procGetFailed(tx: Tx, task: Task, entry: ProcEntry): void;
  /** ns_get_path / path_from_stashed: the namespace's nsfs inode, the caller becoming a user of it */
  openNsInode(tx: Tx, ns: NsId): InodeId;
  /** dget of an nsfs dentry */
  getInodeUser(tx: Tx, inode: InodeId): void;
  /** dput of an nsfs dentry: the last user deletes it and the inode drops its namespace reference */
  putInodeUser(tx: Tx, inode: InodeId): void;
  /** alloc_file: a new open file, holding the opener's cred (f_cred: its user namespace) */
  newFile(tx: Tx, credNs: NsId, fields: FileFields): FileId;
  /** fput: drop one reference to an open file; the last releases what it holds */
  putFile(tx: Tx, file: FileId): void;
  /** fd_install under a trace variable (a variable already naming an fd leaves that fd open, unnamed) */
  installFd(tx: Tx, table: FdTableId, name: string, file: FileId): void;
  /** close_fd: false when the variable is not open */
  closeFd(tx: Tx, table: FdTableId, name: string): boolean;
  /** attach a bind mount in a mount namespace: it holds its nsfs dentry */
  bindMount(tx: Tx, mntNs: NsId, mount: NsMount): void;
  /** detach a mount from a mount namespace: it drops its dentry */
  umountMount(tx: Tx, mntNs: NsId, mount: NsMount): void;
  /** mnt_ns_loop: may the caller's mount namespace not hold a bind of `bound` (true: refuse)? */
  mntNsLoop(tx: Tx, caller: Namespace, bound: Namespace): boolean;
  /** create_pid_namespace: is a child of `parent` too deep (MAX_PID_NS_LEVEL)? */
  pidNsTooDeep(tx: Tx, parent: Namespace): boolean;
  /** create_user_ns: is a child of `parent` too deep (parent->level > 32)? */
  userNsTooDeep(tx: Tx, parent: Namespace): boolean;
  /** do_exit for one task */
  exitTask(tx: Tx, id: TaskId, code: number): void;
  /** release_task: a zombie goes away, dropping its cred and struct pid */
  reap(tx: Tx, id: TaskId): void;
  /** forget_original_parent for one child of a dying task: find its new parent */
  reparent(tx: Tx, child: Task, father: Task): void;
  /** zap_pid_ns_processes: the init of `ns` died */
  zapPidNs(tx: Tx, ns: Namespace, init: TaskId): void;
  /** after a call that succeeded (or kept partial effects), before it commits; nothing by default */
  afterCommit(c: Call, step: { readonly op: string; readonly args: Readonly<Record<string, unknown>> }, outcome: Outcome): void;
}

export type HookName = keyof Hooks;

/** What a variant gives for a hook: a function of the replaced one (and the table) returning its own. */
export type HookOverride<K extends HookName> = (base: Hooks[K], hooks: Hooks) => Hooks[K];
export type HookOverrides = { readonly [K in HookName]?: HookOverride<K> };

/** The kernel function each hook stands for (README, docs/variants.md, nscheck variants --hooks). */
export const HOOK_DOCS: Readonly<Record<HookName, string>> = {
  getNs: 'get_*_ns (ns_ref_inc)',
  putNs: 'put_*_ns (ns_ref_put)',
  freeNs: 'the *_free destructors: drop_collected_mounts, shm_exit_ns, dec_ucount, put of parent and owner',
  allocInum: 'proc_alloc_inum (ida_alloc)',
  allocNsId: 'ns_tree_gen_id',
  charge: 'inc_ucount',
  uncharge: 'dec_ucount',
  procGet: 'proc_ns_operations.get (proc_ns_get_link)',
  procGetFailed: 'the error path of proc_ns_get_link',
  openNsInode: 'ns_get_path / path_from_stashed',
  getInodeUser: 'dget (nsfs dentry)',
  putInodeUser: 'dput (nsfs dentry), nsfs_evict',
  newFile: 'alloc_file (f_cred)',
  putFile: 'fput / __fput',
  installFd: 'fd_install',
  closeFd: 'close_fd',
  bindMount: 'attach_recursive_mnt (the mount takes its dentry)',
  umountMount: 'umount_tree (the mount drops its dentry)',
  mntNsLoop: 'mnt_ns_loop',
  pidNsTooDeep: 'create_pid_namespace: level > MAX_PID_NS_LEVEL',
  userNsTooDeep: 'create_user_ns: parent->level > 32',
  exitTask: 'do_exit, exit_notify',
  reap: 'release_task',
  reparent: 'forget_original_parent / find_new_reaper',
  zapPidNs: 'zap_pid_ns_processes',
  afterCommit: '(none: a place for a variant to act after every call)',
};

export const HOOK_NAMES = Object.keys(HOOK_DOCS) as HookName[];

/** The hook table with a variant's overrides applied, in declaration order. */
export function applyHooks(defaults: Hooks, overrides: HookOverrides | undefined): Hooks {
  if (!overrides) return defaults;
  const table = { ...defaults } as Record<HookName, unknown>;
  for (const name of HOOK_NAMES) {
    const make = overrides[name] as ((base: unknown, hooks: Hooks) => unknown) | undefined;
    if (make) table[name] = make(table[name], table as unknown as Hooks);
  }
  return table as unknown as Hooks;
}
