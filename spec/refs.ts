// Reference counting: every get and put of the model goes through this file, so the holders
// listed in properties/refcounts.ts are exactly the places that call getNs/putNs here.
//
// Each exported function dispatches to the semantics' hook of that name (spec/hooks.ts); the
// kernel behaviour is the default implementation in REF_KERNEL below, which a variant can
// replace or wrap. Implementations call one another through the dispatchers, so a replaced
// hook is used on every path.
//
// Holders of a namespace reference (kernel-semantics §5.1, reduced to what the model has):
//   an nsproxy slot; a task's cred (user ns, until reaped); a task's struct pid (active pid ns,
//   until reaped); a pidfd (the struct pid it holds: the pid ns); the namespace's nsfs inode
//   (exactly one reference); a child user or pid namespace (its parent); any namespace (its
//   owning user namespace). A namespace is freed when the count reaches zero.

import type { FileFields, Hooks } from './hooks';
import type { Failure } from './semantics';
import type {
  FdTableId, FileId, FsId, InodeId, MmId, Namespace, NsId, NsMount, NsType, Nsproxy, ProxyId, Slot,
} from './state';
import { SLOTS } from './state';
import { dropPropagation } from './propagation';
import type { Call, Tx } from './tx';

export type { FileFields } from './hooks';

/** First inode number the proc IDA hands out (PROC_DYNAMIC_FIRST = 0xF0000000). */
export const FIRST_DYNAMIC_INUM = 0xf0000000;

/** get_*_ns: the namespace type's get (proc_ns_operations), by default one more reference. */
export function getNs(tx: Tx, id: NsId): void {
  tx.sem.typeOf[tx.get('ns', id).type].get(tx, id);
}

/** put_*_ns: the namespace type's put, by default one reference less, freeing at zero. */
export function putNs(tx: Tx, id: NsId): void {
  tx.sem.typeOf[tx.get('ns', id).type].put(tx, id);
}

/** The common get every type uses unless it has its own (ns_ref_inc). */
export function refGet(tx: Tx, id: NsId): void {
  tx.sem.hooks.getNs(tx, id);
}

/** The common put every type uses unless it has its own (ns_ref_put). */
export function refPut(tx: Tx, id: NsId): void {
  tx.sem.hooks.putNs(tx, id);
}

function getNsKernel(tx: Tx, id: NsId): void {
  tx.setRefs(id, tx.refsOf(id) + 1);
}

/** put_*_ns: drop one reference; at zero the namespace is destroyed (kernel-semantics §5.2). */
function putNsKernel(tx: Tx, id: NsId): void {
  const refs = tx.refsOf(id) - 1;
  tx.setRefs(id, refs);
  const ns = tx.get('ns', id);
  if (refs > 0 || ns.freed) return;
  tx.update('ns', id, { freed: true, stashed: null, mounts: [], shm: [] });
  tx.sem.hooks.freeNs(tx, ns);
}

/** The destructors: what a namespace whose count reached zero releases (`ns` is its last row). */
function freeNsKernel(tx: Tx, ns: Namespace): void {
  // drop_collected_mounts: a dying mount namespace releases every bind it holds, and its base
  // mount leaves its peer group
  for (const m of ns.mounts) tx.sem.hooks.umountMount(tx, ns.id, m);
  if (ns.type === 'mnt') dropPropagation(tx, ns);
  // shm_exit_ns: a dying ipc namespace destroys its segments, which drop their creator's cred and pid
  for (const seg of ns.shm) {
    putNs(tx, seg.userNs);
    putNs(tx, seg.pidNs);
  }
  if (ns.charge && tx.sem.effects['ucount.decOnFree']) tx.sem.hooks.uncharge(tx, ns.type, ns.charge.userNs, ns.charge.uid);
  if (ns.parent !== null) putNs(tx, ns.parent);
  if (ns.owner !== null && ns.owner !== ns.parent) putNs(tx, ns.owner);
}

// --- ucounts (kernel/ucount.c inc_ucount / dec_ucount) -------------------------------------

