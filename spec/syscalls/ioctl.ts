// ioctl(2) on namespace files: fs/nsfs.c ns_ioctl, ns_get_owner, pidns_get_parent;
// man ioctl_ns(2). The requests are a table keyed by name, each with the kernel version that
// introduced it; a request this kernel does not know is ENOTTY.

import { mapUp, nsCapable } from '../caps';
import { userNsInScope } from '../ns-types/user';
import { installFd, newFile, openNsInode } from '../refs';
import type { Failure } from '../semantics';
import type { FdTableId, Namespace, NsId } from '../state';
import type { Call, Outcome } from '../tx';
import { lookupFd } from './fds';

type Result = { readonly value?: string; readonly fdOf?: NsId } | Failure;
type Handler = (c: Call, ns: Namespace) => Result;

/** A namespace handle, or the failure of the scope rule that refused it. */
function handle(r: NsId | Failure): Result {
  return typeof r === 'number' ? { fdOf: r } : r;
}

export const NS_IOCTLS: Readonly<Record<string, { readonly since: number; readonly run: Handler }>> = {
  // ns_get_owner: the owning user namespace, if it is the caller's or below it
  NS_GET_USERNS: { since: 4009, run: (c, ns) => handle(userNsInScope(c, c.sem.typeOf[ns.type].owner(ns))) },
  // the type's get_parent, each with its own scope rule; types without one are EINVAL
  NS_GET_PARENT: {
    since: 4009,
    run(c, ns) {
      const getParent = c.sem.typeOf[ns.type].getParent;
      return getParent ? handle(getParent(c, ns)) : c.fail('ioctl.noParent');
    },
  },
  NS_GET_NSTYPE: { since: 4011, run: (c, ns) => ({ value: `nstype=${c.sem.typeOf[ns.type].flagName}` }) },
  NS_GET_OWNER_UID: {
    since: 4011,
    run(c, ns) {
      const refused = c.guard('ioctl.notUserNs', ns.type !== 'user');
      if (refused) return refused;
      return { value: `uid=${mapUp(c.tx, c.actor.cred.userNs, ns.ownerUid, 'uid') ?? 65534}` };
    },
  },
  NS_GET_MNTNS_ID: { since: 6011, run: (c, ns) => c.guard('ioctl.notMntNs', ns.type !== 'mnt') ?? {} },
  NS_GET_ID: { since: 6018, run: () => ({}) },
};

export function ioctlNs(c: Call, fd: string | number, req: string, out: string | undefined): Outcome {
  const f = lookupFd(c, fd);
  if (req === 'SIOCGSKNS' && f !== undefined && !f.opath && f.kind === 'socket' && c.sem.kernel >= 4009) return siocgskns(c, f.sockNet!, out);
  const request = Object.prototype.hasOwnProperty.call(NS_IOCTLS, req) ? NS_IOCTLS[req] : undefined;
  const refused =
    c.guard('ioctl.badFd', f === undefined || f.opath) ??
    c.guard('ioctl.notNsfs', f?.inode === null) ?? // vfs_ioctl: not an nsfs file
    c.guard('ioctl.unknown', request === undefined || c.sem.kernel < request.since);
  if (refused) return refused;
  if (!f || f.inode === null || !request) return c.fail('ioctl.unknown');
  const res = request.run(c, c.tx.get('ns', c.tx.get('inodes', f.inode).ns));
  if ('ok' in res) return res;
  if (res.fdOf !== undefined && out !== undefined) {
    // open_namespace: a new O_RDONLY nsfs file on the (stashed) inode
    installFd(c.tx, c.actor.files as FdTableId, out, newFile(c.tx, c.actor.cred.userNs, { kind: 'nsfs', inode: openNsInode(c.tx, res.fdOf) }));
  }
  const state = res.fdOf !== undefined && out !== undefined ? c.tx.commit() : c.tx.base;
  return res.value === undefined ? { ok: true, state } : { ok: true, state, value: res.value };
}

/**
 * ioctl(sockfd, SIOCGSKNS) (net/socket.c sock_ioctl, since 4.9): a new nsfs fd of the socket's
 * net namespace, for a caller with CAP_NET_ADMIN over that namespace's owner. On anything but a
 * socket the request is unknown (ENOTTY), through the nsfs checks above.
 */
function siocgskns(c: Call, net: NsId, out: string | undefined): Outcome {
  const ns = c.tx.get('ns', net);
  const refused = c.guard('ioctl.sockCap', ns.owner === null || !nsCapable(c.tx, c.actor.cred, ns.owner, 'NET_ADMIN'));
  if (refused) return refused;
  if (out === undefined) return { ok: true, state: c.tx.base };
  installFd(c.tx, c.actor.files as FdTableId, out, newFile(c.tx, c.actor.cred.userNs, { kind: 'nsfs', inode: openNsInode(c.tx, net) }));
  return { ok: true, state: c.tx.commit() };
}
