// The semantics a trace runs under: which kernel version, which guards are in force, which
// behaviours are on. The default (linux-6.18) is one readable path through spec/syscalls;
// a variant (a history profile, a historical bug, a proposed design) changes named guards,
// named behaviours or entries of the namespace-type table, never a copy of the spec.

import { applyHooks, type HookOverrides, type Hooks } from './hooks';
import { LIFECYCLE_KERNEL } from './lifecycle';
import { MOUNT_KERNEL } from './syscalls/mount';
import { pidNsTooDeepKernel } from './ns-types/pid';
import { userNsTooDeepKernel } from './ns-types/user';
import { PROC_KERNEL } from './proc';
import { REF_KERNEL } from './refs';
import { RULES, RULE_NAMES, type Errno, type RuleName } from './rules';
import type { NsType } from './state';
import type { NsTypeOps } from './ns-types/ops';

/**
 * Behaviours a variant may switch. Each is one named step of the kernel's algorithm whose
 * absence (or, for the `false`-by-default ones, presence) re-creates a historical bug.
 */
export const EFFECTS = {
  'nsfs.stash': { default: true, kernel: 'path_from_stashed (fs/libfs.c)', doc: 'a namespace\'s nsfs inode is stashed and reused, so there is at most one per namespace' },
  'nsfs.evictUnused': { default: true, kernel: 'always_delete_dentry / nsfs_evict', doc: 'when no file or mount uses an nsfs dentry it is deleted and the inode drops its namespace reference' },
  'mntns.copySkipsMntBinds': { default: true, kernel: 'copy_mnt_ns: CL_COPY_MNT_NS_FILE', doc: 'copying a mount tree for a new mount namespace leaves out binds of mount-namespace files' },
  'mntns.resetRootCwd': { default: true, kernel: 'mntns_install: set_fs_root/set_fs_pwd', doc: 'joining a mount namespace moves root and cwd to its root' },
  'ucount.decOnFree': { default: true, kernel: 'dec_ucount via *_free', doc: 'freeing a namespace gives back its per-user count' },
  'setns.transactional': { default: true, kernel: 'validate_nsset / commit_nsset', doc: 'setns installs into a scratch nsset and commits only when every install succeeded' },
  'create.unwind': { default: true, kernel: 'create_new_namespaces error path', doc: 'a failed clone or unshare releases every namespace it created before the failure' },
  'pidns.installKeepsActive': { default: true, kernel: 'pidns_install', doc: 'setns into a pid namespace changes pid_for_children only, never the caller\'s own pid namespace' },
  'nsfs.stashReuseDropsRef': { default: true, kernel: 'path_from_stashed (fast path)', doc: 'reusing the stashed inode drops the reference the proc get took' },
  'ns.inumFromFreeIds': { default: true, kernel: 'proc_alloc_inum (ida_alloc)', doc: 'a new namespace gets an inode number no live namespace has' },
  'clone.allocInPidForChildren': { default: true, kernel: 'copy_process → alloc_pid(p->nsproxy->pid_ns_for_children)', doc: 'a child\'s pid is allocated in its pid_for_children namespace' },
  'proc.getFailureBalanced': { default: true, kernel: 'pidns_for_children_get', doc: 'a proc ns get that fails after taking a reference drops exactly that reference' },
} as const;
export type EffectName = keyof typeof EFFECTS;
export const EFFECT_NAMES = Object.keys(EFFECTS) as EffectName[];

export interface Failure {
  readonly ok: false;
  readonly errno: Errno;
  readonly rule: RuleName;
  /**
   * The state after a call that failed part-way. The default semantics never set it except for
   * compound operations that the kernel itself performs as several writes (write_map); a
   * variant re-creating a non-atomic bug may.
   */
  readonly partial?: unknown;
}

/**
 * The kernel's limits, as parameters a scope may scale down (small-scope checking: with a depth
 * of 2 a missing depth check shows in a few steps instead of 33), as TLC users set CONSTANTS.
 * The default semantics keep the kernel's values.
 */
export interface Limits {
  /** MAX_PID_NS_LEVEL: the deepest pid namespace level (the initial one is 0) */
  readonly pidNsMaxLevel: number;
  /** the deepest user namespace level (create_user_ns refuses a parent above level 32: 33) */
  readonly userNsMaxLevel: number;
  /** /proc/sys/user/max_*_namespaces of the initial user namespace (threads-max / 2) */
  readonly maxNamespacesInit: number;
  /** the same in every user namespace created later (INT_MAX) */
  readonly maxNamespacesNested: number;
}

