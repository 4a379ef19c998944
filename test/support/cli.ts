import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI: `npm test` builds before running vitest, so this is what a user runs. */
export const cliPath = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  cwd?: string;
}

export function spawnCli(args: string[], opts: CliOptions = {}): ChildProcess {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run 'npm run build' first (npm test does)`);
  const env: Record<string, string | undefined> = { ...process.env, OPENAI_API_KEY: undefined, ...opts.env };
  return spawn(process.execPath, [cliPath, ...args], {
    env: env as NodeJS.ProcessEnv,
    cwd: opts.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function collect(child: ChildProcess, stdin?: string): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  if (stdin !== undefined) child.stdin?.end(stdin);
  else child.stdin?.end();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return collect(spawnCli(args, opts), opts.stdin);
}
