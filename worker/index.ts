// Worker entry point: the HTTP app and the Durable Object classes wrangler binds.
import { createApp } from './app.ts';

export { SandboxCall } from './backends/sandbox-call.ts';

export default createApp();
