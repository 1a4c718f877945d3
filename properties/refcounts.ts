// Reference-count invariants: exact accounting, no reference to a freed object, no leak,
// ucounts. kernel-semantics §5.1, §5.2, §5.4-1 and -9.

import { ucountKey } from '../spec/refs';
import { SLOTS, type NsId, type State } from '../spec/state';
import { deriveHolders, describeHolders, visitHolders, type CountedKind, type Holders } from './holders';
import { nsName, objectName } from './names';
import type { Invariant, Violation } from './types';

type Counted = { readonly refs?: number; readonly users?: number; readonly freed: boolean };

function compare(s: State, kind: CountedKind, rows: readonly Counted[], expected: readonly number[]): Violation | undefined {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const actual = row.refs ?? row.users ?? 0;
    const want = expected[i] ?? 0;
    // counts must match, and an object nothing holds must be gone (freed exactly at zero)
    if (row.freed ? want !== 0 : actual !== want || want === 0) {
      const ref = `${kind}:${i}`;
      const holders = describeHolders(s, kind, i);
      const who = holders.length ? `: ${holders.join(', ')}` : '';
      const name = objectName(s, ref);
      return {
        message: row.freed ? `${name} was freed but ${want} holder(s) still refer to it${who}` : want === 0 && actual === 0 ? `${name} has no reference and no holder but was never freed` : `${name} has ${actual} reference(s) but ${want} holder(s)${who}`,
        expected: String(want), actual: row.freed ? 'freed' : String(actual), objects: [ref, ...holderObjects(s, kind, i)],
      };
    }
  }
  return undefined;
}

/** The objects that hold a reference to one object (for the diagram). */
function holderObjects(s: State, kind: CountedKind, id: number): string[] {
  const out = new Set<string>();
  visitHolders(s, (k, i, holder) => {
    if (k === kind && i === id && holder !== '') out.add(holder);
  }, true);
  return [...out];
}

export const RefcountsMatchHolders: Invariant = {
  name: 'RefcountsMatchHolders',
  doc: 'Every namespace, nsproxy, nsfs inode, open file and shared task structure has a count equal to the number of its holders, and is freed exactly when that number is zero.',
  source: 'kernel-semantics §5.1; include/linux/ns_common.h __ns_ref; kernel/nsproxy.c put_nsproxy',
  check(s) {
    const h: Holders = deriveHolders(s);
    return compare(s, 'ns', s.ns, h.ns) ?? compare(s, 'proxy', s.proxies, h.proxy) ?? compare(s, 'inode', s.inodes, h.inode) ??
      compare(s, 'file', s.files, h.file) ?? compare(s, 'fdtable', s.fdtables, h.fdtable) ?? compare(s, 'fs', s.fss, h.fs) ?? compare(s, 'mm', s.mms, h.mm);
  },
};

export const NoUseAfterFree: Invariant = {
  name: 'NoUseAfterFree',
  reads: ['tasks', 'ns', 'proxies', 'inodes', 'files', 'fdtables'],
  doc: 'No live object refers to a freed one.',
  source: 'kernel-semantics §5.2 (every holder keeps its object allocated)',
  check(s) {
    const bad = (from: string, to: string): Violation => ({ message: `${objectName(s, from)} refers to freed ${objectName(s, to)}`, objects: [from, to] });
    for (const t of s.tasks) {
      if (t.state === 'reaped') continue;
      const me = `task:${t.id}`;
      if (s.ns[t.cred.userNs]?.freed) return bad(me, `ns:${t.cred.userNs}`);
      if (s.ns[t.pidNs]?.freed) return bad(me, `ns:${t.pidNs}`);
      if (t.proxy !== null && s.proxies[t.proxy]?.freed) return bad(me, `proxy:${t.proxy}`);
      if (t.files !== null && s.fdtables[t.files]?.freed) return bad(me, `fdtable:${t.files}`);
    }
    for (const p of s.proxies) {
      if (p.freed) continue;
      for (const slot of SLOTS) if (s.ns[p.slots[slot]]?.freed) return bad(`proxy:${p.id}`, `ns:${p.slots[slot]}`);
    }
    for (const ns of s.ns) {
      if (ns.freed) continue;
      for (const other of [ns.parent, ns.owner]) if (other !== null && s.ns[other]?.freed) return bad(`ns:${ns.id}`, `ns:${other}`);
      for (const m of ns.mounts) if (m.inode !== null && s.inodes[m.inode]?.freed) return bad(`ns:${ns.id}`, `inode:${m.inode}`);
      for (const m of ns.mounts) if (m.pins != null && s.ns[m.pins]?.freed) return bad(`ns:${ns.id}`, `ns:${m.pins}`);
    }
    for (const i of s.inodes) if (!i.freed && s.ns[i.ns]?.freed) return bad(`inode:${i.id}`, `ns:${i.ns}`);
    for (const f of s.files) {
      if (f.freed) continue;
      if (f.inode !== null && s.inodes[f.inode]?.freed) return bad(`file:${f.id}`, `inode:${f.inode}`);
      if (f.pidNs !== null && s.ns[f.pidNs]?.freed) return bad(`file:${f.id}`, `ns:${f.pidNs}`);
      if (s.ns[f.credNs]?.freed) return bad(`file:${f.id}`, `ns:${f.credNs}`);
      if (f.sockNet !== null && s.ns[f.sockNet]?.freed) return bad(`file:${f.id}`, `ns:${f.sockNet}`);
    }
    for (const t of s.fdtables) {
      if (t.freed) continue;
      for (const f of t.fds.values()) if (s.files[f]?.freed) return bad(`fdtable:${t.id}`, `file:${f}`);
    }
    return undefined;
  },
};

