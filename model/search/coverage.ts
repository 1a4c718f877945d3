// Coverage: which rules a search made fire, and for every rule in force that it did not, why.
// A rule can only fire in a call of certain ops (RULE_OPS: which file of spec/syscalls fires it)
// with certain values (RULE_NEEDS: flag sets, /proc entries, modes, invalid choices); a miss is
// explained by the scope when it lacks them, and by the depth (or the run budget) otherwise.
// test/search.test.ts checks both tables against every rule's reaching trace.

import { RULE_NAMES, RULES, type RuleName } from '../../spec/rules';
import { ruleInForce } from '../../spec/semantics';
import { CLONE } from '../../spec/flags';
import { NS_IOCTLS } from '../../spec/syscalls/ioctl';
import type { Scope } from './scope';
import { PROPAGATION_TYPES } from '../../spec/propagation';

const NS_CREATE = ['fork', 'clone_probe', 'unshare'];

/** The ops in whose calls each rule can fire (a prefix of the rule name stands for its group). */
export const RULE_OPS: Readonly<Record<string, readonly string[]>> = {
  'task.exited': ['*'],
  'fd.bad': ['same_ns'],
  'setns.': ['setns'],
  'userns.sameNs': ['setns'], 'userns.threaded': ['setns'], 'userns.sharedFs': ['setns'], 'userns.cap': ['setns'],
  'mntns.cap': ['setns'], 'mntns.sharedFs': ['setns'], 'mntns.loop': ['bind_ns'],
  'utsns.': ['setns'], 'ipcns.': ['setns'], 'netns.': ['setns'], 'cgroupns.': ['setns'], 'timens.': ['setns'],
  'pidns.cap': ['setns'], 'pidns.ancestor': ['setns'], 'pidns.notDescendant': ['setns'],
  'pidns.notActive': NS_CREATE, 'pidns.ownerNotAncestor': NS_CREATE, 'pidns.depth': NS_CREATE,
  'unshare.': ['unshare'],
  'clone.': ['fork', 'clone_probe'],
  'pid.deadNs': ['fork', 'clone_probe'],
  'userns.depth': NS_CREATE, 'userns.unmappedCreator': NS_CREATE, 'ucount.limit': NS_CREATE,
  'proc.': ['open_ns', 'readlink_ns', 'same_ns', 'bind_ns'],
  'close.': ['close'],
  'mount.noTarget': ['open_bind', 'umount', 'bind_ns', 'propagation', 'same_ns', 'mount_fs'],
  'mount.': ['bind_ns'],
  'propagation.': ['propagation'],
  'mountfs.': ['mount_fs'],
  'ioctl.sockCap': ['ioctl_ns'],
  'socketat.': ['socketat'],
  'cred.setid': ['drop_caps', 'setresuid'], 'cred.unmapped': ['drop_caps', 'setresuid', 'setresgid'], 'cred.setgid': ['setresgid'],
  'cred.setgroups': ['drop_caps', 'setgroups'], 'cred.groupUnmapped': ['setgroups'], 'cred.capset': ['drop_caps', 'capset'], 'cred.capsetEffective': ['capset'],
  'mount.cap': ['bind_ns', 'mount_fs'], 'mount.dirMismatch': ['bind_ns', 'mount_fs'],
  'create.': ['create'],
  'unlink.': ['unlink'],
  'umount.': ['umount'],
  'ioctl.': ['ioctl_ns'],
  'pidfd.': ['pidfd_open'],
  'uts.': ['sethostname'],
  'shm.perm': ['shm_create'], 'shm.noKey': ['shm_lookup'],
  'cred.': ['drop_caps'],
  'map.': ['write_map'], 'setgroups.': ['write_map'],
  'wait.': ['wait'],
};

export function opsOfRule(rule: RuleName): readonly string[] {
  if (RULE_OPS[rule]) return RULE_OPS[rule]!;
  let best: string | undefined;
  for (const k of Object.keys(RULE_OPS)) if (k.endsWith('.') && rule.startsWith(k) && (!best || k.length > best.length)) best = k;
  return best ? RULE_OPS[best]! : [];
}

/** A requirement on a scope: undefined when the scope meets it, else what is missing. */
type Need = (s: Scope) => string | undefined;

