// Kernel-history profiles: the same spec at another kernel version. Rules and namespace types
// carry `since`/`until` (spec/rules.ts, spec/ns-types/*, spec/proc.ts), so a profile is just a
// version; every profile must hold every invariant.

import type { KnownFinding, VariantDef } from './define';

/**
 * Found by the checker and confirmed on Linux 6.18.44: since 5.8, setns(pidfd, CLONE_NEWNS|X)
 * installs into a private copy of fs_struct (prepare_nsset), so mntns_install's fs->users check
 * passes for a task whose fs is shared, and commit_nsset then moves the shared root and cwd: the
 * other sharer's root leaves its own mount namespace. test/regressions/findings/setns-pidfd+mnt-moves-fs-sharer.trace.json
 *
 * Muted narrowly: a task whose root (or cwd) is outside its mount namespace is this finding only
 * when it shares its fs_struct with a running task that is in the mount namespace the root is in
 * (the sharer that joined it). Any other misplaced root is still a violation.
 */
const PIDFD_FS_FINDING: readonly KnownFinding[] = [{
  property: 'FsRootInOwnMntNs',
  doc: 'setns(pidfd, CLONE_NEWNS|X) by a task sharing its fs_struct moves the other sharers\' root and cwd into the joined mount namespace',
  trace: 'test/regressions/findings/setns-pidfd+mnt-moves-fs-sharer.trace.json',
  matches(v, s) {
    const taskRef = v.objects.find((o) => o.startsWith('task:'));
    const task = taskRef === undefined ? undefined : s.tasks[Number(taskRef.slice(5))];
    if (!task || task.fs === null) return false;
    const fs = s.fss[task.fs]!;
    if (fs.users < 2) return false;
    const joined = (at: number) => s.tasks.some((u) => u.id !== task.id && u.state === 'running' && u.fs === task.fs && u.proxy !== null && s.proxies[u.proxy]!.slots.mnt === at);
    return joined(fs.rootNs) && joined(fs.cwdNs);
  },
}];

export const LINUX_6_18: VariantDef = {
  name: 'linux-6.18', kernel: 6018, expect: 'holds', knownFindings: PIDFD_FS_FINDING,
  doc: 'Linux 6.18: the default semantics',
};

export const HISTORY: readonly VariantDef[] = [
  { name: 'linux-3.0', kernel: 3000, expect: 'holds', doc: 'the original 2011 setns: net, uts and ipc files only, CAP_SYS_ADMIN in the initial user namespace checked first', source: '0663c6f8fa37 "ns: Introduce the setns syscall"' },
  { name: 'linux-3.8', kernel: 3008, expect: 'holds', doc: 'user, pid and mount namespaces joinable; per-type install checks; the mount-namespace order rule', source: 'Biederman, v3.8 (2012)' },
  { name: 'linux-4.12', kernel: 4012, expect: 'holds', doc: 'cgroup namespaces, nsfs ioctls, ucounts, and /proc/<pid>/ns/pid_for_children', source: 'eaa0d190bfe1 (4.12)' },
  { name: 'linux-5.8', kernel: 5008, expect: 'holds', knownFindings: PIDFD_FS_FINDING, doc: 'time namespaces and setns through a pidfd', source: '303cc571d107 "nsproxy: attach to namespaces via pidfds"' },
  LINUX_6_18,
];
