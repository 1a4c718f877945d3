// Coverage: which rules a search made fire, and for every rule in force that it did not, why.
// A rule can only fire in a call of certain ops (RULE_OPS: which file of spec/syscalls fires it;
// test/search.test.ts checks each entry against the rule's reaching trace), so a miss is
// explained by the scope when none of those ops is in it, and by the depth (or a value the scope
// leaves out) otherwise.

import { RULE_NAMES, RULES, type RuleName } from '../../spec/rules';
import { ruleInForce } from '../../spec/semantics';
import type { Scope } from './scope';

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
  'mount.noTarget': ['open_bind', 'umount'],
  'mount.': ['bind_ns'],
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

export interface CoverageReport {
  readonly inForce: number;
  readonly reached: readonly { readonly rule: string; readonly count: number }[];
  readonly missed: readonly { readonly rule: string; readonly errno: string; readonly reason: string }[];
}

/** Rules reached and missed, each miss with its reason. */
export function coverageReport(reached: Readonly<Record<string, number>>, kernel: number, scope: Scope | undefined, depth: number | undefined): CoverageReport {
  const inForce = RULE_NAMES.filter((r) => ruleInForce(r, kernel));
  const hit = inForce.filter((r) => (reached[r] ?? 0) > 0).map((r) => ({ rule: r, count: reached[r]! }));
  const missed = inForce.filter((r) => !((reached[r] ?? 0) > 0)).map((r) => {
    const ops = opsOfRule(r);
    let reason: string;
    if (r === 'proc.noEntry') reason = 'every /proc/<pid>/ns entry exists on this kernel, and the format refuses other names';
    else if (scope && !ops.includes('*') && !ops.some((o) => scope.ops.includes(o))) reason = `needs ${ops.join(' or ')}, not in scope ${scope.name}`;
    else if (r === 'ucount.limit' && scope && (scope.constants?.maxNamespacesInit ?? Infinity) > 8) reason = `the per-user namespace limit is ${scope.constants?.maxNamespacesInit ?? 'the kernel\'s'}: scale it down (constants.maxNamespacesInit) to reach it`;
    else if ((r === 'pidns.depth' || r === 'userns.depth') && scope && !scope.constants?.[r === 'pidns.depth' ? 'pidNsMaxLevel' : 'userNsMaxLevel']) reason = 'the kernel\'s depth limit is beyond reach: scale it down (constants) to reach it';
    else reason = depth !== undefined ? `not reached within ${depth} steps in this scope (a deeper search, or an argument the scope leaves out)` : 'not reached by these runs';
    return { rule: r, errno: RULES[r].errno, reason };
  });
  return { inForce: inForce.length, reached: hit, missed };
}

export function coverageText(c: CoverageReport): string {
  const lines = [`rules reached: ${c.reached.length} of ${c.inForce}`];
  for (const m of c.missed) lines.push(`  not reached: ${m.rule} (${m.errno}): ${m.reason}`);
  return lines.join('\n') + '\n';
}