/** The chain of (user ns, uid) pairs a charge at (userNs, uid) touches, innermost first. */
export function ucountChain(tx: Tx, userNs: NsId, uid: number): { ns: Namespace; uid: number }[] {
  const out: { ns: Namespace; uid: number }[] = [];
  let ns = tx.get('ns', userNs);
  let u = uid;
  for (;;) {
    out.push({ ns, uid: u });
    if (ns.parent === null) return out;
    u = ns.ownerUid;
    ns = tx.get('ns', ns.parent);
  }
}

export function ucountKey(type: NsType, uid: number): string {
  return `${type}:${uid}`;
}

/** inc_ucount (the hook `charge`). */
export function charge(c: Call, type: NsType, userNs: NsId, uid: number): Failure | undefined {
  return c.sem.hooks.charge(c, type, userNs, uid);
}

/** inc_ucount: charge every level, each against that level's limit; nothing is charged on failure. */
function chargeKernel(c: Call, type: NsType, userNs: NsId, uid: number): Failure | undefined {
  const chain = ucountChain(c.tx, userNs, uid);
  for (const { ns, uid: u } of chain) {
    const refused = c.guard('ucount.limit', (ns.ucounts[ucountKey(type, u)] ?? 0) + 1 > ns.ucountMax);
    if (refused) return refused;
  }
  for (const { ns, uid: u } of chain) {
    const key = ucountKey(type, u);
    c.tx.update('ns', ns.id, { ucounts: { ...ns.ucounts, [key]: (ns.ucounts[key] ?? 0) + 1 } });
  }
  return undefined;
}

function unchargeKernel(tx: Tx, type: NsType, userNs: NsId, uid: number): void {
  for (const { ns, uid: u } of ucountChain(tx, userNs, uid)) {
    const cur = tx.get('ns', ns.id);
    const key = ucountKey(type, u);
    // a count that drops to zero stays as a zero entry (deleting keys makes the object slow; a
    // zero counts as absent everywhere)
    tx.update('ns', ns.id, { ucounts: { ...cur.ucounts, [key]: Math.max(0, (cur.ucounts[key] ?? 0) - 1) } });
  }
}

// --- allocation -----------------------------------------------------------------------------

/** Lowest free dynamic inode number: the kernel's IDA recycles freed numbers at once. */
function allocInumKernel(tx: Tx): number {
  if (!tx.sem.effects['ns.inumFromFreeIds']) return FIRST_DYNAMIC_INUM;
  const all = tx.all('ns');
  // dynamic numbers in use lie within [FIRST, FIRST + live count]: a bitmap of that range
  const used = new Uint8Array(all.length + 1);
  for (const ns of all) {
    const k = ns.inum - FIRST_DYNAMIC_INUM;
    if (!ns.freed && k >= 0 && k < used.length) used[k] = 1;
  }
  return FIRST_DYNAMIC_INUM + used.indexOf(0);
}

export type NsFields = Partial<Namespace> & Pick<Namespace, 'type' | 'owner' | 'parent' | 'level'>;

/**
 * A namespace row with every field in one fixed order (one object shape for the JIT): the
 * defaults, then the fields given. The given fields are read by a loop over their own keys (the
 * callers pass objects of many shapes, and reading thirty named fields from each was a tenth of
 * a step).
 */
export function makeNs(id: NsId, inum: number, nsId: number, f: NsFields & { charge: Namespace['charge'] }): Namespace {
  const d = NS_DEFAULTS;
  const row: Record<string, unknown> = {
    id, type: f.type, inum, nsId, refs: d.refs, freed: d.freed, external: d.external, owner: f.owner, parent: f.parent, level: f.level,
    stashed: d.stashed, charge: f.charge,
    reaper: d.reaper, adding: d.adding, lastPid: d.lastPid,
    ownerUid: d.ownerUid, ownerGid: d.ownerGid, uidMap: d.uidMap, gidMap: d.gidMap,
    setgroupsDeny: d.setgroupsDeny, parentCouldSetfcap: d.parentCouldSetfcap, ucounts: d.ucounts, ucountMax: d.ucountMax,
    hostname: d.hostname, shm: d.shm, mounts: d.mounts,
    peerGroup: d.peerGroup, master: d.master, unbindable: d.unbindable,
  };
  for (const k in f) {
    const v = (f as Record<string, unknown>)[k];
    if (v !== undefined) row[k] = v;
  }
  return row as unknown as Namespace;
}

