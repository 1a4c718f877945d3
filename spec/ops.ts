// The operations of the trace format (trace-format.md), as one table: each entry names its
// arguments and their kinds, and the syscall function that runs it. Validation of a trace's
// arguments, the resolved printing of a step, the fast-check commands and the kernel executor
// all read this one table.

import { cloneFlag, flagText } from './flags';
import { nsLinkText, PROC_ENTRY_NAMES } from './proc';
import { fileOfVar, nsOfFile } from './query';
import type { State, World } from './state';
import { Call, Tx, type Outcome } from './tx';
import { noteDying, releaseDying } from './world';
import type { Semantics } from './semantics';
import { cloneProbe, fork } from './syscalls/clone';
import { capMask, capset, dropCaps, DROP_MODES, setgroups, setresid, type DropMode } from './syscalls/creds';
import { exit, wait } from './syscalls/exit';
import { close, openFile, pidfdOpen, socket, socketat } from './syscalls/fds';
import { getpid, getppid } from './syscalls/ids';
import { ioctlNs } from './syscalls/ioctl';
import { writeMaps } from './syscalls/maps';
import { bindNs, createTarget, mountFs, openBind, setPropagation, umount, unlinkTarget } from './syscalls/mount';
import { PROPAGATION_TYPES, type PropagationType } from './propagation';
import { CAPS, type FsType } from './state';

const FS_TYPES: readonly FsType[] = ['proc', 'sysfs', 'mqueue'];
import { openNs, readlinkNs, sameNs, type NsRef } from './syscalls/proc';
import { setns } from './syscalls/setns';
import { shmCreate, shmLookup } from './syscalls/shm';
import { unshare } from './syscalls/unshare';
import { exec } from './syscalls/exec';
import { gethostname, sethostname } from './syscalls/uts';

/** What an argument may be, and what it becomes once validated. */
export interface KindType {
  name: string; // a new task's name
  pid: string; // a task name or `self`
  var: string; // an fd variable
  fd: string | number; // a variable, or a literal number passed as is
  flags: number; // a list of CLONE_* names, or an integer
  nstype: number; // 0, an integer, one CLONE_* name, or a list of names
  entry: string; // a /proc/<pid>/ns entry name
  side: NsRef; // `fd:VAR` or `TASK:entry`
  text: string;
  int: number;
  bool: boolean;
  drop: DropMode;
  propagation: PropagationType;
  fstype: FsType;
  ints: readonly number[];
  caps: number;
}
export type Kind = keyof KindType;
export interface ArgSpec { readonly kind: Kind; readonly optional?: true }
export type Schema = Readonly<Record<string, ArgSpec>>;
type Req<S extends Schema> = { [K in keyof S as S[K]['optional'] extends true ? never : K]: KindType[S[K]['kind']] };
type Opt<S extends Schema> = { [K in keyof S as S[K]['optional'] extends true ? K : never]?: KindType[S[K]['kind']] };
export type ArgsOf<S extends Schema> = Req<S> & Opt<S>;

export interface OpDef {
  readonly name: string;
  readonly args: Schema;
  /** a one-line description for --help and the README */
  readonly doc: string;
  /** what a step of this op can return, in the trace notation */
  readonly results: string;
  /** the op only observes: it never changes the state (readlink, getpid, ...) */
  readonly observes?: true;
  /** at least one of these argument groups must be present (bind_ns: pid+type, or fd) */
  readonly oneOf?: readonly (readonly string[])[];
  run(c: Call, args: Readonly<Record<string, unknown>>): Outcome;
}

const OK_ERRNO = 'ok or an errno';

/** Ops that only look: their calls never change the state. */
const OBSERVERS: ReadonlySet<string> = new Set(['readlink_ns', 'same_ns', 'getpid', 'getppid', 'gethostname', 'shm_lookup']);

function op<S extends Schema>(name: string, doc: string, args: S, run: (c: Call, a: ArgsOf<S>) => Outcome, oneOf?: readonly (readonly string[])[], results = OK_ERRNO): OpDef {
  const def = { name, doc, results, args, run: run as (c: Call, a: Readonly<Record<string, unknown>>) => Outcome, ...(OBSERVERS.has(name) ? { observes: true as const } : {}) };
  return oneOf ? { ...def, oneOf } : def;
}

