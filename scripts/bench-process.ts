// Child processes for the benchmark: each measured program (reword's CLI, the minimal client, the judge loop,
// the loopback server) runs as its own process, so one's CPU and memory are never counted as another's.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface ChildResult {
  code: number | null;
  /** From spawn to exit. */
  wallMs: number;
  /** Peak resident set (VmHWM) in bytes; 0 where /proc is not available. */
  peakRssBytes: number;
  stdout: string;
  stderr: string;
}

/** VmHWM of a live process in bytes (the kernel's own high-water mark), or undefined once it is gone. */
export function residentHighWater(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

// VmHWM only grows, so the last reading before exit is the peak, short of what the final interval adds.
const RSS_SAMPLE_MS = 20;

/**
 * Runs `node script args…` to completion, timing it and sampling its peak resident memory. With `interruptAfterMs`
 * it gets a SIGINT (what Ctrl-C sends) after that long and is waited for.
 */
export function runNode(script: string, args: string[], env: NodeJS.ProcessEnv = {}, interruptAfterMs?: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let peakRssBytes = 0;
    const sample = (): void => {
      if (child.pid !== undefined) peakRssBytes = Math.max(peakRssBytes, residentHighWater(child.pid) ?? 0);
    };
    const sampler = setInterval(sample, RSS_SAMPLE_MS);
    const interrupt = interruptAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGINT'), interruptAfterMs);
    const done = (): void => {
      clearInterval(sampler);
      if (interrupt) clearTimeout(interrupt);
    };
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      done();
      reject(e);
    });
    child.on('exit', () => sample());
    child.on('close', (code) => {
      done();
      resolve({
        code,
        wallMs: performance.now() - started,
        peakRssBytes,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** Runs a child and fails loudly (with its stderr) unless it exits 0. */
export async function runNodeOk(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  const result = await runNode(script, args, env);
  if (result.code !== 0) {
    throw new Error(`${script} ${args.join(' ')} exited with ${String(result.code)}:\n${result.stderr.slice(-2000)}`);
  }
  return result;
}

export interface ServerProcess {
  url: string;
  /** Closes the server's stdin, which stops it, and resolves with what it printed after its first line. */
  stop(): Promise<string>;
}

/**
 * Starts a loopback server script that prints `listening URL` as its first line and exits when its stdin
 * closes, so it cannot outlive the benchmark even if the benchmark is killed.
 */
export function startServer(script: string, args: string[]): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    const rest: string[] = [];
    let url: string | undefined;
    const exited = new Promise<void>((done) => child.on('close', () => done()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (url === undefined) reject(new Error(`${script} exited with ${String(code)} before listening`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (url !== undefined) {
        rest.push(line);
        return;
      }
      const match = /^listening (\S+)/.exec(line);
      if (!match?.[1]) return;
      url = match[1];
      resolve({
        url,
        stop: async () => {
          child.stdin.end();
          await exited;
          return rest.join('\n');
        },
      });
    });
  });
}
