// Writing /proc/<pid>/setgroups, uid_map, gid_map: kernel/user_namespace.c
// (proc_setgroups_write, proc_uid_map_write → map_write, new_idmap_permitted); man
// user_namespaces(7). The files are written in that order; each write stands on its own, so
// a later failure leaves the earlier writes in place, as on the kernel.

import { hasMapping, mapDown, nsCapable } from '../caps';
import type { Failure } from '../semantics';
import type { IdExtent, Namespace } from '../state';
import type { Call, Outcome } from '../tx';
import { procTask } from './tasks';

export interface MapArgs {
  readonly pid: string;
  readonly uid?: string;
  readonly gid?: string;
  readonly setgroups?: string;
}

/** "inside outside count" lines; undefined when malformed, empty or overlapping. */
export function parseMap(text: string): IdExtent[] | undefined {
  const out: IdExtent[] = [];
  for (const line of text.split(/[\n,]/).map((l) => l.trim()).filter((l) => l !== '')) {
    const parts = line.split(/\s+/);
    if (parts.length !== 3 || !parts.every((p) => /^\d+$/.test(p))) return undefined;
    const [inside, outside, count] = parts.map(Number) as [number, number, number];
    if (count === 0 || inside + count > 4294967295 || outside + count > 4294967295) return undefined;
    out.push({ inside, outside, count });
  }
  if (out.length === 0 || out.length > 340) return undefined;
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      const a = out[i]!;
      const b = out[j]!;
      const overlap = (x: number, n: number, y: number, m: number) => x < y + m && y < x + n;
      if (overlap(a.inside, a.count, b.inside, b.count) || overlap(a.outside, a.count, b.outside, b.count)) return undefined;
    }
  }
  return out;
}

function writeMap(c: Call, ns: Namespace, which: 'uid' | 'gid', text: string): Failure | undefined {
  const cred = c.actor.cred;
  const parent = ns.parent;
  const current = which === 'uid' ? ns.uidMap : ns.gidMap;
  const refused =
    c.guard('map.wrongNs', parent === null || (cred.userNs !== ns.id && cred.userNs !== parent)) ?? // proc_uid_map_write
    c.guard('map.alreadySet', current !== null) ?? // only one successful write
    c.guard('map.cap', !nsCapable(c.tx, cred, ns.id, 'SYS_ADMIN'));
  if (refused) return refused;
  const map = parseMap(text);
  const bad = c.guard('map.parse', map === undefined);
  if (bad || !map || parent === null) return bad ?? c.fail('map.parse');
  // new_idmap_permitted: the owner may map its own id alone (a gid only once setgroups is denied);
  // anything else needs CAP_SETUID/CAP_SETGID over the parent
  const single = map.length === 1 && map[0]!.count === 1 && ns.ownerUid === cred.euid;
  const own = single && (which === 'uid'
    ? mapDown(c.tx, parent, map[0]!.outside, 'uid') === cred.euid
    : ns.setgroupsDeny && mapDown(c.tx, parent, map[0]!.outside, 'gid') === cred.egid);
  const permitted = own || nsCapable(c.tx, cred, parent, which === 'uid' ? 'SETUID' : 'SETGID');
  const unmapped = map.some((e) => mapDown(c.tx, parent, e.outside, which) === undefined || mapDown(c.tx, parent, e.outside + e.count - 1, which) === undefined);
  // verify_root_map (uid maps only): mapping outside uid 0 needs CAP_SETFCAP
  const mapsRoot = which === 'uid' && map.some((e) => e.outside === 0);
  const rootOk = cred.userNs === ns.id ? ns.parentCouldSetfcap : nsCapable(c.tx, cred, parent, 'SETFCAP');
  const denied =
    c.guard('map.rootWithoutSetfcap', mapsRoot && !rootOk) ??
    c.guard('map.notPermitted', !permitted) ??
    c.guard('map.unmappedLower', unmapped);
  if (denied) return denied;
  c.tx.update('ns', ns.id, which === 'uid' ? { uidMap: map } : { gidMap: map });
  return undefined;
}

export function writeMaps(c: Call, args: MapArgs): Outcome {
  const task = procTask(c, args.pid);
  const gone = c.guard('map.noTask', task === undefined || task.state === 'reaped');
  if (gone || !task) return gone ?? c.fail('map.noTask');
  // opening the file for writing: the files are 0644 and owned as task_dump_owner says (the
  // task's euid/egid when it is dumpable; global root once it has no mm, as a zombie), so a writer needs to be that
  // uid, or have CAP_DAC_OVERRIDE with both ids mapped in its namespace (capable_wrt_inode_uidgid)
  const me = c.actor.cred;
  const mm = task.mm === null ? undefined : c.tx.get('mms', task.mm);
  // task_dump_owner: a task that is not dumpable shows its files as root of its mm's user
  // namespace (global root when that root is unmapped)
  const owner = !mm ? { uid: 0, gid: 0 }
    : mm.dumpable ? { uid: task.cred.euid, gid: task.cred.egid }
    : { uid: mapDown(c.tx, mm.userNs, 0, 'uid') ?? 0, gid: mapDown(c.tx, mm.userNs, 0, 'gid') ?? 0 };
  const dac = me.euid === owner.uid ||
    (nsCapable(c.tx, me, me.userNs, 'DAC_OVERRIDE') && hasMapping(c.tx, me.userNs, owner.uid, 'uid') && hasMapping(c.tx, me.userNs, owner.gid, 'gid'));
  const closed = c.guard('map.open', !dac);
  if (closed) return closed;
  const nsId = task.cred.userNs;
  let wrote = false;
  const step = (f: Failure | undefined): Failure | undefined => {
    if (f) return wrote ? { ...f, partial: c.tx.commit() } : f;
    wrote = true;
    return undefined;
  };
  if (args.setgroups !== undefined) {
    const ns = c.tx.get('ns', nsId);
    const f =
      c.guard('setgroups.cap', !nsCapable(c.tx, c.actor.cred, ns.id, 'SYS_ADMIN')) ??
      c.guard('setgroups.afterGidMap', args.setgroups === 'deny' && ns.gidMap !== null) ??
      c.guard('setgroups.afterGidMap', args.setgroups === 'allow' && ns.setgroupsDeny);
    const failed = step(f);
    if (failed) return failed;
    c.tx.update('ns', ns.id, { setgroupsDeny: args.setgroups === 'deny' });
  }
  for (const which of ['uid', 'gid'] as const) {
    const text = args[which];
    if (text === undefined) continue;
    const failed = step(writeMap(c, c.tx.get('ns', nsId), which, text));
    if (failed) return failed;
  }
  return { ok: true, state: c.tx.commit() };
}
