import { defineVariant } from 'nscheck/variant';
export default defineVariant({
  name: 'pidns-join-needs-init', doc: 'setns into a pid namespace requires its init to be alive',
  nsTypes: { pid: { install: (base) => (c, set, target) => (target.adding ? base.install!(c, set, target) : c.fail('pid.deadNs')) } },
});