/** Namespaces reachable from tasks, open files and the initial namespaces. */
export function reachableNamespaces(s: State): Set<NsId> {
  const seen = new Set<NsId>();
  const stack: NsId[] = [];
  const push = (id: NsId | null) => {
    if (id !== null && !seen.has(id)) {
      seen.add(id);
      stack.push(id);
    }
  };
  for (const ns of s.ns) if (ns.external) push(ns.id);
  for (const t of s.tasks) {
    if (t.state === 'reaped') continue;
    push(t.cred.userNs);
    push(t.pidNs);
    if (t.proxy !== null) for (const slot of SLOTS) push(s.proxies[t.proxy]!.slots[slot]);
  }
  for (const t of s.fdtables) {
    if (t.freed) continue;
    for (const fid of t.fds.values()) {
      const f = s.files[fid]!;
      if (f.inode !== null) push(s.inodes[f.inode]!.ns);
      push(f.pidNs);
      push(f.sockNet);
      push(f.credNs);
    }
  }
  while (stack.length) {
    const ns = s.ns[stack.pop()!]!;
    push(ns.parent);
    push(ns.owner);
    for (const m of ns.mounts) {
      if (m.inode !== null) push(s.inodes[m.inode]!.ns);
      if (m.pins != null) push(m.pins);
    }
    for (const seg of ns.shm) {
      push(seg.userNs);
      push(seg.pidNs);
    }
  }
  return seen;
}

export const NoLeakedNamespace: Invariant = {
  name: 'NoLeakedNamespace',
  reads: ['tasks', 'ns', 'proxies', 'inodes', 'files', 'fdtables'],
  doc: 'Every live namespace is reachable from a live task, an open file (an nsfs file, a pidfd, a socket), a bind mount or a filesystem mount (proc) inside a reachable mount namespace, or a SysV segment of a reachable ipc namespace.',
  source: 'kernel-semantics §3.5, §3.7; H6 "proc-ns: use d_set_d_op() API" (cached ns dentries leaked netns)',
  check(s) {
    const reach = reachableNamespaces(s);
    for (const ns of s.ns) {
      if (!ns.freed && !reach.has(ns.id)) {
        const holders = describeHolders(s, 'ns', ns.id);
        return { message: `${nsName(s, ns.id)} is alive with ${ns.refs} reference(s) but nothing that is alive reaches it${holders.length ? ` (held by ${holders.join(', ')})` : ''}`, expected: 'freed', actual: `refs=${ns.refs}`, objects: [`ns:${ns.id}`, ...holderObjects(s, 'ns', ns.id)] };
      }
    }
    return undefined;
  },
};

export const UcountsMatchLiveNamespaces: Invariant = {
  name: 'UcountsMatchLiveNamespaces',
  reads: ['ns'],
  doc: 'The per-user namespace counts at every level equal the live namespaces charged there.',
  source: 'kernel/ucount.c inc_ucount/dec_ucount; kernel-semantics §5.4-9, H17',
  check(s) {
    const want = new Map<string, number>();
    for (const ns of s.ns) {
      if (ns.freed || !ns.charge) continue;
      let level = s.ns[ns.charge.userNs]!;
      let uid = ns.charge.uid;
      for (;;) {
        const k = `${level.id}/${ucountKey(ns.type, uid)}`;
        want.set(k, (want.get(k) ?? 0) + 1);
        if (level.parent === null) break;
        uid = level.ownerUid;
        level = s.ns[level.parent]!;
      }
    }
    for (const ns of s.ns) {
      if (ns.type !== 'user') continue;
      const keys = new Set([...Object.keys(ns.ucounts)]);
      for (const k of want.keys()) if (k.startsWith(`${ns.id}/`)) keys.add(k.slice(k.indexOf('/') + 1));
      for (const key of keys) {
        const actual = ns.ucounts[key] ?? 0;
        const expected = want.get(`${ns.id}/${key}`) ?? 0;
        if (actual !== expected) {
          return { message: `ucount ${key} in user:[${ns.inum}] is ${actual}, but ${expected} live namespace(s) are charged there`, expected: String(expected), actual: String(actual), objects: [`ns:${ns.id}`] };
        }
      }
    }
    return undefined;
  },
};