export const NS_DEFAULTS: Omit<Namespace, 'id' | 'type' | 'inum' | 'nsId' | 'owner' | 'parent' | 'level'> = {
  refs: 1, freed: false, external: false, stashed: null, charge: null,
  reaper: null, adding: true, lastPid: 0,
  ownerUid: 0, ownerGid: 0, uidMap: null, gidMap: null, setgroupsDeny: false, parentCouldSetfcap: false, ucounts: {}, ucountMax: 0x7fffffff,
  hostname: '', shm: [], mounts: [], peerGroup: 0, master: 0, unbindable: false,
};

/**
 * __ns_common_init plus the ucount charge: a new namespace with one reference (the creator's,
 * handed to the nsproxy or cred that will hold it), a reference on its owner and parent.
 */
export function allocNs(c: Call, fields: NsFields, chargeTo: { userNs: NsId; uid: number }): Namespace | Failure {
  const refused = charge(c, fields.type, chargeTo.userNs, chargeTo.uid);
  if (refused) return refused;
  const tx = c.tx;
  const inum = tx.sem.hooks.allocInum(tx);
  const nsId = tx.sem.hooks.allocNsId(tx);
  const ns = tx.insert('ns', (id) => makeNs(id as NsId, inum, nsId, { ...fields, charge: chargeTo }));
  if (fields.parent !== null) getNs(tx, fields.parent);
  if (fields.owner !== null && fields.owner !== fields.parent) getNs(tx, fields.owner);
  return ns;
}

export function isFailure(x: object): x is Failure {
  return (x as { ok?: unknown }).ok === false;
}

// --- nsfs inodes (fs/nsfs.c, fs/libfs.c path_from_stashed) ----------------------------------

/**
 * ns_get_path: the dentry of a namespace file. A live stashed inode is reused; otherwise a new
 * inode takes one namespace reference and is stashed. The caller becomes a user of the inode.
 */
export function openNsInode(tx: Tx, nsId: NsId): InodeId {
  return tx.sem.hooks.openNsInode(tx, nsId);
}

function openNsInodeKernel(tx: Tx, nsId: NsId): InodeId {
  const ns = tx.get('ns', nsId);
  if (ns.stashed !== null && tx.sem.effects['nsfs.stash']) {
    const inode = tx.get('inodes', ns.stashed);
    tx.update('inodes', inode.id, { users: inode.users + 1 });
    if (!tx.sem.effects['nsfs.stashReuseDropsRef']) getNs(tx, nsId); // the get's reference, never dropped
    return inode.id;
  }
  const inode = tx.insert('inodes', (id) => ({ id: id as InodeId, ns: nsId, users: 1, freed: false }));
  getNs(tx, nsId);
  tx.update('ns', nsId, { stashed: inode.id });
  return inode.id;
}

export function getInodeUser(tx: Tx, id: InodeId): void {
  tx.sem.hooks.getInodeUser(tx, id);
}

export function putInodeUser(tx: Tx, id: InodeId): void {
  tx.sem.hooks.putInodeUser(tx, id);
}

function getInodeUserKernel(tx: Tx, id: InodeId): void {
  tx.update('inodes', id, { users: tx.get('inodes', id).users + 1 });
}

/** dput of an nsfs dentry: the last user deletes it and nsfs_evict drops the namespace reference. */
function putInodeUserKernel(tx: Tx, id: InodeId): void {
  const inode = tx.get('inodes', id);
  const users = inode.users - 1;
  if (users > 0 || !tx.sem.effects['nsfs.evictUnused']) {
    tx.update('inodes', id, { users });
    return;
  }
  tx.update('inodes', id, { users: 0, freed: true });
  if (tx.get('ns', inode.ns).stashed === id) tx.update('ns', inode.ns, { stashed: null });
  putNs(tx, inode.ns);
}