const R = <K extends Kind>(kind: K) => ({ kind }) as const;
const O = <K extends Kind>(kind: K) => ({ kind, optional: true }) as const;

export const OPS: readonly OpDef[] = [
  op('fork', 'clone a child named `child` with CLONE_* `flags`; `pidfd` names the CLONE_PIDFD fd',
    { child: R('name'), flags: O('flags'), pidfd: O('var') },
    (c, a) => fork(c, { child: a.child, flags: (a.flags ?? 0) | (a.pidfd !== undefined ? cloneFlag('CLONE_PIDFD')! : 0), ...(a.pidfd !== undefined ? { pidfd: a.pidfd } : {}) })),
  op('clone_probe', 'is the flag combination accepted? the child exits at once', { flags: R('flags') }, (c, a) => cloneProbe(c, a.flags)),
  op('exit', 'the task exits and stays a zombie until its parent waits', { code: O('int') }, (c, a) => exit(c, a.code ?? 0)),
  op('exec', 'execve of an ordinary binary: other threads die, a pending time namespace is entered, fds close, root regains its capabilities', {}, (c) => exec(c)),
  op('wait', 'reap an exited child (EAGAIN while it runs)', { child: R('pid') }, (c, a) => wait(c, a.child)),
  op('unshare', 'unshare(flags)', { flags: R('flags') }, (c, a) => unshare(c, a.flags)),
  op('setns', 'setns(fd, nstype)', { fd: R('fd'), nstype: R('nstype') }, (c, a) => setns(c, a.fd, a.nstype)),
  op('open_ns', 'open /proc/<pid>/ns/<type> into fd variable `fd`',
    { pid: R('pid'), type: R('entry'), fd: R('var'), opath: O('bool') }, (c, a) => openNs(c, a.pid, a.type, a.fd, a.opath ?? false)),
  op('close', 'close(fd)', { fd: R('fd') }, (c, a) => close(c, a.fd)),
  op('bind_ns', 'bind-mount a namespace file (by pid+type, or fd) onto `target`, created first unless `create` is false',
    { pid: O('pid'), type: O('entry'), fd: O('fd'), target: R('text'), dir: O('bool'), create: O('bool') },
    (c, a) => bindNs(c, a.fd !== undefined ? { fd: a.fd } : { pid: a.pid ?? 'self', entry: a.type ?? '' }, a.target, a.dir ?? false, a.create ?? true),
    [['pid', 'type'], ['fd']]),
  op('create', 'create `target` (open O_CREAT|O_EXCL, or mkdir with `dir`)', { target: R('text'), dir: O('bool') }, (c, a) => createTarget(c, a.target, a.dir ?? false)),
  op('mount_fs', 'mount a proc, sysfs or mqueue filesystem on the directory `target`, created first unless `create` is false',
    { type: R('fstype'), target: R('text'), create: O('bool') }, (c, a) => mountFs(c, a.type, a.target, a.create ?? true)),
  op('unlink', 'unlink `target` (rmdir for a directory)', { target: R('text') }, (c, a) => unlinkTarget(c, a.target)),
  op('propagation', 'make the base mount (or the bind at `target`) shared, private, slave or unbindable',
    { type: R('propagation'), target: O('text'), recursive: O('bool') }, (c, a) => setPropagation(c, a.type, a.target)),
  op('open_bind', 'open the file at `target`', { target: R('text'), fd: R('var') }, (c, a) => openBind(c, a.target, a.fd)),
  op('umount', 'umount(target), or umount2(target, MNT_DETACH)', { target: R('text'), detach: O('bool') }, (c, a) => umount(c, a.target, a.detach ?? false)),
  op('ioctl_ns', 'an NS_GET_* ioctl; `out` names a returned fd', { fd: R('fd'), req: R('text'), out: O('var') }, (c, a) => ioctlNs(c, a.fd, a.req, a.out), undefined,
    'ok, nstype=CLONE_NEW… (NS_GET_NSTYPE), uid=N (NS_GET_OWNER_UID), or an errno'),
  op('readlink_ns', 'readlink /proc/<pid>/ns/<type>', { pid: R('pid'), type: R('entry') }, (c, a) => readlinkNs(c, a.pid, a.type), undefined, 'type:[inode] (net:[4026531833]) or an errno'),
  op('same_ns', 'do two namespace files name the same namespace?', { a: R('side'), b: R('side') }, (c, a) => sameNs(c, a.a, a.b), undefined, 'same, different, or an errno'),
  op('pidfd_open', 'pidfd_open(pid) into fd variable `fd`', { pid: R('pid'), fd: R('var') }, (c, a) => pidfdOpen(c, a.pid, a.fd)),
  op('getpid', 'getpid() in the caller\'s pid namespace', {}, (c) => getpid(c), undefined, 'pid=N'),
  op('getppid', 'getppid() in the caller\'s pid namespace', {}, (c) => getppid(c), undefined, 'ppid=N (0 when the parent is outside the namespace)'),
  op('sethostname', 'sethostname(name)', { name: R('text') }, (c, a) => sethostname(c, a.name)),
  op('gethostname', 'gethostname()', {}, (c) => gethostname(c), undefined, 'hostname=NAME'),
  op('setresuid', 'setresuid(ruid, euid, suid) with ids of the caller\'s user namespace (-1, or left out: unchanged)',
    { ruid: O('int'), euid: O('int'), suid: O('int') }, (c, a) => setresid(c, 'uid', a.ruid ?? -1, a.euid ?? -1, a.suid ?? -1)),
  op('setresgid', 'setresgid(rgid, egid, sgid) with ids of the caller\'s user namespace (-1, or left out: unchanged)',
    { rgid: O('int'), egid: O('int'), sgid: O('int') }, (c, a) => setresid(c, 'gid', a.rgid ?? -1, a.egid ?? -1, a.sgid ?? -1)),
  op('setgroups', 'setgroups(2) with these gids of the caller\'s user namespace', { groups: R('ints') }, (c, a) => setgroups(c, a.groups)),
  op('capset', 'capset(2) on the caller: these effective and permitted sets (inheritable empty)', { effective: R('caps'), permitted: R('caps') }, (c, a) => capset(c, a.effective, a.permitted)),
  op('drop_caps', 'drop privilege: nobody, seteuid_nobody or capset_zero', { mode: R('drop') }, (c, a) => dropCaps(c, a.mode)),
  op('write_map', 'write setgroups, uid_map, gid_map of task `pid`',
    { pid: R('pid'), uid: O('text'), gid: O('text'), setgroups: O('text') },
    (c, a) => writeMaps(c, { pid: a.pid, ...(a.uid !== undefined ? { uid: a.uid } : {}), ...(a.gid !== undefined ? { gid: a.gid } : {}), ...(a.setgroups !== undefined ? { setgroups: a.setgroups } : {}) })),
  op('open_file', 'open an ordinary file (or directory)', { fd: R('var'), dir: O('bool') }, (c, a) => openFile(c, a.fd, a.dir ?? false)),
  op('socket', 'socket(AF_UNIX, SOCK_DGRAM) into fd variable `fd`: it holds the caller\'s net namespace', { fd: R('var') }, (c, a) => socket(c, a.fd)),
  op('socketat', 'socketat(nsfd): a socket in the net namespace of `nsfd`, the 2011 proposal (ENOSYS on Linux)', { nsfd: R('fd'), fd: R('var') }, (c, a) => socketat(c, a.nsfd, a.fd)),
  op('shm_create', 'shmget(key, IPC_CREAT)', { key: R('int') }, (c, a) => shmCreate(c, a.key)),
  op('shm_lookup', 'shmget(key, 0)', { key: R('int') }, (c, a) => shmLookup(c, a.key)),
];

