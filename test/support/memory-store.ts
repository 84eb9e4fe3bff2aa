// Hand-written fakes of the ports for core tests: an in-memory Store with the DynamoDB adapter's conditions, and recorders.
import type { Assignment, PolicyVersion, Starter, WorkMessage } from '#shared/core/model.ts';
import type {
  Clock,
  HttpClient,
  HttpResponse,
  Logger,
  Mailer,
  OutgoingEmail,
  Queue,
  Store,
} from '#shared/ports.ts';

const copy = <T>(value: T): T => structuredClone(value);

export class MemoryStore implements Store {
  receipts = new Map<string, unknown>();
  starters = new Map<string, Starter>();
  assignments = new Map<string, Assignment>();
  policies = new Map<string, PolicyVersion>();
  audit: Array<{ assignmentId: string; kind: string; at: string; detail?: Record<string, string> }> = [];

  async getEventReceipt(source: string, eventId: string) {
    return copy(this.receipts.get(`${source}#${eventId}`));
  }
  async putEventReceipt(source: string, eventId: string, response: unknown) {
    const key = `${source}#${eventId}`;
    if (!this.receipts.has(key)) this.receipts.set(key, copy(response));
  }
  async getStarter(id: string) {
    return copy(this.starters.get(id));
  }
  async putStarter(starter: Starter) {
    this.starters.set(starter.starterId, copy(starter));
  }
  async createAssignment(a: Assignment) {
    if (!this.assignments.has(a.assignmentId)) this.assignments.set(a.assignmentId, copy(a));
    return copy(this.assignments.get(a.assignmentId) as Assignment);
  }
  async getAssignment(id: string) {
    return copy(this.assignments.get(id));
  }
  async cancelAssignment(id: string, at: Date) {
    const a = this.assignments.get(id);
    if (!a || a.ack) return;
    Object.assign(a, { status: 'cancelled', cancelledAt: at.toISOString() });
    this.clearDue(a);
  }
  async claimWork(id: string, kind: Assignment['dueKind'], now: Date, leaseUntil: Date) {
    const a = this.assignments.get(id);
    if (!a || a.dueKind !== kind || (a.leaseUntil && a.leaseUntil >= now.toISOString())) return undefined;
    a.leaseUntil = leaseUntil.toISOString();
    return copy(a);
  }
  async releaseWork(id: string, kind: Assignment['dueKind']) {
    const a = this.assignments.get(id);
    if (a && a.dueKind === kind) delete a.leaseUntil;
  }
  async recordSend(id: string, send: Assignment['sends'][number]) {
    const a = this.assignments.get(id);
    if (a?.dueKind !== 'invite' || !a.leaseUntil)
      throw Object.assign(new Error('condition'), { name: 'ConditionalCheckFailedException' });
    a.status = 'invited';
    a.sends.push(copy(send));
    this.clearDue(a);
  }
  async recordAcknowledgement(
    id: string,
    evidence: NonNullable<Assignment['ack']>,
    webhookId: string,
    lmsDueAt: Date,
  ) {
    const a = this.assignments.get(id);
    if (!a || a.ack || a.status === 'cancelled')
      return { recorded: false as const, assignment: copy(a as Assignment) };
    Object.assign(a, {
      ack: copy(evidence),
      status: 'acknowledged',
      lms: { state: 'pending', webhookId, attempts: 0 },
      dueAt: lmsDueAt.toISOString(),
      dueKind: 'lms',
    });
    delete a.leaseUntil;
    return { recorded: true as const, assignment: copy(a) };
  }
  async requestFreshLink(id: string, now: Date, notSince: Date) {
    const a = this.assignments.get(id) as (Assignment & { freshLinkAt?: string }) | undefined;
    if (!a || a.ack || a.status === 'cancelled' || (a.dueKind && a.dueKind !== 'invite')) return false;
    if (a.freshLinkAt && a.freshLinkAt >= notSince.toISOString()) return false;
    Object.assign(a, { dueKind: 'invite', dueAt: now.toISOString(), freshLinkAt: now.toISOString() });
    return true;
  }
  async recordDeliveryAttempt(id: string, attempt: { status: number | null; delivered: boolean; at: Date }) {
    const a = this.assignments.get(id);
    if (a?.dueKind !== 'lms' || !a.lms)
      throw Object.assign(new Error('condition'), { name: 'ConditionalCheckFailedException' });
    a.lms.attempts++;
    if (attempt.status !== null) a.lms.lastStatus = attempt.status;
    delete a.leaseUntil;
    if (attempt.delivered) {
      a.lms.state = 'delivered';
      a.lms.deliveredAt = attempt.at.toISOString();
      this.clearDue(a);
    }
  }
  async queryDue(before: Date, limit: number) {
    return [...this.assignments.values()]
      .filter((a) => a.dueAt && a.dueKind && a.dueAt <= before.toISOString())
      .sort((x, y) => (x.dueAt as string).localeCompare(y.dueAt as string))
      .slice(0, limit)
      .map((a) => ({
        assignmentId: a.assignmentId,
        dueAt: a.dueAt as string,
        dueKind: a.dueKind as NonNullable<Assignment['dueKind']>,
      }));
  }
  async deferDue(id: string, seenDueAt: string, redriveAt: Date) {
    const a = this.assignments.get(id);
    if (a?.dueAt !== seenDueAt) return false;
    a.dueAt = redriveAt.toISOString();
    return true;
  }
  async putPolicyVersion(p: PolicyVersion) {
    const key = `${p.policyId}#${p.version}`;
    const existing = this.policies.get(key);
    if (existing && existing.sha256 !== p.sha256)
      throw new Error('policy version already published with other text');
    if (!existing) this.policies.set(key, copy(p));
  }
  async getPolicyVersion(policyId: string, version: number) {
    return copy(this.policies.get(`${policyId}#${version}`));
  }
  async appendAudit(assignmentId: string, kind: string, at: Date, detail?: Record<string, string>) {
    this.audit.push({ assignmentId, kind, at: at.toISOString(), ...(detail && { detail }) });
  }

  private clearDue(a: Assignment) {
    delete a.dueAt;
    delete a.dueKind;
    delete a.leaseUntil;
  }
}

export class RecordingQueue implements Queue {
  sent: Array<{ message: WorkMessage; delaySeconds: number | undefined }> = [];
  failWith: Error | undefined;
  async send(message: WorkMessage, delaySeconds?: number) {
    if (this.failWith) throw this.failWith;
    this.sent.push({ message: copy(message), delaySeconds });
  }
}

export class RecordingMailer implements Mailer {
  sent: OutgoingEmail[] = [];
  failWith: Error | undefined;
  async send(email: OutgoingEmail) {
    if (this.failWith) throw this.failWith;
    this.sent.push(copy(email));
    return `ses-${this.sent.length}`;
  }
}

/** Answers each POST with the next scripted response (an Error is thrown as a network failure). */
export class ScriptedHttp implements HttpClient {
  requests: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
  constructor(private readonly script: Array<number | Error>) {}
  async post(url: string, headers: Record<string, string>, body: string): Promise<HttpResponse> {
    this.requests.push({ url, headers: copy(headers), body });
    const next = this.script.length > 1 ? this.script.shift() : this.script[0];
    if (next instanceof Error) throw next;
    return { status: next ?? 200, body: '' };
  }
}

export class TestClock implements Clock {
  constructor(private at = new Date('2026-11-24T10:00:00.000Z')) {}
  now() {
    return new Date(this.at);
  }
  advance(ms: number) {
    this.at = new Date(this.at.getTime() + ms);
  }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
