// The actions a scope allows in a state: for every acting task, every op of the scope and every
// combination of its arguments' domains, in a fixed order (the index of an action is its
// position, which is how the exhaustive search stores paths). The same domains feed random
// search (model/search/random.ts), so the two modes explore the same space.
//
// Names are chosen the way a trace would: a fork's child is the lowest free T<n>; an open goes
// into the lowest free fd variable f<i> (fd variables and task names are symmetric, so nothing is
// lost). A task's `pid` arguments are `self` or another task's name.

import { flagNames } from '../../spec/flags';
import { opByName, type OpDef, type ParsedStep } from '../../spec/ops';
import type { State, Task } from '../../spec/state';
import { ENTRY_FLAG, type Scope } from './scope';
import { PROPAGATION_TYPES } from '../../spec/propagation';
import { CAPS } from '../../spec/state';

/** A capability mask as the CAP_* names a trace writes. */
function capNames(mask: number): string[] {
  return Object.entries(CAPS).filter(([, b]) => (mask & b) !== 0).map(([n]) => `CAP_${n}`);
}

const IOCTL_WITH_FD = new Set(['NS_GET_USERNS', 'NS_GET_PARENT', 'SIOCGSKNS']);

function op(name: string): OpDef {
  const o = opByName(name);
  if (!o) throw new Error(`model bug: no op ${name}`);
  return o;
}

const rawFlags = new Map<number, readonly string[] | number>();

/** Flag masks as the names a trace writes (cached: scopes use a few masks over and over). */
function flagsRaw(mask: number): readonly string[] | number {
  let r = rawFlags.get(mask);
  if (r === undefined) {
    const names = flagNames(mask);
    r = names.every((n) => n.startsWith('CLONE_')) ? names : mask;
    rawFlags.set(mask, r);
  }
  return r;
}

/** The state-dependent domains of one acting task. */
export interface Domains {
  readonly actor: Task;
  /** names for `pid` arguments: self, then every other task that has a name (reaped ones too) */
  readonly pids: readonly string[];
  /** fd variables open in the actor's table, in name order */
  readonly openVars: readonly string[];
  /** the lowest free fd variable, if the scope has one left */
  readonly freeVar: string | undefined;
  /** the name a fork would give its child */
  readonly childName: string;
  /** whether the scope allows one more task */
  readonly canFork: boolean;
}

export function domainsOf(s: State, scope: Scope, actor: Task): Domains {
  const pids = ['self'];
  for (const t of s.tasks) if (t.id !== actor.id && t.state !== 'reaped' && s.names.get(t.name) === t.id) pids.push(t.name);
  const table = actor.files === null ? undefined : s.fdtables[actor.files];
  const openVars: string[] = [];
  if (table) for (const v of scope.fdVarNames) if (table.fds.has(v)) openVars.push(v);
  const freeVar = scope.fdVarNames.find((v) => !table || !table.fds.has(v));
  let k = 1;
  while (s.names.has(`T${k}`)) k++;
  const live = s.tasks.filter((t) => t.state !== 'reaped').length;
  // invalid choices: a pid argument naming no task (one never forked, or reaped)
  if (scope.invalid) pids.push(`T${k}`);
  return { actor, pids, openVars, freeVar, childName: `T${k}`, canFork: live < scope.tasks };
}

/** The fd variable a step opens a file into, if it opens one. */
export function openedVar(step: ParsedStep): string | undefined {
  const raw = step.raw as Record<string, unknown>;
  const v = OPENS_INTO[step.op.name];
  const name = v === undefined ? undefined : raw[v];
  return typeof name === 'string' ? name : undefined;
}

/** Which argument names the fd variable an op opens a file into. */
export const OPENS_INTO: Readonly<Record<string, string>> = { open_ns: 'fd', pidfd_open: 'fd', open_bind: 'fd', open_file: 'fd', ioctl_ns: 'out', fork: 'pidfd' };

/** The acting tasks: every running named task, and one that has exited (when the scope asks for invalid choices). */
export function actors(s: State, scope: Scope): Task[] {
  const out: Task[] = [];
  let dead: Task | undefined;
  for (const t of s.tasks) {
    if (s.names.get(t.name) !== t.id) continue;
    if (t.state === 'running') out.push(t);
    else if (!dead && scope.invalid) dead = t;
  }
  if (dead) out.push(dead);
  return out;
}

function step(task: string, opName: string, args: Record<string, unknown>, raw: Record<string, unknown>): ParsedStep {
  return { task, op: op(opName), args, raw };
}

