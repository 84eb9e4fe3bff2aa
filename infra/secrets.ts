// The secrets, in Secrets Manager: the functions fetch them at cold start; none is in the template.
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { destinations } from '../shared/core/destinations/registry.ts';

/**
 * 48 letters and digits: valid base64 (a multiple of 4 characters, 36 bytes), which is what a
 * Standard Webhooks secret decodes to after its optional `whsec_` prefix.
 */
const generated = { excludePunctuation: true, passwordLength: 48 };

export class Secrets extends Construct {
  /** Set by the operator to the value their HR system signs with; generated only so it is never empty. */
  readonly hrWebhook: Secret;
  /**
   * The LMS destinations' secrets, by setting name (the registry's): the webhook's, given to the
   * LMS to verify completions; the LRS password, set by the operator. Every destination's secrets
   * exist whichever LMS_MODE is deployed, so changing it never deletes a secret the LMS already
   * holds; only the destinations deployed may read theirs.
   */
  readonly destinations: ReadonlyMap<string, Secret>;
  /** The acknowledgement-link keys: `{"signing":"k1","k1":"…"}`; rotate them with `attest keys`. */
  readonly ackTokenKeys: Secret;
  /** The identity provider's bearer token for SCIM: generated, and copied into Okta or Entra ID. */
  readonly scimToken: Secret;
  /** The key the console's session cookies are encrypted with: generated, read by the console alone. */
  readonly consoleSessionKey: Secret;
  /**
   * The key erasure's pseudonyms are made with (`attest privacy erase`): generated, read by no
   * function (only the operator's CLI), and kept if the stack is deleted — without it no erased
   * record can be shown to be a person's, and a restored table cannot be erased again alike.
   */
  readonly pseudonymKey: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.hrWebhook = new Secret(this, 'HrWebhookSecret', {
      description: 'attest: Standard Webhooks secret of the HR system (set it to the HR system’s value)',
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
    this.scimToken = new Secret(this, 'ScimToken', {
      description: 'attest: the bearer token an identity provider (Okta, Entra ID) sends to /scim/v2',
      generateSecretString: generated,
    });
    this.consoleSessionKey = new Secret(this, 'ConsoleSessionKey', {
      description: 'attest: the key the HR console encrypts its session cookies with',
      generateSecretString: generated,
    });
    this.pseudonymKey = new Secret(this, 'PseudonymKey', {
      description:
        'attest: the key erasure makes keyed pseudonyms with (attest privacy erase); never change it',
      generateSecretString: generated,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const why = {
      hrWebhook:
        'Shared with the HR system: it rotates when the HR system’s secret does, set by the operator.',
      ackTokenKeys:
        'Rotated with `attest keys` (add, promote, retire), so links already sent stay valid until they expire.',
      scimToken:
        'Held by the identity provider: rotated by setting a new value here and in Okta or Entra ID together.',
      consoleSessionKey:
        'A new value signs everyone out of the console (sessions last at most 8 h); set one with put-secret-value when a key may have leaked.',
      pseudonymKey:
        'Not rotated: erased records are proved, and a restored table erased again, with the key they were erased with.',
    };
    for (const [name, reason] of Object.entries(why)) {
      Validations.of(this[name as keyof typeof why]).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SMG4',
        reason,
      });
    }
    const secrets = new Map<string, Secret>();
    for (const spec of Object.values(destinations).flatMap((d) => d.secrets)) {
      const secret = new Secret(this, spec.id, {
        description: spec.description,
        generateSecretString: generated,
      });
      Validations.of(secret).acknowledge({ id: 'AwsSolutions::AwsSolutions-SMG4', reason: spec.rotation });
      secrets.set(spec.name, secret);
    }
    this.destinations = secrets;
  }
}
