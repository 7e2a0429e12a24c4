// Object keys in the document bucket. Every key the worker writes, reads or deletes is built here,
// so the IAM policy in docs/deployment.md can grant exactly these prefixes;
// test/unit/docs-s3-policy.test.ts checks that policy against this module and every store call.

/** An outbound fax's document: put on accept, read by downloads, the report and resends, deleted by retention. */
export function outboundDocumentKey(jobId: string): string {
  return `outbound/${jobId}/document.pdf`;
}

/** A received fax (POST /agent/inbound): put on upload, read by GET /inbound/:id/pdf, deleted by retention. */
export function inboundDocumentKey(inboundId: string): string {
  return `inbound/${inboundId}/document.pdf`;
}

/** GET /health/ready puts this object to prove the bucket accepts the worker's SSE-KMS writes; never read. */
export const READY_PROBE_KEY = 'health/ready-probe';
