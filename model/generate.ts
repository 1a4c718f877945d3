// Turning random choices into trace steps drawn from the live state. An intent is an op and a
// few small numbers; `resolve` reads them against the current state (existing tasks, their fd
// variables, bind targets, flag sets that matter) and a small share of them on purpose picks
// something invalid (an exited task, a stale fd, a bad flag). fast-check generates and shrinks
// intents; every run resolves them afresh, so a shrunk sequence stays meaningful.

import { CLONE, flagNames } from '../spec/flags';
import { opByName, parseStep, type ParsedStep } from '../spec/ops';
import { PROC_ENTRY_NAMES } from '../spec/proc';
import type { State, Task } from '../spec/state';
import { DROP_MODES } from '../spec/syscalls/creds';

export interface Intent {
  readonly op: string;
  readonly n: readonly [number, number, number, number, number];
}

/** Ops and their weights: the namespace-changing calls most often. */
export const OP_WEIGHTS: Readonly<Record<string, number>> = {
  fork: 8, unshare: 6, setns: 10, open_ns: 10, close: 3, exit: 3, wait: 2, clone_probe: 1,
  bind_ns: 4, open_bind: 2, umount: 2, ioctl_ns: 4, readlink_ns: 1, same_ns: 1, pidfd_open: 3,
  getpid: 1, getppid: 1, sethostname: 1, gethostname: 1, drop_caps: 2, write_map: 2, open_file: 1,
  shm_create: 1, shm_lookup: 1,
};

const F = CLONE;
/** Flag sets that matter for clone: every namespace bit, the combinations with rules, a few invalid ones. */
const FORK_FLAGS: readonly number[] = [
  0, 0, F.NEWPID, F.NEWUSER, F.NEWNS, F.NEWNET, F.NEWUTS, F.NEWIPC, F.NEWCGROUP, F.NEWTIME,
  F.NEWUSER | F.NEWPID, F.NEWUSER | F.NEWNS, F.NEWUSER | F.NEWNET, F.NEWPID | F.NEWNS,
  F.THREAD | F.SIGHAND | F.VM, F.VM, F.VM | F.SIGHAND, F.FS, F.FILES, F.FS | F.FILES, F.PARENT,
  F.NEWNS | F.FS, F.NEWUSER | F.FS, F.THREAD, F.SIGHAND, F.NEWIPC | F.SYSVSEM,
  F.THREAD | F.SIGHAND | F.VM | F.NEWNET, F.THREAD | F.SIGHAND | F.VM | F.NEWPID, F.FS | F.NEWPID,
];
const UNSHARE_FLAGS: readonly number[] = [
  F.NEWPID, F.NEWUSER, F.NEWNS, F.NEWNET, F.NEWUTS, F.NEWIPC, F.NEWCGROUP, F.NEWTIME,
  F.NEWUSER | F.NEWPID, F.NEWUSER | F.NEWNS, F.NEWUSER | F.NEWNET, F.NEWNS | F.NEWPID, F.NEWNS | F.NEWUTS,
  0, F.FS, F.FILES, F.THREAD, F.VM, F.PARENT, F.NEWTIME | F.NEWNET,
];
const NS_BITS: readonly number[] = [F.NEWUSER, F.NEWNS, F.NEWUTS, F.NEWIPC, F.NEWPID, F.NEWCGROUP, F.NEWNET, F.NEWTIME];
const TARGETS = ['a', 'b', 'c'];
const IOCTLS = ['NS_GET_USERNS', 'NS_GET_PARENT', 'NS_GET_PARENT', 'NS_GET_NSTYPE', 'NS_GET_OWNER_UID', 'NS_GET_ID', 'NS_GET_MNTNS_ID', 'NS_BOGUS'];
const MAPS = ['0 0 1', '0 65534 1', '0 1000 1', '0 0 4294967295', '1 1 1', '0 5000 1', 'bogus'];
const FD_VARS = ['f0', 'f1', 'f2', 'f3'];
/** Entries to open, the hierarchical and mount ones twice as often. */
const ENTRIES = [...PROC_ENTRY_NAMES, 'pid', 'user', 'mnt'];
/** Bind sources: mount-namespace files (the ones with an order rule) a third of the time. */
const BIND_ENTRIES = [...PROC_ENTRY_NAMES, 'mnt', 'mnt', 'mnt', 'mnt', 'net'];

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length]!;
}

/** Names of tasks in creation order (the trace's names). */
function taskNames(s: State): string[] {
  return s.tasks.filter((t) => t.name !== '' && !t.name.startsWith('#')).map((t) => t.name);
}

function liveTasks(s: State): Task[] {
  return s.tasks.filter((t) => t.state === 'running' && !t.name.startsWith('#'));
}

function fdVars(s: State, task: Task | undefined): string[] {
  if (!task || task.files === null) return [];
  return [...s.fdtables[task.files]!.fds.keys()].filter((k) => !k.startsWith('#')).sort();
}

/** The acting task: a live one almost always; now and then any name, dead ones included. */
function actor(s: State, n: number): Task {
  const live = liveTasks(s);
  if (n % 16 === 15 || live.length === 0) {
    const all = s.tasks.filter((t) => !t.name.startsWith('#'));
    return pick(all, n >> 4);
  }
  return pick(live, n >> 4);
}

function fdArg(s: State, task: Task, n: number): string | number {
  const vars = fdVars(s, task);
  if (n % 10 === 9 || vars.length === 0) return n % 20 === 19 ? -1 : pick(FD_VARS, n);
  return pick(vars, n >> 1);
}

function pidArg(s: State, n: number): string {
  return n % 3 === 0 ? 'self' : pick(taskNames(s), n);
}