const F = CLONE;
const op = (...names: string[]): Need => (s) => (names.some((n) => s.ops.includes(n)) ? undefined : names.join(' or '));
const entry = (...names: string[]): Need => (s) => (names.some((n) => s.entries.includes(n)) ? undefined : `the /proc entry ${names.join(' or ')}`);
const forkWith = (what: string, pred: (m: number) => boolean): Need => (s) =>
  (s.ops.includes('fork') && s.fork.some(pred)) || (s.ops.includes('clone_probe') && s.cloneProbe.some(pred)) ? undefined : `a fork or clone_probe flag set with ${what}`;
const unshareWith = (what: string, pred: (m: number) => boolean): Need => (s) => (s.ops.includes('unshare') && s.unshare.some(pred) ? undefined : `an unshare flag set with ${what}`);
const has = (bits: number) => (m: number) => (m & bits) === bits;
const nsBits = F.NEWUSER | F.NEWNS | F.NEWUTS | F.NEWIPC | F.NEWPID | F.NEWCGROUP | F.NEWNET | F.NEWTIME;
const createsNs: Need = (s) => (forkWith('a namespace bit', (m) => (m & nsBits & ~F.NEWUSER) !== 0)(s) === undefined || unshareWith('a namespace bit', (m) => (m & nsBits & ~F.NEWUSER) !== 0)(s) === undefined ? undefined : 'a fork or unshare that creates a namespace');
const ioctl = (...reqs: string[]): Need => (s) => (s.ops.includes('ioctl_ns') && reqs.some((r) => s.ioctls.includes(r)) ? undefined : `ioctl_ns with ${reqs.join(' or ')}`);
const drop = (...modes: string[]): Need => (s) => (s.ops.includes('drop_caps') && modes.some((m) => s.dropModes.includes(m)) ? undefined : `drop_caps ${modes.join(' or ')}`);
const invalid: Need = (s) => (s.invalid ? undefined : 'invalid choices ("invalid": an exited actor, a reaped task\'s name, fd -1)');
const opath: Need = (s) => (s.opath ? undefined : 'O_PATH opens ("opath")');
const pidfd: Need = (s) => (s.ops.includes('pidfd_open') || (s.forkPidfd === true && s.ops.includes('fork')) ? undefined : 'a pidfd (pidfd_open, or fork with "forkPidfd")');
const fdOf: Need = (s) => (['open_ns', 'pidfd_open', 'open_bind', 'open_file'].some((o) => s.ops.includes(o)) || (s.forkPidfd === true && s.ops.includes('fork')) ? undefined : 'an op that opens a file');
const mapWith = (what: string, pred: (m: { uid?: string; gid?: string; setgroups?: string }) => boolean): Need => (s) => (s.ops.includes('write_map') && s.maps.some(pred) ? undefined : `a write_map ${what}`);
const constant = (k: 'pidNsMaxLevel' | 'userNsMaxLevel' | 'maxNamespacesInit', max: number, what: string): Need => (s) => ((s.constants?.[k] ?? Infinity) <= max ? undefined : `${what} scaled down (constants.${k} at most ${max})`);
const all = (...needs: Need[]): Need => (s) => {
  const missing = needs.map((n) => n(s)).filter((m): m is string => m !== undefined);
  return missing.length ? missing.join(', and ') : undefined;
};
const any = (...needs: Need[]): Need => (s) => {
  const missing = needs.map((n) => n(s));
  return missing.some((m) => m === undefined) ? undefined : missing.join(', or ');
};
/** The CLONE_NEW* bit of each /proc entry. */
const ENTRY_BIT: Readonly<Record<string, number>> = {
  net: F.NEWNET, uts: F.NEWUTS, ipc: F.NEWIPC, pid: F.NEWPID, pid_for_children: F.NEWPID, user: F.NEWUSER, mnt: F.NEWNS,
  cgroup: F.NEWCGROUP, time: F.NEWTIME, time_for_children: F.NEWTIME,
};
/** setns into a namespace of one of these entries: through an open ns file, or a pidfd with that type's bit. */
const setnsOn = (...entries: string[]): Need => all(op('setns'), any(
  all(op('open_ns'), entry(...entries)),
  all(pidfd, (s) => (s.pidfdSetns.some((m) => entries.some((e) => (m & ENTRY_BIT[e]!) !== 0)) ? undefined : `a pidfd setns flag set with the bit of ${entries.join(' or ')}`)),
));

