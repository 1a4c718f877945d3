// Deterministic DOT for states, steps and violations (style.md "Counterexample reports").
//
// The text depends only on the states and the strings given: objects in table order, node names
// made from fixed prefixes and numeric ids (never from input), and every label passed through
// dotString. The same replay always gives byte-identical DOT, and Graphviz lays identical DOT
// out identically.

import type { ReplayResult } from '../model/replay';
import type { State } from '../spec/state';
import { dotLabel, dotString } from './escape';
import { changedRefs, focusRefs, restrictGraph, SLOT_LABEL, stateGraph, substantiveChanges, type EdgeKind, type GEdge, type GNode, type Graph, type ObjKind } from './graph';
import { NS_TYPES, SLOTS, type Slot } from '../spec/state';

const FONT = 'DejaVu Sans';

/** DOT attributes, values already in DOT syntax; a later entry for a key replaces the earlier one. */
type Attrs = Readonly<Record<string, string>>;

const q = (v: string): string => `"${v}"`;

const NODE_STYLE: Readonly<Record<ObjKind, Attrs>> = {
  task: { shape: 'box', style: q('rounded,filled'), fillcolor: q('#dbe9ff') },
  proxy: { shape: 'record', style: q('filled'), fillcolor: q('#ececec') },
  ns: { shape: 'box', style: q('rounded,filled'), fillcolor: q('#fff3d6') },
  inode: { shape: 'note', style: q('filled'), fillcolor: q('#e3f4e8') },
  file: { shape: 'box', style: q('filled'), fillcolor: q('#f1e6fb') },
  fdtable: { shape: 'tab', style: q('filled'), fillcolor: q('#f5f5f5') },
  fs: { shape: 'tab', style: q('filled'), fillcolor: q('#f5f5f5') },
  mm: { shape: 'tab', style: q('filled'), fillcolor: q('#f5f5f5') },
};

const EDGE_STYLE: Readonly<Record<EdgeKind, Attrs>> = {
  nsproxy: { color: q('#1a73e8'), fontcolor: q('#1a73e8') },
  slot: { color: q('#5f6368') },
  cred: { color: q('#188038'), fontcolor: q('#188038') },
  pid: { color: q('#8430ce'), fontcolor: q('#8430ce') },
  owner: { style: 'dashed', color: q('#9aa0a6'), fontcolor: q('#80868b') },
  bind: { style: 'bold', color: q('#e37400'), fontcolor: q('#b06000') },
  fd: { color: q('#202124') },
  ref: { color: q('#5f6368'), fontcolor: q('#5f6368') },
  struct: { style: 'dotted', color: q('#5f6368'), fontcolor: q('#5f6368') },
};

function attrList(...parts: Attrs[]): string {
  const merged: Record<string, string> = {};
  for (const p of parts) Object.assign(merged, p);
  return Object.entries(merged).map(([k, v]) => `${k}=${v}`).join(', ');
}

const RED = '#d93025';
const NAMED: Attrs = { color: q(RED), fontcolor: q(RED), penwidth: '2.5' };
const CHANGED: Attrs = { fillcolor: q('#fff176') };

export interface Marks {
  /** objects named by a violation: drawn in red (and drawn even when freed) */
  readonly named?: ReadonlySet<string>;
  /** objects the last step changed: filled yellow */
  readonly changed?: ReadonlySet<string>;
}

const nodeId = (prefix: string, ref: string): string => prefix + ref.replace(':', '');

/**
 * An nsproxy is a record with one field per slot, so each slot edge leaves from its own field
 * and needs no label. Record syntax gives `{}|<>` and spaces a meaning; the fields are fixed
 * names and numbers, and the first field's text is escaped for records all the same.
 */
