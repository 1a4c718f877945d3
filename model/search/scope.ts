// The scope: the finite action space a search explores, written as data (docs/scope.md). It says
// which operations are used, how many tasks may exist, how many fd variables each task has, the
// bind targets, the flag sets of fork, clone_probe, unshare and pidfd setns, the /proc entries,
// ioctl requests, id maps, credential modes, hostnames and shm keys, and the small-scope
// constants: the kernel's limits scaled down (pid and user namespace depth, max_*_namespaces), as
// TLC users set CONSTANTS. Exhaustive search enumerates every action the scope allows in every
// state; random search draws from the same domains.

import { readLimited } from '../trace';
import { CLONE, cloneFlag } from '../../spec/flags';
import { OPS } from '../../spec/ops';
import { PROC_ENTRY_NAMES } from '../../spec/proc';
import { DROP_MODES } from '../../spec/syscalls/creds';
import { PROPAGATION_TYPES, type PropagationType } from '../../spec/propagation';
import { KERNEL_LIMITS, type Limits, type Semantics } from '../../spec/semantics';
import { semanticsOf, type VariantDef } from '../../spec/variants/define';

export class ScopeError extends Error {}

/**
 * The semantics a search runs: the variant, with the scope's small-scope constants (or the given
 * ones) for the limits the variant does not set itself.
 */
export function searchSemantics(def: VariantDef, scope: Scope, constants = scope.constants): Semantics {
  if (!constants || Object.keys(constants).length === 0) return semanticsOf(def);
  return semanticsOf({ ...def, limits: { ...constants, ...def.limits } });
}

/**
 * A flag-set list entry: a list of CLONE_* names, or every subset of `subsets` (the empty one
 * included), each combined with every set of `with` (default: just the empty set).
 */
export type FlagSetSpec = readonly string[] | { readonly subsets: readonly string[]; readonly with?: readonly (readonly string[])[] };

export interface MapSpec {
  readonly uid?: string;
  readonly gid?: string;
  readonly setgroups?: string;
}

export interface ScopeSpec {
  readonly name: string;
  readonly doc: string;
  /** at most this many tasks alive at once, P included (fork is not offered beyond it) */
  readonly tasks: number;
  /** fd variables per task: f0 .. f(n-1); an open goes into the lowest free one */
  readonly fdVars: number;
  readonly targets: readonly string[];
  readonly ops: readonly string[];
  readonly forkFlags: readonly FlagSetSpec[];
  /** offer fork with CLONE_PIDFD into the next free fd variable too */
  readonly forkPidfd?: boolean;
  readonly cloneProbeFlags: readonly FlagSetSpec[];
  readonly unshareFlags: readonly FlagSetSpec[];
  readonly pidfdSetnsFlags: readonly FlagSetSpec[];
  /** /proc/<pid>/ns entries for open_ns, bind_ns and readlink_ns */
  readonly entries: readonly string[];
  /** offer O_PATH opens too */
  readonly opath?: boolean;
  /** offer bind_ns onto a directory target too (dir: true) */
  readonly dirTargets?: boolean;
  /** the ids setresuid and setresgid use, in the caller's user namespace (default 0 and 65534) */
  readonly ids?: readonly number[];
  /** the propagation types the propagation op sets (default: all four) */
  readonly propagationTypes?: readonly PropagationType[];
  readonly ioctls: readonly string[];
  readonly maps: readonly MapSpec[];
  readonly dropModes: readonly string[];
  readonly hostnames: readonly string[];
  readonly shmKeys: readonly number[];
  /** also let one exited task act (ESRCH), and use fd -1 (EBADF) */
  readonly invalid?: boolean;
  /** the kernel's limits scaled down (small-scope constants) */
  readonly constants?: Partial<Limits>;
  /** random search: the limits a quarter of the runs use instead (swarm), so depth and count rules are in reach */
  readonly randomConstants?: Partial<Limits>;
}