/**
 * What a rule needs beyond its ops (RULE_OPS): the argument values, flag sets and options of a
 * scope without which no trace of the scope can reach it. test/search.test.ts checks that each
 * rule's reaching trace (test/regressions/rules/) spans a scope that meets its needs, so the
 * table never claims more than a rule needs.
 */
export const RULE_NEEDS: Readonly<Record<string, Need>> = {
  'task.exited': invalid,
  'fd.bad': all(op('same_ns'), invalid),
  'setns.badFd': all(op('setns'), any(invalid, all(opath, op('open_ns')))),
  'setns.pidfdFlags': all(op('setns'), pidfd, (s) => (s.pidfdSetns.some((m) => m === 0 || (m & ~nsBits) !== 0) ? undefined : 'a pidfd setns flag set that is empty or has a bit other than a namespace\'s')),
  'setns.notNsFile': all(op('setns'), op('open_file', 'open_bind')),
  'setns.pidfdReaped': all(op('setns'), pidfd, op('wait', 'exit')),
  'setns.pidfdPtrace': all(op('setns'), pidfd, any(drop('nobody', 'seteuid_nobody'), forkWith('CLONE_NEWUSER', has(F.NEWUSER)), unshareWith('CLONE_NEWUSER', has(F.NEWUSER)))),
  'setns.pidfdExiting': all(op('setns'), pidfd, op('exit')),
  'userns.sameNs': setnsOn('user'),
  'userns.threaded': all(setnsOn('user'), forkWith('CLONE_THREAD', has(F.THREAD))),
  'userns.sharedFs': all(setnsOn('user'), forkWith('CLONE_FS', has(F.FS))),
  'userns.cap': setnsOn('user'),
  'mntns.cap': setnsOn('mnt'),
  'mntns.sharedFs': all(setnsOn('mnt'), forkWith('CLONE_FS', has(F.FS))),
  'utsns.cap': setnsOn('uts'),
  'ipcns.cap': setnsOn('ipc'),
  'cgroupns.cap': setnsOn('cgroup'),
  'netns.cap': setnsOn('net'),
  'timens.sharedMm': all(setnsOn('time', 'time_for_children'), forkWith('CLONE_VM', has(F.VM))),
  'timens.cap': setnsOn('time', 'time_for_children'),
  'pidns.cap': setnsOn('pid', 'pid_for_children'),
  'pidns.ancestor': setnsOn('pid', 'pid_for_children'),
  'pidns.notDescendant': setnsOn('pid', 'pid_for_children'),
  'unshare.badFlags': unshareWith('a bit unshare does not take (CLONE_PARENT, ...)', (m) => (m & ~(F.THREAD | F.FS | F.NEWNS | F.SIGHAND | F.VM | F.FILES | F.SYSVSEM | nsBits)) !== 0),
  'unshare.threaded': all(forkWith('CLONE_THREAD', has(F.THREAD)), unshareWith('THREAD, SIGHAND, VM or NEWUSER', (m) => (m & (F.THREAD | F.SIGHAND | F.VM | F.NEWUSER)) !== 0)),
  'unshare.sharedSighand': all(forkWith('CLONE_SIGHAND', has(F.SIGHAND)), unshareWith('SIGHAND or VM', (m) => (m & (F.SIGHAND | F.VM)) !== 0)),
  'unshare.sharedMm': all(forkWith('CLONE_VM', has(F.VM)), unshareWith('CLONE_VM', has(F.VM))),
  'unshare.cap': all(unshareWith('a namespace bit', (m) => (m & nsBits & ~F.NEWUSER) !== 0), any(drop('nobody', 'seteuid_nobody', 'capset_zero'), op('setns'))),
  'clone.newnsFs': forkWith('CLONE_NEWNS|CLONE_FS', has(F.NEWNS | F.FS)),
  'clone.newuserFs': forkWith('CLONE_NEWUSER|CLONE_FS', has(F.NEWUSER | F.FS)),
  'clone.threadNoSighand': forkWith('CLONE_THREAD without CLONE_SIGHAND', (m) => (m & F.THREAD) !== 0 && (m & F.SIGHAND) === 0),
  'clone.sighandNoVm': forkWith('CLONE_SIGHAND without CLONE_VM', (m) => (m & F.SIGHAND) !== 0 && (m & F.VM) === 0),
  'clone.parentFromInit': all(forkWith('CLONE_PARENT', has(F.PARENT)), any(forkWith('CLONE_NEWPID', has(F.NEWPID)), unshareWith('CLONE_NEWPID', has(F.NEWPID)))),
  'clone.threadNewns': forkWith('CLONE_THREAD', has(F.THREAD)),
  'clone.ipcSysvsem': forkWith('CLONE_NEWIPC|CLONE_SYSVSEM', has(F.NEWIPC | F.SYSVSEM)),
  'clone.cap': all(forkWith('a namespace bit', (m) => (m & nsBits & ~F.NEWUSER) !== 0), any(drop('nobody', 'seteuid_nobody', 'capset_zero'), op('setns'))),
  'pid.deadNs': all(any(forkWith('CLONE_NEWPID', has(F.NEWPID)), unshareWith('CLONE_NEWPID', has(F.NEWPID))), op('exit', 'clone_probe')),
  'userns.depth': all(any(forkWith('CLONE_NEWUSER', has(F.NEWUSER)), unshareWith('CLONE_NEWUSER', has(F.NEWUSER))), op('write_map'), constant('userNsMaxLevel', 4, 'the user-namespace depth limit')),
  'userns.unmappedCreator': any(forkWith('CLONE_NEWUSER', has(F.NEWUSER)), unshareWith('CLONE_NEWUSER', has(F.NEWUSER))),
  'ucount.limit': all(createsNs, constant('maxNamespacesInit', 8, 'the per-user namespace limit')),
  'pidns.notActive': any(unshareWith('CLONE_NEWPID', has(F.NEWPID)), all(setnsOn('pid', 'pid_for_children'), forkWith('CLONE_NEWPID', has(F.NEWPID)))),
  'pidns.ownerNotAncestor': all(setnsOn('pid', 'pid_for_children', 'user'), any(forkWith('CLONE_NEWUSER', has(F.NEWUSER)), unshareWith('CLONE_NEWUSER', has(F.NEWUSER))), any(forkWith('CLONE_NEWPID', has(F.NEWPID)), unshareWith('CLONE_NEWPID', has(F.NEWPID)))),
  'pidns.depth': all(any(forkWith('CLONE_NEWPID', has(F.NEWPID)), unshareWith('CLONE_NEWPID', has(F.NEWPID))), constant('pidNsMaxLevel', 4, 'the pid-namespace depth limit')),
  'proc.noTask': invalid,
  'proc.ptrace': any(drop('nobody', 'seteuid_nobody'), forkWith('CLONE_NEWUSER', has(F.NEWUSER)), unshareWith('CLONE_NEWUSER', has(F.NEWUSER))),
  'proc.noNs': any(op('exit'), entry('pid_for_children')),
  'close.badFd': invalid,
  'mount.cap': all(op('bind_ns'), any(drop('nobody', 'seteuid_nobody', 'capset_zero'), forkWith('CLONE_NEWUSER', has(F.NEWUSER)), unshareWith('CLONE_NEWUSER', has(F.NEWUSER)))),
  'mount.noSource': all(op('bind_ns'), invalid),
  'mntns.loop': all(op('bind_ns'), entry('mnt')),
  'mount.sourceNotInNs': all(op('bind_ns'), any(pidfd, op('open_file'))),
  'mount.sourceUnbindable': all(op('bind_ns'), op('propagation'), any(op('open_file'), op('open_bind')), (s) => ((s.propagationTypes ?? PROPAGATION_TYPES).includes('unbindable') ? undefined : 'the propagation type unbindable')),
  'mount.dirMismatch': any(all(op('bind_ns'), any(op('open_file'), (s) => (s.dirTargets ? undefined : 'directory targets ("dirTargets")'))), all(op('mount_fs'), op('create'))),
  'mountfs.sysfsNetCap': all(op('mount_fs'), any(forkWith('CLONE_NEWUSER', has(F.NEWUSER)), unshareWith('CLONE_NEWUSER', has(F.NEWUSER)), drop('nobody', 'seteuid_nobody', 'capset_zero'))),
  'mountfs.cap': all(op('mount_fs'), any(forkWith('CLONE_NEWUSER', has(F.NEWUSER)), unshareWith('CLONE_NEWUSER', has(F.NEWUSER)), drop('nobody', 'seteuid_nobody', 'capset_zero'))),
  'mount.noTarget': op('open_bind', 'umount'),
  'mount.propagatesMntNsFile': all(op('propagation'), op('bind_ns'), entry('mnt'), any(forkWith('CLONE_NEWNS', has(F.NEWNS)), unshareWith('CLONE_NEWNS', has(F.NEWNS)))),
  'propagation.cap': all(op('propagation'), any(drop('nobody', 'seteuid_nobody', 'capset_zero'), forkWith('CLONE_NEWUSER', has(F.NEWUSER)), unshareWith('CLONE_NEWUSER', has(F.NEWUSER)))),
  'unlink.localMountpoint': all(op('unlink'), op('bind_ns')),
  'umount.cap': all(op('bind_ns'), any(drop('nobody', 'seteuid_nobody', 'capset_zero'), forkWith('CLONE_NEWUSER', has(F.NEWUSER)), unshareWith('CLONE_NEWUSER', has(F.NEWUSER)))),
  'umount.notMounted': op('umount'),
  'umount.locked': all(op('bind_ns'), any(forkWith('CLONE_NEWUSER|CLONE_NEWNS', has(F.NEWUSER | F.NEWNS)), unshareWith('CLONE_NEWUSER|CLONE_NEWNS', has(F.NEWUSER | F.NEWNS)))),
  'umount.busy': all(op('bind_ns'), op('open_bind')),
  'ioctl.badFd': all(op('ioctl_ns'), any(invalid, all(opath, op('open_ns')))),
  'ioctl.notNsfs': all(op('ioctl_ns'), any(pidfd, op('open_file'))),
  'ioctl.unknown': (s) => (s.ops.includes('ioctl_ns') && s.ioctls.some((r) => !Object.prototype.hasOwnProperty.call(NS_IOCTLS, r)) ? undefined : 'ioctl_ns with a request the kernel does not know (NS_BOGUS)'),
  'ioctl.noParent': all(ioctl('NS_GET_PARENT'), fdOf),
  'ioctl.userOutOfScope': all(ioctl('NS_GET_USERNS', 'NS_GET_PARENT'), any(setnsOn('user'), op('bind_ns'), op('open_ns'))),
  'ioctl.pidOutOfScope': all(ioctl('NS_GET_PARENT'), entry('pid', 'pid_for_children')),
  'ioctl.notUserNs': ioctl('NS_GET_OWNER_UID'),
  'ioctl.notMntNs': ioctl('NS_GET_MNTNS_ID'),
  'pidfd.noProcess': all(op('pidfd_open'), invalid),
  'pidfd.notLeader': all(op('pidfd_open'), forkWith('CLONE_THREAD', has(F.THREAD))),
  'uts.cap': all(op('sethostname'), (s) => (s.hostnames.length ? undefined : 'a hostname')),
  'uts.tooLong': all(op('sethostname'), (s) => (s.hostnames.some((h) => h.length > 64) ? undefined : 'a hostname longer than 64 bytes')),
  'shm.perm': all(op('shm_create'), (s) => (s.shmKeys.length ? undefined : 'an shm key')),
  'shm.noKey': all(op('shm_lookup'), (s) => (s.shmKeys.length ? undefined : 'an shm key')),
  'cred.capset': any(drop('capset_zero', 'capset_admin'), op('capset')),
  'ioctl.sockCap': all(ioctl('SIOCGSKNS'), op('socket', 'socketat'), any(drop('nobody', 'seteuid_nobody', 'capset_zero', 'capset_admin'), op('capset'))),
  'socketat.enosys': op('socketat'),
  'cred.setgroups': any(drop('nobody'), op('setgroups')),
  // nobody changes the groups first, which fails without CAP_SETGID: an id change alone is seteuid_nobody
  'cred.setid': any(all(drop('seteuid_nobody'), drop('capset_zero', 'capset_admin')), all(op('setresuid'), any(op('capset'), drop('capset_zero', 'capset_admin', 'nobody', 'seteuid_nobody')))),
  'cred.unmapped': all(any(drop('seteuid_nobody'), op('setresuid', 'setresgid'), all(drop('nobody'), mapWith('that leaves setgroups allowed', (m) => m.setgroups !== 'deny'))), any(forkWith('CLONE_NEWUSER', has(F.NEWUSER)), unshareWith('CLONE_NEWUSER', has(F.NEWUSER)))),
  'map.open': all(op('write_map'), drop('nobody', 'seteuid_nobody', 'capset_zero')),
  'map.noTask': all(op('write_map'), invalid),
  'map.alreadySet': mapWith('without setgroups (a second write of the same map)', (m) => m.setgroups === undefined),
  'map.wrongNs': all(op('write_map'), any(forkWith('CLONE_NEWUSER', has(F.NEWUSER)), unshareWith('CLONE_NEWUSER', has(F.NEWUSER)))),
  // capset_admin keeps CAP_SYS_ADMIN, and nobody fails at setgroups in a fresh user namespace
  'map.cap': all(op('write_map'), drop('seteuid_nobody', 'capset_zero'), any(forkWith('CLONE_NEWUSER', has(F.NEWUSER)), unshareWith('CLONE_NEWUSER', has(F.NEWUSER)))),
  'map.parse': mapWith('that does not parse', (m) => [m.uid, m.gid].some((x) => x !== undefined && !/^\s*\d+\s+\d+\s+[1-9]\d*\s*$/.test(x))),
  'map.rootWithoutSetfcap': all(op('write_map'), drop('nobody', 'seteuid_nobody', 'capset_zero', 'capset_admin')),
  'map.notPermitted': all(mapWith('of an id other than the writer\'s own', (m) => [m.uid, m.gid].some((x) => x !== undefined && !/^\s*\d+\s+0\s+1\s*$/.test(x))), drop('nobody', 'seteuid_nobody', 'capset_zero', 'capset_admin')),
  'map.unmappedLower': mapWith('of an outside id unmapped in the parent', (m) => [m.uid, m.gid].some((x) => x !== undefined && !/^\s*\d+\s+0\s+/.test(x))),
  'setgroups.afterGidMap': mapWith('that writes setgroups', (m) => m.setgroups !== undefined),
  'setgroups.cap': all(mapWith('that writes setgroups', (m) => m.setgroups !== undefined), drop('nobody', 'seteuid_nobody', 'capset_zero', 'capset_admin')),
};

