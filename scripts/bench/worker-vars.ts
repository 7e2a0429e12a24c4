// The worker variables every benchmark and measurement script starts the worker with: the stack's
// service addresses, the test profile, a bootstrap admin key and no request rate limit to hit.

export function benchWorkerVars(stackVars: Record<string, string>, adminKey: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...stackVars,
    ENVIRONMENT: 'test',
    API_KEY: adminKey,
    PDF_TOKEN_SECRET: 'bench-pdf-secret-0123456789abcdef0123',
    MAX_REQUESTS_PER_MINUTE: '1000000',
    ...extra,
  };
}
