// The CDK app: one stack, checked by cdk-nag's AWS Solutions rules on every synth.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AttestStack } from './attest-stack.ts';

const app = new App();
new AttestStack(app, 'Attest', {
  description: 'attest: policy acknowledgements for new starters, with LMS completions',
  defaultPolicies: String(app.node.tryGetContext('attest:defaultPolicies') ?? 'safe-internet-use'),
  lmsMode: String(app.node.tryGetContext('attest:lmsMode') ?? 'webhook'),
  consoleDomainPrefix: app.node.tryGetContext('attest:consoleDomainPrefix'),
  dueShards: app.node.tryGetContext('attest:dueShards'),
  dueIndexUpgrade: app.node.tryGetContext('attest:dueIndexUpgrade'),
  sesMaxRate: app.node.tryGetContext('attest:sesMaxRate'),
  retention: Object.fromEntries(
    (
      [
        ['RETAIN_UNSIGNED_AFTER_LEAVING', 'attest:retainUnsignedAfterLeaving'],
        ['RETAIN_EVIDENCE', 'attest:retainEvidence'],
        ['RETAIN_AUDIT_IP', 'attest:retainAuditIp'],
      ] as const
    ).flatMap(([name, context]) => {
      const value = app.node.tryGetContext(context);
      return value === undefined ? [] : [[name, String(value)]];
    }),
  ),
});
// cdk-nag v3 is a validation plugin (v2's Aspects are gone): an unacknowledged finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