/** A mask of namespace bits for a pidfd setns: one to three types, sometimes none or a bad bit. */
function pidfdFlags(n: number): number {
  if (n % 13 === 0) return 0;
  if (n % 13 === 1) return F.VM;
  let f = 0;
  for (let i = 0, k = n; i < 1 + (n % 3); i++, k = Math.floor(k / 8) + 7) f |= pick(NS_BITS, k);
  return f;
}

export interface ResolveCtx {
  /** how many tasks the run has named so far (fresh names T1, T2, ...) */
  nextTask: number;
}

/** The raw step an intent means in state `s`. */
export function resolve(s: State, intent: Intent, ctx: ResolveCtx): { task: string; op: string; args: Record<string, unknown> } {
  const [a, b, c, d, e] = intent.n;
  const t = actor(s, a);
  const task = t.name;
  const args: Record<string, unknown> = {};
  switch (intent.op) {
    case 'fork':
      args.child = `T${ctx.nextTask++}`;
      args.flags = pick(FORK_FLAGS, b);
      if (c % 4 === 0) args.pidfd = pick(FD_VARS, d);
      break;
    case 'clone_probe':
      args.flags = pick(FORK_FLAGS, b);
      break;
    case 'exit':
      break;
    case 'wait': {
      const kids = s.tasks.filter((k) => k.parent !== null && s.tasks[k.parent]!.leader === t.leader && k.state !== 'reaped');
      args.child = kids.length && b % 4 !== 3 ? pick(kids, c).name : pidArg(s, c);
      if (args.child === 'self') args.child = task;
      break;
    }
    case 'unshare':
      args.flags = pick(UNSHARE_FLAGS, b);
      break;
    case 'setns': {
      const fd = fdArg(s, t, b);
      args.fd = fd;
      const file = typeof fd === 'string' && t.files !== null ? s.files[s.fdtables[t.files]!.fds.get(fd) ?? -1] : undefined;
      if (file?.kind === 'pidfd') args.nstype = pidfdFlags(c);
      else args.nstype = c % 3 === 0 ? pick(NS_BITS, d) : 0;
      break;
    }
    case 'open_ns':
      args.pid = pidArg(s, b);
      args.type = pick(ENTRIES, c);
      args.fd = pick(FD_VARS, d);
      if (e % 12 === 11) args.opath = true;
      break;
    case 'close':
      args.fd = fdArg(s, t, b);
      break;
    case 'bind_ns':
      if (b % 3 === 0) args.fd = fdArg(s, t, c);
      else {
        args.pid = pidArg(s, c);
        args.type = pick(BIND_ENTRIES, d);
      }
      args.target = pick(TARGETS, e);
      if (e % 9 === 8) args.dir = true;
      break;
    case 'open_bind':
      args.target = pick(TARGETS, b);
      args.fd = pick(FD_VARS, c);
      break;
    case 'umount':
      args.target = pick(TARGETS, b);
      if (c % 2) args.detach = true;
      break;
    case 'ioctl_ns':
      args.fd = fdArg(s, t, b);
      args.req = pick(IOCTLS, c);
      if (d % 3 !== 2) args.out = pick(FD_VARS, e);
      break;
    case 'readlink_ns':
      args.pid = pidArg(s, b);
      args.type = pick(PROC_ENTRY_NAMES, c);
      break;
    case 'same_ns': {
      const side = (k: number) => (k % 2 ? `fd:${pick(fdVars(s, t).length ? fdVars(s, t) : FD_VARS, k >> 1)}` : `${pidArg(s, k >> 1) === 'self' ? task : pidArg(s, k >> 1)}:${pick(PROC_ENTRY_NAMES, k >> 3)}`);
      args.a = side(b);
      args.b = side(c);
      break;
    }
    case 'pidfd_open':
      args.pid = pidArg(s, b);
      args.fd = pick(FD_VARS, c);
      break;
    case 'sethostname':
      args.name = pick(['x', 'y', 'h'.repeat(65)], b); // 65 bytes: one over __NEW_UTS_LEN
      break;
    case 'drop_caps':
      args.mode = pick(DROP_MODES, b);
      break;
    case 'write_map':
      args.pid = pidArg(s, b);
      if (c % 3 !== 2) args.uid = pick(MAPS, d);
      if (c % 3 !== 1) args.gid = pick(MAPS, e);
      if (d % 2 === 0) args.setgroups = 'deny';
      break;
    case 'open_file':
      args.fd = pick(FD_VARS, b);
      if (c % 4 === 3) args.dir = true;
      break;
    case 'shm_create':
    case 'shm_lookup':
      args.key = 1 + (b % 2);
      break;
    default:
      break;
  }
  return { task, op: intent.op, args };
}

/** Flag masks as the names a person would write: a list of CLONE_* names (0 stays 0 for nstype). */
function named(args: Record<string, unknown>): Record<string, unknown> {
  for (const key of ['flags', 'nstype'] as const) {
    const v = args[key];
    if (typeof v !== 'number') continue;
    const names = flagNames(v);
    if (names.every((n) => n.startsWith('CLONE_')) && (v !== 0 || key === 'flags')) args[key] = v === 0 && key === 'flags' ? [] : names.length === 1 && key === 'nstype' ? names[0] : names;
  }
  return args;
}

/** Resolve and validate; the generator only produces well-typed steps, so a string here is a bug. */
export function resolveStep(s: State, intent: Intent, ctx: ResolveCtx): ParsedStep {
  const raw = resolve(s, intent, ctx);
  named(raw.args);
  const parsed = parseStep(raw.task, raw.op, raw.args);
  if (typeof parsed === 'string') throw new Error(`generator bug: ${parsed} (${JSON.stringify(raw)})`);
  return parsed;
}

export const GENERATED_OPS = Object.keys(OP_WEIGHTS).filter((o) => opByName(o) !== undefined);