/** Every action of one op for one actor, in order. */
export function actionsOf(s: State, scope: Scope, d: Domains, opName: string, out: ParsedStep[]): void {
  const task = d.actor.name;
  const file = (v: string) => {
    const id = d.actor.files === null ? undefined : s.fdtables[d.actor.files]?.fds.get(v);
    return id === undefined ? undefined : s.files[id];
  };
  const fds: (string | number)[] = scope.invalid ? [...d.openVars, -1] : [...d.openVars];
  switch (opName) {
    case 'fork':
      if (!d.canFork) return;
      for (const m of scope.fork) {
        out.push(step(task, 'fork', { child: d.childName, flags: m }, { child: d.childName, flags: flagsRaw(m) }));
        if (scope.forkPidfd && d.freeVar !== undefined) out.push(step(task, 'fork', { child: d.childName, flags: m, pidfd: d.freeVar }, { child: d.childName, flags: flagsRaw(m), pidfd: d.freeVar }));
      }
      return;
    case 'clone_probe':
      for (const m of scope.cloneProbe) out.push(step(task, 'clone_probe', { flags: m }, { flags: flagsRaw(m) }));
      return;
    case 'exit':
    case 'exec':
    case 'getpid':
    case 'getppid':
    case 'gethostname':
      out.push(step(task, opName, {}, {}));
      return;
    case 'wait':
      for (const p of d.pids.slice(1)) out.push(step(task, 'wait', { child: p }, { child: p }));
      return;
    case 'unshare':
      for (const m of scope.unshare) out.push(step(task, 'unshare', { flags: m }, { flags: flagsRaw(m) }));
      return;
    case 'setns':
      for (const fd of fds) {
        const f = typeof fd === 'string' ? file(fd) : undefined;
        if (f?.kind === 'pidfd') {
          for (const m of scope.pidfdSetns) out.push(step(task, 'setns', { fd, nstype: m }, { fd, nstype: m === 0 ? 0 : flagsRaw(m) }));
          continue;
        }
        const own = f?.inode != null ? ENTRY_FLAG[s.ns[s.inodes[f.inode]!.ns]!.type] : undefined;
        const wrong = own === ENTRY_FLAG.net ? ENTRY_FLAG.uts! : ENTRY_FLAG.net!;
        for (const nstype of own !== undefined ? [0, own, wrong] : [0]) {
          out.push(step(task, 'setns', { fd, nstype }, { fd, nstype: nstype === 0 ? 0 : flagNames(nstype)[0]! }));
        }
      }
      return;
    case 'open_ns':
      if (d.freeVar === undefined) return;
      for (const pid of d.pids) {
        for (const type of scope.entries) {
          out.push(step(task, 'open_ns', { pid, type, fd: d.freeVar }, { pid, type, fd: d.freeVar }));
          if (scope.opath) out.push(step(task, 'open_ns', { pid, type, fd: d.freeVar, opath: true }, { pid, type, fd: d.freeVar, opath: true }));
        }
      }
      return;
    case 'close':
      for (const fd of fds) out.push(step(task, 'close', { fd }, { fd }));
      return;
    case 'bind_ns':
      for (const target of scope.targets) {
        for (const pid of d.pids) for (const type of scope.entries) out.push(step(task, 'bind_ns', { pid, type, target }, { pid, type, target }));
        for (const fd of fds) out.push(step(task, 'bind_ns', { fd, target }, { fd, target }));
        // onto an existing target only (mount(2) itself), when the scope creates targets apart
        if (scope.ops.includes('create')) for (const type of scope.entries) out.push(step(task, 'bind_ns', { pid: 'self', type, target, create: false }, { pid: 'self', type, target, create: false }));
        if (scope.dirTargets) {
          for (const type of scope.entries) out.push(step(task, 'bind_ns', { pid: 'self', type, target, dir: true }, { pid: 'self', type, target, dir: true }));
          for (const fd of d.openVars) out.push(step(task, 'bind_ns', { fd, target, dir: true }, { fd, target, dir: true }));
        }
      }
      return;
    case 'create':
      for (const target of scope.targets) {
        out.push(step(task, 'create', { target }, { target }));
        if (scope.dirTargets) out.push(step(task, 'create', { target, dir: true }, { target, dir: true }));
      }
      return;
    case 'socket':
      if (d.freeVar !== undefined) out.push(step(task, 'socket', { fd: d.freeVar }, { fd: d.freeVar }));
      return;
    case 'socketat':
      if (d.freeVar === undefined) return;
      for (const nsfd of d.openVars) out.push(step(task, 'socketat', { nsfd, fd: d.freeVar }, { nsfd, fd: d.freeVar }));
      return;
    case 'setresuid':
    case 'setresgid':
      for (const id of scope.ids ?? [0, 65534]) {
        const [r, e, sv] = opName === 'setresuid' ? ['ruid', 'euid', 'suid'] : ['rgid', 'egid', 'sgid'];
        out.push(step(task, opName, { [r]: id, [e]: id, [sv]: id }, { [r]: id, [e]: id, [sv]: id }));
        out.push(step(task, opName, { [e]: id }, { [e]: id }));
      }
      return;
    case 'setgroups':
      for (const groups of [[], [0]]) out.push(step(task, 'setgroups', { groups }, { groups }));
      return;
    case 'capset':
      for (const caps of [0, CAPS.SYS_ADMIN, CAPS.NET_ADMIN]) {
        const names = capNames(caps);
        out.push(step(task, 'capset', { effective: caps, permitted: caps }, { effective: names, permitted: names }));
      }
      return;
    case 'mount_fs':
      for (const target of scope.targets) for (const type of ['proc', 'sysfs', 'mqueue']) out.push(step(task, 'mount_fs', { type, target }, { type, target }));
      return;
    case 'unlink':
      for (const target of scope.targets) out.push(step(task, 'unlink', { target }, { target }));
      return;
    case 'propagation':
      for (const type of scope.propagationTypes ?? PROPAGATION_TYPES) out.push(step(task, 'propagation', { type }, { type }));
      // of a bind the model keeps only whether it is unbindable: private stands for the others
      for (const target of scope.targets) {
        for (const type of ['private', 'unbindable'] as const) {
          if (type === 'private' || (scope.propagationTypes ?? PROPAGATION_TYPES).includes(type)) out.push(step(task, 'propagation', { type, target }, { type, target }));
        }
      }
      return;
    case 'open_bind':
      if (d.freeVar === undefined) return;
      for (const target of scope.targets) out.push(step(task, 'open_bind', { target, fd: d.freeVar }, { target, fd: d.freeVar }));
      return;
    case 'umount':
      for (const target of scope.targets) {
        out.push(step(task, 'umount', { target }, { target }));
        out.push(step(task, 'umount', { target, detach: true }, { target, detach: true }));
      }
      return;
    case 'ioctl_ns':
      for (const fd of fds) {
        for (const req of scope.ioctls) {
          const outVar = IOCTL_WITH_FD.has(req) ? d.freeVar : undefined;
          if (IOCTL_WITH_FD.has(req) && outVar === undefined) continue;
          out.push(step(task, 'ioctl_ns', outVar !== undefined ? { fd, req, out: outVar } : { fd, req }, outVar !== undefined ? { fd, req, out: outVar } : { fd, req }));
        }
      }
      return;
    case 'readlink_ns':
      for (const pid of d.pids) for (const type of scope.entries) out.push(step(task, 'readlink_ns', { pid, type }, { pid, type }));
      return;
    case 'same_ns':
      for (const v of scope.invalid && d.freeVar !== undefined ? [...d.openVars, d.freeVar] : d.openVars) {
        for (const type of scope.entries) {
          const b = `${task}:${type}`;
          out.push(step(task, 'same_ns', { a: { fd: v }, b: { pid: task, entry: type } }, { a: `fd:${v}`, b }));
        }
      }
      return;
    case 'pidfd_open':
      if (d.freeVar === undefined) return;
      for (const pid of d.pids) out.push(step(task, 'pidfd_open', { pid, fd: d.freeVar }, { pid, fd: d.freeVar }));
      return;
    case 'sethostname':
      for (const name of scope.hostnames) out.push(step(task, 'sethostname', { name }, { name }));
      return;
    case 'drop_caps':
      for (const mode of scope.dropModes) out.push(step(task, 'drop_caps', { mode }, { mode }));
      return;
    case 'write_map':
      for (const pid of d.pids) {
        for (const m of scope.maps) {
          const a: Record<string, unknown> = { pid };
          if (m.uid !== undefined) a.uid = m.uid;
          if (m.gid !== undefined) a.gid = m.gid;
          if (m.setgroups !== undefined) a.setgroups = m.setgroups;
          out.push(step(task, 'write_map', a, { ...a }));
        }
      }
      return;
    case 'open_file':
      if (d.freeVar === undefined) return;
      out.push(step(task, 'open_file', { fd: d.freeVar }, { fd: d.freeVar }));
      out.push(step(task, 'open_file', { fd: d.freeVar, dir: true }, { fd: d.freeVar, dir: true }));
      return;
    case 'shm_create':
    case 'shm_lookup':
      for (const key of scope.shmKeys) out.push(step(task, opName, { key }, { key }));
      return;
    default:
      throw new Error(`model bug: the scope has no domain for op ${opName}`);
  }
}

/**
 * Every action the scope allows in state `s`, in order. `changing` leaves out the ops that only
 * observe (they never change the state, so a search for invariant violations gains nothing).
 */
export function enumerateActions(s: State, scope: Scope, changing = false): ParsedStep[] {
  const out: ParsedStep[] = [];
  const ops = changing ? scope.ops.filter((o) => !op(o).observes) : scope.ops;
  for (const a of actors(s, scope)) {
    const d = domainsOf(s, scope, a);
    for (const o of ops) actionsOf(s, scope, d, o, out);
  }
  return out;
}
