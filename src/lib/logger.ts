/**
 * The logger every stage writes through. It scrubs every registered secret before a line leaves the process,
 * so nothing depends on the runner's own masking. `RecordingLogger` is its twin for tests.
 */
import type { Annotation } from './errors.js';
import type { Masker } from './secrets.js';

export interface Logger {
  info(message: string): void;
  debug(message: string): void;
  notice(message: string, annotation?: Annotation): void;
  warning(message: string, annotation?: Annotation): void;
  error(message: string, annotation?: Annotation): void;
  /** Run `fn` inside a collapsible group. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

/** The subset of @actions/core the logger needs (the runner's core is passed in, never imported here). */
export interface CoreLike {
  info(message: string): void;
  debug(message: string): void;
  notice(message: string, props?: Annotation): void;
  warning(message: string, props?: Annotation): void;
  error(message: string, props?: Annotation): void;
  startGroup(name: string): void;
  endGroup(): void;
  setSecret(secret: string): void;
  setOutput(name: string, value: unknown): void;
  setFailed(message: string): void;
  getInput(name: string): string;
  isDebug(): boolean;
  summary: { addRaw(text: string, addEOL?: boolean): { write(): Promise<unknown> } };
}

/** GitHub shows at most 10 errors and 10 warnings per step; the rest are logged as plain lines and counted. */
export const ANNOTATION_LIMIT = 10;

export class CoreLogger implements Logger {
  private counts = { warning: 0, error: 0, notice: 0 };
  constructor(
    private readonly core: CoreLike,
    private readonly masker: Masker,
  ) {}

  private r(text: string): string {
    return this.masker.redact(text);
  }

  private ann(a?: Annotation): Annotation | undefined {
    if (!a) return undefined;
    return { ...a, title: a.title ? this.r(a.title) : undefined };
  }

  info(message: string): void {
    this.core.info(this.r(message));
  }
  debug(message: string): void {
    this.core.debug(this.r(message));
  }
  notice(message: string, annotation?: Annotation): void {
    this.annotate('notice', message, annotation);
  }
  warning(message: string, annotation?: Annotation): void {
    this.annotate('warning', message, annotation);
  }
  error(message: string, annotation?: Annotation): void {
    this.annotate('error', message, annotation);
  }

  private annotate(kind: 'notice' | 'warning' | 'error', message: string, annotation?: Annotation): void {
    this.counts[kind]++;
    const text = this.r(message);
    if (this.counts[kind] > ANNOTATION_LIMIT) {
      const where = annotation?.file ? `${annotation.file}${annotation.startLine ? `:${annotation.startLine}` : ''}: ` : '';
      this.core.info(`${kind}: ${where}${text}`);
      return;
    }
    this.core[kind](text, this.ann(annotation));
  }

  /** Annotations beyond the UI's limit, per kind. */
  overflow(): { warning: number; error: number } {
    return {
      warning: Math.max(0, this.counts.warning - ANNOTATION_LIMIT),
      error: Math.max(0, this.counts.error - ANNOTATION_LIMIT),
    };
  }

  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.core.startGroup(this.r(title));
    try {
      return await fn();
    } finally {
      this.core.endGroup();
    }
  }
}

export interface LogRecord {
  level: 'info' | 'debug' | 'notice' | 'warning' | 'error' | 'group';
  message: string;
  annotation?: Annotation;
}

/** Keeps every line in memory; optionally scrubs with a masker, exactly like CoreLogger. */
export class RecordingLogger implements Logger {
  readonly records: LogRecord[] = [];
  constructor(private readonly masker?: Masker) {}
  private push(level: LogRecord['level'], message: string, annotation?: Annotation): void {
    this.records.push({ level, message: this.masker ? this.masker.redact(message) : message, annotation });
  }
  info(m: string): void {
    this.push('info', m);
  }
  debug(m: string): void {
    this.push('debug', m);
  }
  notice(m: string, a?: Annotation): void {
    this.push('notice', m, a);
  }
  warning(m: string, a?: Annotation): void {
    this.push('warning', m, a);
  }
  error(m: string, a?: Annotation): void {
    this.push('error', m, a);
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.push('group', title);
    return fn();
  }
  text(): string {
    return this.records.map((r) => `${r.level}: ${r.message}`).join('\n');
  }
  of(level: LogRecord['level']): LogRecord[] {
    return this.records.filter((r) => r.level === level);
  }
}
