// The holders of every counted object, derived from the state alone (kernel-semantics §5.1).
// RefcountsMatchHolders compares their number with the explicit counts, and names them when the
// two differ; NoLeakedNamespace walks the same edges from the roots. One walk (visitHolders)
// serves counting and naming.

import { SLOTS, type State } from '../spec/state';
import { nsName, objectName, SLOT_FIELD } from './names';

export type CountedKind = 'ns' | 'proxy' | 'inode' | 'file' | 'fdtable' | 'fs' | 'mm';

/**
 * What holds a reference, as (holder, detail): the holder an object reference (`task:3`,
 * `ns:7`, ...) or '' for the rest of the system; the detail which field of it.
 */
type Visit = (kind: CountedKind, id: number, holder: string, detail: string) => void;

/** Every reference the state implies, one call per reference. */
export function visitHolders(s: State, visit: Visit, wantDetail = false): void {
  const ref = (k: string, id: number) => (wantDetail ? `${k}:${id}` : '');
  for (const ns of s.ns) {
    if (ns.external) visit('ns', ns.id, '', 'the rest of the system (an initial namespace)');
    if (ns.freed) continue;
    const me = ref('ns', ns.id);
    if (ns.parent !== null) visit('ns', ns.parent, me, 'parent');
    if (ns.owner !== null && ns.owner !== ns.parent) visit('ns', ns.owner, me, 'owner');
    for (const m of ns.mounts) {
      if (m.inode !== null) visit('inode', m.inode, me, wantDetail ? `bind mount at ${m.target}` : '');
      if (m.pins != null) visit('ns', m.pins, me, wantDetail ? `the ${m.fs ?? ''} superblock mounted at ${m.target}` : '');
    }
    for (const seg of ns.shm) {
      visit('ns', seg.userNs, me, wantDetail ? `shm segment ${seg.key}: the file's f_cred` : '');
      visit('ns', seg.pidNs, me, wantDetail ? `shm segment ${seg.key}: shm_cprid` : '');
    }
  }
  for (const p of s.proxies) if (!p.freed) for (const slot of SLOTS) visit('ns', p.slots[slot], ref('proxy', p.id), SLOT_FIELD[slot]);
  for (const t of s.tasks) {
    if (t.state === 'reaped') continue;
    const me = ref('task', t.id);
    visit('ns', t.cred.userNs, me, 'cred');
    visit('ns', t.pidNs, me, 'struct pid');
    if (t.proxy !== null) visit('proxy', t.proxy, me, 'nsproxy');
    if (t.files !== null) visit('fdtable', t.files, me, 'files');
    if (t.fs !== null) visit('fs', t.fs, me, 'fs');
    if (t.mm !== null) visit('mm', t.mm, me, 'mm');
  }
  for (const i of s.inodes) if (!i.freed) visit('ns', i.ns, ref('inode', i.id), 'i_private');
  for (const f of s.files) {
    if (f.freed) continue;
    const me = ref('file', f.id);
    if (f.inode !== null) visit('inode', f.inode, me, 'f_inode');
    if (f.pidNs !== null) visit('ns', f.pidNs, me, 'the pidfd\'s struct pid');
    if (f.sockNet !== null) visit('ns', f.sockNet, me, 'the socket\'s sk_net');
    visit('ns', f.credNs, me, 'f_cred');
  }
  for (const t of s.fdtables) if (!t.freed) for (const [v, f] of t.fds) visit('file', f, ref('fdtable', t.id), v.startsWith('#') ? 'fd' : v);
}

export interface Holders {
  readonly ns: number[];
  readonly proxy: number[];
  readonly inode: number[];
  readonly file: number[];
  readonly fdtable: number[];
  readonly fs: number[];
  readonly mm: number[];
}

/** How many holders each counted object has. */
export function deriveHolders(s: State): Holders {
  const h: Holders = {
    ns: new Array<number>(s.ns.length).fill(0),
    proxy: new Array<number>(s.proxies.length).fill(0),
    inode: new Array<number>(s.inodes.length).fill(0),
    file: new Array<number>(s.files.length).fill(0),
    fdtable: new Array<number>(s.fdtables.length).fill(0),
    fs: new Array<number>(s.fss.length).fill(0),
    mm: new Array<number>(s.mms.length).fill(0),
  };
  visitHolders(s, (kind, id) => {
    const a = h[kind];
    a[id] = (a[id] ?? 0) + 1;
  });
  return h;
}

/** The holders of one object in words: "T1's cred", "the nsproxy of T2 (net_ns)", ... */
export function describeHolders(s: State, kind: CountedKind, id: number): string[] {
  const out: string[] = [];
  visitHolders(s, (k, i, holder, detail) => {
    if (k !== kind || i !== id) return;
    if (holder === '') out.push(detail);
    else if (holder.startsWith('task:')) out.push(`${objectName(s, holder)}'s ${detail}`);
    else if (holder.startsWith('ns:')) out.push(detail === 'parent' || detail === 'owner' ? `${nsName(s, Number(holder.slice(3)))} (its ${detail})` : `${objectName(s, holder)} (${detail})`);
    else out.push(`${objectName(s, holder)} (${detail})`);
  }, true);
  return out;
}
