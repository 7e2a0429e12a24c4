// CPU time of processes and their descendants from /proc (Linux), and CPU pinning with taskset,
// for the benchmark's per-request CPU figures.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

function stat(pid: number): { ppid: number; comm: string; ms: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const f = s.slice(close + 2).split(' ');
    return { ppid: Number(f[1]), comm: s.slice(s.indexOf('(') + 1, close), ms: (Number(f[11]) + Number(f[12])) * TICK_MS };
  } catch {
    return null;
  }
}

function all(): Map<number, NonNullable<ReturnType<typeof stat>>> {
  const out = new Map<number, NonNullable<ReturnType<typeof stat>>>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) out.set(Number(name), s);
  }
  return out;
}

/** The pids of `roots` and all their descendants, plus every process whose name matches `comm`. */
export function processTree(roots: number[], comm?: RegExp): number[] {
  const procs = all();
  const found = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, s] of procs) if (!found.has(pid) && found.has(s.ppid)) found.add(pid), (grew = true);
  }
  if (comm) for (const [pid, s] of procs) if (comm.test(s.comm)) found.add(pid);
  return [...found];
}

/** Summed user+system CPU in ms of these pids, and of those whose name matches `only`. */
export function cpuMs(pids: number[], only?: RegExp): number {
  let ms = 0;
  for (const pid of pids) {
    const s = stat(pid);
    if (s && (!only || only.test(s.comm))) ms += s.ms;
  }
  return ms;
}

export const canPin = (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Pins every thread of these processes to one CPU (no-op without taskset). */
export function pin(pids: number[], cpu: number): void {
  if (!canPin) return;
  for (const pid of pids) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    } catch {
      // the process exited meanwhile
    }
  }
}

/** Lets these processes run on every CPU again (after a pinned measurement). */
export function unpin(pids: number[]): void {
  if (!canPin) return;
  for (const pid of pids) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', `0-${os.cpus().length - 1}`, String(pid)], { stdio: 'ignore' });
    } catch {
      // the process exited meanwhile
    }
  }
}

/** The pid of the process listening on a loopback TCP port (a PostgreSQL server's postmaster), if any. */
export function pidListeningOn(port: number): number | undefined {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1]?.endsWith(`:${hex}`) && f[3] === '0A') inodes.add(f[9]!); // 0A = LISTEN
    }
  }
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${name}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${name}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return Number(name);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}
