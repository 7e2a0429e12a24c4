// Client webhook settings (part of config.ts's schema): the retry schedule's scale, which only
// tests and development may shrink.
import { z } from 'zod';

export const webhookVariables = {
  WEBHOOK_RETRY_SCALE: z.coerce.number().min(0.00001).max(1).optional().default(1),
};

export interface WebhookConfig {
  /** Multiplies the retry schedule (1 in production). */
  retryScale: number;
}

export function parseWebhookConfig(v: { WEBHOOK_RETRY_SCALE?: number }, environment: string, problems: string[]): WebhookConfig {
  const scale = v.WEBHOOK_RETRY_SCALE ?? 1;
  if (environment === 'production' && scale !== 1) problems.push('WEBHOOK_RETRY_SCALE: only tests and development may shorten the webhook retry schedule');
  return { retryScale: scale };
}
