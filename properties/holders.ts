// The holders of every counted object, derived from the state alone (kernel-semantics §5.1).
// RefcountsMatchHolders compares these with the explicit counts; NoLeakedNamespace walks the
// same edges from the roots.

import { SLOTS, type State } from '../spec/state';

export interface Holders {
  readonly ns: number[];
  readonly proxies: number[];
  readonly inodes: number[];
  readonly files: number[];
  readonly fdtables: number[];
  readonly fss: number[];
  readonly mms: number[];
}

export function deriveHolders(s: State): Holders {
  const h: Holders = {
    ns: new Array<number>(s.ns.length).fill(0),
    proxies: new Array<number>(s.proxies.length).fill(0),
    inodes: new Array<number>(s.inodes.length).fill(0),
    files: new Array<number>(s.files.length).fill(0),
    fdtables: new Array<number>(s.fdtables.length).fill(0),
    fss: new Array<number>(s.fss.length).fill(0),
    mms: new Array<number>(s.mms.length).fill(0),
  };
  const inc = (a: number[], i: number) => {
    a[i] = (a[i] ?? 0) + 1;
  };
  for (const ns of s.ns) {
    if (ns.external) inc(h.ns, ns.id); // the rest of the system pins the initial namespaces (and P's starting pid namespaces)
    if (ns.freed) continue;
    if (ns.parent !== null) inc(h.ns, ns.parent);
    if (ns.owner !== null && ns.owner !== ns.parent) inc(h.ns, ns.owner);
    for (const m of ns.mounts) if (m.inode !== null) inc(h.inodes, m.inode);
    for (const seg of ns.shm) {
      inc(h.ns, seg.userNs); // the segment's file's f_cred
      inc(h.ns, seg.pidNs); // shm_cprid
    }
  }
  for (const p of s.proxies) if (!p.freed) for (const slot of SLOTS) inc(h.ns, p.slots[slot]);
  for (const t of s.tasks) {
    if (t.state === 'reaped') continue;
    inc(h.ns, t.cred.userNs); // the cred
    inc(h.ns, t.pidNs); // the struct pid
    if (t.proxy !== null) inc(h.proxies, t.proxy);
    if (t.files !== null) inc(h.fdtables, t.files);
    if (t.fs !== null) inc(h.fss, t.fs);
    if (t.mm !== null) inc(h.mms, t.mm);
  }
  for (const i of s.inodes) if (!i.freed) inc(h.ns, i.ns);
  for (const f of s.files) {
    if (f.freed) continue;
    if (f.inode !== null) inc(h.inodes, f.inode);
    if (f.pidNs !== null) inc(h.ns, f.pidNs);
    inc(h.ns, f.credNs); // f_cred
  }
  for (const t of s.fdtables) if (!t.freed) for (const f of t.fds.values()) inc(h.files, f);
  return h;
}
