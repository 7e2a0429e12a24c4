// Where the recordings of a real Asterisk live for the tests: test/fixtures/asterisk-ami, a verbatim
// copy of the reference material (shared/reference/ami: README.md there says how they were recorded).
// Vendored so every checkout, CI included, replays the same bytes; a test that finds them missing fails.
import path from 'node:path';

export const AMI_RECORDINGS = path.resolve(import.meta.dirname, '../fixtures/asterisk-ami');
export const PJSIP_RECORDINGS = path.join(AMI_RECORDINGS, 'pjsip');
