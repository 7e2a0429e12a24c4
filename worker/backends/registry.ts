// Builds the backend a job belongs to (jobs keep the backend they were accepted on, even if
// FAX_BACKEND changes later).
import type { Config } from '../config.ts';
import type { Env } from '../env.ts';
import type { AgentRepository } from '../services/agents.ts';
import type { FaxBackend } from './fax-backend.ts';
import { SandboxBackend } from './sandbox.ts';
import { SipBackend } from './sip.ts';
import { ProviderBackend } from './provider-backend.ts';
import { providerApi } from '../providers/registry.ts';
import { documentStoreFor } from '../services/s3-document-store.ts';

export function createBackend(name: string, env: Env, config: Config, agents: AgentRepository): FaxBackend | null {
  switch (name) {
    case 'phaxio':
    case 'sinch':
      return new ProviderBackend(providerApi(name, config)!, documentStoreFor(config));
    case 'sandbox':
      return new SandboxBackend(config.sandboxStepMs);
    case 'sip':
      return new SipBackend(env, agents);
    default:
      return null;
  }
}