/** A scope with its flag sets expanded to masks (deduplicated, in order). */
export interface Scope extends ScopeSpec {
  readonly fork: readonly number[];
  readonly cloneProbe: readonly number[];
  readonly unshare: readonly number[];
  readonly pidfdSetns: readonly number[];
  /** for each mask of the four lists, how many masks its entry expanded to */
  readonly groupSize: Readonly<Record<'fork' | 'cloneProbe' | 'unshare' | 'pidfdSetns', readonly number[]>>;
  readonly fdVarNames: readonly string[];
}

const SPEC_KEYS = ['name', 'doc', 'tasks', 'fdVars', 'targets', 'ops', 'forkFlags', 'forkPidfd', 'cloneProbeFlags', 'unshareFlags', 'pidfdSetnsFlags', 'entries', 'opath', 'dirTargets', 'propagationTypes', 'ids', 'ioctls', 'maps', 'dropModes', 'hostnames', 'shmKeys', 'invalid', 'constants', 'randomConstants'];

function flagMask(names: readonly string[], where: string): number {
  let m = 0;
  for (const n of names) {
    const bit = typeof n === 'string' ? cloneFlag(n) : undefined;
    if (bit === undefined) throw new ScopeError(`${where}: ${JSON.stringify(n)} is not a CLONE_* name`);
    m |= bit;
  }
  return m >>> 0;
}

/**
 * Expand flag-set specs into distinct masks, in order, each with the size of the entry it came
 * from (random search keeps fewer masks of a large `subsets` entry, so one entry does not crowd
 * out the others).
 */
export function expandFlagSets(specs: readonly FlagSetSpec[], where: string): { masks: number[]; groupSize: number[] } {
  const masks: number[] = [];
  const groupSize: number[] = [];
  const seen = new Set<number>();
  for (const s of specs) {
    const group: number[] = [];
    const add = (m: number) => {
      if (!seen.has(m)) {
        seen.add(m);
        group.push(m);
      }
    };
    if (Array.isArray(s)) add(flagMask(s, where));
    else {
      const spec = s as { subsets?: unknown; with?: unknown };
      if (!Array.isArray(spec.subsets) || spec.subsets.length > 10) throw new ScopeError(`${where}: {"subsets": [...]} needs a list of at most 10 names`);
      const bits = (spec.subsets as string[]).map((n) => flagMask([n], where));
      if (spec.with !== undefined && (!Array.isArray(spec.with) || !spec.with.every((w) => Array.isArray(w)))) {
        throw new ScopeError(`${where}: "with" is a list of flag lists, e.g. [[], ["CLONE_VM"]] (a flat list is not one)`);
      }
      const withs = spec.with === undefined ? [0] : (spec.with as string[][]).map((w) => flagMask(w, where));
      for (let k = 0; k < 1 << bits.length; k++) {
        let m = 0;
        for (let b = 0; b < bits.length; b++) if (k & (1 << b)) m |= bits[b]!;
        for (const w of withs) add((m | w) >>> 0);
      }
    }
    for (const m of group) {
      masks.push(m);
      groupSize.push(group.length);
    }
  }
  return { masks, groupSize };
}

type FlagList = 'fork' | 'cloneProbe' | 'unshare' | 'pidfdSetns';
const FLAG_FIELDS: readonly (readonly [FlagList, 'forkFlags' | 'cloneProbeFlags' | 'unshareFlags' | 'pidfdSetnsFlags'])[] = [
  ['fork', 'forkFlags'], ['cloneProbe', 'cloneProbeFlags'], ['unshare', 'unshareFlags'], ['pidfdSetns', 'pidfdSetnsFlags'],
];

