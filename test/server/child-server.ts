// The server as an operator runs it: `server-stub/main.ts` in a child process, configured by the environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Child {
  proc: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `server-stub/main.ts` on a free port and waits for it to print its URL; rejects with
 * its output if it exits first (a refused configuration or store).
 */
export async function startChild(env: Record<string, string>): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server-stub/main.ts'], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c) => (out += c));
  proc.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const m = /Instant Key server at (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    proc.stdout!.on('data', onData);
    exited.then(({ code }) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
  return { proc, url, output: () => out, exited };
}

/** A fresh temporary directory (the caller removes it). */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'ik-process-'));
}

/**
 * Starts the server expecting it to refuse: resolves with what it printed once it exited
 * non-zero before listening. A server that starts instead is stopped, and this rejects.
 */
export async function startRefused(env: Record<string, string>): Promise<string> {
  let child: Child;
  try {
    child = await startChild(env);
  } catch (error) {
    const message = (error as Error).message;
    if (/^server exited \([1-9]\d*\) before listening/.test(message)) return message;
    throw error;
  }
  child.proc.kill('SIGKILL');
  await child.exited;
  throw new Error(`the server started at ${child.url} instead of refusing:\n${child.output()}`);
}
