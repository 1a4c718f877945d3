// The operations record every namespace type fills, after the kernel's struct
// proc_ns_operations (include/linux/proc_ns.h): name, clone flag, install, owner, get_parent,
// plus the constructor (copy_*_ns) and where the namespace lives in a task. A missing optional
// entry has the kernel's meaning: no `getParent` means NS_GET_PARENT is EINVAL; no `install`
// means the type cannot be joined with setns on that kernel.

import type { Failure } from '../semantics';
import type { Cred, Namespace, NsId, NsType, Slot, Task } from '../state';
import type { Call, Tx } from '../tx';

/** struct nsset: the scratch copy setns installs into (kernel/nsproxy.c prepare_nsset). */
export interface NsSet {
  readonly flags: number;
  /** the temporary nsproxy */
  slots: Record<Slot, NsId>;
  /** the temporary cred (differs from the caller's only after the user install) */
  cred: Cred;
  /** the fs_struct the install sees: the caller's own for setns(fd, CLONE_NEWNS), else a private copy */
  fs: { rootNs: NsId; cwdNs: NsId; users: number };
}

/** The call a namespace is created for: clone (fork, clone_probe) or unshare, with its flags. */
export interface CreateCall {
  readonly syscall: 'clone' | 'unshare';
  readonly flags: number;
}

/** What a constructor is given (create_new_namespaces arguments). */
export interface CreateRequest {
  /** the namespace in the creating task's slot, which the new one is copied from or nested under */
  readonly old: Namespace;
  /** the user namespace that will own the new namespace */
  readonly owner: NsId;
  /** the creating task's credentials before the call */
  readonly cred: Cred;
  readonly task: Task;
  /** the syscall that creates it, and the flags it was given */
  readonly call: CreateCall;
}

export interface NsTypeOps {
  readonly name: NsType;
  /** CLONE_NEW* bit */
  readonly flag: number;
  readonly flagName: string;
  /** the fixed inode number of the initial namespace of this type */
  readonly initInum: number;
  /** kernel version that introduced the type */
  readonly since: number;
  /** where a task keeps its own namespace of this type: an nsproxy slot, or null (user: cred; pid: struct pid) */
  readonly slot: Slot | null;
  /** the slot a new namespace of this type goes to on clone/unshare */
  readonly createSlot: Slot | null;
  /** the owning user namespace as nsfs reports it (ns_get_owner); a user namespace's is its parent */
  owner(ns: Namespace): NsId | null;
  /**
   * get_parent, for NS_GET_PARENT: the parent, or the failure of the type's own scope rule
   * (a handle above the caller's own namespace is never handed out). Absent for types without a
   * hierarchy, which makes NS_GET_PARENT EINVAL.
   */
  readonly getParent?: (c: Call, ns: Namespace) => NsId | Failure;
  /** proc_ns_operations.get's reference: take one on a namespace of this type (default: the common count) */
  readonly get: (tx: Tx, id: NsId) => void;
  /** proc_ns_operations.put: drop one (default: the common count, freeing at zero) */
  readonly put: (tx: Tx, id: NsId) => void;
  /** proc_ns_operations.install: checks in kernel order, then changes the scratch nsset */
  readonly install?: (c: Call, set: NsSet, target: Namespace) => Failure | undefined;
  /** copy_*_ns / create_*_ns: checks in kernel order, then a new namespace (one reference held) */
  readonly create: (c: Call, req: CreateRequest) => Namespace | Failure;
}