function flagLists(spec: ScopeSpec, where: string): Pick<Scope, FlagList | 'groupSize'> {
  const out: Partial<Record<FlagList, number[]>> = {};
  const groupSize: Partial<Record<FlagList, number[]>> = {};
  for (const [k, field] of FLAG_FIELDS) {
    const e = expandFlagSets(spec[field], `${where}: "${field}"`);
    out[k] = e.masks;
    groupSize[k] = e.groupSize;
  }
  return { ...(out as Record<FlagList, number[]>), groupSize: groupSize as Record<FlagList, number[]> };
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Validate a scope document (a preset, or a file); throws ScopeError with a one-line reason. */
export function makeScope(doc: unknown, where: string): Scope {
  const fail = (m: string): never => {
    throw new ScopeError(`${where}: ${m}`);
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('a scope is a JSON object');
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!SPEC_KEYS.includes(k)) fail(`unknown field "${k}" (docs/scope.md)`);
  if (typeof d.name !== 'string' || !/^[A-Za-z0-9._-]{1,40}$/.test(d.name)) fail('"name" must be a short name');
  if (typeof d.doc !== 'string') fail('"doc" must be a string');
  const int = (k: string, lo: number, hi: number): number => {
    const v = d[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) fail(`"${k}" must be a whole number from ${lo} to ${hi}`);
    return v as number;
  };
  const tasks = int('tasks', 1, 16);
  const fdVars = int('fdVars', 0, 8);
  for (const k of ['targets', 'ops', 'entries', 'ioctls', 'dropModes', 'hostnames']) if (!isStringList(d[k])) fail(`"${k}" must be a list of strings`);
  const ops = d.ops as string[];
  for (const o of ops) if (!OPS.some((x) => x.name === o)) fail(`"ops": no op named "${o}" (nscheck ops)`);
  for (const e of d.entries as string[]) if (!PROC_ENTRY_NAMES.includes(e)) fail(`"entries": no /proc/<pid>/ns entry "${e}"`);
  for (const m of d.dropModes as string[]) if (!(DROP_MODES as readonly string[]).includes(m)) fail(`"dropModes": no mode "${m}"`);
  if (d.ids !== undefined && (!Array.isArray(d.ids) || !(d.ids as unknown[]).every((x) => typeof x === 'number' && Number.isInteger(x)))) fail('"ids" must be a list of integers');
  if (d.propagationTypes !== undefined && (!isStringList(d.propagationTypes) || !d.propagationTypes.every((t) => (PROPAGATION_TYPES as readonly string[]).includes(t)))) fail(`"propagationTypes" must be a list of ${PROPAGATION_TYPES.join(', ')}`);
  for (const t of d.targets as string[]) if (!/^[A-Za-z0-9_.-]{1,40}$/.test(t)) fail(`"targets": ${JSON.stringify(t)} is not a plain file name`);
  for (const k of ['forkFlags', 'cloneProbeFlags', 'unshareFlags', 'pidfdSetnsFlags']) if (!Array.isArray(d[k])) fail(`"${k}" must be a list of flag sets`);
  if (!Array.isArray(d.maps) || !(d.maps as unknown[]).every((m) => typeof m === 'object' && m !== null && Object.entries(m).every(([k, v]) => ['uid', 'gid', 'setgroups'].includes(k) && typeof v === 'string'))) fail('"maps" must be a list of {uid?, gid?, setgroups?} strings');
  if (!Array.isArray(d.shmKeys) || !(d.shmKeys as unknown[]).every((k) => typeof k === 'number' && Number.isInteger(k))) fail('"shmKeys" must be a list of integers');
  for (const k of ['forkPidfd', 'opath', 'dirTargets', 'invalid']) if (d[k] !== undefined && typeof d[k] !== 'boolean') fail(`"${k}" must be true or false`);
  const limits = (k: 'constants' | 'randomConstants'): Partial<Limits> => {
    const c = d[k] ?? {};
    if (typeof c !== 'object' || c === null || Array.isArray(c)) fail(`"${k}" must be an object`);
    for (const [n, v] of Object.entries(c as object)) {
      if (!Object.prototype.hasOwnProperty.call(KERNEL_LIMITS, n)) fail(`"${k}": no constant "${n}" (one of ${Object.keys(KERNEL_LIMITS).join(', ')})`);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(`"${k}.${n}" must be a whole number`);
    }
    return c as Partial<Limits>;
  };
  const constants = limits('constants');
  const randomConstants = d.randomConstants === undefined ? undefined : limits('randomConstants');
  const spec = d as unknown as ScopeSpec;
  return {
    ...spec, tasks, fdVars, constants, ...(randomConstants ? { randomConstants: { ...constants, ...randomConstants } } : {}),
    ...flagLists(spec, where),
    fdVarNames: Array.from({ length: fdVars }, (_, i) => `f${i}`),
  };
}

const N = (...names: string[]): string[] => names.map((n) => `CLONE_${n}`);
/** The small-scope constants: nesting depth 2, three namespaces of a type per user. */
const SMALL_CONSTANTS: Partial<Limits> = { pidNsMaxLevel: 2, userNsMaxLevel: 2, maxNamespacesInit: 3, maxNamespacesNested: 3 };
const ALL_NS = N('NEWUSER', 'NEWNS', 'NEWUTS', 'NEWIPC', 'NEWPID', 'NEWCGROUP', 'NEWNET', 'NEWTIME');

const DEFAULT: ScopeSpec = {
  name: 'default',
  doc: 'four tasks, two fd variables, two targets, every operation; every combination of the structural namespace types, with the ordinary clone flags; the kernel\'s real limits',
  tasks: 4, fdVars: 2, targets: ['a', 'b'],
  ops: OPS.map((o) => o.name),
  forkFlags: [
    { subsets: N('NEWUSER', 'NEWPID', 'NEWNS', 'NEWTIME', 'NEWNET') },
    N('NEWUTS'), N('NEWIPC'), N('NEWCGROUP'), ALL_NS,
    N('VM'), N('FS'), N('FILES'), N('PARENT'), N('VM', 'SIGHAND'), N('THREAD', 'SIGHAND', 'VM'), N('NEWIPC', 'SYSVSEM'),
    N('NEWUSER', 'FS'), N('NEWNS', 'FS'), N('THREAD', 'SIGHAND', 'VM', 'NEWNET'), N('THREAD', 'SIGHAND', 'VM', 'NEWPID'), N('NEWTIME', 'VM'),
  ],
  forkPidfd: true,
  cloneProbeFlags: [N('THREAD'), N('SIGHAND'), N('PARENT'), N('NEWUSER', 'FS'), N('NEWIPC', 'SYSVSEM')],
  unshareFlags: [
    { subsets: N('NEWUSER', 'NEWPID', 'NEWNS', 'NEWTIME', 'NEWNET') },
    N('NEWUTS'), N('NEWIPC'), N('NEWCGROUP'), ALL_NS, N('FS'), N('FILES'), N('VM'), N('THREAD'), N('SIGHAND'), N('PARENT'),
  ],
  pidfdSetnsFlags: [N('NEWUSER'), N('NEWNS'), N('NEWPID'), N('NEWNET'), N('NEWNS', 'NEWNET'), N('NEWUSER', 'NEWNET'), N('NEWPID', 'NEWNET', 'NEWUTS'), ALL_NS, N('VM'), []],
  entries: ['user', 'pid', 'pid_for_children', 'mnt', 'net', 'uts', 'time', 'time_for_children'],
  opath: true,
  dirTargets: true,
  ioctls: ['NS_GET_USERNS', 'NS_GET_PARENT', 'NS_GET_NSTYPE', 'NS_GET_OWNER_UID', 'NS_GET_MNTNS_ID', 'SIOCGSKNS', 'NS_BOGUS'],
  maps: [{ uid: '0 0 1', gid: '0 0 1', setgroups: 'deny' }, { uid: '0 0 1' }, { gid: '0 0 1' }, { uid: '0 1000 1' }],
  dropModes: ['nobody', 'seteuid_nobody', 'capset_zero', 'capset_admin'],
  hostnames: ['x', 'h'.repeat(65)],
  shmKeys: [1],
  invalid: true,
  randomConstants: SMALL_CONSTANTS,
};

/**
 * `wide`: the default's choices with room for long random runs (and random conformance): more
 * tasks, fd variables and targets, and id maps the kernel refuses. Too wide for exhaustive search
 * beyond depth 2.
 */
const WIDE: ScopeSpec = {
  ...DEFAULT,
  name: 'wide',
  doc: 'the default\'s choices with eight tasks, four fd variables, three targets and refused id maps: for long random runs and conformance',
  tasks: 8, fdVars: 4, targets: ['a', 'b', 'c'],
  maps: [
    ...DEFAULT.maps,
    { uid: '0 65534 1', gid: '0 65534 1' }, { uid: '0 0 4294967295' }, { uid: '1 1 1', setgroups: 'deny' }, { uid: '0 5000 1' }, { gid: '0 0 1', setgroups: 'allow' }, { uid: 'bogus' },
  ],
  hostnames: ['x', 'y', 'h'.repeat(65)],
  shmKeys: [1, 2],
};

/**
 * The named presets. Why these flag sets: the four namespace types with a structure of their own
 * (user owns the others, pid splits pid_for_children from the active namespace, mnt carries
 * fs_struct and binds, time splits time_for_children) are taken in every combination, with net
 * standing for the four types whose namespaces are plain containers (uts, ipc, net, cgroup), and
 * each plain type and all eight once, so every type-specific rule is in reach.
 */
export const PRESETS: Readonly<Record<string, ScopeSpec>> = {
  small: {
    name: 'small',
    doc: 'three tasks, two fd variables, one target; the namespace types with a structure of their own (user, pid, mnt, time); depth 2 and three namespaces of a type per user: small enough to check every trace of 5 steps',
    tasks: 3, fdVars: 2, targets: ['a'],
    ops: ['fork', 'exit', 'wait', 'unshare', 'setns', 'open_ns', 'close', 'bind_ns', 'umount', 'ioctl_ns', 'pidfd_open', 'drop_caps', 'write_map'],
    forkFlags: [[], N('NEWUSER'), N('NEWPID'), N('NEWNS'), N('THREAD', 'SIGHAND', 'VM'), N('VM')],
    forkPidfd: false,
    cloneProbeFlags: [],
    unshareFlags: [N('NEWUSER'), N('NEWPID'), N('NEWNS'), N('NEWTIME')],
    pidfdSetnsFlags: [N('NEWNS', 'NEWUSER'), N('NEWPID')],
    entries: ['user', 'pid', 'mnt', 'time'],
    ioctls: ['NS_GET_USERNS', 'NS_GET_PARENT'],
    maps: [{ uid: '0 0 1', gid: '0 0 1', setgroups: 'deny' }],
    dropModes: ['nobody', 'capset_admin'],
    hostnames: [], shmKeys: [],
    invalid: false,
    constants: SMALL_CONSTANTS,
  },
  default: DEFAULT,
  wide: WIDE,
};

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}

