// The secrets, in Secrets Manager: the functions fetch them at cold start; none is in the template.
import { Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * 48 letters and digits: valid base64 (a multiple of 4 characters, 36 bytes), which is what a
 * Standard Webhooks secret decodes to after its optional `whsec_` prefix.
 */
const generated = { excludePunctuation: true, passwordLength: 48 };

export class Secrets extends Construct {
  /** Set by the operator to the value their HR system signs with; generated only so it is never empty. */
  readonly hrWebhook: Secret;
  /**
   * Given to the organisation's LMS to verify completions. Both destinations' secrets exist
   * whichever LMS_MODE is deployed, so changing it never deletes a secret the LMS already holds;
   * only the destinations deployed may read theirs.
   */
  readonly lmsWebhook: Secret;
  /** Set by the operator to the password (secret) of the LRS credentials attest was given. */
  readonly lrsPassword: Secret;
  /** The acknowledgement-link keys: `{"signing":"k1","k1":"…"}`; rotate them with `attest keys`. */
  readonly ackTokenKeys: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.hrWebhook = new Secret(this, 'HrWebhookSecret', {
      description: 'attest: Standard Webhooks secret of the HR system (set it to the HR system’s value)',
      generateSecretString: generated,
    });
    this.lmsWebhook = new Secret(this, 'LmsWebhookSecret', {
      description: 'attest: Standard Webhooks secret for LMS completions (give it to the LMS)',
      generateSecretString: generated,
    });
    this.lrsPassword = new Secret(this, 'LrsPassword', {
      description: 'attest: the password of the LRS credentials (set it to the value the LRS issued)',
      generateSecretString: generated,
    });
    this.ackTokenKeys = new Secret(this, 'AckTokenKeys', {
      description: 'attest: HMAC keys for acknowledgement links',
      generateSecretString: {
        ...generated,
        secretStringTemplate: JSON.stringify({ signing: 'k1' }),
        generateStringKey: 'k1',
      },
    });
    const why = {
      hrWebhook:
        'Shared with the HR system: it rotates when the HR system’s secret does, set by the operator.',
      lmsWebhook:
        'Shared with the LMS: rotating it alone would break delivery until the LMS is given the new value.',
      lrsPassword: 'Issued by the LRS: it rotates when the LRS issues new credentials, set by the operator.',
      ackTokenKeys:
        'Rotated with `attest keys` (add, promote, retire), so links already sent stay valid until they expire.',
    };
    for (const [name, reason] of Object.entries(why)) {
      Validations.of(this[name as keyof typeof why]).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SMG4',
        reason,
      });
    }
  }
}
