// CLONE_* values (include/uapi/linux/sched.h) and the flag names traces use.

export const CLONE = {
  NEWTIME: 0x00000080,
  VM: 0x00000100,
  FS: 0x00000200,
  FILES: 0x00000400,
  SIGHAND: 0x00000800,
  PIDFD: 0x00001000,
  PTRACE: 0x00002000,
  VFORK: 0x00004000,
  PARENT: 0x00008000,
  THREAD: 0x00010000,
  NEWNS: 0x00020000,
  SYSVSEM: 0x00040000,
  SETTLS: 0x00080000,
  PARENT_SETTID: 0x00100000,
  CHILD_CLEARTID: 0x00200000,
  DETACHED: 0x00400000,
  UNTRACED: 0x00800000,
  CHILD_SETTID: 0x01000000,
  NEWCGROUP: 0x02000000,
  NEWUTS: 0x04000000,
  NEWIPC: 0x08000000,
  NEWUSER: 0x10000000,
  NEWPID: 0x20000000,
  NEWNET: 0x40000000,
  IO: 0x80000000,
} as const;
export type CloneName = keyof typeof CLONE;

/** The eight namespace bits. */
export const NS_FLAGS = CLONE.NEWNS | CLONE.NEWUTS | CLONE.NEWIPC | CLONE.NEWNET | CLONE.NEWTIME | CLONE.NEWUSER | CLONE.NEWPID | CLONE.NEWCGROUP;

/** `CLONE_NEWPID` → its bit; undefined for an unknown name. */
export function cloneFlag(name: string): number | undefined {
  if (!name.startsWith('CLONE_')) return undefined;
  const key = name.slice(6);
  return Object.prototype.hasOwnProperty.call(CLONE, key) ? CLONE[key as CloneName] : undefined;
}

/** The names of the bits set in `flags`, in a fixed order; unknown bits as a hex number. */
export function flagNames(flags: number): string[] {
  const out: string[] = [];
  let rest = flags >>> 0;
  for (const [k, v] of Object.entries(CLONE)) {
    if ((rest & v) !== 0) {
      out.push(`CLONE_${k}`);
      rest = (rest & ~v) >>> 0;
    }
  }
  if (rest !== 0) out.push(`0x${rest.toString(16)}`);
  return out;
}

export function flagText(flags: number): string {
  return flags === 0 ? '0' : flagNames(flags).join('|');
}
