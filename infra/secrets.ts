// The three secrets, in Secrets Manager: the functions fetch them at cold start; none is in the template.
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export class Secrets extends Construct {
  /** Set by the operator to the value their HR system signs with. */
  readonly hrWebhook: Secret;
  /** Given to the organisation's LMS to verify completions. */
  readonly lmsWebhook: Secret;
  /** The acknowledgement-link keys: `{"signing":"k1","k1":"…"}`; add a key and move `signing` to rotate. */
  readonly ackTokenKeys: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.hrWebhook = new Secret(this, 'HrWebhookSecret', {
      description: 'attest: Standard Webhooks secret of the HR system (set it to the HR system’s value)',
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
    });
    this.lmsWebhook = new Secret(this, 'LmsWebhookSecret', {
      description: 'attest: Standard Webhooks secret for LMS completions',
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
    });
    this.ackTokenKeys = new Secret(this, 'AckTokenKeys', {
      description: 'attest: HMAC keys for acknowledgement links',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ signing: 'k1' }),
        generateStringKey: 'k1',
        excludePunctuation: true,
        passwordLength: 48,
      },
    });
  }
}
