// What every LMS destination module provides: how to send a completion, what its answers mean, and the settings, secrets and deploy parameters it needs.
import type { HttpRequest, HttpResponse } from '../../ports.ts';
import type { Assignment, Delivery, Evidence, PolicyText, Starter } from '../model.ts';
import type * as z from '../zod.ts';
import type { DeliveryIdentity } from './delivery-ids.ts';

/** What an answer means for the delivery. */
export type Verdict = 'delivered' | 'retry' | 'gone' | 'rejected';

/** What an HTTP status means for the delivery, whatever the destination. */
export function classify(status: number | null): Verdict {
  if (status === null) return 'retry'; // timeout or network error
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  // Redirects are not followed (signed data goes only where configured), but may be fixed: retry.
  if (status === 408 || status === 429 || status >= 500 || (status >= 300 && status < 400)) return 'retry';
  return 'rejected';
}

/** What one attempt came to, as a channel that makes its own requests reports it. */
export interface AttemptOutcome {
  verdict: Verdict;
  /** The deciding answer's HTTP status; null when there was none (timeout or network error). */
  status: number | null;
  /** The deciding answer: its start is kept with a dead letter, its Retry-After honoured. */
  response?: HttpResponse | undefined;
  /** Why it was rejected, in words for the operator (`no Moodle user with email …`). */
  detail?: string;
  /** Fields kept on the delivery for the next attempt (a looked-up user id), whatever the verdict. */
  remember?: Record<string, string | number>;
}

/** One attempt, as a multi-request channel sees it. */
export interface ChannelAttempt {
  assignment: Assignment;
  starter: Starter;
  evidence: Evidence;
  /** The delivery as leased: what earlier attempts remembered is on it. */
  delivery: Delivery;
  at: Date;
  /** Sends one request under the delivery's timeout; null on a timeout or network error (logged). */
  call(request: HttpRequest): Promise<HttpResponse | null>;
}

/**
 * Who a test (`attest lms test`) is about: a real starter of the store, or the obviously fake
 * test person (`TEST_PERSON`) when none was named.
 */
export interface TestSubject {
  employeeId: string;
  email: string;
  givenName: string;
  familyName: string;
  /** False for the fake test person: a Moodle lookup then expects to find nobody. */
  real: boolean;
}

/** The person a test is about when no starter is named: no mailbox can have this address (RFC 6761 .invalid). */
export const TEST_PERSON: TestSubject = Object.freeze({
  employeeId: 'attest-test',
  email: 'attest-test@invalid',
  givenName: 'Attest',
  familyName: 'Test',
  real: false,
});

/** What a destination made of its answers to a test: healthy or not, and why, in words for the admin. */
export interface TestOutcome {
  healthy: boolean;
  verdict: string;
}

/**
 * A destination's test: requests that record nothing for any person (a `policy.test` webhook, an
 * `experienced` statement about a test activity, a Moodle user lookup), sent through `call`, and
 * its reading of the answers. `call` answers null on a timeout or network error.
 */
export type ChannelTest = (
  subject: TestSubject,
  call: (request: HttpRequest) => Promise<HttpResponse | null>,
  at: Date,
) => Promise<TestOutcome>;

/** A test's reading of one answer by status alone: healthy for 2xx, else what came back. */
export function answeredByStatus(response: HttpResponse | null, healthy: string): TestOutcome {
  if (!response) return { healthy: false, verdict: 'no answer (timeout or network error)' };
  if (response.status >= 200 && response.status < 300) return { healthy: true, verdict: healthy };
  return { healthy: false, verdict: `answered ${response.status}: not a 2xx` };
}

/** One destination's way of sending a completion, built from its settings and secrets. */
interface ChannelBase {
  /** The id the receiver de-duplicates on: the webhook id, or the xAPI statement id. */
  idOf(assignment: Assignment): string;
  /** Its test for `attest lms test`; a destination without one cannot be tested. */
  test?: ChannelTest;
}

/** A channel of one request per attempt, its answer classified by HTTP status (webhook, xAPI). */
export interface RequestChannel extends ChannelBase {
  /** The request of one attempt at `at`. */
  request(assignment: Assignment, starter: Starter, evidence: Evidence, at: Date): HttpRequest;
  /** An answer besides 2xx meaning the receiver has it already (an LRS's 409 Conflict). */
  alreadyStored?(status: number): boolean;
}

