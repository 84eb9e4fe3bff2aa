// What every LMS destination module provides: how to send a completion, what its answers mean, and the settings, secrets and deploy parameters it needs.
import type { z } from 'zod';
import type { HttpRequest } from '../../ports.ts';
import type { Assignment, Evidence, Starter } from '../model.ts';

/** One destination's way of sending a completion, built from its settings and secrets. */
export interface Channel {
  /** The id the receiver de-duplicates on: the webhook id, or the xAPI statement id. */
  idOf(assignment: Assignment): string;
  /** The request of one attempt at `at`. */
  request(assignment: Assignment, starter: Starter, evidence: Evidence, at: Date): HttpRequest;
  /** An answer besides 2xx meaning the receiver has it already (an LRS's 409 Conflict). */
  alreadyStored?(status: number): boolean;
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
 * when it falls due and who holds its lease. `Shape` is its settings' schema.
 */
export interface LmsDestination<Shape extends z.ZodRawShape = z.ZodRawShape> {
  /** What it delivers, for the reader: "signed webhook", "xAPI statement". */
  title: string;
  /** The name of the id the receiver de-duplicates on, as stored with the delivery and audited. */
  idField: string;
  /** That id for an agreement, fixed for ever by its evidence id, so every retry and replay sends the same. */
  idFor(evidenceId: string): string;
  /**
   * Its settings from the environment, each optional or defaulted here (validated whether or not
   * it is deployed); `missing` says which it needs when it is.
   */
  settings: z.ZodObject<Shape>;
  /** The settings it cannot go without, given the others, each with the condition worded for an error. */
  missing(settings: z.infer<z.ZodObject<Shape>>): Array<{ setting: string; when?: string }>;
  secrets: readonly SecretSpec[];
  parameters: readonly DeployParameter[];
  /** Its channel, given its settings (with nothing missing) and its secrets' current values by name. */
  channel(settings: z.infer<z.ZodObject<Shape>>, secrets: Readonly<Record<string, string>>): Channel;
}

/** Declares a destination, its settings' types inferred from its schema. */
export const defineDestination = <Shape extends z.ZodRawShape>(destination: LmsDestination<Shape>) =>
  destination;
