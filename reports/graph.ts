// A state as a graph of kernel objects, before any syntax: which objects are drawn, what each
// one says about itself, and which pointers join them. reports/dot.ts turns this into DOT.
//
// Everything is derived from the state alone, in table order (ids are array indices), so two
// runs give the same graph. Freed objects and reaped tasks stay in the state as tombstones; they
// are drawn only when a violation names them, or when something drawn still points at them
// (a dangling pointer is exactly what a report must show).

import { SLOTS, type NsType, type Slot, type State, type TableName } from '../spec/state';

export type ObjKind = 'task' | 'proxy' | 'ns' | 'inode' | 'file' | 'fdtable' | 'fs' | 'mm';

/** The prefix a Violation uses for each table (`ns:4`, `task:1`, ...). */
export const KIND_OF_TABLE: Readonly<Record<TableName, ObjKind>> = {
  tasks: 'task', proxies: 'proxy', ns: 'ns', inodes: 'inode', files: 'file', fdtables: 'fdtable', fss: 'fs', mms: 'mm',
};
const TABLES = Object.keys(KIND_OF_TABLE) as TableName[];

/** How /proc/<pid>/ns names each nsproxy slot. */
export const SLOT_LABEL: Readonly<Record<Slot, string>> = {
  uts: 'uts', ipc: 'ipc', mnt: 'mnt', pidForChildren: 'pid_for_children', net: 'net', cgroup: 'cgroup', time: 'time', timeForChildren: 'time_for_children',
};

export interface GNode {
  /** `kind:id`, as violations name objects */
  readonly ref: string;
  readonly kind: ObjKind;
  /** the namespace type, for namespaces (they are grouped by type) */
  readonly nsType?: NsType;
  readonly lines: readonly string[];
  /** freed, or a reaped task */
  readonly dead: boolean;
}

/** The meaning of an edge decides its style (legend in reports/dot.ts). */
export type EdgeKind = 'nsproxy' | 'slot' | 'cred' | 'pid' | 'owner' | 'bind' | 'fd' | 'ref' | 'struct';

export interface GEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly label: string;
  /** for slot edges: the nsproxy field the edge leaves from */
  readonly port?: Slot;
}

export interface Graph {
  readonly nodes: readonly GNode[];
  readonly edges: readonly GEdge[];
}

/** Rows that differ between two states by identity (states share unchanged rows), plus new rows. */
export function changedRefs(before: State, after: State): Set<string> {
  const out = new Set<string>();
  for (const t of TABLES) {
    const b = before[t] as readonly unknown[];
    const a = after[t] as readonly unknown[];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.add(`${KIND_OF_TABLE[t]}:${i}`);
  }
  return out;
}

/** Is the row a tombstone (freed object, reaped task)? */
function isDead(s: State, kind: ObjKind, id: number): boolean {
  switch (kind) {
    case 'task': return s.tasks[id]?.state === 'reaped';
    case 'proxy': return s.proxies[id]?.freed ?? true;
    case 'ns': return s.ns[id]?.freed ?? true;
    case 'inode': return s.inodes[id]?.freed ?? true;
    case 'file': return s.files[id]?.freed ?? true;
    case 'fdtable': return s.fdtables[id]?.freed ?? true;
    case 'fs': return s.fss[id]?.freed ?? true;
    case 'mm': return s.mms[id]?.freed ?? true;
  }
}

const nsText = (s: State, id: number): string => {
  const ns = s.ns[id];
  return ns ? `${ns.type}:[${ns.inum}]` : `ns:${id}`;
};

