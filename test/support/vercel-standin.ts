/**
 * A stateful stand-in for the Vercel REST API, built on http-stub.
 *
 * Its JSON answers pass @vercel/sdk 1.28.35's own response validation (the zod schemas in the
 * SDK's models); test/vercel-standin.test.ts proves that endpoint by endpoint. Paths are the ones
 * the SDK's standalone functions call (node_modules/@vercel/sdk/src/funcs/*.ts):
 *
 *   POST  /v13/deployments                                  deploymentsCreateDeployment
 *   GET   /v13/deployments/:idOrUrl                         deploymentsGetDeployment (each poll advances the scenario)
 *   GET   /v3/deployments/:idOrUrl/events                   deploymentsGetDeploymentEvents (build log lines)
 *   PATCH /v12/deployments/:id/cancel                       deploymentsCancelDeployment
 *   GET   /v7/deployments  (also /v6)                       deploymentsGetDeployments (projectId, target, state, sha, limit, until)
 *   POST  /v2/files                                         deploymentsUploadFile (x-vercel-digest = sha1 of the body)
 *   GET   /v9/projects/:idOrName                            projectsGetProject (targets.production = production pointer)
 *   GET   /v10/projects/:idOrName/env                       projectsFilterProjectEnvs
 *   POST  /v10/projects/:projectId/promote/:deploymentId    projectsRequestPromote (201, no body)
 *   POST  /v1/projects/:projectId/rollback/:deploymentId    projectsRequestRollback (201, no body; /v9 also served)
 *   POST  /v2/deployments/:id/aliases                       aliasesAssignAlias
 *   GET   /v2/deployments/:id/aliases                       aliasesListDeploymentAliases
 *   GET   /v1/projects/:projectId/deployments/:deploymentId/runtime-logs   logsGetRuntimeLogs (application/stream+json)
 *
 * Behaviour:
 * - Auth: `Authorization: Bearer <token>` must equal the configured token, else 403 `{error:{code:'forbidden',invalidToken:true}}`.
 *   A `teamId` query other than the configured one answers 403 too.
 * - createDeployment with `files` whose `sha` was not uploaded answers 400
 *   `{ error: { code: 'missing_files', message, missing: [sha...] } }`, like the real API.
 * - A deployment walks its scenario (default QUEUED → BUILDING → READY), one step per getDeployment
 *   poll (`pollsPerStep` to slow it). A scenario may contain unknown states such as 'FROZEN'.
 * - A production deployment that reaches READY becomes the project's production deployment
 *   (unless `autoPromote: false`, or the create body says `autoAssignCustomDomains: false`, which
 *   leaves it staged: readySubstate STAGED); promote and rollback move the pointer and are recorded.
 * - A rollback pins the project (`autoAssignCustomDomains: false` on getProject; later production
 *   deployments stay staged) until the next promote, as Vercel does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { authToken, startStub, type Stub, type StubRequest, type StubResponse } from './http-stub.js';

/** 'ready' | 'error' | 'canceled' or an explicit list of readyState values (the last one sticks). */
export type VercelScenario = 'ready' | 'error' | 'canceled' | readonly string[];