const OP_MAP: ReadonlyMap<string, OpDef> = new Map(OPS.map((o) => [o.name, o]));

/** The op of that name (a Map: a name such as "constructor" or "__proto__" is simply unknown). */
export function opByName(name: string): OpDef | undefined {
  return OP_MAP.get(name);
}

/** What each argument kind accepts, in words (nscheck ops, docs/trace-format.md). */
export const KIND_DOC: Readonly<Record<Kind, string>> = {
  name: 'a new task name: [A-Za-z][A-Za-z0-9_]*, not "self"',
  pid: 'a task name, or "self" for the acting task',
  var: 'an fd variable name: [A-Za-z][A-Za-z0-9_]*',
  fd: 'an fd variable name, or a literal integer (a C int) passed as is',
  flags: 'a list of CLONE_* names, or an integer from -2^31 to 2^32-1 (a C int or unsigned int)',
  nstype: '0, an integer from -2^31 to 2^31-1 (a C int), one CLONE_* name, or a list of names',
  entry: 'a /proc/<pid>/ns entry: net uts ipc pid pid_for_children user mnt cgroup time time_for_children',
  side: '"fd:VAR", "TASK:entry", or "path:TARGET" (what stat sees at a target in the caller\'s mount tree)',
  text: 'a string',
  int: 'an integer (a C int)',
  bool: 'true or false',
  drop: 'nobody, seteuid_nobody, capset_zero or capset_admin',
  propagation: 'shared, private, slave or unbindable',
  fstype: 'proc, sysfs or mqueue',
  ints: 'a list of integers (C ints), at most 64',
  caps: 'a list of CAP_* names of the capabilities the model keeps: CAP_SYS_ADMIN CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SETUID CAP_SETGID CAP_SETFCAP CAP_CHECKPOINT_RESTORE CAP_SYS_TIME CAP_IPC_OWNER CAP_DAC_OVERRIDE CAP_NET_ADMIN CAP_SETPCAP CAP_FOWNER',
};

