/**
 * Static checks of the workflows and action.yml files (run in `npm test` by test/workflows/): script injection,
 * declared permissions (each commented), pinned `uses:`, no `./` where it means the caller's repository, and the
 * wiring between the workflows and the stage actions (every `with:` key is a declared input, every referenced
 * output exists), so a renamed input or output in actions/<stage>/action.yml cannot silently drift.
 *
 * Each check is a plain function over the parsed YAML returning findings; nothing here needs GitHub.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import YAML, { isMap, isPair, isScalar, type Document } from 'yaml';

export type CheckName =
  | 'injection'
  | 'permissions'
  | 'permission-comments'
  | 'pinning'
  | 'self-reference'
  | 'stage-inputs'
  | 'stage-outputs'
  | 'job-outputs'
  | 'declared-inputs'
  | 'declared-secrets'
  | 'caller-inputs';

export interface Finding {
  check: CheckName;
  file: string;
  /** Dotted path of the offending node, e.g. jobs.release.steps[3].run. */
  where: string;
  message: string;
}

/** What an action (a stage or the root composite) declares. */
export interface ActionInterface {
  inputs: Record<string, { required: boolean; default?: string }>;
  outputs: string[];
}

/** What a reusable workflow declares under `on.workflow_call`. */
export interface WorkflowInterface {
  inputs: Record<string, { required: boolean; hasDefault: boolean }>;
  secrets: Record<string, { required: boolean }>;
  outputs: string[];
}

export interface Project {
  /** actions/<stage>/action.yml by stage name. */
  stages: Record<string, ActionInterface>;
  /** The root composite action.yml. */
  root?: ActionInterface;
  /** .github/workflows/<file> (reusable ones) by file name, e.g. deploy.yml. */
  workflows: Record<string, WorkflowInterface>;
  /** owner/name under which callers reference this repository (examples). */
  selfRepo: string;
}

export const STAGES = ['preflight', 'backup', 'migrate', 'deploy', 'verify', 'notify'] as const;

type Json = any;

const SHA = /^[0-9a-f]{40}$/;

export function actionInterface(spec: Json): ActionInterface {
  const inputs: ActionInterface['inputs'] = {};
  for (const [name, def] of Object.entries<Json>(spec?.inputs ?? {})) {
    inputs[name] = { required: def?.required === true || def?.required === 'true', default: def?.default === undefined ? undefined : String(def.default) };
  }
  return { inputs, outputs: Object.keys(spec?.outputs ?? {}) };
}

export function workflowInterface(doc: Json): WorkflowInterface | undefined {
  const call = triggers(doc).workflow_call;
  if (call === undefined) return undefined;
  const inputs: WorkflowInterface['inputs'] = {};
  for (const [name, def] of Object.entries<Json>(call?.inputs ?? {})) inputs[name] = { required: def?.required === true, hasDefault: def?.default !== undefined };
  const secrets: WorkflowInterface['secrets'] = {};
  for (const [name, def] of Object.entries<Json>(call?.secrets ?? {})) secrets[name] = { required: def?.required === true };
  return { inputs, secrets, outputs: Object.keys(call?.outputs ?? {}) };
}

/** Reads the stage actions, the root action and the reusable workflows of a checkout. */
export function loadProject(root: string, selfRepo = 'shipgate/shipgate'): Project {
  const stages: Record<string, ActionInterface> = {};
  for (const s of STAGES) stages[s] = actionInterface(YAML.parse(readFileSync(join(root, 'actions', s, 'action.yml'), 'utf8')));
  const rootFile = join(root, 'action.yml');
  const workflows: Record<string, WorkflowInterface> = {};
  for (const f of ['deploy.yml', 'rollback.yml', 'pr-checks.yml']) {
    const p = join(root, '.github', 'workflows', f);
    if (!existsSync(p)) continue;
    const wi = workflowInterface(YAML.parse(readFileSync(p, 'utf8')));
    if (wi) workflows[f] = wi;
  }
  return { stages, root: existsSync(rootFile) ? actionInterface(YAML.parse(readFileSync(rootFile, 'utf8'))) : undefined, workflows, selfRepo };
}