/** Every edge of the state, from every row (visibility is decided afterwards). */
function allEdges(s: State): GEdge[] {
  const e: GEdge[] = [];
  const add = (from: string, to: string, kind: EdgeKind, label: string, port?: Slot) => e.push(port ? { from, to, kind, label, port } : { from, to, kind, label });
  for (const t of s.tasks) {
    const me = `task:${t.id}`;
    if (t.proxy !== null) add(me, `proxy:${t.proxy}`, 'nsproxy', 'nsproxy');
    add(me, `ns:${t.cred.userNs}`, 'cred', 'cred');
    add(me, `ns:${t.pidNs}`, 'pid', 'pid');
    if (t.files !== null) add(me, `fdtable:${t.files}`, 'struct', 'files');
    if (t.fs !== null) add(me, `fs:${t.fs}`, 'struct', 'fs');
    if (t.mm !== null) add(me, `mm:${t.mm}`, 'struct', 'mm');
  }
  for (const p of s.proxies) {
    // one edge per slot, leaving from the slot's field of the nsproxy record
    for (const slot of SLOTS) add(`proxy:${p.id}`, `ns:${p.slots[slot]}`, 'slot', SLOT_LABEL[slot], slot);
  }
  for (const ns of s.ns) {
    const me = `ns:${ns.id}`;
    if (ns.owner !== null && ns.owner === ns.parent) add(me, `ns:${ns.owner}`, 'owner', 'owner, parent');
    else {
      if (ns.owner !== null) add(me, `ns:${ns.owner}`, 'owner', 'owner');
      if (ns.parent !== null) add(me, `ns:${ns.parent}`, 'owner', 'parent');
    }
    for (const m of ns.mounts) {
      if (m.inode !== null) add(me, `inode:${m.inode}`, 'bind', `bind ${m.target}${m.dir ? '/' : ''}`);
      if (m.pins != null) add(me, `ns:${m.pins}`, 'ref', `${m.fs ?? 'fs'} sb on ${m.target}/`);
    }
  }
  for (const i of s.inodes) add(`inode:${i.id}`, `ns:${i.ns}`, 'ref', '');
  for (const f of s.files) {
    const me = `file:${f.id}`;
    if (f.inode !== null) add(me, `inode:${f.inode}`, 'ref', '');
    if (f.pidTask !== null) add(me, `task:${f.pidTask}`, 'ref', 'pid');
    if (f.pidNs !== null) add(me, `ns:${f.pidNs}`, 'ref', 'pid ns');
    if (f.sockNet !== null) add(me, `ns:${f.sockNet}`, 'ref', 'sk_net');
  }
  for (const t of s.fdtables) for (const v of [...t.fds.keys()].sort()) add(`fdtable:${t.id}`, `file:${t.fds.get(v)!}`, 'fd', `fd ${v}`);
  for (const f of s.fss) {
    if (f.rootNs === f.cwdNs) add(`fs:${f.id}`, `ns:${f.rootNs}`, 'ref', 'root, cwd');
    else {
      add(`fs:${f.id}`, `ns:${f.rootNs}`, 'ref', 'root');
      add(`fs:${f.id}`, `ns:${f.cwdNs}`, 'ref', 'cwd');
    }
  }
  for (const m of s.mms) add(`mm:${m.id}`, `ns:${m.userNs}`, 'ref', 'user_ns');
  return e;
}

/** Structs that only clutter when they are private and ordinary are left out. */
function worthDrawing(s: State, kind: ObjKind, id: number): boolean {
  switch (kind) {
    case 'fdtable': return s.fdtables[id]!.fds.size > 0;
    case 'fs': {
      const fs = s.fss[id]!;
      if (fs.users > 1 || fs.cwdNs !== fs.rootNs) return true;
      // a root outside the mount namespace of a task using it
      return s.tasks.some((t) => t.fs === id && t.state === 'running' && t.proxy !== null && s.proxies[t.proxy]!.slots.mnt !== fs.rootNs);
    }
    case 'mm': return s.mms[id]!.users > 1;
    default: return true;
  }
}