// --- validation ---------------------------------------------------------------------------

/** Task and fd-variable names: a letter, then letters, digits and underscores; at most 64. */
const NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;
const U32_MAX = 0xffffffff;

/**
 * A value as an error line may quote it: a string's short prefix, a number, or just what kind of
 * value it is (a list or object is never printed: it may be huge or nested without end).
 */
export function quoteValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return typeof v === 'object' ? 'an object' : typeof v;
}

/** Validate one raw argument; a string error says why. */
export function parseArg(kind: Kind, raw: unknown): KindType[Kind] | { error: string } {
  const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX;
  const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= U32_MAX;
  switch (kind) {
    case 'name':
      return typeof raw === 'string' && NAME_RE.test(raw) && raw !== 'self' ? raw : { error: 'a task name ([A-Za-z][A-Za-z0-9_]*)' };
    case 'pid':
      return typeof raw === 'string' && (NAME_RE.test(raw)) ? raw : { error: 'a task name or "self"' };
    case 'var':
      return typeof raw === 'string' && NAME_RE.test(raw) ? raw : { error: 'an fd variable name' };
    case 'fd':
      return (typeof raw === 'string' && NAME_RE.test(raw)) || isInt(raw) ? raw : { error: `an fd variable name or an integer from ${INT_MIN} to ${INT_MAX}` };
    case 'flags':
    case 'nstype': {
      // flags: a C int or unsigned int (glibc's unshare(int), clone's int flags; every CLONE_*
      // bit the model knows is below 2^32); nstype: a C int
      if (typeof raw === 'number' && (isInt(raw) || (kind === 'flags' && isU32(raw)))) return raw >>> 0;
      if (typeof raw === 'number') return { error: kind === 'flags' ? `an integer from ${INT_MIN} to ${U32_MAX} (or a list of CLONE_* names), not ${quoteValue(raw)}` : `an integer from ${INT_MIN} to ${INT_MAX} (or CLONE_* names), not ${quoteValue(raw)}` };
      const names = typeof raw === 'string' && kind === 'nstype' ? [raw] : raw;
      if (!Array.isArray(names)) return { error: kind === 'flags' ? 'a list of CLONE_* names or an integer' : '0, an integer, a CLONE_* name or a list of names' };
      let v = 0;
      for (const n of names) {
        const bit = typeof n === 'string' ? cloneFlag(n) : undefined;
        if (bit === undefined) return { error: `a list of CLONE_* names; ${quoteValue(n)} is not one` };
        v |= bit;
      }
      return v >>> 0;
    }
    case 'entry':
      return typeof raw === 'string' && PROC_ENTRY_NAMES.includes(raw) ? raw : { error: `one of ${PROC_ENTRY_NAMES.join(' ')}` };
    case 'side': {
      if (typeof raw !== 'string') return { error: '"fd:VAR", "TASK:type" or "path:TARGET"' };
      const [left, right, ...rest] = raw.split(':');
      if (rest.length || left === undefined || right === undefined) return { error: '"fd:VAR", "TASK:type" or "path:TARGET"' };
      if (left === 'fd') return NAME_RE.test(right) ? { fd: right } : { error: 'fd:VAR needs a variable name' };
      if (left === 'path') return right.length > 0 && right.length <= 64 && /^[A-Za-z0-9_.-]+$/.test(right) ? { path: right } : { error: 'path:TARGET needs a target name' };
      if (!NAME_RE.test(left) || !PROC_ENTRY_NAMES.includes(right)) return { error: '"fd:VAR" or "TASK:type" with a known type' };
      return { pid: left, entry: right };
    }
    case 'text':
      return typeof raw === 'string' ? raw : { error: 'a string' };
    case 'int':
      return isInt(raw) ? raw : { error: `an integer from ${INT_MIN} to ${INT_MAX}` };
    case 'bool':
      return typeof raw === 'boolean' ? raw : { error: 'true or false' };
    case 'drop':
      return typeof raw === 'string' && (DROP_MODES as readonly string[]).includes(raw) ? (raw as DropMode) : { error: `one of ${DROP_MODES.join(', ')}` };
    case 'ints':
      return Array.isArray(raw) && raw.length <= 64 && raw.every((x) => isInt(x)) ? (raw as number[]) : { error: 'a list of at most 64 integers' };
    case 'caps': {
      if (!Array.isArray(raw) || raw.length > 64 || !raw.every((x) => typeof x === 'string')) return { error: 'a list of CAP_* names' };
      const m = capMask(raw as string[]);
      return typeof m === 'number' ? m : { error: `${quoteValue(m)} is not one of the capabilities the model keeps (nscheck ops)` };
    }
    case 'fstype':
      return typeof raw === 'string' && FS_TYPES.includes(raw as FsType) ? (raw as FsType) : { error: `one of ${FS_TYPES.join(', ')}` };
    case 'propagation':
      return typeof raw === 'string' && (PROPAGATION_TYPES as readonly string[]).includes(raw) ? (raw as PropagationType) : { error: `one of ${PROPAGATION_TYPES.join(', ')}` };
  }
}

