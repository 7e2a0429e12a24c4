// The agent's version, reported to the edge in `hello` and in the faxbot_agent_info metric.
// Keep in step with package.json's "version" (the agent ships from the same repository).
export const AGENT_VERSION = '0.1.0';