function proxyLabel(lines: readonly string[], ports: readonly Slot[]): string {
  const head = lines.map((l) => l.replace(/[\\{}|<>"]/g, (c) => `\\${c}`)).join('\\n');
  const fields = ports.map((s) => `<${s}> ${SLOT_LABEL[s]}`);
  // a focused diagram lists only the slots it draws an edge from; the count of the others is a number
  const rest = SLOTS.length - ports.length;
  if (rest > 0) fields.push(`${rest === SLOTS.length ? '' : '+'}${rest} slot${rest === 1 ? '' : 's'} not shown`);
  return `"{${[head, ...fields].join('|')}}"`;
}

function nodeLine(prefix: string, n: GNode, m: Marks, ports: readonly Slot[] = SLOTS): string {
  const base = NODE_STYLE[n.kind];
  const parts: Attrs[] = [{ label: n.kind === 'proxy' ? proxyLabel(n.lines, ports) : dotLabel(n.lines) }, base];
  if (m.changed?.has(n.ref)) parts.push(CHANGED);
  if (n.dead) parts.push({ style: q(`${(base.style ?? '').includes('rounded') ? 'rounded,' : ''}filled,dashed`), fontcolor: q('#80868b') });
  if (m.named?.has(n.ref)) parts.push(NAMED);
  return `${nodeId(prefix, n.ref)} [${attrList(...parts)}];`;
}

function edgeLine(prefix: string, e: GEdge, m: Marks): string {
  const parts: Attrs[] = [];
  if (e.label !== '' && e.port === undefined) parts.push({ label: dotString(e.label) });
  parts.push(EDGE_STYLE[e.kind]);
  if (m.named?.has(e.from) && m.named.has(e.to)) parts.push({ color: q(RED), fontcolor: q(RED), penwidth: '2' });
  const from = nodeId(prefix, e.from) + (e.port !== undefined ? `:${e.port}` : '');
  return `${from} -> ${nodeId(prefix, e.to)} [${attrList(...parts)}];`;
}

/**
 * The body of one state: tasks in one row, namespaces grouped by type, then the edges. With
 * `hidden` (a focused diagram), an nsproxy lists only the slots it has an edge from, and a grey
 * note counts the objects left out.
 */
function stateBody(g: Graph, prefix: string, m: Marks, indent: string, hidden?: number): string[] {
  const out: string[] = [];
  const tasks = g.nodes.filter((n) => n.kind === 'task');
  const ports = (ref: string): readonly Slot[] => (hidden === undefined ? SLOTS : SLOTS.filter((p) => g.edges.some((e) => e.from === ref && e.port === p)));
  for (const n of g.nodes) if (n.kind !== 'ns') out.push(indent + nodeLine(prefix, n, m, ports(n.ref)));
  if (tasks.length > 1) {
    // one row, in table order in every pane (invisible edges fix the order), so panes compare
    const ids = tasks.map((n) => nodeId(prefix, n.ref));
    out.push(`${indent}{ rank=same; ${ids.join(' -> ')} [style=invis]; }`);
  }
  for (const type of NS_TYPES) {
    const of = g.nodes.filter((n) => n.nsType === type);
    if (of.length === 0) continue;
    out.push(`${indent}subgraph cluster_${prefix}ns_${type} {`);
    out.push(`${indent}  label="${type}"; style="rounded,dashed"; color="#c0c4c8"; fontcolor="#80868b";`);
    for (const n of of) out.push(`${indent}  ${nodeLine(prefix, n, m)}`);
    out.push(`${indent}}`);
  }
  for (const e of g.edges) out.push(indent + edgeLine(prefix, e, m));
  if (hidden !== undefined && hidden > 0) {
    out.push(`${indent}${prefix}hidden [label="${hidden} other object${hidden === 1 ? '' : 's'} not shown", shape=plaintext, fontcolor="#80868b"];`);
  }
  return out;
}

function header(title: string, size: 'full' | 'small'): string[] {
  const fs = size === 'full' ? 10 : 9;
  return [
    'digraph nscheck {',
    `  graph [fontname="${FONT}", fontsize=${fs + 2}, labelloc=t, labeljust=l, newrank=true, nodesep=0.25, ranksep=0.45, label=${dotString(title)}];`,
    `  node [fontname="${FONT}", fontsize=${fs}, margin="0.08,0.04", penwidth=1];`,
    `  edge [fontname="${FONT}", fontsize=${fs - 1}, arrowsize=0.6];`,
  ];
}

/** One state on its own (the step-through view). */
export function stateDot(s: State, title: string, marks: Marks = {}): string {
  return [...header(title, 'small'), ...stateBody(stateGraph(s, marks.named), 's_', marks, '  '), '}', ''].join('\n');
}

export interface ViolationInput {
  readonly before: State;
  readonly after: State;
  /** the objects the violation names (`ns:4`, ...), drawn in red */
  readonly objects: readonly string[];
  /** the diagram's title, e.g. `MountNsBindsOrdered broken after step 3` */
  readonly title: string;
  /** the step's index, resolved call and result (`P: unshare(flags=CLONE_NEWNS) = ok`) */
  readonly stepIndex: number;
  readonly stepText: string;
  /** the task that made the step (`task:2`): drawn in the focused diagram, not expanded */
  readonly actor?: string;
  /** draw every object of both states instead of the focused diagram */
  readonly full?: boolean;
}

/**
 * The state before and after the violating step, side by side, with a legend. By default the
 * diagram is focused: the objects the violation names, the objects the step changed (in more
 * than a reference count), their direct neighbours and the acting task (graph.ts focusRefs),
 * the same objects in both panes; a grey note in each pane counts the objects left out.
 * `full` draws every object of both states.
 */
export function violationDot(v: ViolationInput): string {
  const named = new Set(v.objects);
  const changed = changedRefs(v.before, v.after);
  let gb = stateGraph(v.before, named);
  let ga = stateGraph(v.after, named);
  let hb: number | undefined;
  let ha: number | undefined;
  if (!v.full) {
    const focus = new Set([...named, ...substantiveChanges(v.before, v.after)]);
    const context = new Set(v.actor !== undefined ? [v.actor] : []);
    const keep = new Set([...focusRefs(gb, focus, context), ...focusRefs(ga, focus, context)]);
    const b = restrictGraph(gb, keep, focus);
    const a = restrictGraph(ga, keep, focus);
    [gb, hb, ga, ha] = [b.graph, b.hidden, a.graph, a.hidden];
  }
  const out = header(v.title, 'full');
  out.push('  subgraph cluster_before {');
  out.push(`    label=${dotString(`before step ${v.stepIndex}`)}; style="rounded"; color="#9aa0a6";`);
  out.push(...stateBody(gb, 'b_', { named }, '    ', hb));
  out.push('  }');
  out.push('  subgraph cluster_after {');
  out.push(`    label=${dotString(`after step ${v.stepIndex}: ${v.stepText}`)}; style="rounded"; color="#9aa0a6";`);
  out.push(...stateBody(ga, 'a_', { named, changed }, '    ', ha));
  out.push('  }');
  out.push(...legend('  ', !v.full));
  out.push('}', '');
  return out.join('\n');
}

/**
 * The violation diagram of a replay: its broken step, or (when every property held) its last
 * step. Focused unless `full` (see violationDot).
 */
export function replayDot(r: ReplayResult, opts: { readonly full?: boolean } = {}): string | undefined {
  const i = r.broken ? r.broken.step : r.steps.length - 1;
  const step = r.steps[i];
  const before = r.states[i];
  const after = r.states[i + 1];
  if (!step || !before || !after) return undefined;
  const actor = after.names.get(step.task);
  return violationDot({
    before, after, objects: r.broken?.violation.objects ?? [], stepIndex: i, stepText: `${step.call} = ${step.result}`,
    ...(actor !== undefined ? { actor: `task:${actor}` } : {}), ...(opts.full ? { full: true } : {}),
    title: r.broken ? `${r.broken.property} broken after step ${i} (${r.variant})` : `every property holds (${r.variant}); last step ${i}`,
  });
}

/** The state after step `i`, the objects it changed in yellow; at the broken step, the named ones in red. */
export function stepDot(r: ReplayResult, i: number): string | undefined {
  const step = r.steps[i];
  const before = r.states[i];
  const after = r.states[i + 1];
  if (!step || !before || !after) return undefined;
  const named = r.broken && r.broken.step === i ? new Set(r.broken.violation.objects) : new Set<string>();
  return stateDot(after, `${i}  ${step.call} = ${step.result}`, { named, changed: changedRefs(before, after) });
}

/** A small worked example of every mark and edge kind, drawn with the same styles. */
function legend(indent: string, focused: boolean): string[] {
  const small: Attrs = { fontsize: '8' };
  const n = (id: string, kind: ObjKind, text: string, ...extra: Attrs[]) => `${indent}  lg_${id} [${attrList({ label: dotString(text) }, NODE_STYLE[kind], small, ...extra)}];`;
  const e = (a: string, b: string, kind: EdgeKind, text: string) => `${indent}  lg_${a} -> lg_${b} [${attrList(text ? { label: dotString(text) } : {}, EDGE_STYLE[kind], { fontsize: '7' })}];`;
  return [
    `${indent}subgraph cluster_legend {`,
    `${indent}  label="legend"; style="rounded,dashed"; color="#c0c4c8"; fontsize=9;`,
    n('named', 'ns', 'named by the violation', NAMED),
    n('changed', 'ns', 'changed by the step', CHANGED),
    n('dead', 'ns', 'freed or reaped\n(drawn: named or pointed at)', { style: q('rounded,filled,dashed'), fontcolor: q('#80868b') }),
    n('task', 'task', 'task'),
    n('proxy', 'proxy', 'nsproxy'),
    n('ns', 'ns', 'type:[inum]'),
    n('user', 'ns', 'user:[inum]'),
    n('fdt', 'fdtable', 'files_struct'),
    n('file', 'file', 'file'),
    n('inode', 'inode', 'nsfs inode'),
    n('mnt', 'ns', 'mnt:[inum]'),
    n('note', 'fs', 'fs_struct, mm_struct, files_struct:\ndrawn when shared, open or odd'),
    ...(focused ? [`${indent}  lg_focus [label="focused: only the named and changed objects,\\ntheir neighbours and the acting task;\\nthe grey note counts the rest", shape=plaintext, fontcolor="#80868b", fontsize=8];`] : []),
    `${indent}  lg_named -> lg_changed -> lg_dead${focused ? ' -> lg_focus' : ''} [style=invis];`,
    e('task', 'proxy', 'nsproxy', 'nsproxy'),
    e('proxy', 'ns', 'slot', 'slot: uts, mnt, ...'),
    e('task', 'user', 'cred', 'cred'),
    e('task', 'ns', 'pid', 'pid (active)'),
    e('ns', 'user', 'owner', 'owner / parent'),
    e('task', 'fdt', 'struct', 'files / fs / mm'),
    e('fdt', 'file', 'fd', 'fd VAR'),
    e('file', 'inode', 'ref', ''),
    e('mnt', 'inode', 'bind', 'bind TARGET'),
    `${indent}}`,
  ];
}