export interface ParsedStep {
  readonly task: string;
  readonly op: OpDef;
  readonly args: Readonly<Record<string, unknown>>;
  /** the arguments as written, for printing and saving */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** Validate a step's op and arguments; a string says what is wrong. */
export function parseStep(task: unknown, opName: unknown, rawArgs: unknown): ParsedStep | string {
  if (typeof task !== 'string' || !NAME_RE.test(task)) return `"task" must be a task name, not ${quoteValue(task)}`;
  if (typeof opName !== 'string') return '"op" must be a string';
  const op = opByName(opName);
  if (!op) return `unknown op ${quoteValue(opName)}`;
  if (rawArgs !== undefined && (typeof rawArgs !== 'object' || rawArgs === null || Array.isArray(rawArgs))) return '"args" must be an object';
  const raw = (rawArgs ?? {}) as Record<string, unknown>;
  const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  const args: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!has(op.args, key)) return `${op.name}: unknown argument ${quoteValue(key)}`;
  for (const [key, spec] of Object.entries(op.args)) {
    if (!has(raw, key) || raw[key] === undefined) {
      if (!spec.optional) return `${op.name}: missing argument "${key}"`;
      continue;
    }
    const v = parseArg(spec.kind, raw[key]);
    if (typeof v === 'object' && v !== null && 'error' in v) return `${op.name}: argument "${key}" must be ${v.error}`;
    args[key] = v;
  }
  if (op.oneOf && !op.oneOf.some((group) => group.every((k) => has(raw, k) && raw[k] !== undefined))) {
    return `${op.name}: needs ${op.oneOf.map((g) => g.join(' and ')).join(', or ')}`;
  }
  return { task, op, args, raw };
}

