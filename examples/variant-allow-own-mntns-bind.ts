// A worked example of exploring a design change: "what if mnt_ns_loop allowed binding a mount
// namespace's file inside that same namespace (order >= instead of >)?" Run:
//   npx nscheck check --variant ./examples/variant-allow-own-mntns-bind.ts
// The checker answers with a one-step counterexample breaking MountNsBindsOrdered: the
// namespace then pins itself and can never be freed.

import { defineVariant } from 'nscheck/variant';

export default defineVariant({
  name: 'allow-own-mntns-bind',
  doc: 'mnt_ns_loop refuses only strictly older mount namespaces, so a namespace may bind its own file',
  // the kernel refuses a bound namespace that is not newer than the caller's
  // (mnt_ns_loop: caller ns_id >= bound ns_id); this proposal refuses only strictly older ones
  hooks: { mntNsLoop: () => (_tx, caller, bound) => caller.nsId > bound.nsId },
  // hooks: docs/variants.md; rule names (for disable) are in spec/rules.ts;
  // examples/variant-pidns-join-needs-init.ts wraps a namespace type's entry instead
});