function label(s: State, kind: ObjKind, id: number): string[] {
  const dead = isDead(s, kind, id);
  const tomb = dead ? [kind === 'task' ? 'REAPED' : 'FREED'] : [];
  switch (kind) {
    case 'task': {
      const t = s.tasks[id]!;
      const lines = [`task ${t.name}`, `pid ${t.pids.join(' / ')}  (level ${t.pids.length - 1})`, `${t.state}${t.exitCode !== null ? ` (exit ${t.exitCode})` : ''}`, `uid ${t.cred.uid} euid ${t.cred.euid}  caps 0x${t.cred.capEff.toString(16)}`];
      if (t.leader !== t.id) lines.push(`thread of ${s.tasks[t.leader]?.name ?? `task:${t.leader}`}`);
      if (t.parent !== null) lines.push(`parent ${s.tasks[t.parent]?.name ?? `task:${t.parent}`}`);
      return [...lines, `task:${id}`];
    }
    case 'proxy': {
      const p = s.proxies[id]!;
      return ['nsproxy', `refs ${p.refs}`, `proxy:${id}`, ...tomb];
    }
    case 'ns': {
      const ns = s.ns[id]!;
      const lines = [nsText(s, id), `refs ${ns.refs}`];
      if (ns.type === 'pid' || ns.type === 'user') lines.push(`level ${ns.level}`);
      if (ns.type === 'mnt') {
        lines.push(`order ${ns.nsId}`);
        // the base mount's propagation, as mountinfo shows it
        const prop = [ns.peerGroup !== 0 ? `shared:${ns.peerGroup}` : '', ns.master !== 0 ? `master:${ns.master}` : '', ns.unbindable ? 'unbindable' : ''].filter(Boolean).join(' ');
        if (prop) lines.push(`targets ${prop}`);
      }
      if (ns.type === 'uts') lines.push(`hostname ${ns.hostname}`);
      if (ns.type === 'user') lines.push(`owner uid ${ns.ownerUid}`);
      if (ns.type === 'pid' && ns.reaper !== null) lines.push(`init ${s.tasks[ns.reaper]?.name ?? '?'}${ns.adding ? '' : ' (dead)'}`);
      for (const m of ns.mounts) if (m.inode === null) lines.push(m.fs ? `${m.fs} on ${m.target}/` : `bind ${m.target}${m.dir ? '/' : ''} (file)`);
      return [...lines, `ns:${id}`, ...tomb];
    }
    case 'inode': {
      const i = s.inodes[id]!;
      return ['nsfs inode', `users ${i.users}`, `inode:${id}`, ...tomb];
    }
    case 'file': {
      const f = s.files[id]!;
      return [`file (${f.kind}${f.opath ? ', O_PATH' : ''})`, `refs ${f.refs}`, `file:${id}`, ...tomb];
    }
    case 'fdtable': return ['files_struct', `users ${s.fdtables[id]!.users}`, `fdtable:${id}`, ...tomb];
    case 'fs': return ['fs_struct', `users ${s.fss[id]!.users}`, `fs:${id}`, ...tomb];
    case 'mm': {
      const m = s.mms[id]!;
      return ['mm_struct', `users ${m.users}${m.dumpable ? '' : ', not dumpable'}`, `mm:${id}`, ...tomb];
    }
  }
}

const KIND_ORDER: readonly ObjKind[] = ['task', 'fdtable', 'file', 'fs', 'mm', 'proxy', 'inode', 'ns'];
const TABLE_OF_KIND = Object.fromEntries(TABLES.map((t) => [KIND_OF_TABLE[t], t])) as Record<ObjKind, TableName>;

/** The objects to draw and the edges between them. `named` objects are drawn even when dead. */
export function stateGraph(s: State, named: ReadonlySet<string> = new Set()): Graph {
  const visible = new Set<string>();
  for (const kind of KIND_ORDER) {
    const rows = s[TABLE_OF_KIND[kind]] as readonly unknown[];
    for (let id = 0; id < rows.length; id++) {
      const ref = `${kind}:${id}`;
      if (named.has(ref) || (!isDead(s, kind, id) && worthDrawing(s, kind, id))) visible.add(ref);
    }
  }
  const edges = allEdges(s);
  // a live object pointing at something not drawn: draw the target (a dangling pointer, or an
  // ordinary struct that a drawn object refers to)
  for (const e of edges) {
    if (!visible.has(e.from) || visible.has(e.to)) continue;
    const [kind, id] = e.from.split(':') as [ObjKind, string];
    if (isDead(s, kind, Number(id))) continue;
    if (e.kind === 'struct' && !isDeadRef(s, e.to)) continue; // a private, ordinary struct stays out
    visible.add(e.to);
  }
  const nodes: GNode[] = [];
  for (const kind of KIND_ORDER) {
    const rows = s[TABLE_OF_KIND[kind]] as readonly unknown[];
    for (let id = 0; id < rows.length; id++) {
      const ref = `${kind}:${id}`;
      if (!visible.has(ref)) continue;
      const node: GNode = { ref, kind, lines: label(s, kind, id), dead: isDead(s, kind, id) };
      nodes.push(kind === 'ns' ? { ...node, nsType: s.ns[id]!.type } : node);
    }
  }
  return { nodes, edges: edges.filter((e) => visible.has(e.from) && visible.has(e.to)) };
}

