// sethostname / gethostname: kernel/sys.c; man sethostname(2).

import { nsCapable } from '../caps';
import type { Namespace } from '../state';
import type { Call, Outcome } from '../tx';

/** __NEW_UTS_LEN */
const MAX_HOSTNAME = 64;

function utsNs(c: Call): Namespace {
  return c.tx.get('ns', c.tx.get('proxies', c.actor.proxy!).slots.uts);
}

export function sethostname(c: Call, name: string): Outcome {
  const ns = utsNs(c);
  const refused =
    c.guard('uts.cap', ns.owner === null || !nsCapable(c.tx, c.actor.cred, ns.owner, 'SYS_ADMIN')) ??
    c.guard('uts.tooLong', Buffer.byteLength(name) > MAX_HOSTNAME);
  if (refused) return refused;
  c.tx.update('ns', ns.id, { hostname: name });
  return { ok: true, state: c.tx.commit() };
}

export function gethostname(c: Call): Outcome {
  return { ok: true, state: c.tx.base, value: `hostname=${utsNs(c).hostname}` };
}
