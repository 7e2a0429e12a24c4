// An endpoint's live signing secrets in clear (current first, then the previous one while its
// rotation grace lasts), decrypted from their sealed form (secret-box.ts).
import type { Config } from '../config.ts';
import type { WebhookEndpointRow } from '../db/schema.ts';
import { openSecret } from './secret-box.ts';

export async function endpointSecrets(config: Config, endpoint: WebhookEndpointRow, now = new Date()): Promise<string[]> {
  const master = config.pdfTokenSecret ?? '';
  const secrets = [await openSecret(master, endpoint.secretCiphertext)];
  if (endpoint.previousSecretCiphertext && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
    secrets.push(await openSecret(master, endpoint.previousSecretCiphertext));
  }
  return secrets;
}