/** A preset by name, or a scope file (JSON). */
export function loadScope(arg: string): Scope {
  if (Object.prototype.hasOwnProperty.call(PRESETS, arg)) return makeScope(PRESETS[arg], `scope ${arg}`);
  if (!arg.includes('/') && !arg.endsWith('.json')) throw new ScopeError(`no scope preset "${arg}" (presets: ${presetNames().join(', ')}; or a scope file)`);
  let text: string;
  try {
    text = readLimited(arg, 1 << 20, 'scope file');
  } catch (e) {
    throw new ScopeError((e as Error).message);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ScopeError(`${arg}: not valid JSON (${(e as Error).message.slice(0, 100)})`);
  }
  return makeScope(doc, arg);
}

/** The scope as a document (for `nscheck scope --json`, and to start a scope file from). */
export function scopeDocument(s: Scope): ScopeSpec {
  const out: Record<string, unknown> = {};
  for (const k of SPEC_KEYS) if ((s as unknown as Record<string, unknown>)[k] !== undefined) out[k] = (s as unknown as Record<string, unknown>)[k];
  return out as unknown as ScopeSpec;
}

/** The CLONE flag bit of a namespace entry's type, for nstype choices. */
export const ENTRY_FLAG: Readonly<Record<string, number>> = {
  net: CLONE.NEWNET, uts: CLONE.NEWUTS, ipc: CLONE.NEWIPC, pid: CLONE.NEWPID, pid_for_children: CLONE.NEWPID,
  user: CLONE.NEWUSER, mnt: CLONE.NEWNS, cgroup: CLONE.NEWCGROUP, time: CLONE.NEWTIME, time_for_children: CLONE.NEWTIME,
};