// --- running ----------------------------------------------------------------------------------

export interface StepExec {
  readonly outcome: Outcome;
  /** the step's transaction: its journal is what the step changed (empty after a plain failure) */
  readonly tx: Tx;
}

/**
 * Run one step in place. The acting task must exist and be running; otherwise ESRCH
 * (task.exited). A call that fails is rolled back, unless it is one of the compound calls whose
 * earlier parts stay (the failure then carries `partial`). An exception from the semantics rolls
 * the step back and propagates: the checker reports it as a finding (ModelError).
 */
export function execStep(sem: Semantics, world: World, step: ParsedStep): StepExec {
  releaseDying(world);
  const tx = new Tx(world, sem);
  const id = tx.name(step.task);
  const actor = id === undefined ? undefined : tx.get('tasks', id);
  if (!actor || actor.state !== 'running') return { outcome: sem.failures['task.exited'] ?? { ok: false, errno: 'ESRCH', rule: 'task.exited' }, tx };
  let outcome: Outcome;
  try {
    outcome = step.op.run(new Call(tx, actor), step.args);
  } catch (e) {
    tx.rollback();
    throw e;
  }
  if (outcome.ok || outcome.partial !== undefined) {
    try {
      sem.hooks.afterCommit(new Call(tx, actor), { op: step.op.name, args: step.args }, outcome);
    } catch (e) {
      tx.rollback();
      throw e;
    }
    tx.commit();
    noteDying(world, tx.changes);
  } else {
    tx.rollback();
  }
  return { outcome, tx };
}

/** Run one step in place and return its outcome (execStep without the journal). */
export function runStep(sem: Semantics, world: World, step: ParsedStep): Outcome {
  return execStep(sem, world, step).outcome;
}

/** The result notation of the trace format: ok, an errno name, or key=value. */
export function resultText(o: Outcome): string {
  return o.ok ? (o.value ?? 'ok') : o.errno;
}

// --- printing -----------------------------------------------------------------------------------

/** `setns(fd=p → pid:[4026532201], CLONE_NEWPID)`: the call with fd variables resolved in `state`. */
export function describeStep(state: State, step: ParsedStep): string {
  const parts: string[] = [];
  for (const [key, spec] of Object.entries(step.op.args)) {
    const v = step.args[key];
    if (v === undefined) continue;
    parts.push(describeArg(state, step.task, key, spec.kind, v));
  }
  return `${step.task}: ${step.op.name}(${parts.join(', ')})`;
}

function describeArg(state: State, task: string, key: string, kind: Kind, v: unknown): string {
  if (kind === 'flags' || kind === 'nstype') return kind === 'nstype' ? flagText(v as number) : `${key}=${flagText(v as number)}`;
  if (kind === 'fd' && typeof v === 'string') return `${key}=${v}${resolveFd(state, task, v)}`;
  if (kind === 'caps') return `${key}=[${Object.entries(CAPS).filter(([, b]) => ((v as number) & b) !== 0).map(([n]) => `CAP_${n}`).join(',')}]`;
  if (kind === 'ints') return `${key}=[${(v as readonly number[]).join(',')}]`;
  if (kind === 'side') {
    const s = v as NsRef;
    return 'fd' in s ? `${key}=fd:${s.fd}${resolveFd(state, task, s.fd)}` : 'path' in s ? `${key}=path:${s.path}` : `${key}=${s.pid}:${s.entry}`;
  }
  return `${key}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
}

function resolveFd(state: State, taskName: string, v: string): string {
  const file = fileOfVar(state, taskName, v);
  if (!file) return ' → (not open)';
  const ns = nsOfFile(state, file);
  if (ns) return ` → ${nsLinkText(ns)}${file.opath ? ' O_PATH' : ''}`;
  if (file.kind === 'pidfd' && file.pidTask !== null) return ` → pidfd(${state.tasks[file.pidTask]?.name ?? '?'})`;
  return ` → ${file.kind}`;
}
