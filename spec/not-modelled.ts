// What the model leaves out on purpose, each with why: the README's "Not modelled" list is this
// list (test/docs.test.ts keeps them equal), so the two cannot drift apart.

export interface Omission {
  /** what is left out */
  readonly what: string;
  /** why it can be left out, or what stands in for it */
  readonly why: string;
}

export const NOT_MODELLED: readonly Omission[] = [
  { what: 'mounts other than the base directory and the binds on it', why: 'propagation is modelled for the base mount the targets live on; binds have no mounts below them, so of a bind\'s own propagation only the unbindable bit is kept (a later bind from it fails); there is no op for rbind or move mounts' },
  { what: 'setuid binaries, file capabilities and ambient capabilities at exec', why: 'exec runs an ordinary binary: root of its user namespace gets the full set, any other uid none' },
  { what: 'cgroup2 mounts, mount_too_revealing and mount options', why: 'proc, sysfs and mqueue are modelled with their permission checks and what their superblocks hold; the sandbox\'s /proc and /sys are fully visible, so mount_too_revealing never refuses there' },
  { what: 'time-namespace offsets', why: 'no operation reads a clock; which time namespace a task is in is modelled' },
  { what: 'network devices (veth, dummy) and moving them between namespaces', why: 'user sockets (which keep their net namespace alive) and SIOCGSKNS are modelled; no device op exists, so a device never outlives or pins a namespace' },
  { what: 'fsuid, supplementary groups, inheritable, bounding and ambient capability sets, securebits', why: 'setresuid, setresgid, setgroups and capset are modelled with their checks; fsuid follows euid, groups are checked but not kept (no rule reads them), the inheritable set stays empty' },
  { what: 'chroot, pivot_root and paths', why: 'a task\'s root and cwd are located only by the mount namespace they lie in' },
  { what: 'Linux security modules (SELinux, AppArmor, Yama)', why: 'the model is the capability and ptrace rules of commoncap alone, as on a kernel without an LSM policy' },
  { what: 'SysV semaphores and message queues', why: 'shared memory stands in for the ipc namespace\'s objects' },
];