export interface VercelProject {
  id: string;
  name: string;
  accountId: string;
  framework: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface VercelEnvVar {
  id: string;
  key: string;
  value: string;
  type: 'plain' | 'encrypted' | 'sensitive' | 'secret' | 'system';
  target: string[];
  gitBranch?: string;
  createdAt: number;
  updatedAt: number;
}

export interface VercelDeployment {
  id: string;
  /** Host without scheme, e.g. `shipgate-app-abc123.vercel.app`. */
  url: string;
  name: string;
  projectId: string;
  target: 'production' | 'staging' | null;
  meta: Record<string, string>;
  /** env from the request body (`env` or `build.env`), when a client sends it. */
  env: Record<string, string>;
  files: Array<{ file: string; sha?: string; size?: number; inline?: boolean }>;
  createdAt: number;
  buildingAt?: number;
  readyAt?: number;
  canceledAt?: number;
  /** States this deployment walks through; `step` indexes it. */
  sequence: string[];
  step: number;
  /** getDeployment polls so far. */
  polls: number;
  readyState: string;
  aliases: string[];
  errorCode?: string;
  errorMessage?: string;
  buildLogs: string[];
  /** Query of the create request (forceNew, skipAutoDetectionConfirmation, teamId). */
  createQuery: Record<string, string>;
  /** Raw create request body. */
  requestBody: Record<string, unknown>;
  /** Stayed staged because the project was pinned by a rollback when it became READY. */
  stagedByPin?: boolean;
}

export interface VercelStandinState {
  projects: Map<string, VercelProject>;
  deployments: Map<string, VercelDeployment>;
  /** sha1 → uploaded bytes. */
  uploads: Map<string, Buffer>;
  /** projectId → current production deployment id. */
  production: Map<string, string>;
  promotions: Array<{ projectId: string; deploymentId: string; previous: string | null; at: number }>;
  rollbacks: Array<{ projectId: string; deploymentId: string; previous: string | null; description?: string; at: number }>;
  cancellations: Array<{ deploymentId: string; at: number }>;
  /** alias host → deployment id. */
  aliases: Map<string, { deploymentId: string; uid: string; created: number }>;
  /** projectId → env vars. */
  envs: Map<string, VercelEnvVar[]>;
}

export interface VercelStandinOptions {
  token?: string;
  /** When set, a `teamId` query must equal it. */
  teamId?: string;
  /** Projects known at start; default one `{ id: 'prj_shipgate', name: 'shipgate-app' }`. */
  projects?: Array<Partial<VercelProject> & { id: string; name: string }>;
  scenario?: VercelScenario;
  /** getDeployment polls spent on each state before moving on (default 1). */
  pollsPerStep?: number;
  /** Promote READY production deployments automatically (default true). */
  autoPromote?: boolean;
  /** Build log lines returned by the events endpoint. */
  buildLogs?: string[];
  /** Env vars of the first project. */
  envs?: Array<Partial<VercelEnvVar> & { key: string; value: string }>;
}

export interface VercelStandin {
  url: string;
  token: string;
  teamId?: string;
  /** The underlying recorder: requests, fail(), requestsTo(), ... */
  stub: Stub;
  state: VercelStandinState;
  /** Scenario for deployments created from now on; pass a deployment id to change just that one. */
  setScenario(scenario: VercelScenario, deploymentId?: string): void;
  /** Deployment rendered as the API would answer (the getDeployment body). */
  render(deploymentId: string): Record<string, unknown>;
  /** Adds a READY deployment directly (e.g. an earlier production deployment to roll back to). */
  seedDeployment(input: Partial<Pick<VercelDeployment, 'id' | 'target' | 'meta' | 'createdAt' | 'projectId' | 'name'>> & { makeProduction?: boolean }): VercelDeployment;
  close(): Promise<void>;
}

const TERMINAL = new Set(['READY', 'ERROR', 'CANCELED']);
const CANCELABLE = new Set(['QUEUED', 'BUILDING', 'INITIALIZING']);
const DEFAULT_LOGS = ['Cloning completed', 'Running "vercel build"', 'Build Completed in /vercel/output', 'Deploying outputs...'];

function sequenceFor(scenario: VercelScenario): string[] {
  if (typeof scenario !== 'string') {
    if (scenario.length === 0) throw new Error('vercel stand-in: a custom scenario needs at least one state');
    return [...scenario];
  }
  switch (scenario) {
    case 'ready':
      return ['QUEUED', 'BUILDING', 'READY'];
    case 'error':
      return ['QUEUED', 'BUILDING', 'ERROR'];
    case 'canceled':
      return ['QUEUED', 'BUILDING', 'CANCELED'];
    default:
      throw new Error(`vercel stand-in: unknown scenario ${String(scenario)}`);
  }
}

const apiError = (status: number, code: string, message: string, extra: Record<string, unknown> = {}): StubResponse => ({
  status,
  body: { error: { code, message, ...extra } },
});

const randomId = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16)}`;

export async function startVercelStandin(opts: VercelStandinOptions = {}): Promise<VercelStandin> {
  const token = opts.token ?? 'vercel-test-token';
  const pollsPerStep = Math.max(1, opts.pollsPerStep ?? 1);
  const autoPromote = opts.autoPromote ?? true;
  let scenario: VercelScenario = opts.scenario ?? 'ready';
  /** Projects pinned by an instant rollback (autoAssignCustomDomains false) until the next promote. */
  const pinned = new Set<string>();
  const stub = await startStub('vercel');
  const now = Date.now();

  const state: VercelStandinState = {
    projects: new Map(),
    deployments: new Map(),
    uploads: new Map(),
    production: new Map(),
    promotions: [],
    rollbacks: [],
    cancellations: [],
    aliases: new Map(),
    envs: new Map(),
  };
  for (const p of opts.projects ?? [{ id: 'prj_shipgate', name: 'shipgate-app' }]) {
    state.projects.set(p.id, { accountId: opts.teamId ?? 'team_shipgate', framework: null, createdAt: now, updatedAt: now, ...p });
  }
  const firstProject = [...state.projects.values()][0]!;
  state.envs.set(
    firstProject.id,
    (opts.envs ?? []).map((e, i) => ({ id: `env_${i + 1}`, type: 'encrypted', target: ['production', 'preview'], createdAt: now, updatedAt: now, ...e })),
  );

  const findProject = (idOrName: string | undefined): VercelProject | undefined =>
    idOrName === undefined ? undefined : (state.projects.get(idOrName) ?? [...state.projects.values()].find((p) => p.name === idOrName));

  const findDeployment = (idOrUrl: string): VercelDeployment | undefined => {
    const host = idOrUrl.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    return state.deployments.get(idOrUrl) ?? [...state.deployments.values()].find((d) => d.url === host || d.aliases.includes(host));
  };

  // ---- state transitions --------------------------------------------------------------------

  function applyState(d: VercelDeployment, allowAutoPromote = true): void {
    d.readyState = d.sequence[d.step]!;
    const t = Date.now();
    if (d.readyState === 'BUILDING' && !d.buildingAt) d.buildingAt = t;
    if (d.readyState === 'READY' && !d.readyAt) {
      d.readyAt = t;
      const project = state.projects.get(d.projectId);
      const defaultAlias = `${project?.name ?? d.name}${d.target === 'production' ? '' : `-git-${d.id.slice(4, 10).toLowerCase()}`}.vercel.app`;
      if (!d.aliases.includes(defaultAlias)) d.aliases.push(defaultAlias);
      // `autoAssignCustomDomains: false` (the CLI's --skip-domain) leaves a production deployment staged until promoted.
      // After an instant rollback the project is pinned: production deployments stay staged until a promote.
      const staged = d.requestBody['autoAssignCustomDomains'] === false || pinned.has(d.projectId);
      if (d.target === 'production' && pinned.has(d.projectId)) d.stagedByPin = true;
      if (d.target === 'production' && autoPromote && allowAutoPromote && !staged) setProduction(d.projectId, d.id);
    }
    if (d.readyState === 'ERROR' && !d.errorCode) {
      d.errorCode = 'BUILD_FAILED';
      d.errorMessage = 'Command "npm run build" exited with 1';
    }
    if (d.readyState === 'CANCELED' && !d.canceledAt) d.canceledAt = t;
  }

  function advance(d: VercelDeployment): void {
    d.polls += 1;
    if (TERMINAL.has(d.readyState) && d.step >= d.sequence.length - 1) return;
    if (d.polls % pollsPerStep === 0 && d.step < d.sequence.length - 1) {
      d.step += 1;
      applyState(d);
    }
  }

  function setProduction(projectId: string, deploymentId: string): string | null {
    const previous = state.production.get(projectId) ?? null;
    state.production.set(projectId, deploymentId);
    const project = state.projects.get(projectId);
    if (project) {
      const prodAlias = `${project.name}.vercel.app`;
      state.aliases.set(prodAlias, { deploymentId, uid: randomId('als'), created: Date.now() });
      for (const d of state.deployments.values()) d.aliases = d.aliases.filter((a) => a !== prodAlias || d.id === deploymentId);
      const d = state.deployments.get(deploymentId);
      if (d && !d.aliases.includes(prodAlias)) d.aliases.push(prodAlias);
    }
    return previous;
  }

  // ---- rendering (shapes checked against the SDK's zod schemas) -------------------------------

  function render(id: string): Record<string, unknown> {
    const d = state.deployments.get(id);
    if (!d) throw new Error(`vercel stand-in: no deployment ${id}`);
    const project = state.projects.get(d.projectId);
    const envKeys = Object.keys(d.env);
    return {
      id: d.id,
      url: d.url,
      name: d.name,
      version: 2,
      type: 'LAMBDAS',
      readyState: d.readyState,
      ...(d.readyState === 'READY' && d.target === 'production'
        ? { readySubstate: state.production.get(d.projectId) === d.id ? 'PROMOTED' : d.requestBody['autoAssignCustomDomains'] === false || d.stagedByPin ? 'STAGED' : undefined }
        : {}),
      status: d.readyState,
      target: d.target,
      projectId: d.projectId,
      ownerId: project?.accountId ?? 'team_shipgate',
      createdAt: d.createdAt,
      buildingAt: d.buildingAt ?? d.createdAt,
      bootedAt: d.createdAt,
      ...(d.readyAt ? { ready: d.readyAt } : {}),
      ...(d.canceledAt ? { canceledAt: d.canceledAt } : {}),
      ...(d.errorCode ? { errorCode: d.errorCode, errorMessage: d.errorMessage, errorStep: 'build' } : {}),
      createdIn: 'iad1',
      regions: ['iad1'],
      alias: d.aliases,
      aliasAssigned: d.readyState === 'READY',
      aliasError: null,
      automaticAliases: [],
      build: { env: envKeys },
      env: envKeys,
      buildSkipped: false,
      creator: { uid: 'usr_shipgate', username: 'shipgate-ci' },
      meta: d.meta,
      plan: 'pro',
      projectSettings: {},
      public: false,
      prebuilt: d.requestBody['prebuilt'] === true || d.files.some((f) => f.file.startsWith('.vercel/output/')),
      inspectorUrl: `https://vercel.com/${project?.accountId ?? 'team'}/${d.name}/${d.id.slice(4)}`,
      isInConcurrentBuildsQueue: false,
      isInSystemBuildsQueue: false,
      lambdas: [],
      routes: null,
    };
  }

  /** Row of GET /v7/deployments. */
  function renderListItem(d: VercelDeployment): Record<string, unknown> {
    const current = state.production.get(d.projectId);
    return {
      uid: d.id,
      name: d.name,
      url: d.url,
      created: d.createdAt,
      createdAt: d.createdAt,
      buildingAt: d.buildingAt ?? d.createdAt,
      ...(d.readyAt ? { ready: d.readyAt } : {}),
      state: d.readyState,
      readyState: d.readyState,
      type: 'LAMBDAS',
      target: d.target,
      projectId: d.projectId,
      meta: d.meta,
      creator: { uid: 'usr_shipgate', username: 'shipgate-ci' },
      inspectorUrl: render(d.id)['inspectorUrl'],
      aliasAssigned: d.readyState === 'READY',
      isRollbackCandidate: d.target === 'production' && d.readyState === 'READY' && current !== d.id,
    };
  }

  function renderProject(p: VercelProject): Record<string, unknown> {
    const prodId = state.production.get(p.id);
    const latest = [...state.deployments.values()].filter((d) => d.projectId === p.id).sort((a, b) => b.createdAt - a.createdAt).slice(0, 5);
    const target = (d: VercelDeployment) => ({
      id: d.id,
      name: d.name,
      url: d.url,
      createdAt: d.createdAt,
      createdIn: 'iad1',
      creator: { uid: 'usr_shipgate', username: 'shipgate-ci', email: 'ci@shipgate.test' },
      deploymentHostname: d.url.replace(/\.vercel\.app$/, ''),
      plan: 'pro',
      private: true,
      readyState: d.readyState,
      type: 'LAMBDAS',
      target: d.target,
      meta: d.meta,
      alias: d.aliases,
      aliasAssigned: d.readyAt ?? null,
      ...(d.readyAt ? { readyAt: d.readyAt } : {}),
    });
    const prod = prodId ? state.deployments.get(prodId) : undefined;
    return {
      id: p.id,
      name: p.name,
      accountId: p.accountId,
      framework: p.framework,
      nodeVersion: '20.x',
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      live: false,
      directoryListing: false,
      alias: [],
      env: [],
      defaultResourceConfig: { functionDefaultRegions: ['iad1'] },
      resourceConfig: { functionDefaultRegions: ['iad1'] },
      deploymentExpiration: {},
      autoAssignCustomDomains: !pinned.has(p.id),
      latestDeployments: latest.map(target),
      targets: prod ? { production: target(prod) } : {},
    };
  }

  function newDeployment(input: {
    id?: string;
    name: string;
    projectId: string;
    target: 'production' | 'staging' | null;
    meta: Record<string, string>;
    env: Record<string, string>;
    files: VercelDeployment['files'];
    sequence: string[];
    createQuery?: Record<string, string>;
    requestBody?: Record<string, unknown>;
    createdAt?: number;
    /** Seeded deployments only become production when seedDeployment says so. */
    seeded?: boolean;
  }): VercelDeployment {
    const id = input.id ?? randomId('dpl');
    const d: VercelDeployment = {
      id,
      url: `${input.name}-${id.slice(4, 13).toLowerCase()}-shipgate.vercel.app`,
      name: input.name,
      projectId: input.projectId,
      target: input.target,
      meta: input.meta,
      env: input.env,
      files: input.files,
      createdAt: input.createdAt ?? Date.now(),
      sequence: input.sequence,
      step: 0,
      polls: 0,
      readyState: input.sequence[0]!,
      aliases: [],
      buildLogs: [...(opts.buildLogs ?? DEFAULT_LOGS)],
      createQuery: input.createQuery ?? {},
      requestBody: input.requestBody ?? {},
    };
    state.deployments.set(id, d);
    applyState(d, !input.seeded);
    return d;
  }

  // ---- auth ---------------------------------------------------------------------------------

  stub.before((req) => {
    if (authToken(req.headers) !== token) {
      return apiError(403, 'forbidden', 'Not authorized', { invalidToken: true });
    }
    if (opts.teamId && req.query['teamId'] !== undefined && req.query['teamId'] !== opts.teamId) {
      return apiError(403, 'forbidden', 'You do not have access to this team');
    }
    return undefined;
  });

  // ---- files --------------------------------------------------------------------------------

  stub.route('POST', '/v2/files', (req) => {
    const digest = (req.headers['x-vercel-digest'] ?? req.headers['x-now-digest']) as string | undefined;
    if (!digest) return apiError(400, 'missing_digest', 'Missing `x-vercel-digest` header');
    const data = Buffer.isBuffer(req.body) ? req.body : req.rawBody;
    const actual = createHash('sha1').update(data).digest('hex');
    if (actual !== digest.toLowerCase()) {
      return apiError(400, 'incorrect_file_sha', `The file SHA does not match the SHA in the header (${actual} != ${digest})`);
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) !== data.length) {
      return apiError(400, 'incorrect_file_size', 'The file size does not match the Content-Length header');
    }
    state.uploads.set(actual, Buffer.from(data));
    return { status: 200, body: {} };
  });

  // ---- deployments --------------------------------------------------------------------------

  stub.route('POST', '/v13/deployments', (req) => {
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const name = body['name'];
    if (typeof name !== 'string' || name === '') return apiError(400, 'bad_request', 'Invalid request: missing required property `name`.');
    const rawFiles = Array.isArray(body['files']) ? (body['files'] as Array<Record<string, unknown>>) : [];
    const files: VercelDeployment['files'] = rawFiles.map((f) => ({
      file: String(f['file']),
      ...(typeof f['sha'] === 'string' ? { sha: f['sha'] } : {}),
      ...(typeof f['size'] === 'number' ? { size: f['size'] } : {}),
      ...(typeof f['data'] === 'string' ? { inline: true } : {}),
    }));
    const missing = [...new Set(files.filter((f) => f.sha && !state.uploads.has(f.sha)).map((f) => f.sha!))];
    if (missing.length > 0) {
      return apiError(400, 'missing_files', 'Missing files', { missing });
    }
    const projectRef = typeof body['project'] === 'string' ? (body['project'] as string) : name;
    let project = findProject(projectRef);
    if (!project) {
      const t = Date.now();
      project = { id: randomId('prj'), name: projectRef, accountId: opts.teamId ?? 'team_shipgate', framework: null, createdAt: t, updatedAt: t };
      state.projects.set(project.id, project);
      state.envs.set(project.id, []);
    }
    const rawTarget = body['target'];
    const target = rawTarget === 'production' || rawTarget === 'staging' ? rawTarget : null;
    const meta = Object.fromEntries(Object.entries((body['meta'] ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    const envSource = (body['env'] ?? (body['build'] as Record<string, unknown> | undefined)?.['env'] ?? {}) as Record<string, unknown>;
    const env = Object.fromEntries(Object.entries(envSource).map(([k, v]) => [k, String(v)]));
    const d = newDeployment({ name, projectId: project.id, target, meta, env, files, sequence: sequenceFor(scenario), createQuery: req.query, requestBody: body });
    return { status: 200, body: render(d.id) };
  });

  stub.route('GET', '/v13/deployments/:idOrUrl', (req) => {
    const d = findDeployment(req.params['idOrUrl']!);
    if (!d) return apiError(404, 'not_found', 'Deployment not found');
    advance(d);
    return { status: 200, body: render(d.id) };
  });

  stub.route('GET', '/v3/deployments/:idOrUrl/events', (req) => {
    const d = findDeployment(req.params['idOrUrl']!);
    if (!d) return apiError(404, 'not_found', 'Deployment not found');
    const lines: Array<{ text: string; type: 'stdout' | 'stderr' }> = d.buildLogs.map((text) => ({ text, type: 'stdout' }));
    if (d.readyState === 'ERROR') lines.push({ text: `Error: ${d.errorMessage ?? 'build failed'}`, type: 'stderr' });
    const limit = req.query['limit'] ? Number(req.query['limit']) : undefined;
    const shown = limit && limit > 0 ? lines.slice(-limit) : lines;
    const events = shown.map((l, i) => {
      const t = d.createdAt + i + 1;
      return {
        id: `evt_${d.id.slice(4, 10)}_${i + 1}`,
        created: t,
        date: t,
        deploymentId: d.id,
        serial: `${t}-${String(i + 1).padStart(6, '0')}`,
        type: l.type,
        text: l.text,
        info: { type: 'build', name: `bld_${d.id.slice(4, 12)}`, entrypoint: '.' },
        ...(l.type === 'stderr' ? { level: 'error' } : {}),
      };
    });
    return { status: 200, body: events };
  });

  stub.route('PATCH', '/v12/deployments/:id/cancel', (req) => {
    const d = findDeployment(req.params['id']!);
    if (!d) return apiError(404, 'not_found', 'Deployment not found');
    if (!CANCELABLE.has(d.readyState)) return apiError(400, 'deployment_not_cancelable', `Deployment is ${d.readyState} and cannot be canceled`);
    d.sequence = [...d.sequence.slice(0, d.step + 1), 'CANCELED'];
    d.step += 1;
    applyState(d);
    state.cancellations.push({ deploymentId: d.id, at: Date.now() });
    return { status: 200, body: render(d.id) };
  });

  const listDeployments = (req: StubRequest): StubResponse => {
    const q = req.query;
    const states = q['state'] ? q['state'].split(',').map((s) => s.trim().toUpperCase()) : undefined;
    const project = q['projectId'] ? findProject(q['projectId']) : undefined;
    if (q['projectId'] && !project) return apiError(404, 'not_found', 'Project not found');
    let rows = [...state.deployments.values()]
      .filter((d) => !project || d.projectId === project.id)
      .filter((d) => !q['target'] || (d.target ?? 'preview') === q['target'])
      .filter((d) => !states || states.includes(d.readyState))
      .filter((d) => !q['sha'] || d.meta['githubCommitSha'] === q['sha'] || d.meta['GIT_SHA'] === q['sha'])
      .filter((d) => !q['until'] || d.createdAt < Number(q['until']))
      .filter((d) => !q['since'] || d.createdAt > Number(q['since']))
      .sort((a, b) => b.createdAt - a.createdAt);
    if (q['rollbackCandidate'] === 'true') rows = rows.filter((d) => renderListItem(d)['isRollbackCandidate'] === true);
    const limit = Math.max(1, Math.min(100, Number(q['limit'] ?? 20) || 20));
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? page[page.length - 1]!.createdAt : null;
    return { status: 200, body: { deployments: page.map(renderListItem), pagination: { count: page.length, next, prev: null } } };
  };
  stub.route('GET', '/v7/deployments', listDeployments);
  stub.route('GET', '/v6/deployments', listDeployments);

  stub.route('POST', '/v2/deployments/:id/aliases', (req) => {
    const d = findDeployment(req.params['id']!);
    if (!d) return apiError(404, 'not_found', 'Deployment not found');
    const alias = (req.body as Record<string, unknown> | undefined)?.['alias'];
    if (typeof alias !== 'string' || alias === '') return apiError(400, 'bad_request', 'Invalid request: missing required property `alias`.');
    const previous = state.aliases.get(alias);
    const entry = { deploymentId: d.id, uid: randomId('als'), created: Date.now() };
    state.aliases.set(alias, entry);
    for (const other of state.deployments.values()) other.aliases = other.aliases.filter((a) => a !== alias);
    d.aliases.push(alias);
    return { status: 200, body: { uid: entry.uid, alias, created: new Date(entry.created).toISOString(), oldDeploymentId: previous && previous.deploymentId !== d.id ? previous.deploymentId : null } };
  });

  stub.route('GET', '/v2/deployments/:id/aliases', (req) => {
    const d = findDeployment(req.params['id']!);
    if (!d) return apiError(404, 'not_found', 'Deployment not found');
    const aliases = d.aliases.map((alias) => {
      const entry = state.aliases.get(alias);
      return { uid: entry?.uid ?? `als_${alias.replace(/[^a-z0-9]/gi, '').slice(0, 16)}`, alias, created: new Date(entry?.created ?? d.readyAt ?? d.createdAt).toISOString() };
    });
    return { status: 200, body: { aliases } };
  });

  stub.route('GET', '/v1/projects/:projectId/deployments/:deploymentId/runtime-logs', (req) => {
    const d = findDeployment(req.params['deploymentId']!);
    if (!d) return apiError(404, 'not_found', 'Deployment not found');
    const host = d.aliases[0] ?? d.url;
    const rows = [{ level: 'info', message: 'GET /api/health 200', path: '/api/health', status: 200 }].map((r, i) => ({
      rowId: `row_${d.id.slice(4, 10)}_${i + 1}`,
      timestampInMs: (d.readyAt ?? d.createdAt) + i + 1,
      domain: host,
      level: r.level,
      message: r.message,
      messageTruncated: false,
      requestMethod: 'GET',
      requestPath: r.path,
      responseStatusCode: r.status,
      source: 'serverless',
    }));
    // application/stream+json: one JSON object per line, as the real endpoint streams.
    return { status: 200, headers: { 'content-type': 'application/stream+json' }, body: rows.map((r) => JSON.stringify(r)).join('\n') + '\n' };
  });

  // ---- projects -----------------------------------------------------------------------------

  stub.route('GET', '/v9/projects/:idOrName', (req) => {
    const p = findProject(req.params['idOrName']);
    if (!p) return apiError(404, 'not_found', 'Project not found');
    return { status: 200, body: renderProject(p) };
  });

  stub.route('GET', '/v10/projects/:idOrName/env', (req) => {
    const p = findProject(req.params['idOrName']);
    if (!p) return apiError(404, 'not_found', 'Project not found');
    const decrypt = req.query['decrypt'] === 'true';
    const envs = (state.envs.get(p.id) ?? [])
      .filter((e) => !req.query['gitBranch'] || !e.gitBranch || e.gitBranch === req.query['gitBranch'])
      .map((e) => ({
        ...e,
        value: decrypt || e.type === 'plain' ? e.value : Buffer.from(`enc:${e.value}`).toString('base64'),
        decrypted: decrypt,
        securityIssues: [],
      }));
    return { status: 200, body: { envs, pagination: { count: envs.length, next: null, prev: null } } };
  });

  const promote = (req: StubRequest): StubResponse => {
    const p = findProject(req.params['projectId']);
    if (!p) return apiError(404, 'not_found', 'Project not found');
    const d = state.deployments.get(req.params['deploymentId']!);
    if (!d || d.projectId !== p.id) return apiError(404, 'not_found', 'Deployment not found');
    if (d.readyState !== 'READY') return apiError(400, 'deployment_not_ready', `Deployment is ${d.readyState}, only READY deployments can be promoted`);
    if (state.production.get(p.id) === d.id) return apiError(409, 'deployment_already_production', 'Deployment is already the production deployment');
    const previous = setProduction(p.id, d.id);
    state.promotions.push({ projectId: p.id, deploymentId: d.id, previous, at: Date.now() });
    pinned.delete(p.id); // `vercel promote` turns automatic domain assignment back on
    return { status: 201 };
  };
  stub.route('POST', '/v10/projects/:projectId/promote/:deploymentId', promote);

  const rollback = (req: StubRequest): StubResponse => {
    const p = findProject(req.params['projectId']);
    if (!p) return apiError(404, 'not_found', 'Project not found');
    const d = state.deployments.get(req.params['deploymentId']!);
    if (!d || d.projectId !== p.id) return apiError(404, 'not_found', 'Deployment not found');
    if (d.readyState !== 'READY' || d.target !== 'production') {
      return apiError(422, 'invalid_rollback_target', 'Only READY production deployments can be rolled back to');
    }
    if (state.production.get(p.id) === d.id) return apiError(409, 'deployment_already_production', 'Deployment is already the production deployment');
    const previous = setProduction(p.id, d.id);
    state.rollbacks.push({ projectId: p.id, deploymentId: d.id, previous, description: req.query['description'], at: Date.now() });
    pinned.add(p.id); // Vercel turns automatic domain assignment off after an instant rollback
    return { status: 201 };
  };
  stub.route('POST', '/v1/projects/:projectId/rollback/:deploymentId', rollback);
  stub.route('POST', '/v9/projects/:projectId/rollback/:deploymentId', rollback);

  return {
    url: stub.url,
    token,
    ...(opts.teamId ? { teamId: opts.teamId } : {}),
    stub,
    state,
    setScenario(next, deploymentId) {
      const seq = sequenceFor(next);
      if (deploymentId === undefined) {
        scenario = next;
        return;
      }
      const d = state.deployments.get(deploymentId);
      if (!d) throw new Error(`vercel stand-in: no deployment ${deploymentId}`);
      d.sequence = seq;
      d.step = Math.min(d.step, seq.length - 1);
      applyState(d);
    },
    render,
    seedDeployment(input) {
      const project = input.projectId ? state.projects.get(input.projectId) : firstProject;
      if (!project) throw new Error(`vercel stand-in: no project ${String(input.projectId)}`);
      const d = newDeployment({
        ...(input.id ? { id: input.id } : {}),
        name: input.name ?? project.name,
        projectId: project.id,
        target: input.target === undefined ? 'production' : input.target,
        meta: input.meta ?? {},
        env: {},
        files: [],
        sequence: ['READY'],
        createdAt: input.createdAt ?? Date.now() - 3_600_000,
        seeded: true,
      });
      if (input.makeProduction ?? d.target === 'production') setProduction(project.id, d.id);
      return d;
    },
    close: () => stub.close(),
  };
}
