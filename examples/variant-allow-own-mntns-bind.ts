// A worked example of exploring a design change: "what if mnt_ns_loop allowed binding a mount
// namespace's file inside that same namespace (order >= instead of >)?" Run:
//   npx nscheck check --variant ./examples/variant-allow-own-mntns-bind.ts
// The checker answers with a one-step counterexample breaking MountNsBindsOrdered: the
// namespace then pins itself and can never be freed.

import { defineVariant } from '../spec/variants/define';

export default defineVariant({
  name: 'allow-own-mntns-bind',
  doc: 'mnt_ns_loop refuses only strictly older mount namespaces, so a namespace may bind its own file',
  disable: ['mntns.loop'],
  // the rule names are in spec/rules.ts; examples/variant-pidns-join-needs-init.ts wraps a type's entry instead
});
