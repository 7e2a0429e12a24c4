// Received faxes end to end: the simulator's FaxReceived -> tiff2pdf -> multipart upload to the fake edge with the
// right fields; retries on 503 keep the files until the edge stores them; 4xx parks them in failed/; resume on start.
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultScenario } from '../support/ami-simulator/index.ts';
import { buildFaxTiff } from '../support/ami-simulator/tiff.ts';
import { phiInLogs, startStack } from '../agent/harness.ts';
import type { Stack, StackOptions } from '../agent/harness.ts';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(opts: StackOptions = {}): Promise<Stack> {
  stack = await startStack(opts);
  return stack;
}

const inboundFiles = async (spool: string): Promise<string[]> => (await readdir(path.join(spool, 'inbound'))).filter((f) => f !== 'failed').sort();

describe('agent inbound faxes', () => {
  it('FaxReceived -> PDF uploaded with uniqueid, from, to, pages, received_at, remote_station_id; files deleted', async () => {
    const { edge, sim, spool, agent, logs } = await start();
    const rx = await sim.simulateInboundFax({ from: '+15555550123', to: '+15555550199', remoteStationId: 'SENDER 0123' });
    const upload = await edge.waitFor(() => edge.uploads[0], 5000, 'upload');
    expect(upload.fields).toEqual({
      uniqueid: rx.uniqueid, from: '+15555550123', to: '+15555550199', pages: '1', received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      remote_station_id: 'SENDER 0123',
    });
    expect(new TextDecoder().decode(upload.file.subarray(0, 5))).toBe('%PDF-');
    await edge.waitFor(() => edge.find('inbound_notice', (m) => m.stage === 'uploaded'), 5000, 'uploaded notice');
    expect(edge.messages.filter((m) => m.type === 'inbound_notice').map((m) => m.type === 'inbound_notice' && m.stage)).toEqual(['received', 'uploaded']);
    expect(await inboundFiles(spool)).toEqual([]);
    expect(existsSync(rx.file)).toBe(false); // moved out of Asterisk's spool
    expect(agent.metrics.inbound).toEqual({ received: 1, uploaded: 1, failed: 0 });
    expect(edge.uploads).toHaveLength(1); // FaxRxHangup for the same call is not a second fax
    expect(phiInLogs(logs)).toEqual([]);
  });

  it('503 then 201: retried, and the files are deleted only after the edge stored the fax', async () => {
    const { edge, sim, spool } = await start();
    edge.uploadStatuses = [503, 429];
    const seen: string[][] = [];
    edge.onUpload = async () => {
      seen.push(await inboundFiles(spool));
    };
    await sim.simulateInboundFax({ from: '+15555550123', to: '+15555550199' });
    await edge.waitFor(() => edge.uploads.length === 3 && edge.find('inbound_notice', (m) => m.stage === 'uploaded'), 5000, 'third upload');
    expect(edge.uploads.map((u) => u.status)).toEqual([503, 429, 201]);
    expect(seen).toHaveLength(3);
    for (const files of seen) expect(files.map((f) => path.extname(f))).toEqual(['.json', '.pdf', '.tif']);
    expect(await inboundFiles(spool)).toEqual([]);
  });

  it('4xx other than 429: files kept in failed/, notice failed', async () => {
    const { edge, sim, spool, agent } = await start();
    edge.uploadStatuses = [415];
    await sim.simulateInboundFax({ from: '+15555550123', to: '+15555550199' });
    await edge.waitFor(() => edge.find('inbound_notice', (m) => m.stage === 'failed'), 5000, 'failed notice');
    expect(edge.uploads).toHaveLength(1);
    expect(await inboundFiles(spool)).toEqual([]);
    expect((await readdir(path.join(spool, 'inbound', 'failed'))).map((f) => path.extname(f)).sort()).toEqual(['.json', '.pdf', '.tif']);
    expect(agent.metrics.inbound.failed).toBe(1);
  });

  it('resumes pending uploads found in the spool at startup', async () => {
    const { edge, spool } = await start({
      beforeStart: async (dir) => {
        await mkdir(path.join(dir, 'inbound'), { recursive: true });
        await writeFile(path.join(dir, 'inbound', '1700000000.42.tif'), buildFaxTiff());
        const record = { version: 1, uniqueid: '1700000000.42', from: '', to: '+15555550199', pages: 1, receivedAt: '2026-11-22T10:00:00.000Z', status: 'SUCCESS' };
        await writeFile(path.join(dir, 'inbound', '1700000000.42.json'), JSON.stringify(record));
      },
    });
    const upload = await edge.waitFor(() => edge.uploads[0], 5000, 'resumed upload');
    expect(upload.fields).toMatchObject({ uniqueid: '1700000000.42', from: '', received_at: '2026-11-22T10:00:00.000Z' });
    expect(upload.fields.remote_station_id).toBeUndefined();
    await edge.waitFor(() => existsSync(path.join(spool, 'inbound', '1700000000.42.json')) === false);
  });

  it('the far leg of a loopback outbound call (FaxReceived with a JobID) is not an inbound fax', async () => {
    const { edge, sim, agent } = await start({ scenario: defaultScenario, env: { AMI_CHANNEL_TEMPLATE: 'Local/{number}@faxrx/n' } });
    const offer = edge.offer();
    const result = await edge.waitFor(() => edge.find('result', (m) => m.jobId === offer.jobId), 5000, 'result');
    expect(result).toMatchObject({ status: 'success', pages: 2 });
    expect(sim.calls[0]!.request).toMatchObject({ channel: 'Local/+15555550123@faxrx/n', otherChannelId: `${result.uniqueid}-far` });
    await new Promise((r) => setTimeout(r, 100));
    expect(agent.metrics.inbound.received).toBe(0);
    expect(edge.uploads).toHaveLength(0);
  });
});