// --- open files and fd tables ------------------------------------------------------------------

/**
 * A new open file description with no fd yet, opened with credentials in user namespace
 * `credNs` (f_cred holds it). The caller has already taken the other things it holds.
 */
export function newFile(tx: Tx, credNs: NsId, fields: FileFields): FileId {
  return tx.sem.hooks.newFile(tx, credNs, fields);
}

function newFileKernel(tx: Tx, credNs: NsId, fields: FileFields): FileId {
  getNs(tx, credNs);
  return tx.insert('files', (id) => ({
    id: id as FileId, opath: false, inode: null, pidTask: null, pidNs: null, credNs, mntNs: null, viaMount: null, sockNet: null, targetFile: null, refs: 0, freed: false, ...fields,
  })).id;
}

/** fd_install under a trace variable; a variable already naming an fd leaves that fd open, unnamed. */
export function installFd(tx: Tx, table: FdTableId, name: string, file: FileId): void {
  tx.sem.hooks.installFd(tx, table, name, file);
}

function installFdKernel(tx: Tx, table: FdTableId, name: string, file: FileId): void {
  const t = tx.get('fdtables', table);
  const fds = new Map(t.fds);
  const old = fds.get(name);
  if (old !== undefined) {
    let n = 0;
    while (fds.has(`#${n}`)) n++;
    fds.set(`#${n}`, old);
  }
  fds.set(name, file);
  tx.update('fdtables', table, { fds });
  tx.update('files', file, { refs: tx.get('files', file).refs + 1 });
}

export function closeFd(tx: Tx, table: FdTableId, name: string): boolean {
  return tx.sem.hooks.closeFd(tx, table, name);
}

function closeFdKernel(tx: Tx, table: FdTableId, name: string): boolean {
  const t = tx.get('fdtables', table);
  const file = t.fds.get(name);
  if (file === undefined) return false;
  const fds = new Map(t.fds);
  fds.delete(name);
  tx.update('fdtables', table, { fds });
  putFile(tx, file);
  return true;
}

export function putFile(tx: Tx, id: FileId): void {
  tx.sem.hooks.putFile(tx, id);
}

function putFileKernel(tx: Tx, id: FileId): void {
  const f = tx.get('files', id);
  if (f.refs > 1) {
    tx.update('files', id, { refs: f.refs - 1 });
    return;
  }
  tx.update('files', id, { refs: 0, freed: true });
  if (f.inode !== null) putInodeUser(tx, f.inode);
  if (f.pidNs !== null) putNs(tx, f.pidNs);
  if (f.sockNet !== null) putNs(tx, f.sockNet); // __sk_destruct: put_net
  putNs(tx, f.credNs); // put_cred of f_cred
}

/** A copy of an fd table for fork without CLONE_FILES (dup_fd): every file gains a reference. */
export function copyFdTable(tx: Tx, from: FdTableId): FdTableId {
  const src = tx.get('fdtables', from);
  for (const f of src.fds.values()) tx.update('files', f, { refs: tx.get('files', f).refs + 1 });
  return tx.insert('fdtables', (id) => ({ id: id as FdTableId, users: 1, fds: src.fds, freed: false })).id;
}

export function putFdTable(tx: Tx, id: FdTableId): void {
  const t = tx.get('fdtables', id);
  if (t.users > 1) {
    tx.update('fdtables', id, { users: t.users - 1 });
    return;
  }
  tx.update('fdtables', id, { users: 0, freed: true, fds: EMPTY_FDS });
  for (const f of t.fds.values()) putFile(tx, f);
}

/** The fd map of a table with no open files. */
export const EMPTY_FDS: ReadonlyMap<string, FileId> = new Map();

// --- fs_struct and mm ----------------------------------------------------------------------------

export function putFs(tx: Tx, id: FsId): void {
  const fs = tx.get('fss', id);
  tx.update('fss', id, fs.users > 1 ? { users: fs.users - 1 } : { users: 0, freed: true });
}

