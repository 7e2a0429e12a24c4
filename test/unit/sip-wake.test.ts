// SipBackend.wake: a new job pokes the hubs of agents with free channels, as the isolate last saw
// them. A remembered list saves a query per job; "nobody free" is never remembered, so the first job
// after an agent connects is offered at once instead of waiting for the sweep. A small document goes
// along as a copy taken before any await (the request's upload buffer is released when it ends).
import { describe, expect, it, vi } from 'vitest';
import { discardBuffer } from '../../worker/lib/bytes.ts';
import type { FaxJobRow } from '../../worker/db/schema.ts';
import type { Env } from '../../worker/env.ts';
import type { AgentRepository } from '../../worker/services/agents.ts';

type SipModule = typeof import('../../worker/backends/sip.ts');

/** A fresh copy of the module: its candidate cache is what one isolate holds. */
async function isolate(): Promise<SipModule> {
  vi.resetModules();
  return import('../../worker/backends/sip.ts');
}

function world(initial: Array<{ id: string; free: number }>) {
  const kicked: string[] = [];
  const documents: Array<{ jobId: string; bytes: Uint8Array } | undefined> = [];
  let online = initial;
  const agents = { candidates: vi.fn(async () => online) } as unknown as AgentRepository & { candidates: ReturnType<typeof vi.fn> };
  const env = {
    AGENT_HUB: {
      idFromName: (name: string) => name,
      get: (id: string) => ({
        kick: async (doc?: { jobId: string; bytes: Uint8Array }) => {
          kicked.push(id);
          documents.push(doc);
        },
      }),
    },
  } as unknown as Env;
  return { env, agents, kicked, documents, setOnline: (list: Array<{ id: string; free: number }>) => (online = list) };
}

const job = { id: 'fax_1', site: null } as unknown as FaxJobRow;

describe('SipBackend.wake', () => {
  it('pokes the free agents and reuses what it saw for the next job', async () => {
    const { SipBackend } = await isolate();
    const w = world([{ id: 'agt_a', free: 2 }]);
    const sip = new SipBackend(w.env, w.agents);
    await sip.wake(job);
    await sip.wake({ ...job, id: 'fax_2' } as FaxJobRow);
    expect(w.kicked).toEqual(['agt_a', 'agt_a']);
    expect(w.agents.candidates).toHaveBeenCalledTimes(1);
  });

  it('does not remember that nobody was free: an agent connecting next gets the next job at once', async () => {
    const { SipBackend } = await isolate();
    const w = world([]);
    const sip = new SipBackend(w.env, w.agents);
    await sip.wake(job);
    expect(w.kicked).toEqual([]);
    w.setOnline([{ id: 'agt_new', free: 4 }]);
    await sip.wake({ ...job, id: 'fax_2' } as FaxJobRow);
    expect(w.kicked).toEqual(['agt_new']);
    expect(w.agents.candidates).toHaveBeenCalledTimes(2);
  });

  it('hands a copy of a small document to the woken hubs, taken before the request can release it', async () => {
    const { SipBackend } = await isolate();
    const { INLINE_DOCUMENT_MAX_BYTES } = await import('../../shared/agent-protocol.ts');
    const w = world([{ id: 'agt_a', free: 1 }]);
    const sip = new SipBackend(w.env, w.agents);
    const upload = new Uint8Array([37, 80, 68, 70, 45]);
    const waking = sip.wake(job, upload);
    discardBuffer(upload); // what the upload reader does when the response ends
    expect(upload.byteLength).toBe(0);
    await waking;
    expect(w.documents).toEqual([{ jobId: 'fax_1', bytes: new Uint8Array([37, 80, 68, 70, 45]) }]);
    await sip.wake({ ...job, id: 'fax_2' } as FaxJobRow, new Uint8Array(INLINE_DOCUMENT_MAX_BYTES + 1));
    expect(w.documents[1]).toBeUndefined();
  });
});
