// Runs a stage bundle the way the GitHub runner does: inputs as INPUT_* variables (action.yml defaults applied),
// GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE files, RUNNER_TEMP, and workflow commands read from stdout.
// Used by the `shipgate` CLI and by the tests, so both exercise exactly what ships in dist/.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const STAGES = ['preflight', 'backup', 'migrate', 'deploy', 'verify', 'notify'];

/** The parsed actions/<stage>/action.yml. */
export function loadActionSpec(stage) {
  const file = join(ROOT, 'actions', stage, 'action.yml');
  return YAML.parse(readFileSync(file, 'utf8'));
}

/** The runner's name for an input's variable: spaces become underscores, upper-cased (dashes stay). */
export function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** INPUT_* variables for the given inputs, with the action's declared defaults, like the runner. */
export function inputEnv(spec, inputs) {
  const env = {};
  for (const [name, def] of Object.entries(spec.inputs ?? {})) {
    if (def && def.default !== undefined) env[inputVariable(name)] = String(def.default);
  }
  for (const [name, value] of Object.entries(inputs)) {
    if (value === undefined || value === null) continue;
    env[inputVariable(name)] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return env;
}

/** Reads a GITHUB_OUTPUT / GITHUB_STATE file: `name<<DELIM` blocks and `name=value` lines. */
export function parseCommandFile(text) {
  const out = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value = [];
      i++;
      while (i < lines.length && lines[i] !== delim) value.push(lines[i++]);
      out[name] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** A workflow command line (`::name props::message`), or undefined. */
export function parseWorkflowCommand(line) {
  const m = /^::([a-zA-Z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!m) return undefined;
  const props = {};
  for (const part of (m[2] ?? '').split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq > 0) props[part.slice(0, eq)] = unescapeProperty(part.slice(eq + 1));
  }
  return { command: m[1], props, message: unescapeData(m[3]) };
}

function unescapeData(s) {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
function unescapeProperty(s) {
  return unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',');
}

/** Replaces every registered mask with ***. */
export function scrub(text, masks) {
  let out = text;
  for (const m of [...masks].sort((a, b) => b.length - a.length)) if (m && out.includes(m)) out = out.split(m).join('***');
  return out;
}

/**
 * How a human-facing runner (the CLI, the demo) shows one line of a bundle's stdout: workflow commands as
 * text, masks applied. Returns { stream: 'out' | 'err', text } or undefined for lines not shown.
 */
export function renderLine(line, cmd, masks, verbose = false) {
  if (!cmd) return { stream: 'out', text: scrub(line, masks) };
  const msg = scrub(cmd.message, masks);
  const where = cmd.props.file ? `${cmd.props.file}${cmd.props.line ? `:${cmd.props.line}` : ''}: ` : '';
  switch (cmd.command) {
    case 'group':
      return { stream: 'out', text: `▸ ${msg}` };
    case 'debug':
      return verbose ? { stream: 'out', text: `  debug: ${msg}` } : undefined;
    case 'error':
    case 'warning':
    case 'notice':
      return { stream: 'err', text: `${cmd.command}: ${where}${msg}` };
    default:
      return verbose && cmd.command !== 'add-mask' && cmd.command !== 'endgroup' ? { stream: 'out', text: scrub(line, masks) } : undefined;
  }
}

/**
 * Runs dist/<stage>/index.js. Returns { code, signal, stdout, stderr, outputs, summary, state, masks, durationMs }.
 * stdout and stderr are returned exactly as the bundle wrote them (add-mask commands included), so tests can
 * prove the bundle itself never prints a secret.
 */
export function runBundle({ stage, inputs = {}, env = {}, cwd = ROOT, onStdoutLine, onStderrLine, timeoutMs, context = {} }) {
  if (!STAGES.includes(stage)) throw new Error(`unknown stage ${stage}; expected one of ${STAGES.join(', ')}`);
  const bundle = join(ROOT, 'dist', stage, 'index.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build`);
  const spec = loadActionSpec(stage);
  const temp = mkdtempSync(join(tmpdir(), `shipgate-${stage}-`));
  const files = { GITHUB_OUTPUT: join(temp, 'output'), GITHUB_STEP_SUMMARY: join(temp, 'summary.md'), GITHUB_STATE: join(temp, 'state'), GITHUB_ENV: join(temp, 'env'), GITHUB_PATH: join(temp, 'path') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const base = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('INPUT_') && !k.startsWith('GITHUB_') && !k.startsWith('RUNNER_')) base[k] = v;
  const childEnv = {
    ...base,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: cwd,
    RUNNER_TEMP: temp,
    ...context,
    ...files,
    ...inputEnv(spec, inputs),
    ...env,
  };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    const masks = new Set();
    const lineSplitter = (onLine, sink) => {
      let pending = '';
      return {
        push(chunk) {
          sink(chunk);
          pending += chunk;
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const l of lines) handle(l, onLine);
        },
        flush() {
          if (pending) handle(pending, onLine);
          pending = '';
        },
      };
    };
    const handle = (line, onLine) => {
      const cmd = parseWorkflowCommand(line.replace(/\r$/, ''));
      if (cmd?.command === 'add-mask') masks.add(cmd.message);
      onLine?.(line.replace(/\r$/, ''), cmd, masks);
    };
    const out = lineSplitter(onStdoutLine, (c) => (stdout += c));
    const err = lineSplitter(onStderrLine, (c) => (stderr += c));
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      out.flush();
      err.flush();
      const read = (f) => readFileSync(f, 'utf8');
      const result = {
        code,
        signal,
        stdout,
        stderr,
        outputs: parseCommandFile(read(files.GITHUB_OUTPUT)),
        state: parseCommandFile(read(files.GITHUB_STATE)),
        summary: read(files.GITHUB_STEP_SUMMARY),
        masks: [...masks],
        durationMs: Date.now() - started,
      };
      rmSync(temp, { recursive: true, force: true });
      resolve(result);
    });
  });
}
