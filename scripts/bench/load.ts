// Closed-loop load: `concurrency` keep-alive clients issue `requests` requests in all, each as soon
// as its previous one answered; latency of each and throughput of the whole.

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  latencies: number[];
  seconds: number;
}

export async function closedLoop(concurrency: number, requests: number, send: (i: number) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < requests; i = next++) {
        const s = performance.now();
        await send(i);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { rps: requests / seconds, p50: q(0.5), p99: q(0.99), latencies, seconds };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