export interface CoverageReport {
  readonly inForce: number;
  readonly reached: readonly { readonly rule: string; readonly count: number }[];
  readonly missed: readonly { readonly rule: string; readonly errno: string; readonly reason: string }[];
}

/** What a scope lacks for a rule (its ops, then its values), or undefined when it has everything. */
export function scopeLacks(rule: RuleName, scope: Scope): string | undefined {
  const ops = opsOfRule(rule);
  if (!ops.includes('*') && !ops.some((o) => scope.ops.includes(o))) return ops.join(' or ');
  return RULE_NEEDS[rule]?.(scope);
}

/** Rules reached and missed, each miss with its reason. */
export function coverageReport(reached: Readonly<Record<string, number>>, kernel: number, scope: Scope | undefined, depth: number | undefined): CoverageReport {
  const inForce = RULE_NAMES.filter((r) => ruleInForce(r, kernel));
  const hit = inForce.filter((r) => (reached[r] ?? 0) > 0).map((r) => ({ rule: r, count: reached[r]! }));
  const missed = inForce.filter((r) => !((reached[r] ?? 0) > 0)).map((r) => {
    let reason: string;
    const lacks = scope ? scopeLacks(r, scope) : undefined;
    if (r === 'proc.noEntry') reason = 'every /proc/<pid>/ns entry exists on this kernel, and the format refuses other names';
    else if (lacks !== undefined) reason = `needs ${lacks}: not in scope ${scope!.name}`;
    else reason = depth !== undefined ? `in scope, but not reached within ${depth} steps (a deeper search reaches it)` : 'in scope, but not reached by these runs (more runs, or exhaustive search)';
    return { rule: r, errno: RULES[r].errno, reason };
  });
  return { inForce: inForce.length, reached: hit, missed };
}

export function coverageText(c: CoverageReport): string {
  const lines = [`rules reached: ${c.reached.length} of ${c.inForce}`];
  for (const m of c.missed) lines.push(`  not reached: ${m.rule} (${m.errno}): ${m.reason}`);
  return lines.join('\n') + '\n';
}