export const KERNEL_LIMITS: Limits = { pidNsMaxLevel: 32, userNsMaxLevel: 33, maxNamespacesInit: 96365, maxNamespacesNested: 0x7fffffff };

export interface Semantics {
  readonly name: string;
  readonly doc: string;
  /** kernel version as major*1000+minor */
  readonly kernel: number;
  readonly limits: Limits;
  /** the replaceable kernel functions (spec/hooks.ts), with the variant's overrides */
  readonly hooks: Hooks;
  /** the guard result for a rule, or undefined when the rule is not in force */
  readonly failures: Readonly<Record<RuleName, Failure | undefined>>;
  readonly effects: Readonly<Record<EffectName, boolean>>;
  /** the namespace-type table, in install order, with the variant's overrides applied */
  readonly types: readonly NsTypeOps[];
  readonly typeOf: Readonly<Record<NsType, NsTypeOps>>;
}

/** The errno a rule returns on a given kernel version. */
export function errnoAt(rule: RuleName, kernel: number): Errno {
  const info = RULES[rule] as { errno: Errno; errnoHistory?: readonly { until: number; errno: Errno }[] };
  for (const h of info.errnoHistory ?? []) if (kernel < h.until) return h.errno;
  return info.errno;
}

export function ruleInForce(rule: RuleName, kernel: number): boolean {
  const info = RULES[rule] as { since?: number; until?: number };
  return (info.since === undefined || kernel >= info.since) && (info.until === undefined || kernel < info.until);
}

export interface SemanticsInput {
  readonly name: string;
  readonly doc: string;
  readonly kernel: number;
  readonly disable: readonly RuleName[];
  readonly errno: Readonly<Partial<Record<RuleName, Errno>>>;
  readonly effects: Readonly<Partial<Record<EffectName, boolean>>>;
  readonly types: readonly NsTypeOps[];
  readonly hooks?: HookOverrides;
  readonly limits?: Partial<Limits>;
}

/** The model's own kernel functions: the hook table before any variant. */
export const DEFAULT_HOOKS: Hooks = {
  ...REF_KERNEL,
  ...LIFECYCLE_KERNEL,
  ...PROC_KERNEL,
  ...MOUNT_KERNEL,
  pidNsTooDeep: pidNsTooDeepKernel,
  userNsTooDeep: userNsTooDeepKernel,
  afterCommit: () => undefined,
};

export function buildSemantics(input: SemanticsInput): Semantics {
  const disabled = new Set(input.disable);
  const failures = {} as Record<RuleName, Failure | undefined>;
  for (const rule of RULE_NAMES) {
    failures[rule] = disabled.has(rule) || !ruleInForce(rule, input.kernel)
      ? undefined
      : Object.freeze({ ok: false as const, errno: input.errno[rule] ?? errnoAt(rule, input.kernel), rule });
  }
  const effects = {} as Record<EffectName, boolean>;
  for (const e of EFFECT_NAMES) effects[e] = input.effects[e] ?? EFFECTS[e].default;
  const types = input.types.filter((t) => input.kernel >= t.since);
  const typeOf = {} as Record<NsType, NsTypeOps>;
  for (const t of input.types) typeOf[t.name] = t;
  const limits = { ...KERNEL_LIMITS, ...input.limits };
  return { name: input.name, doc: input.doc, kernel: input.kernel, limits, hooks: applyHooks(DEFAULT_HOOKS, input.hooks), failures, effects, types, typeOf };
}

const derived = new WeakMap<Semantics, Map<string, Semantics>>();

/**
 * The same semantics with some limits scaled (a trace found under a scope's small-scope
 * constants carries them, so that it replays as it was found). Cached per semantics.
 */
export function withLimits(sem: Semantics, limits: Partial<Limits> | undefined): Semantics {
  if (!limits || Object.keys(limits).length === 0) return sem;
  const merged: Limits = { ...sem.limits, ...limits };
  const key = JSON.stringify(merged);
  let bySem = derived.get(sem);
  if (!bySem) derived.set(sem, (bySem = new Map()));
  let out = bySem.get(key);
  if (!out) bySem.set(key, (out = { ...sem, limits: merged }));
  return out;
}

/** The limits of `sem` that differ from the kernel's (what a trace records). */
export function scaledLimits(sem: Semantics): Partial<Limits> | undefined {
  const out: Partial<Record<keyof Limits, number>> = {};
  for (const k of Object.keys(KERNEL_LIMITS) as (keyof Limits)[]) if (sem.limits[k] !== KERNEL_LIMITS[k]) out[k] = sem.limits[k];
  return Object.keys(out).length ? out : undefined;
}