/**
 * A channel that makes its own requests in one attempt and reads its answers itself (Moodle: a
 * user lookup, then the completion; errors come as 200 with an error body). The lease, retries,
 * dead letters and audit stay the delivery's, as for any channel.
 */
export interface SteppedChannel extends ChannelBase {
  send(attempt: ChannelAttempt): Promise<AttemptOutcome>;
}

export type Channel = RequestChannel | SteppedChannel;

/** What a deployment carries besides settings and secrets, for a channel that needs it. */
export interface ChannelContext {
  /**
   * The policies this build carries, by id, with their Moodle activities (front matter): all a
   * channel reads of them, so lms-push carries these and not the texts (templates/generated/policy-settings.ts).
   */
  policies: ReadonlyMap<string, Pick<PolicyText, 'moodle'>>;
}

/** A CloudFormation parameter that feeds one of a destination's settings (plain data: core knows no CDK). */
export interface DeployParameter {
  /** The parameter's logical id, e.g. `LmsWebhookUrl`: fixed once deployed. */
  id: string;
  /** The setting it becomes in the function's environment. */
  setting: string;
  description: string;
  default?: string;
  allowedPattern?: string;
  allowedValues?: string[];
  minLength?: number;
}

/** A secret a destination reads: the setting itself locally, `{name}_SECRET_ARN` on AWS. */
export interface SecretSpec {
  /** The setting's name, e.g. `LMS_WEBHOOK_SECRET`. */
  name: string;
  /** Its Secrets Manager secret's logical id, e.g. `LmsWebhookSecret`: fixed once deployed. */
  id: string;
  /** The secret's description on AWS: who sets it, and to what. */
  description: string;
  /** Why it is not rotated by Secrets Manager (the stack says so to cdk-nag). */
  rotation: string;
  /** Answers the value unchanged, or throws a ConfigError naming the setting (never its value). */
  check?(value: string): string;
}

/**
 * An LMS destination. Its lane on the assignment is its name (`webhook`, `xapi`): what it owes,
 * when it falls due and who holds its lease. Its title and delivery ids are its entry in
 * delivery-ids.ts (all an acknowledgement needs of it). `Shape` is its settings' schema.
 */
export interface LmsDestination<Shape extends z.core.$ZodShape = z.core.$ZodShape> extends DeliveryIdentity {
  /**
   * Its settings from the environment, each optional or defaulted here (validated whether or not
   * it is deployed); `missing` says which it needs when it is.
   */
  settings: z.ZodMiniObject<Shape>;
  /** The settings it cannot go without, given the others, each with the condition worded for an error. */
  missing(settings: z.infer<z.ZodMiniObject<Shape>>): Array<{ setting: string; when?: string }>;
  secrets: readonly SecretSpec[];
  parameters: readonly DeployParameter[];
  /**
   * Its channel, given its settings (with nothing missing), its secrets' current values by name
   * and the policies the build carries; a setting that contradicts them throws a ConfigError naming it.
   */
  channel(
    settings: z.infer<z.ZodMiniObject<Shape>>,
    secrets: Readonly<Record<string, string>>,
    context: ChannelContext,
  ): Channel;
}

/** Declares a destination, its settings' types inferred from its schema. */
export const defineDestination = <Shape extends z.core.$ZodShape>(destination: LmsDestination<Shape>) =>
  destination;

/** How much of an answer is kept with an attempt and shown by a test: enough to read, too little to grow an item. */
export const ANSWER_START_BYTES = 200;

/** The first `bytes` bytes of an answer in UTF-8, cut before a character they would split. */
export function answerStart(body: string, bytes = ANSWER_START_BYTES): string {
  const encoded = Buffer.from(body, 'utf8');
  if (encoded.length <= bytes) return body;
  let end = bytes;
  // A continuation byte (10xxxxxx) is inside a character: back off to that character's start.
  while (end > 0 && ((encoded[end] as number) & 0xc0) === 0x80) end--;
  return encoded.subarray(0, end).toString('utf8');
}
