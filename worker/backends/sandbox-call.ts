// Durable Object that plays one sandbox fax call: queued -> in_progress -> success|failed, one step
// per alarm. Alarms are durable and retried, and each step is a conditional update, so a retried
// alarm or a job canceled in between never produces a wrong status.
import { DurableObject } from 'cloudflare:workers';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/client.ts';
import type { Env } from '../env.ts';
import { FaxJobRepository } from '../services/fax-jobs.ts';
import { PostgresAuditLog } from '../services/audit-log.ts';

interface CallState {
  jobId: string;
  stage: 'queued' | 'in_progress';
  failWith: string | null;
  stepMs: number;
}

export class SandboxCall extends DurableObject<Env> {
  async start(jobId: string, failWith: string | null, stepMs: number): Promise<void> {
    const existing = await this.ctx.storage.get<CallState>('call');
    if (existing) return; // a retried submit must not restart the call
    await this.ctx.storage.put<CallState>('call', { jobId, stage: 'queued', failWith, stepMs });
    await this.ctx.storage.setAlarm(Date.now() + stepMs);
  }

  async cancel(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  override async alarm(): Promise<void> {
    const call = await this.ctx.storage.get<CallState>('call');
    if (!call) return;
    const config = loadConfig(this.env);
    if (!config.databaseUrl) throw new Error('DATABASE_URL is not configured');
    const handle = openDatabase(config.databaseUrl, config.databaseWsProxy);
    try {
      const jobs = new FaxJobRepository(() => handle.db);
      if (call.stage === 'queued') {
        const moved = await jobs.transition(call.jobId, ['queued'], 'in_progress', { providerRef: `sandbox-${call.jobId}` });
        if (!moved) return void (await this.ctx.storage.deleteAll());
        await this.ctx.storage.put<CallState>('call', { ...call, stage: 'in_progress' });
        await this.ctx.storage.setAlarm(Date.now() + call.stepMs);
        return;
      }
      const done = call.failWith
        ? await jobs.transition(call.jobId, ['in_progress'], 'failed', { failureReason: call.failWith })
        : await jobs.transition(call.jobId, ['in_progress'], 'success');
      if (done && config.auditEnabled) {
        await new PostgresAuditLog(() => handle.db).record({
          actorType: 'system',
          actorId: 'sandbox',
          action: 'fax.complete',
          resourceType: 'fax_job',
          resourceId: call.jobId,
          outcome: done.status === 'success' ? 'success' : 'failure',
          details: { status: done.status, ...(done.failureReason ? { reason: done.failureReason } : {}) },
        });
      }
      await this.ctx.storage.deleteAll();
    } finally {
      this.ctx.waitUntil(handle.close());
    }
  }
}
