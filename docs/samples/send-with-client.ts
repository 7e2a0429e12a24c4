// Send docs/samples/referral.pdf with the typed client, wait for the result and save the PDF:
//   FAXBOT_API_KEY=fbk_… node docs/samples/send-with-client.ts
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createFaxbotClient, multipart, waitForFax } from '../../shared/api-client/client.ts';

const client = createFaxbotClient({ baseUrl: process.env.FAXBOT_URL ?? 'http://127.0.0.1:8787', apiKey: process.env.FAXBOT_API_KEY ?? '' });

const pdf = await readFile(new URL('./referral.pdf', import.meta.url));
const { data: job, error } = await client.POST('/fax', {
  body: { to: '+1 (555) 555-0123', file: new Blob([pdf], { type: 'application/pdf' }), cover_subject: 'Referral' },
  bodySerializer: multipart,
  params: { header: { 'Idempotency-Key': 'referral-1234' } },
});
if (error) throw new Error(`${error.error.code}: ${error.error.message}`);

const done = await waitForFax(client, job.id, { intervalMs: 1000 });
console.log(job.id, done.status, `${done.pages_sent ?? 0}/${done.pages} pages`);

const download = await client.GET('/fax/{id}/pdf', { params: { path: { id: job.id } }, parseAs: 'stream' });
if (!download.data) throw new Error(`download failed: ${download.response.status}`);
await pipeline(Readable.fromWeb(download.data as import('node:stream/web').ReadableStream), createWriteStream('sent.pdf'));
