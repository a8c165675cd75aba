/**
 * The one place a stage meets the runner: read and validate inputs, run the logic with its outside world,
 * set outputs, write the summary, and report failure as one line (never a stack trace). Each stage's entry
 * is `await runStage(definition, core)`.
 */
import { InputError, StageError, errorMessage, oneLine } from './errors.js';
import { Inputs, envInputSource, type InputSource } from './inputs.js';
import { CoreLogger, type CoreLike, type Logger } from './logger.js';
import { Masker } from './secrets.js';
import { Summary } from './summary.js';
import { readRunContext, type RunContext } from './context.js';
import { systemClock, type Clock } from './clock.js';
import { nodeFetch, type HttpFetch } from './http.js';
import { NodeProcessRunner, type ProcessRunner } from './process.js';

/** Everything outside the stage's own logic, passed in so tests can replace any of it. */
export interface StageServices {
  logger: Logger;
  masker: Masker;
  summary: Summary;
  context: RunContext;
  clock: Clock;
  http: HttpFetch;
  processes: ProcessRunner;
  env: NodeJS.ProcessEnv;
}

export type OutputValue = string | number | boolean | null | undefined | object;

export interface StageOutcome<K extends string> {
  outputs: Partial<Record<K, OutputValue>>;
  /** Set when the stage failed after producing some outputs (status=failed and the like). */
  error?: StageError | Error;
}

export interface StageDefinition<S, K extends string> {
  name: string;
  /** Output key -> output name, as declared in action.yml. */
  outputs: Record<K, string>;
  read(inputs: Inputs, services: StageServices): S | Promise<S>;
  run(settings: S, services: StageServices): Promise<StageOutcome<K>>;
}

export function formatOutput(v: OutputValue): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export interface RunStageOptions {
  env?: NodeJS.ProcessEnv;
  inputs?: InputSource;
  services?: Partial<StageServices>;
}

/** Runs a stage; returns the exit code it set (0 or 1). */
export async function runStage<S, K extends string>(def: StageDefinition<S, K>, core: CoreLike, opts: RunStageOptions = {}): Promise<number> {
  const env = opts.env ?? process.env;
  const masker = opts.services?.masker ?? new Masker((s) => core.setSecret(s));
  const logger = opts.services?.logger ?? new CoreLogger(core, masker);
  const services: StageServices = {
    logger,
    masker,
    summary: opts.services?.summary ?? new Summary(),
    context: opts.services?.context ?? readRunContext(env),
    clock: opts.services?.clock ?? systemClock,
    http: opts.services?.http ?? nodeFetch,
    processes: opts.services?.processes ?? new NodeProcessRunner(logger, masker),
    env,
  };
  const fail = (message: string, err?: unknown): number => {
    const line = oneLine(masker.redact(message));
    const annotation = err instanceof StageError ? err.annotation : undefined;
    if (annotation) core.error(line, { ...annotation, title: annotation.title ? masker.redact(annotation.title) : undefined });
    core.setFailed(line);
    if (err && !(err instanceof InputError) && !(err instanceof StageError) && err instanceof Error && err.stack) {
      core.debug(masker.redact(err.stack));
    }
    process.exitCode = 1;
    return 1;
  };

  let settings: S;
  try {
    settings = await def.read(new Inputs(opts.inputs ?? envInputSource(env), masker), services);
  } catch (err) {
    return fail(errorMessage(err), err);
  }

  let outcome: StageOutcome<K> | undefined;
  let thrown: unknown;
  try {
    outcome = await def.run(settings, services);
  } catch (err) {
    thrown = err;
  }

  if (outcome) {
    for (const [key, name] of Object.entries(def.outputs) as [K, string][]) {
      if (key in outcome.outputs) core.setOutput(name, masker.redact(formatOutput(outcome.outputs[key])));
    }
  }
  if (!services.summary.empty) {
    try {
      await core.summary.addRaw(masker.redact(services.summary.toString()), true).write();
    } catch (err) {
      logger.debug(`job summary not written: ${errorMessage(err)}`);
    }
  }
  const error = thrown ?? outcome?.error;
  if (error) return fail(`${def.name}: ${errorMessage(error)}`, error);
  return 0;
}
