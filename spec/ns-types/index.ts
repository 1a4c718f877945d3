// The namespace-type table, in the kernel's install order: user, mnt, uts, ipc, pid, cgroup,
// net, time (validate_nsset; create_new_namespaces uses the same order without user). The order
// is semantics: it decides which errno a multi-namespace setns or clone returns. Iterate this
// table; never switch on the type.

import { NS_TYPES, type NsType } from '../state';
import { cgroup } from './cgroup';
import { ipc } from './ipc';
import { mnt } from './mnt';
import { net } from './net';
import type { NsTypeOps } from './ops';
import { pid } from './pid';
import { time } from './time';
import { user } from './user';
import { uts } from './uts';

/** Keyed by type: leaving a type out is a compile error (the exhaustiveness proof). */
export const NS_BY_TYPE: { readonly [K in NsType]: NsTypeOps & { readonly name: K } } = {
  user: user as NsTypeOps & { name: 'user' },
  mnt: mnt as NsTypeOps & { name: 'mnt' },
  uts: uts as NsTypeOps & { name: 'uts' },
  ipc: ipc as NsTypeOps & { name: 'ipc' },
  pid: pid as NsTypeOps & { name: 'pid' },
  cgroup: cgroup as NsTypeOps & { name: 'cgroup' },
  net: net as NsTypeOps & { name: 'net' },
  time: time as NsTypeOps & { name: 'time' },
};

/** The table in install order (NS_TYPES is that order). */
export const NS_TABLE: readonly NsTypeOps[] = NS_TYPES.map((t) => NS_BY_TYPE[t]);

for (const t of NS_TYPES) {
  if (NS_BY_TYPE[t].name !== t) throw new Error(`namespace table: entry ${t} is named ${NS_BY_TYPE[t].name}`);
}
