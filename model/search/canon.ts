// Canonical states: a fingerprint that is equal for two states that differ only in what cannot
// influence the future (the view) and in a renaming of symmetric things (symmetry).
//
// The view keeps every object that is alive (freed rows, reaped tasks not named by a pidfd, the
// id counters, free lists and the model's own inode numbers are left out) and every relation the
// semantics reads: which object points at which, reference counts, credentials, the pid numbers
// a task can observe and each pid namespace's last pid, the creation order of the mount
// namespaces (mnt_ns_loop compares it), which namespaces share an inode number (equality is all
// the semantics asks of a number above the fixed initial ones), hostnames, maps, ucounts.
//
// Symmetry: tasks, fd variables, bind targets, and every non-initial object are interchangeable,
// so the encoding never mentions a name or an id. Objects are put in a canonical order by colour
// refinement over the object graph (each object's colour is a hash of its own fields, refined a
// few rounds with the multiset of its neighbours' colours and edge labels), ties broken by id;
// the state is then described in that order with every pointer as a canonical index. Equal
// descriptions mean isomorphic states (never a false merge); an imperfect tie-break only lets an
// isomorphic duplicate through, which costs work, not soundness (test/search.test.ts measures
// how many). `encode` gives the description itself; `fingerprint` hashes the same description to
// 64 bits without building it.

import { FIRST_DYNAMIC_INUM } from '../../spec/refs';
import { NS_TYPES, SLOTS, type State } from '../../spec/state';

const K_TASK = 0, K_NS = 1, K_PROXY = 2, K_INODE = 3, K_FILE = 4, K_FDTABLE = 5, K_FS = 6, K_MM = 7, K_TARGET = 8;
const TYPE_CODE: Readonly<Record<string, number>> = Object.fromEntries(NS_TYPES.map((t, i) => [t, i + 1]));
const STATE_CODE: Readonly<Record<string, number>> = { running: 1, zombie: 2, reaped: 3 };
const FILE_CODE: Readonly<Record<string, number>> = { nsfs: 1, pidfd: 2, file: 3, dir: 4, socket: 5 };
const FS_CODE: Readonly<Record<string, number>> = { proc: 1, sysfs: 2, mqueue: 3 };

