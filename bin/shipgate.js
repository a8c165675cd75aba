#!/usr/bin/env node
// shipgate: run any Shipgate stage outside GitHub with the same inputs as flags.
//   shipgate migrate --database-url "$DATABASE_URL" --migrations-dir db/migrations
// Secrets can stay out of argv: an input not given as a flag is read from SHIPGATE_<INPUT_NAME>
// (e.g. SHIPGATE_DATABASE_URL). The bundle under dist/ runs exactly as on a runner; its workflow commands
// are rendered as text, masks applied, and its outputs and job summary printed at the end.
import { STAGES, loadActionSpec, renderLine, runBundle, scrub } from './local-runner.js';

process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
});
const out = (s = '') => process.stdout.write(s + '\n');
const err = (s = '') => process.stderr.write(s + '\n');

function envName(input) {
  return `SHIPGATE_${input.replace(/-/g, '_').toUpperCase()}`;
}

function mainHelp() {
  out('Usage: shipgate <stage> [--input value ...]');
  out('');
  out('Stages:');
  for (const s of STAGES) {
    const spec = loadActionSpec(s);
    out(`  ${s.padEnd(10)} ${spec.description}`);
  }
  out('');
  out('`shipgate <stage> --help` lists a stage\'s inputs. Inputs not given as flags are read from SHIPGATE_<NAME>');
  out('environment variables (e.g. SHIPGATE_DATABASE_URL), which keeps secrets out of the process list.');
}

function stageHelp(stage) {
  const spec = loadActionSpec(stage);
  out(`Usage: shipgate ${stage} [--input value ...]`);
  out('');
  out(spec.description);
  out('');
  out('Inputs:');
  for (const [name, def] of Object.entries(spec.inputs ?? {})) {
    const flags = [def.required ? 'required' : '', def.default !== undefined ? `default: ${JSON.stringify(String(def.default))}` : ''].filter(Boolean).join(', ');
    out(`  --${name}${flags ? ` (${flags})` : ''}`);
    out(`      ${def.description}  [env: ${envName(name)}]`);
  }
  out('');
  out('Outputs:');
  for (const [name, def] of Object.entries(spec.outputs ?? {})) out(`  ${name.padEnd(22)} ${def.description}`);
}

function parseFlags(stage, argv) {
  const spec = loadActionSpec(stage);
  const known = new Set(Object.keys(spec.inputs ?? {}));
  const inputs = {};
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--verbose' || a === '-v') {
      verbose = true;
      continue;
    }
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(a);
    if (!m) throw new Error(`unexpected argument "${a}"; expected --<input> <value> (see shipgate ${stage} --help)`);
    const name = m[1];
    if (!known.has(name)) throw new Error(`unknown input --${name} for ${stage}; expected one of ${[...known].map((k) => `--${k}`).join(', ')}`);
    let value = m[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && known.has(next.slice(2).split('=')[0]))) value = 'true';
      else value = argv[++i];
    }
    inputs[name] = value;
  }
  for (const name of known) {
    if (inputs[name] === undefined && process.env[envName(name)] !== undefined) inputs[name] = process.env[envName(name)];
  }
  return { inputs, verbose };
}

function show(rendered) {
  if (rendered) (rendered.stream === 'err' ? err : out)(rendered.text);
}

async function main() {
  const [stage, ...rest] = process.argv.slice(2);
  if (!stage || stage === '--help' || stage === '-h' || stage === 'help') {
    mainHelp();
    return 0;
  }
  if (!STAGES.includes(stage)) {
    err(`shipgate: unknown stage "${stage}"; expected one of ${STAGES.join(', ')}`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    stageHelp(stage);
    return 0;
  }
  let parsed;
  try {
    parsed = parseFlags(stage, rest);
  } catch (e) {
    err(`shipgate: ${e.message}`);
    return 1;
  }
  const result = await runBundle({
    stage,
    inputs: parsed.inputs,
    cwd: process.cwd(),
    env: { GITHUB_ACTIONS: '', SHIPGATE_CLI: '1' },
    onStdoutLine: (line, cmd, masks) => show(renderLine(line, cmd, masks, parsed.verbose)),
    onStderrLine: (line, cmd, masks) => show(renderLine(line, cmd, masks, parsed.verbose)),
  });
  const masks = result.masks;
  const outputs = Object.entries(result.outputs);
  if (outputs.length) {
    out('\nOutputs:');
    for (const [k, v] of outputs) out(`  ${k} = ${scrub(v, masks)}`);
  }
  if (result.summary.trim()) {
    out('\nSummary:');
    out(scrub(result.summary, masks).trimEnd());
  }
  return result.code ?? 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    err(`shipgate: ${e.message}`);
    process.exitCode = 1;
  },
);
