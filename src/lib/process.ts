/**
 * Spawning other programs (pg_dump, pg_restore, a user's migrate or smoke command). Secrets travel in the
 * environment, never in argv; the command line is logged scrubbed; stdout is either captured (capped), piped
 * to the caller as a stream (dump bytes never reach a log), or discarded. stderr is captured, scrubbed, and
 * handed back as text for error messages.
 */
import { spawn as nodeSpawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from './logger.js';
import type { Masker } from './secrets.js';

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** 'capture' (default): collect stdout as text; 'stream': expose it as a Readable; 'ignore'; 'log': scrubbed lines to the logger. */
  stdout?: 'capture' | 'stream' | 'ignore' | 'log';
  /** 'capture' (default) or 'log' (scrubbed lines to the logger as they arrive, and captured). */
  stderr?: 'capture' | 'log';
  /** Bytes written to stdin, or a stream piped into it. */
  stdin?: string | Readable;
  timeoutMs?: number;
  /** Run through the shell (a user's `command` input). */
  shell?: boolean;
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningProcess {
  pid: number | undefined;
  /** Present when stdout is 'stream'. */
  stdout?: Readable;
  stdin?: Writable;
  done: Promise<ProcessResult>;
  kill(signal?: NodeJS.Signals): void;
}

export interface ProcessRunner {
  spawn(command: string, args: string[], options?: SpawnOptions): RunningProcess;
  run(command: string, args: string[], options?: SpawnOptions): Promise<ProcessResult>;
}

const CAPTURE_LIMIT = 1024 * 1024;

function appendCapped(buf: string, chunk: string): string {
  const next = buf + chunk;
  return next.length > CAPTURE_LIMIT ? next.slice(next.length - CAPTURE_LIMIT) : next;
}

/** Quote an argument for display only. */
function showArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

export class NodeProcessRunner implements ProcessRunner {
  constructor(
    private readonly logger: Logger,
    private readonly masker: Masker,
  ) {}

  spawn(command: string, args: string[], options: SpawnOptions = {}): RunningProcess {
    const shown = options.shell ? command : [command, ...args].map(showArg).join(' ');
    this.logger.debug(`$ ${this.masker.redact(shown)}`);
    const stdoutMode = options.stdout ?? 'capture';
    const child = nodeSpawn(command, options.shell ? [] : args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      shell: options.shell ? true : undefined,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', stdoutMode === 'ignore' ? 'ignore' : 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    const lineLogger = (emit: (l: string) => void) => {
      let pending = '';
      return {
        push: (chunk: string) => {
          pending += chunk;
          const lines = pending.split(/\r?\n/);
          pending = lines.pop() ?? '';
          for (const l of lines) emit(this.masker.redact(l));
        },
        flush: () => {
          if (pending) emit(this.masker.redact(pending));
          pending = '';
        },
      };
    };
    const outLog = lineLogger((l) => this.logger.info(l));
    const errLog = lineLogger((l) => this.logger.info(l));
    if (child.stdout && stdoutMode !== 'stream') {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (c: string) => {
        stdout = appendCapped(stdout, c);
        if (stdoutMode === 'log') outLog.push(c);
      });
    }
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (c: string) => {
      stderr = appendCapped(stderr, c);
      if (options.stderr === 'log') errLog.push(c);
    });
    if (options.stdin !== undefined && child.stdin) {
      child.stdin.on('error', () => {});
      if (typeof options.stdin === 'string') child.stdin.end(options.stdin);
      else options.stdin.pipe(child.stdin);
    }
    const done = new Promise<ProcessResult>((resolve, reject) => {
      child.on('error', (err) => reject(new Error(`${command}: ${this.masker.redact(err.message)}`)));
      child.on('close', (code, signal) => {
        outLog.flush();
        errLog.flush();
        resolve({ code, signal, stdout: this.masker.redact(stdout), stderr: this.masker.redact(stderr) });
      });
    });
    return {
      pid: child.pid,
      stdout: stdoutMode === 'stream' ? (child.stdout ?? undefined) : undefined,
      stdin: child.stdin ?? undefined,
      done,
      kill: (signal = 'SIGTERM') => {
        child.kill(signal);
      },
    };
  }

  run(command: string, args: string[], options: SpawnOptions = {}): Promise<ProcessResult> {
    return this.spawn(command, args, options).done;
  }
}