function isDeadRef(s: State, ref: string): boolean {
  const [kind, id] = ref.split(':') as [ObjKind, string];
  return isDead(s, kind, Number(id));
}

// ---------------------------------------------------------------------------------------------
// The focused violation diagram: only what the violation is about.

/** Fields that only count users; a row whose other fields are unchanged changed only a count. */
const COUNT_FIELDS: ReadonlySet<string> = new Set(['refs', 'users', 'ucounts']);

function countOnly(before: unknown, after: unknown): boolean {
  if (typeof before !== 'object' || before === null || typeof after !== 'object' || after === null) return false;
  const b = before as Readonly<Record<string, unknown>>;
  const a = after as Readonly<Record<string, unknown>>;
  for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (!COUNT_FIELDS.has(k) && JSON.stringify(b[k]) !== JSON.stringify(a[k])) return false;
  }
  return true;
}

/**
 * The rows a step changed in more than a reference count: new rows, and rows with another
 * pointer, name, state or mount. (A setns or fork moves the counts of every namespace the task
 * holds; those rows are still yellow when drawn, but they do not decide what is drawn.)
 */
export function substantiveChanges(before: State, after: State): Set<string> {
  const out = new Set<string>();
  for (const t of TABLES) {
    const b = before[t] as readonly unknown[];
    const a = after[t] as readonly unknown[];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !countOnly(b[i], a[i])) out.add(`${KIND_OF_TABLE[t]}:${i}`);
  }
  return out;
}

/**
 * Edges that bring a neighbour of a focus object into the focused diagram, by direction.
 * Outgoing: everything the object points at, except a task's cred and pid namespaces and the
 * slots of an nsproxy (drawn when their target is drawn anyway). Incoming: whoever points at
 * the object, except the namespaces a user namespace owns and the tasks whose cred or pid
 * namespace it is (for the initial namespaces, that is everything).
 */
const EXPAND_OUT: ReadonlySet<EdgeKind> = new Set<EdgeKind>(['nsproxy', 'owner', 'bind', 'fd', 'ref', 'struct']);
const EXPAND_IN: ReadonlySet<EdgeKind> = new Set<EdgeKind>(['nsproxy', 'slot', 'bind', 'fd', 'ref', 'struct']);

/**
 * The objects of `g` a focused diagram keeps: the `focus` objects (named by the violation,
 * changed by the step), their direct neighbours (one edge away, see EXPAND_OUT / EXPAND_IN),
 * the tasks using any nsproxy kept (an nsproxy means nothing without its tasks), and the
 * `context` objects (the task that made the step), which are kept but not expanded.
 */
export function focusRefs(g: Graph, focus: ReadonlySet<string>, context: ReadonlySet<string> = new Set()): Set<string> {
  const present = new Set(g.nodes.map((n) => n.ref));
  const keep = new Set<string>();
  for (const ref of [...focus, ...context]) if (present.has(ref)) keep.add(ref);
  for (const e of g.edges) {
    if (focus.has(e.from) && EXPAND_OUT.has(e.kind)) keep.add(e.to);
    if (focus.has(e.to) && EXPAND_IN.has(e.kind)) keep.add(e.from);
  }
  for (const e of g.edges) if (e.kind === 'nsproxy' && keep.has(e.to)) keep.add(e.from);
  return keep;
}

/**
 * The part of `g` on `keep` (node order unchanged), and how many of its objects were left out.
 * With `focus`, an edge between two objects that are only there as neighbours or context is
 * left out too, unless it is a task's nsproxy (e.g. every task's cred edge to the initial user
 * namespace, kept as the owner of a named namespace, says nothing about the violation).
 */
export function restrictGraph(g: Graph, keep: ReadonlySet<string>, focus?: ReadonlySet<string>): { graph: Graph; hidden: number } {
  const nodes = g.nodes.filter((n) => keep.has(n.ref));
  const edges = g.edges.filter((e) => keep.has(e.from) && keep.has(e.to)
    && (focus === undefined || focus.has(e.from) || focus.has(e.to) || e.kind === 'nsproxy'));
  return { graph: { nodes, edges }, hidden: g.nodes.length - nodes.length };
}
