// The console's sign-in: a Cognito user pool of admin-created users with TOTP MFA, its managed login domain, the two role groups and the console's app client.
import { Aws, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  CfnUserPoolRiskConfigurationAttachment,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface ConsoleSignInProps {
  /** The console's origin and path prefix, as `PUBLIC_BASE_URL` (the API URL when no custom one is given). */
  baseUrl: string;
  /**
   * The managed login domain's prefix (`https://<prefix>.auth.<region>.amazoncognito.com`), unique in
   * the region across all of AWS; when none is given, `attest-` and twelve hex digits of the stack's id.
   */
  domainPrefix?: string;
}

/** The groups the console's roles come from (the function's CONSOLE_ADMIN_GROUP and CONSOLE_AUDITOR_GROUP). */
export const CONSOLE_GROUPS = {
  admin: {
    name: 'attest-admins',
    description: 'attest console: see every page, export, and act (resend, cancel, replay) with a reason',
  },
  auditor: { name: 'attest-auditors', description: 'attest console: see every page and export; no actions' },
} as const;

/** Cognito's rule for a prefix domain: lowercase letters, digits and inner hyphens, no reserved words. */
const PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED = /aws|amazon|cognito/;

export class ConsoleSignIn extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  /** The OpenID issuer: discovery is at `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  /** The managed login's base URL, where users sign in. */
  readonly signInUrl: string;
  /** Cognito's sign-out endpoint: its discovery names no end_session_endpoint. */
  readonly logoutUrl: string;

  constructor(scope: Construct, id: string, props: ConsoleSignInProps) {
    super(scope, id);
    const consoleUrl = `${props.baseUrl}/console/`;
    if (
      props.domainPrefix !== undefined &&
      (!PREFIX.test(props.domainPrefix) || RESERVED.test(props.domainPrefix))
    ) {
      throw new Error(
        `attest:consoleDomainPrefix must be lowercase letters, digits and hyphens (not at either end), at most 63, without aws, amazon or cognito, not ${JSON.stringify(props.domainPrefix)}`,
      );
    }

    this.userPool = new UserPool(this, 'Users', {
      // HR staff and auditors are added by whoever runs attest (README); nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      // Every user proves a second factor; TOTP only, so no SMS role, SMS spend or SIM-swap exposure.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      userInvitation: {
        emailSubject: 'Your attest console account',
        emailBody: `You have an account on the attest console, ${consoleUrl}. Sign in with your email address {username} and the temporary password {####} within 3 days; you will then choose your own password and set up an authenticator app.`,
      },
      // Plus: threat protection blocks sign-ins with credentials known to be leaked and logs risky
      // ones. It is billed per monthly active user (no free tier), which for a handful of HR staff
      // and auditors is cents a month — cheap for an account that can see every signature.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      // Kept like the table: who may see evidence is part of the record, and re-creating the pool
      // would sign everyone out and re-enrol their authenticators.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });

    // Said outright rather than left to Cognito's default: a password known from a breach never signs in.
    new CfnUserPoolRiskConfigurationAttachment(this, 'Risk', {
      userPoolId: this.userPool.userPoolId,
      clientId: 'ALL',
      compromisedCredentialsRiskConfiguration: { actions: { eventAction: 'BLOCK' } },
    });

    for (const [key, group] of Object.entries(CONSOLE_GROUPS)) {
      this.userPool.addGroup(key === 'admin' ? 'Admins' : 'Auditors', {
        groupName: group.name,
        description: group.description,
      });
    }

    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: {
        domainPrefix: props.domainPrefix ?? `attest-${Fn.select(4, Fn.split('-', stackUuid))}`,
      },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });

    this.client = this.userPool.addClient('Console', {
      // A public client: no secret to hold in the function's environment or Secrets Manager. The
      // console sends a PKCE (S256) challenge with every sign-in, which binds the code to the
      // browser's session; Cognito accepts PKCE but cannot be told to require it.
      generateSecret: false,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${props.baseUrl}/console/auth/callback`],
        logoutUrls: [`${props.baseUrl}/console/signed-out`],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      // SRP only (and refresh): no plain-password API sign-in beside the managed login.
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      // The console keeps its own session (idle 30 min, at most 8 h); the tokens only start it.
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(8),
      // A first sign-in chains a new password and an authenticator's set-up: more than the default 3 minutes.
      authSessionValidity: Duration.minutes(10),
    });

    // The newer managed login shows a client's pages only once it has a style: Cognito's own.
    new CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    this.issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
    this.signInUrl = this.domain.baseUrl();
    this.logoutUrl = `${this.signInUrl}/logout`;
  }
}