function mix(h: number, v: number): number {
  let k = Math.imul(v | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

function strHash(s: string): number {
  let h = 0x9747b28c;
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return fmix(h ^ s.length);
}

function grow(a: Int32Array, need: number): Int32Array<ArrayBuffer> {
  if (need <= a.length) return a as Int32Array<ArrayBuffer>;
  let n = a.length * 2;
  while (n < need) n *= 2;
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

export interface CanonOptions {
  /** merge states that differ only by a renaming of tasks, fds, targets, non-initial objects (default true) */
  readonly symmetry?: boolean;
  /**
   * keep the names (task names, fd variables, targets) in the view, and no symmetry: for pairs
   * of states (nscheck diff), where the two sides must be renamed alike
   */
  readonly named?: boolean;
  /** rounds of colour refinement (default 3) */
  readonly rounds?: number;
}

/** Computes canonical fingerprints; one per search thread (it reuses its buffers). */
export class Canonicalizer {
  private readonly symmetry: boolean;
  private readonly named: boolean;
  private readonly rounds: number;
  // objects (global index o): kind, row id, start of own fields
  private n = 0;
  private kind = new Int32Array(64);
  private row = new Int32Array(64);
  private ownStart = new Int32Array(65);
  private own = new Int32Array(1024);
  private ownN = 0;
  // edges: from, to, label
  private m = 0;
  private eFrom = new Int32Array(256);
  private eTo = new Int32Array(256);
  private eLabel = new Int32Array(256);
  // refinement and order
  private col = new Int32Array(64);
  private col2 = new Int32Array(64);
  private acc = new Int32Array(64);
  private acc2 = new Int32Array(64);
  private order = new Int32Array(64);
  private index = new Int32Array(64);
  private gOf: Int32Array[] = Array.from({ length: 8 }, () => new Int32Array(16));
  // scratch maps, cleared for every state
  private readonly pidfdTasks = new Set<number>();
  private readonly mntRank = new Map<number, number>();
  private readonly mounts = new Map<number, number>();
  private readonly sighandFirst = new Map<number, number>();
  private readonly inumFirst = new Map<number, number>();
  private readonly groupFirst = new Map<number, number>();

  constructor(opts: CanonOptions = {}) {
    this.named = opts.named ?? false;
    this.symmetry = !this.named && (opts.symmetry ?? true);
    this.rounds = opts.rounds ?? 3;
  }

  private pushOwn(v: number): void {
    if (this.ownN === this.own.length) this.own = grow(this.own, this.ownN + 1);
    this.own[this.ownN++] = v | 0;
  }

  private obj(k: number, id: number): void {
    const o = this.n++;
    if (o >= this.kind.length) {
      this.kind = grow(this.kind, o + 1);
      this.row = grow(this.row, o + 1);
    }
    this.kind[o] = k;
    this.row[o] = id;
  }

  private edge(from: number, to: number, label: number): void {
    if (to < 0) return;
    const i = this.m++;
    if (i >= this.eFrom.length) {
      this.eFrom = grow(this.eFrom, i + 1);
      this.eTo = grow(this.eTo, i + 1);
      this.eLabel = grow(this.eLabel, i + 1);
    }
    this.eFrom[i] = from;
    this.eTo[i] = to;
    this.eLabel[i] = label;
  }

  /** Build the view: objects, their own fields, their edges; then the canonical order. */
  private build(s: State): void {
    this.n = 0;
    this.m = 0;
    this.ownN = 0;
    const tables = [s.tasks, s.ns, s.proxies, s.inodes, s.files, s.fdtables, s.fss, s.mms] as const;
    for (let k = 0; k < 8; k++) {
      const len = tables[k]!.length;
      if (this.gOf[k]!.length < len) this.gOf[k] = new Int32Array(len * 2);
      this.gOf[k]!.fill(-1, 0, len);
    }
    // a reaped task is in the view only while a pidfd names it
    const pidfdTasks = this.pidfdTasks;
    pidfdTasks.clear();
    for (const f of s.files) if (!f.freed && f.pidTask !== null) pidfdTasks.add(f.pidTask);
    const gT = this.gOf[K_TASK]!, gN = this.gOf[K_NS]!, gP = this.gOf[K_PROXY]!, gI = this.gOf[K_INODE]!;
    const gF = this.gOf[K_FILE]!, gD = this.gOf[K_FDTABLE]!, gS = this.gOf[K_FS]!, gM = this.gOf[K_MM]!;
    for (const t of s.tasks) if (t.state !== 'reaped' || pidfdTasks.has(t.id)) { gT[t.id] = this.n; this.obj(K_TASK, t.id); }
    for (const x of s.ns) if (!x.freed) { gN[x.id] = this.n; this.obj(K_NS, x.id); }
    for (const p of s.proxies) if (!p.freed) { gP[p.id] = this.n; this.obj(K_PROXY, p.id); }
    for (const i of s.inodes) if (!i.freed) { gI[i.id] = this.n; this.obj(K_INODE, i.id); }
    for (const f of s.files) if (!f.freed) { gF[f.id] = this.n; this.obj(K_FILE, f.id); }
    for (const t of s.fdtables) if (!t.freed) { gD[t.id] = this.n; this.obj(K_FDTABLE, t.id); }
    for (const f of s.fss) if (!f.freed) { gS[f.id] = this.n; this.obj(K_FS, f.id); }
    for (const mm of s.mms) if (!mm.freed) { gM[mm.id] = this.n; this.obj(K_MM, mm.id); }
    const targetNames = s.targets.size === 0 ? [] : [...s.targets.keys()].sort();
    const firstTarget = this.n;
    for (let i = 0; i < targetNames.length; i++) this.obj(K_TARGET, i);
    const targetOf = (name: string) => {
      const i = targetNames.indexOf(name);
      return i < 0 ? -1 : firstTarget + i;
    };
    const n = this.n;
    const at = (g: Int32Array, id: number | null) => (id === null ? -1 : g[id] ?? -1);
    // mount-namespace creation order; where each mount is (files opened through it point there)
    const mntRank = this.mntRank, mounts = this.mounts, sighandFirst = this.sighandFirst, inumFirst = this.inumFirst;
    mntRank.clear();
    mounts.clear();
    sighandFirst.clear();
    inumFirst.clear();
    const groupFirst = this.groupFirst;
    groupFirst.clear();
    for (const x of s.ns) if (!x.freed && x.type === 'mnt' && x.peerGroup !== 0 && !groupFirst.has(x.peerGroup)) groupFirst.set(x.peerGroup, gN[x.id]!);
    for (const x of s.ns) {
      if (x.freed || x.type !== 'mnt') continue;
      let r = 0;
      for (const y of s.ns) if (!y.freed && y.type === 'mnt' && y.nsId < x.nsId) r++;
      mntRank.set(x.id, r);
      for (let i = 0; i < x.mounts.length; i++) mounts.set(x.mounts[i]!.id, gN[x.id]! * 1024 + i);
    }
    if (this.ownStart.length < n + 1) this.ownStart = new Int32Array((n + 1) * 2);
    const targetById = new Map<number, number>();
    const pendingTargetEdges: number[] = [];
    for (let o = 0; o < n; o++) {
      const k = this.kind[o]!;
      const id = this.row[o]!;
      this.ownStart[o] = this.ownN;
      this.pushOwn(k);
      switch (k) {
        case K_TASK: {
          const t = s.tasks[id]!;
          this.pushOwn(STATE_CODE[t.state]!);
          this.pushOwn(t.pids.length);
          for (const p of t.pids) this.pushOwn(p);
          const c = t.cred;
          this.pushOwn(c.uid); this.pushOwn(c.euid); this.pushOwn(c.suid); this.pushOwn(c.gid); this.pushOwn(c.egid); this.pushOwn(c.sgid); this.pushOwn(c.capEff); this.pushOwn(c.capPrm);
          this.pushOwn(t.ignoresSigchld ? 1 : 0); this.pushOwn(t.exitCode ?? -1); this.pushOwn(t.userDumpable ? 1 : 0); this.pushOwn(t.leader === t.id ? 1 : 0); this.pushOwn(t.parent === null ? 1 : 0);
          if (this.named) this.pushOwn(s.names.get(t.name) === t.id ? strHash(t.name) : 0);
          this.edge(o, at(gN, c.userNs), 1);
          this.edge(o, at(gN, t.pidNs), 2);
          this.edge(o, at(gP, t.proxy), 3);
          this.edge(o, at(gS, t.fs), 4);
          this.edge(o, at(gD, t.files), 5);
          this.edge(o, at(gM, t.mm), 6);
          this.edge(o, at(gT, t.parent), 7);
          if (t.leader !== t.id) this.edge(o, at(gT, t.leader), 8);
          const f = sighandFirst.get(t.sighand);
          if (f === undefined) sighandFirst.set(t.sighand, o);
          else this.edge(o, f, 9);
          break;
        }
        case K_NS: {
          const x = s.ns[id]!;
          this.pushOwn(TYPE_CODE[x.type]!); this.pushOwn(x.refs); this.pushOwn(x.external ? 1 : 0); this.pushOwn(x.level);
          this.pushOwn(x.inum < FIRST_DYNAMIC_INUM ? x.inum : 0);
          this.pushOwn(x.adding ? 1 : 0); this.pushOwn(x.lastPid); this.pushOwn(mntRank.get(x.id) ?? -1);
          this.pushOwn(x.ownerUid); this.pushOwn(x.ownerGid); this.pushOwn(x.setgroupsDeny ? 1 : 0); this.pushOwn(x.parentCouldSetfcap ? 1 : 0); this.pushOwn(x.ucountMax);
          this.pushOwn(x.hostname.length === 0 ? 0 : strHash(x.hostname));
          if (x.uidMap) { this.pushOwn(x.uidMap.length); for (const e of x.uidMap) { this.pushOwn(e.inside); this.pushOwn(e.outside); this.pushOwn(e.count); } } else this.pushOwn(-1);
          if (x.gidMap) { this.pushOwn(x.gidMap.length); for (const e of x.gidMap) { this.pushOwn(e.inside); this.pushOwn(e.outside); this.pushOwn(e.count); } } else this.pushOwn(-1);
          const keys = Object.keys(x.ucounts).filter((k) => x.ucounts[k] !== 0); // a zero count is no count
          this.pushOwn(keys.length);
          if (keys.length > 1) keys.sort();
          for (const key of keys) { this.pushOwn(strHash(key)); this.pushOwn(x.ucounts[key]!); }
          this.pushOwn(x.shm.length);
          for (const seg of x.shm) { this.pushOwn(seg.key); this.pushOwn(seg.uid); this.pushOwn(seg.gid); }
          this.pushOwn(x.mounts.length);
          for (const mt of x.mounts) { this.pushOwn(mt.dir ? 1 : 0); this.pushOwn(mt.locked ? 1 : 0); this.pushOwn(mt.unbindable === true ? 1 : 0); this.pushOwn(mt.fs === undefined ? 0 : FS_CODE[mt.fs]!); }
          this.pushOwn(x.charge ? x.charge.uid : -1);
          // propagation: peer groups and masters as edges to the first member of the group
          this.pushOwn(x.peerGroup !== 0 ? 1 : 0); this.pushOwn(x.master === 0 ? 0 : groupFirst.has(x.master) ? 1 : 2); this.pushOwn(x.unbindable ? 1 : 0);
          if (x.peerGroup !== 0) this.edge(o, groupFirst.get(x.peerGroup)!, 18);
          if (x.master !== 0 && groupFirst.has(x.master)) this.edge(o, groupFirst.get(x.master)!, 19);
          this.edge(o, at(gN, x.owner), 11);
          this.edge(o, at(gN, x.parent), 12);
          this.edge(o, at(gI, x.stashed), 13);
          this.edge(o, at(gT, x.reaper), 14);
          if (x.charge) this.edge(o, at(gN, x.charge.userNs), 15);
          for (let i = 0; i < x.shm.length; i++) {
            this.edge(o, at(gN, x.shm[i]!.userNs), 16 + 2 * i);
            this.edge(o, at(gN, x.shm[i]!.pidNs), 17 + 2 * i);
          }
          for (let i = 0; i < x.mounts.length; i++) {
            this.edge(o, targetOf(x.mounts[i]!.target), 100 + 4 * i);
            this.edge(o, at(gI, x.mounts[i]!.inode), 101 + 4 * i);
            const pins = x.mounts[i]!.pins;
            if (pins != null) this.edge(o, at(gN, pins), 102 + 4 * i);
            const shows = x.mounts[i]!.shows;
            if (shows !== undefined) this.edge(o, at(gN, shows), 103 + 4 * i);
          }
          if (x.inum >= FIRST_DYNAMIC_INUM) {
            const f = inumFirst.get(x.inum);
            if (f === undefined) inumFirst.set(x.inum, o);
            else this.edge(o, f, 10);
          }
          break;
        }
        case K_PROXY: {
          const p = s.proxies[id]!;
          this.pushOwn(p.refs);
          for (let i = 0; i < SLOTS.length; i++) this.edge(o, at(gN, p.slots[SLOTS[i]!]), 20 + i);
          break;
        }
        case K_INODE: {
          const i = s.inodes[id]!;
          this.pushOwn(i.users);
          this.edge(o, at(gN, i.ns), 30);
          break;
        }
        case K_FILE: {
          const f = s.files[id]!;
          this.pushOwn(FILE_CODE[f.kind]!); this.pushOwn(f.opath ? 1 : 0); this.pushOwn(f.refs);
          this.edge(o, at(gI, f.inode), 40);
          this.edge(o, at(gT, f.pidTask), 41);
          this.edge(o, at(gN, f.pidNs), 42);
          this.edge(o, at(gN, f.credNs), 43);
          this.edge(o, at(gN, f.mntNs), 44);
          this.edge(o, at(gN, f.sockNet), 46);
          // a plain target opened as itself: which target file (unlinked ones point nowhere)
          if (f.targetFile !== null) { this.pushOwn(1); pendingTargetEdges.push(o, f.targetFile); } else this.pushOwn(0);
          const where = f.viaMount === null ? undefined : mounts.get(f.viaMount);
          this.pushOwn(where === undefined ? -1 : where % 1024);
          if (where !== undefined) this.edge(o, Math.floor(where / 1024), 45);
          break;
        }
        case K_FDTABLE: {
          const t = s.fdtables[id]!;
          this.pushOwn(t.users); this.pushOwn(t.fds.size);
          for (const [name, file] of t.fds) this.edge(o, at(gF, file), name.charCodeAt(0) === 35 ? 51 : this.named ? 0x10000 + (strHash(name) & 0x7fff) : 50);
          break;
        }
        case K_FS: {
          const f = s.fss[id]!;
          this.pushOwn(f.users);
          this.edge(o, at(gN, f.rootNs), 60);
          this.edge(o, at(gN, f.cwdNs), 61);
          break;
        }
        case K_MM: {
          const mm = s.mms[id]!;
          this.pushOwn(mm.users); this.pushOwn(mm.dumpable ? 1 : 0);
          this.edge(o, at(gN, mm.userNs), 70);
          break;
        }
        case K_TARGET:
          { const tf = s.targets.get(targetNames[id]!); this.pushOwn(tf?.dir ? 1 : 0); this.pushOwn(tf?.owner ?? -1); if (tf) targetById.set(tf.id, o); }
          if (this.named) this.pushOwn(strHash(targetNames[id]!));
          break;
      }
    }
    for (let i = 0; i < pendingTargetEdges.length; i += 2) this.edge(pendingTargetEdges[i]!, targetById.get(pendingTargetEdges[i + 1]!) ?? -1, 47);
    this.ownStart[n] = this.ownN;
    this.order_(n);
  }

  /** Colour refinement, then the canonical order (by kind, colour, id). */
  private order_(n: number): void {
    if (this.col.length < n) {
      this.col = new Int32Array(n * 2);
      this.col2 = new Int32Array(n * 2);
      this.acc = new Int32Array(n * 2);
      this.acc2 = new Int32Array(n * 2);
      this.order = new Int32Array(n * 2);
      this.index = new Int32Array(n * 2);
    }
    let col = this.col;
    let nxt = this.col2;
    for (let o = 0; o < n; o++) {
      let h = 0x12345;
      for (let i = this.ownStart[o]!; i < this.ownStart[o + 1]!; i++) h = mix(h, this.own[i]!);
      col[o] = fmix(h);
    }
    const order = this.order;
    for (let o = 0; o < n; o++) order[o] = o;
    if (this.symmetry) {
      const acc = this.acc, acc2 = this.acc2, m = this.m;
      for (let r = 0; r < this.rounds; r++) {
        acc.fill(0, 0, n);
        acc2.fill(0, 0, n);
        // a multiset hash of the neighbours: the sum of mixed (label, colour), out and in
        for (let e = 0; e < m; e++) {
          const f = this.eFrom[e]!, t = this.eTo[e]!, l = this.eLabel[e]!;
          acc[f] = (acc[f]! + fmix(mix(l, col[t]!))) | 0;
          acc2[t] = (acc2[t]! + fmix(mix(l ^ 0x5555, col[f]!))) | 0;
        }
        for (let o = 0; o < n; o++) nxt[o] = fmix(mix(mix(col[o]!, acc[o]!), acc2[o]!));
        const tmp = col;
        col = nxt;
        nxt = tmp;
      }
      // insertion sort by (kind, colour, id): n is small
      const kind = this.kind;
      for (let i = 1; i < n; i++) {
        const o = order[i]!;
        const ko = kind[o]!, co = col[o]!;
        let j = i - 1;
        while (j >= 0) {
          const p = order[j]!;
          const kp = kind[p]!, cp = col[p]!;
          if (kp < ko || (kp === ko && (cp < co || (cp === co && p < o)))) break;
          order[j + 1] = p;
          j--;
        }
        order[j + 1] = o;
      }
    }
    const index = this.index;
    for (let i = 0; i < n; i++) index[order[i]!] = i;
  }

  /**
   * The 64-bit fingerprint of `s`: a hash of the canonical description (every object, in
   * canonical order, with its own fields and the multiset of its (edge label, target's
   * canonical index) pairs).
   */
  fingerprint(s: State, out: Uint32Array): void {
    this.build(s);
    const n = this.n, m = this.m;
    const acc = this.acc, acc2 = this.acc2, index = this.index;
    acc.fill(0, 0, n);
    acc2.fill(0, 0, n);
    for (let e = 0; e < m; e++) {
      const f = this.eFrom[e]!;
      const v = this.eLabel[e]! * 65536 + index[this.eTo[e]!]!;
      acc[f] = (acc[f]! + fmix(v)) | 0;
      acc2[f] = (acc2[f]! + fmix(v ^ 0x2f2f2f2f)) | 0;
    }
    let h1 = mix(0x243f6a88, n), h2 = mix(0x85a308d3, n);
    for (let i = 0; i < n; i++) {
      const o = this.order[i]!;
      for (let j = this.ownStart[o]!; j < this.ownStart[o + 1]!; j++) {
        const v = this.own[j]!;
        h1 = mix(h1, v);
        h2 = mix(h2, v ^ 0x5bd1e995);
      }
      h1 = mix(h1, acc[o]!);
      h2 = mix(h2, acc2[o]!);
    }
    out[0] = fmix(h1) >>> 0;
    out[1] = fmix(h2) >>> 0;
  }

  /** The view as a graph: every object's own fields and the labelled edges (tests check isomorphism by brute force on it). */
  graph(s: State): { own: number[][]; edges: [number, number, number][] } {
    this.build(s);
    const own: number[][] = [];
    for (let o = 0; o < this.n; o++) own.push(Array.from(this.own.subarray(this.ownStart[o]!, this.ownStart[o + 1]!)));
    const edges: [number, number, number][] = [];
    for (let e = 0; e < this.m; e++) edges.push([this.eFrom[e]!, this.eTo[e]!, this.eLabel[e]!]);
    return { own, edges };
  }

  /** The canonical description itself (tests compare these: equal means isomorphic). */
  encode(s: State): number[] {
    this.build(s);
    const n = this.n;
    const out: number[] = [n];
    const edgesOf: number[][] = Array.from({ length: n }, () => []);
    for (let e = 0; e < this.m; e++) edgesOf[this.eFrom[e]!]!.push(this.eLabel[e]! * 65536 + this.index[this.eTo[e]!]!);
    for (let i = 0; i < n; i++) {
      const o = this.order[i]!;
      out.push(this.ownStart[o + 1]! - this.ownStart[o]!);
      for (let j = this.ownStart[o]!; j < this.ownStart[o + 1]!; j++) out.push(this.own[j]!);
      const es = edgesOf[o]!.sort((a, b) => a - b);
      out.push(es.length, ...es);
    }
    return out;
  }
}
