// /console — the operators' admin console (worker/console/): server-rendered pages signed in with
// an API key exchanged for a session cookie. Sign-in and sign-out first; every other page needs a
// live session and acts through the REST API as the session's key.
import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { agentsPages } from '../console/agents.ts';
import { auditPages } from '../console/audit.ts';
import { faxPages } from '../console/faxes.ts';
import { inboxPages } from '../console/inbox.ts';
import { keysPages } from '../console/keys.ts';
import { numberPages } from '../console/numbers.ts';
import { sendPages } from '../console/send.ts';
import { requireSession, type ConsoleEnv } from '../console/session.ts';
import { signIn } from '../console/sign-in.ts';
import { statusPages } from '../console/status.ts';

export function consoleRoute(app: () => Hono<AppEnv>) {
  const pages = new Hono<ConsoleEnv>()
    .use('*', requireSession(app))
    .route('/', statusPages)
    .route('/', sendPages)
    .route('/', faxPages)
    .route('/', inboxPages)
    .route('/', keysPages)
    .route('/', agentsPages)
    .route('/', numberPages)
    .route('/', auditPages);
  return new Hono<AppEnv>().route('/', signIn).route('/', pages as unknown as Hono<AppEnv>);
}