export function putMm(tx: Tx, id: MmId): void {
  const mm = tx.get('mms', id);
  tx.update('mms', id, mm.users > 1 ? { users: mm.users - 1 } : { users: 0, freed: true });
}

// --- nsproxy (kernel/nsproxy.c) -------------------------------------------------------------------

/** A new nsproxy taking one reference on each slot's namespace. */
export function newProxy(tx: Tx, slots: Readonly<Record<Slot, NsId>>): ProxyId {
  for (const s of SLOTS) getNs(tx, slots[s]);
  return tx.insert('proxies', (id) => ({ id: id as ProxyId, refs: 1, freed: false, slots: { ...slots } })).id;
}

/** A new nsproxy that takes over references the caller already holds (create_new_namespaces). */
export function adoptProxy(tx: Tx, slots: Readonly<Record<Slot, NsId>>): ProxyId {
  return tx.insert('proxies', (id) => ({ id: id as ProxyId, refs: 1, freed: false, slots: { ...slots } })).id;
}

export function getProxy(tx: Tx, id: ProxyId): void {
  tx.update('proxies', id, { refs: tx.get('proxies', id).refs + 1 });
}

/** put_nsproxy: the last reference frees it and drops its eight slot references (free_nsproxy). */
export function putProxy(tx: Tx, id: ProxyId): void {
  const p: Nsproxy = tx.get('proxies', id);
  if (p.refs > 1) {
    tx.update('proxies', id, { refs: p.refs - 1 });
    return;
  }
  tx.update('proxies', id, { refs: 0, freed: true });
  for (const s of SLOTS) putNs(tx, p.slots[s]);
}

// --- mounts: what a bind holds ------------------------------------------------------------------

/** Attach a mount to a mount namespace's list; a bind of a namespace file holds its dentry. */
export function bindMount(tx: Tx, mntNs: NsId, mount: NsMount): void {
  tx.sem.hooks.bindMount(tx, mntNs, mount);
}

/** Take a mount off a mount namespace's list (umount, or the namespace dying); it drops its dentry. */
export function umountMount(tx: Tx, mntNs: NsId, mount: NsMount): void {
  tx.sem.hooks.umountMount(tx, mntNs, mount);
}

function bindMountKernel(tx: Tx, mntNs: NsId, mount: NsMount): void {
  if (mount.inode !== null) getInodeUser(tx, mount.inode);
  if (mount.pins != null) getNs(tx, mount.pins); // the superblock's reference (proc: its pid namespace)
  tx.update('ns', mntNs, { mounts: [...tx.get('ns', mntNs).mounts, mount] });
}

function umountMountKernel(tx: Tx, mntNs: NsId, mount: NsMount): void {
  const ns = tx.get('ns', mntNs);
  // a dying namespace has already emptied its list (putNs); otherwise the mount leaves it
  if (!ns.freed) tx.update('ns', mntNs, { mounts: ns.mounts.filter((m) => m.id !== mount.id) });
  if (mount.inode !== null) putInodeUser(tx, mount.inode);
  if (mount.pins != null) putNs(tx, mount.pins);
}

// --- the default hooks of this file -----------------------------------------------------------

export const REF_KERNEL: Pick<Hooks, 'getNs' | 'putNs' | 'freeNs' | 'allocInum' | 'allocNsId' | 'charge' | 'uncharge' | 'openNsInode'
  | 'getInodeUser' | 'putInodeUser' | 'newFile' | 'putFile' | 'installFd' | 'closeFd' | 'bindMount' | 'umountMount'> = {
  getNs: getNsKernel,
  putNs: putNsKernel,
  freeNs: freeNsKernel,
  allocInum: allocInumKernel,
  allocNsId: (tx) => tx.nextNsId++,
  charge: chargeKernel,
  uncharge: unchargeKernel,
  openNsInode: openNsInodeKernel,
  getInodeUser: getInodeUserKernel,
  putInodeUser: putInodeUserKernel,
  newFile: newFileKernel,
  putFile: putFileKernel,
  installFd: installFdKernel,
  closeFd: closeFdKernel,
  bindMount: bindMountKernel,
  umountMount: umountMountKernel,
};
