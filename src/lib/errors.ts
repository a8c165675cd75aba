/**
 * Errors a stage reports to the user as one line, without a stack trace.
 * Anything else that escapes a stage is a bug and is reported with its message.
 */

/** An input that is missing or malformed. The message already names the input, the value (redacted) and what is expected. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Annotation {
  file?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
  title?: string;
}

/** A failure of the stage's work that the user can act on (a refused migration, a failed upload…). */
export class StageError extends Error {
  override name = 'StageError';
  constructor(
    message: string,
    readonly annotation?: Annotation,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Collapse a possibly multi-line message to the one line the user sees first. */
export function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}
