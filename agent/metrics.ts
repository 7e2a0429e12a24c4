// The agent's counters and gauges, rendered in the Prometheus text format for GET /metrics.
import { AGENT_VERSION } from './version.ts';

export type InboundOutcome = 'received' | 'uploaded' | 'failed';

export class AgentMetrics {
  edgeConnected = false;
  amiConnected = false;
  /** Calls with an Originate out (journal state `dialing` and running). */
  callsInFlight = 0;
  readonly jobs = { success: 0, failed: 0 };
  readonly inbound: Record<InboundOutcome, number> = { received: 0, uploaded: 0, failed: 0 };
  /** Epoch ms of the last error logged, 0 if none. */
  lastErrorAt = 0;

  render(): string {
    const lines: string[] = [];
    const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: Array<[string, number]>): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    const b = (v: boolean): number => (v ? 1 : 0);
    metric('faxbot_agent_edge_connected', 'gauge', 'WebSocket to the edge is up (1) or down (0).', [['', b(this.edgeConnected)]]);
    metric('faxbot_agent_ami_connected', 'gauge', 'AMI session to Asterisk is up (1) or down (0).', [['', b(this.amiConnected)]]);
    metric('faxbot_agent_calls_in_flight', 'gauge', 'Outbound fax calls in progress.', [['', this.callsInFlight]]);
    metric('faxbot_agent_jobs_total', 'counter', 'Outbound fax jobs finished, by result.', [
      ['{result="success"}', this.jobs.success],
      ['{result="failed"}', this.jobs.failed],
    ]);
    metric('faxbot_agent_inbound_total', 'counter', 'Inbound faxes, by stage reached.', [
      ['{result="received"}', this.inbound.received],
      ['{result="uploaded"}', this.inbound.uploaded],
      ['{result="failed"}', this.inbound.failed],
    ]);
    metric('faxbot_agent_last_error_timestamp_seconds', 'gauge', 'Unix time of the last error logged (0 = none).', [
      ['', Math.floor(this.lastErrorAt / 1000)],
    ]);
    metric('faxbot_agent_info', 'gauge', 'Agent build information.', [[`{version="${AGENT_VERSION}"}`, 1]]);
    return `${lines.join('\n')}\n`;
  }
}