/** `on:` as an object whatever its spelling (string, list or map). */
export function triggers(doc: Json): Record<string, Json> {
  const on = doc?.on ?? doc?.true; // YAML 1.1 parsers read a bare `on` as true
  if (typeof on === 'string') return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((t) => [t, null]));
  return on && typeof on === 'object' ? on : {};
}

export function isReusable(doc: Json): boolean {
  return 'workflow_call' in triggers(doc);
}

/** Every `${{ … }}` expression body in a string. */
export function expressions(text: string): string[] {
  const out: string[] = [];
  const re = /\$\{\{([\s\S]*?)\}\}/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1].trim());
  return out;
}

/** Expressions of a value at a path: `if:` conditions are expressions even without `${{ }}`. */
export function expressionsAt(where: string, text: string): string[] {
  if (/(^|\.)if$/.test(where) && !text.includes('${{')) return [text.trim()];
  return expressions(text);
}

/** Contexts whose values an attacker or caller controls, or that are secret: never pasted into a script. */
const UNSAFE_IN_SCRIPT: Array<[RegExp, string]> = [
  [/\binputs\s*(\.|\[)/, 'an input'],
  [/\bgithub\s*(\.\s*|\[\s*['"])event\b/, 'event data'],
  [/\bgithub\s*(\.\s*|\[\s*['"])head_ref\b/, 'the head branch name'],
  [/\bsecrets\s*(\.|\[)/, 'a secret'],
  [/\b(steps|needs|jobs)\s*\.[^\s.]+\s*\.\s*outputs\b/, 'an output'],
];

function unsafeReason(expr: string): string | undefined {
  for (const [re, what] of UNSAFE_IN_SCRIPT) if (re.test(expr)) return what;
  return undefined;
}

interface StepRef {
  step: Json;
  where: string;
}

/** Steps of every job of a workflow, or of a composite action. */
function stepsOf(doc: Json, kind: 'workflow' | 'action'): Array<{ job?: string; jobDef?: Json; steps: StepRef[] }> {
  if (kind === 'action') {
    const steps = Array.isArray(doc?.runs?.steps) ? doc.runs.steps : [];
    return [{ steps: steps.map((step: Json, i: number) => ({ step, where: `runs.steps[${i}]` })) }];
  }
  return Object.entries<Json>(doc?.jobs ?? {}).map(([job, jobDef]) => ({
    job,
    jobDef,
    steps: (Array.isArray(jobDef?.steps) ? jobDef.steps : []).map((step: Json, i: number) => ({ step, where: `jobs.${job}.steps[${i}]` })),
  }));
}

/** No `run:` script (nor github-script `script:`) pastes an input, event data, a secret or an output into its text. */
export function checkInjection(file: string, doc: Json, kind: 'workflow' | 'action'): Finding[] {
  const findings: Finding[] = [];
  for (const { steps } of stepsOf(doc, kind)) {
    for (const { step, where } of steps) {
      const scripts: Array<[string, unknown]> = [[`${where}.run`, step?.run]];
      if (typeof step?.uses === 'string' && /^actions\/github-script@/.test(step.uses)) scripts.push([`${where}.with.script`, step?.with?.script]);
      for (const [at, text] of scripts) {
        if (typeof text !== 'string') continue;
        for (const expr of expressions(text)) {
          const what = unsafeReason(expr);
          if (what) findings.push({ check: 'injection', file, where: at, message: `\`\${{ ${expr} }}\` pastes ${what} into the script; pass it through env: and quote "$VAR"` });
        }
      }
    }
  }
  return findings;
}

/** Every job declares `permissions:`; a workflow also declares them at the top (reusable ones `{}`). */
export function checkPermissions(file: string, doc: Json): Finding[] {
  const findings: Finding[] = [];
  if (!('permissions' in (doc ?? {}))) findings.push({ check: 'permissions', file, where: 'permissions', message: 'no top-level permissions: (declare `permissions: {}` and grant per job)' });
  else if (isReusable(doc) && !(isEmptyMap(doc.permissions))) {
    findings.push({ check: 'permissions', file, where: 'permissions', message: 'a reusable workflow grants nothing at the top: `permissions: {}`' });
  }
  for (const [job, def] of Object.entries<Json>(doc?.jobs ?? {})) {
    if (!def || typeof def !== 'object' || !('permissions' in def)) {
      findings.push({ check: 'permissions', file, where: `jobs.${job}`, message: `job ${job} does not declare permissions:` });
    } else if (def.permissions === 'write-all' || def.permissions === 'read-all') {
      findings.push({ check: 'permissions', file, where: `jobs.${job}.permissions`, message: `job ${job} grants ${def.permissions}; list the scopes it needs` });
    }
  }
  return findings;
}

function isEmptyMap(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
}

/** Every granted scope of every job carries a comment saying why (trailing or on the line before). */
export function checkPermissionComments(file: string, source: string): Finding[] {
  const findings: Finding[] = [];
  const doc: Document = YAML.parseDocument(source);
  const jobs = doc.get('jobs', true);
  if (!isMap(jobs)) return findings;
  for (const jobPair of jobs.items) {
    if (!isPair(jobPair) || !isMap(jobPair.value)) continue;
    const job = String(isScalar(jobPair.key) ? jobPair.key.value : jobPair.key);
    const perms: unknown = jobPair.value.get('permissions', true);
    if (isScalar(perms)) {
      if (!perms.comment) findings.push({ check: 'permission-comments', file, where: `jobs.${job}.permissions`, message: `job ${job}: say why with a comment` });
      continue;
    }
    if (!isMap(perms)) continue;
    if (perms.items.length === 0 && !perms.comment) {
      const line = lineOf(source, perms.range?.[0]);
      if (!/#/.test(line)) findings.push({ check: 'permission-comments', file, where: `jobs.${job}.permissions`, message: `job ${job}: say why with a comment` });
    }
    for (const item of perms.items) {
      if (!isPair(item)) continue;
      const scope = String(isScalar(item.key) ? item.key.value : item.key);
      const commented = (isScalar(item.value) && !!item.value.comment) || (isScalar(item.key) && !!item.key.commentBefore) || /#/.test(lineOf(source, (item.value as any)?.range?.[0]));
      if (!commented) findings.push({ check: 'permission-comments', file, where: `jobs.${job}.permissions.${scope}`, message: `job ${job} grants ${scope} without a comment saying why` });
    }
  }
  return findings;
}

function lineOf(source: string, offset: number | undefined): string {
  if (offset === undefined) return '';
  const start = source.lastIndexOf('\n', offset - 1) + 1;
  const end = source.indexOf('\n', offset);
  return source.slice(start, end === -1 ? undefined : end);
}

/** Every `uses:` of a job or step, with where it is. */
function usesOf(doc: Json, kind: 'workflow' | 'action'): Array<{ uses: string; where: string; with: Json; secrets?: Json; level: 'job' | 'step' }> {
  const out: Array<{ uses: string; where: string; with: Json; secrets?: Json; level: 'job' | 'step' }> = [];
  if (kind === 'workflow') {
    for (const [job, def] of Object.entries<Json>(doc?.jobs ?? {})) {
      if (typeof def?.uses === 'string') out.push({ uses: def.uses, where: `jobs.${job}.uses`, with: def.with, secrets: def.secrets, level: 'job' });
    }
  }
  for (const { steps } of stepsOf(doc, kind)) {
    for (const { step, where } of steps) if (typeof step?.uses === 'string') out.push({ uses: step.uses, where: `${where}.uses`, with: step.with, level: 'step' });
  }
  return out;
}

/**
 * Third-party `uses:` are pinned by a full commit sha (`$/…` is this repository at the running commit, so it
 * counts as pinned). `./…` resolves against the caller's checkout inside a reusable workflow or an action, so it
 * is refused there (`$/…` is what is meant); in a caller's own workflow it is its own repository and fine.
 */
export function checkPinning(file: string, doc: Json, kind: 'workflow' | 'action'): Finding[] {
  const findings: Finding[] = [];
  const selfRefForbidden = kind === 'action' || isReusable(doc);
  for (const { uses, where } of usesOf(doc, kind)) {
    if (uses.startsWith('$/')) continue;
    if (uses.startsWith('./') || uses.startsWith('../')) {
      if (selfRefForbidden) findings.push({ check: 'self-reference', file, where, message: `\`${uses}\` resolves against the caller's repository here; use \`$/${uses.replace(/^\.\//, '')}\`` });
      continue;
    }
    if (uses.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(uses)) findings.push({ check: 'pinning', file, where, message: `\`${uses}\` is not pinned by digest (@sha256:…)` });
      continue;
    }
    const at = uses.lastIndexOf('@');
    const ref = at > 0 ? uses.slice(at + 1) : '';
    if (!SHA.test(ref)) findings.push({ check: 'pinning', file, where, message: `\`${uses}\` is not pinned by a full commit sha (owner/repo@<40 hex> # vX.Y.Z)` });
  }
  return findings;
}

/** The stage a step runs: `$/actions/<stage>` (or this repository's actions/<stage> at a sha), or a composite step running dist/<stage>/index.js. */
export function stageOfStep(step: Json, selfRepo: string): string | undefined {
  if (typeof step?.uses === 'string') {
    const m = /^\$\/actions\/([a-z-]+)\/?$/.exec(step.uses) ?? new RegExp(`^${escapeRe(selfRepo)}/actions/([a-z-]+)@`, 'i').exec(step.uses);
    return m?.[1];
  }
  if (typeof step?.run === 'string') return /dist\/([a-z-]+)\/index\.js/.exec(step.run)?.[1];
  return undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Input names a step passes to a stage: `with:` keys, or INPUT_* variables of a composite `run:` step. */
export function stepInputs(step: Json): string[] {
  if (typeof step?.uses === 'string') return Object.keys(step?.with ?? {});
  return Object.keys(step?.env ?? {})
    .filter((k) => k.startsWith('INPUT_'))
    .map((k) => k.slice('INPUT_'.length).toLowerCase());
}

/** Every string in a value, with its dotted path. */
function strings(value: Json, where: string, out: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof value === 'string') out.push([where, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${where}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, where ? `${where}.${k}` : k, out);
  return out;
}

/**
 * The wiring between a workflow (or the composite) and the stages: every input passed is declared by the stage,
 * every required input is passed, every `steps.<id>.outputs.<name>` names an output of the stage that step runs,
 * every `needs.<job>.outputs.<name>` names an output the job declares, and in a composite every stage input with a
 * default is passed explicitly (a bundle run with node gets no defaults from the runner).
 */
export function checkStageWiring(file: string, doc: Json, kind: 'workflow' | 'action', project: Project): Finding[] {
  const findings: Finding[] = [];
  const groups = stepsOf(doc, kind);
  for (const { job, jobDef, steps } of groups) {
    const stageById = new Map<string, string>();
    const ids = new Set<string>();
    for (const { step, where } of steps) {
      if (typeof step?.id === 'string') ids.add(step.id);
      const stage = stageOfStep(step, project.selfRepo);
      if (!stage) continue;
      const spec = project.stages[stage];
      if (!spec) {
        findings.push({ check: 'stage-inputs', file, where, message: `unknown stage ${stage}` });
        continue;
      }
      if (typeof step.id === 'string') stageById.set(step.id, stage);
      const passed = stepInputs(step);
      for (const name of passed) {
        if (!(name in spec.inputs)) findings.push({ check: 'stage-inputs', file, where, message: `${stage} has no input \`${name}\` (declared: ${Object.keys(spec.inputs).join(', ')})` });
      }
      for (const [name, def] of Object.entries(spec.inputs)) {
        if (def.required && !passed.includes(name)) findings.push({ check: 'stage-inputs', file, where, message: `${stage} requires input \`${name}\`` });
        if (kind === 'action' && typeof step.run === 'string' && def.default !== undefined && !passed.includes(name)) {
          findings.push({ check: 'stage-inputs', file, where, message: `${stage} input \`${name}\` has a default (${JSON.stringify(def.default)}) the runner does not apply to a bundle run with node; pass it as INPUT_${name.toUpperCase()}` });
        }
      }
    }
    const scope = kind === 'action' ? { runs: { steps: doc?.runs?.steps }, outputs: doc?.outputs } : { ...jobDef, uses: undefined };
    for (const [where, text] of strings(scope, kind === 'action' ? '' : `jobs.${job}`)) {
      for (const expr of expressionsAt(where, text)) {
        const re = /\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g;
        for (let m = re.exec(expr); m; m = re.exec(expr)) {
          const [, id, name] = m;
          const stage = stageById.get(id);
          if (stage && !project.stages[stage].outputs.includes(name)) {
            findings.push({ check: 'stage-outputs', file, where, message: `step ${id} runs ${stage}, which has no output \`${name}\` (declared: ${project.stages[stage].outputs.join(', ')})` });
          } else if (!stage && !ids.has(id)) {
            findings.push({ check: 'stage-outputs', file, where, message: `no step with id ${id}${job ? ` in job ${job}` : ''}` });
          }
        }
      }
    }
  }
  if (kind === 'workflow') findings.push(...checkJobOutputs(file, doc));
  return findings;
}

/** `needs.<job>.outputs.<name>` and `jobs.<job>.outputs.<name>` name a job that is needed and an output it declares. */
export function checkJobOutputs(file: string, doc: Json): Finding[] {
  const findings: Finding[] = [];
  const jobs: Record<string, Json> = doc?.jobs ?? {};
  const outputsOf = (job: string) => Object.keys(jobs[job]?.outputs ?? {});
  const check = (where: string, text: string, allowed: (job: string) => boolean, kindOf: string) => {
    for (const expr of expressionsAt(where, text)) {
      const re = new RegExp(`\\b${kindOf}\\.([A-Za-z0-9_-]+)\\.outputs\\.([A-Za-z0-9_-]+)`, 'g');
      for (let m = re.exec(expr); m; m = re.exec(expr)) {
        const [, job, name] = m;
        if (!(job in jobs) || !allowed(job)) findings.push({ check: 'job-outputs', file, where, message: `${kindOf}.${job} is not ${kindOf === 'needs' ? 'a job this one needs' : 'a job of this workflow'}` });
        else if (jobs[job]?.uses === undefined && !outputsOf(job).includes(name)) findings.push({ check: 'job-outputs', file, where, message: `job ${job} has no output \`${name}\` (declared: ${outputsOf(job).join(', ') || 'none'})` });
      }
    }
  };
  for (const [job, def] of Object.entries<Json>(jobs)) {
    const needs = new Set<string>(Array.isArray(def?.needs) ? def.needs : def?.needs ? [def.needs] : []);
    for (const [where, text] of strings(def, `jobs.${job}`)) check(where, text, (j) => needs.has(j), 'needs');
  }
  const call = triggers(doc).workflow_call;
  for (const [where, text] of strings(call?.outputs ?? {}, 'on.workflow_call.outputs')) check(where, text, () => true, 'jobs');
  return findings;
}

/** In a reusable workflow or an action, every `inputs.<name>` and `secrets.<NAME>` referenced is declared. */
export function checkDeclared(file: string, doc: Json, kind: 'workflow' | 'action'): Finding[] {
  const findings: Finding[] = [];
  let inputs: Set<string>;
  let secrets: Set<string> | undefined;
  if (kind === 'action') {
    inputs = new Set(Object.keys(doc?.inputs ?? {}));
  } else {
    const on = triggers(doc);
    if (!('workflow_call' in on) && !('workflow_dispatch' in on)) return findings;
    inputs = new Set([...Object.keys(on.workflow_call?.inputs ?? {}), ...Object.keys(on.workflow_dispatch?.inputs ?? {})]);
    secrets = 'workflow_call' in on && !('workflow_dispatch' in on) ? new Set(['GITHUB_TOKEN', ...Object.keys(on.workflow_call?.secrets ?? {})]) : undefined;
  }
  const body = kind === 'action' ? { runs: doc?.runs, outputs: doc?.outputs } : { jobs: doc?.jobs, concurrency: doc?.concurrency, outputs: triggers(doc).workflow_call?.outputs, 'run-name': doc?.['run-name'] };
  for (const [where, text] of strings(body, '')) {
    for (const expr of expressionsAt(where, text)) {
      for (const m of expr.matchAll(/\binputs\.([A-Za-z0-9_-]+)/g)) {
        if (!inputs.has(m[1])) findings.push({ check: 'declared-inputs', file, where, message: `inputs.${m[1]} is not a declared input` });
      }
      if (secrets) {
        for (const m of expr.matchAll(/\bsecrets\.([A-Za-z0-9_-]+)/g)) {
          if (!secrets.has(m[1])) findings.push({ check: 'declared-secrets', file, where, message: `secrets.${m[1]} is not a declared secret of workflow_call` });
        }
      }
    }
  }
  return findings;
}

/**
 * A caller (examples/) passes only inputs and secrets the called Shipgate workflow or action declares, and every
 * required one: `<selfRepo>/.github/workflows/<f>@sha` against .github/workflows/<f>, `<selfRepo>@sha` against
 * the root action, `<selfRepo>/actions/<stage>@sha` against the stage.
 */
export function checkCallers(file: string, doc: Json, project: Project): Finding[] {
  const findings: Finding[] = [];
  const self = escapeRe(project.selfRepo);
  for (const { uses, where, with: withs, secrets, level } of usesOf(doc, 'workflow')) {
    const wf = new RegExp(`^${self}/\\.github/workflows/([^@]+)@`, 'i').exec(uses);
    if (wf && level === 'job') {
      const target = project.workflows[wf[1]];
      if (!target) {
        findings.push({ check: 'caller-inputs', file, where, message: `${wf[1]} is not a reusable workflow of ${project.selfRepo}` });
        continue;
      }
      const passed = Object.keys(withs ?? {});
      for (const k of passed) if (!(k in target.inputs)) findings.push({ check: 'caller-inputs', file, where, message: `${wf[1]} has no input \`${k}\`` });
      for (const [k, d] of Object.entries(target.inputs)) if (d.required && !passed.includes(k)) findings.push({ check: 'caller-inputs', file, where, message: `${wf[1]} requires input \`${k}\`` });
      if (secrets !== 'inherit') {
        const given = Object.keys(secrets ?? {});
        for (const k of given) if (!(k in target.secrets)) findings.push({ check: 'caller-inputs', file, where, message: `${wf[1]} has no secret \`${k}\`` });
        for (const [k, d] of Object.entries(target.secrets)) if (d.required && !given.includes(k)) findings.push({ check: 'caller-inputs', file, where, message: `${wf[1]} requires secret \`${k}\`` });
      }
      continue;
    }
    let spec: ActionInterface | undefined;
    let name = '';
    if (new RegExp(`^${self}@`, 'i').test(uses)) {
      spec = project.root;
      name = 'the Shipgate composite';
    } else {
      const st = new RegExp(`^${self}/actions/([a-z-]+)@`, 'i').exec(uses);
      if (st) {
        spec = project.stages[st[1]];
        name = st[1];
        if (!spec) findings.push({ check: 'caller-inputs', file, where, message: `unknown stage ${st[1]}` });
      }
    }
    if (!spec) continue;
    const passed = Object.keys(withs ?? {});
    for (const k of passed) if (!(k in spec.inputs)) findings.push({ check: 'caller-inputs', file, where, message: `${name} has no input \`${k}\`` });
    for (const [k, d] of Object.entries(spec.inputs)) if (d.required && !passed.includes(k)) findings.push({ check: 'caller-inputs', file, where, message: `${name} requires input \`${k}\`` });
  }
  return findings;
}

/** Every check that applies to a workflow file. */
export function checkWorkflowSource(file: string, source: string, project: Project): Finding[] {
  const doc = YAML.parse(source);
  return [
    ...checkInjection(file, doc, 'workflow'),
    ...checkPermissions(file, doc),
    ...checkPermissionComments(file, source),
    ...checkPinning(file, doc, 'workflow'),
    ...checkStageWiring(file, doc, 'workflow', project),
    ...checkDeclared(file, doc, 'workflow'),
    ...checkCallers(file, doc, project),
  ];
}

/** Every check that applies to an action.yml (composite steps; a JavaScript action has none to check). */
export function checkActionSource(file: string, source: string, project: Project): Finding[] {
  const doc = YAML.parse(source);
  if (doc?.runs?.using !== 'composite') return [];
  return [...checkInjection(file, doc, 'action'), ...checkPinning(file, doc, 'action'), ...checkStageWiring(file, doc, 'action', project), ...checkDeclared(file, doc, 'action')];
}
