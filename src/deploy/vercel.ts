/**
 * The slice of the Vercel API the deploy stage uses, as a small port (`VercelDeployApi`) with its real
 * implementation over @vercel/sdk standalone functions. Request types come from the functions themselves;
 * answers are read into `DeploymentInfo` from either the validated body or, when the SDK's closed enums
 * reject a new value, the raw JSON body.
 *
 * Fields the SDK's createDeployment schema strips but the Vercel CLI sends are added by a `beforeRequest`
 * hook, and only those: query `prebuilt=1` (prebuilt mode), body `env`, `build.env`,
 * `autoAssignCustomDomains` (only `false`, as `vercel deploy --skip-domain` sends it) and `files[].mode`.
 */
import type { VercelCore } from '@vercel/sdk/core.js';
import { aliasesAssignAlias } from '@vercel/sdk/funcs/aliasesAssignAlias.js';
import { deploymentsCancelDeployment } from '@vercel/sdk/funcs/deploymentsCancelDeployment.js';
import { deploymentsCreateDeployment } from '@vercel/sdk/funcs/deploymentsCreateDeployment.js';
import { deploymentsGetDeployment } from '@vercel/sdk/funcs/deploymentsGetDeployment.js';
import { deploymentsGetDeploymentEvents } from '@vercel/sdk/funcs/deploymentsGetDeploymentEvents.js';
import { deploymentsGetDeployments } from '@vercel/sdk/funcs/deploymentsGetDeployments.js';
import { deploymentsUploadFile } from '@vercel/sdk/funcs/deploymentsUploadFile.js';
import { projectsGetProject } from '@vercel/sdk/funcs/projectsGetProject.js';
import { projectsRequestPromote } from '@vercel/sdk/funcs/projectsRequestPromote.js';
import { projectsRequestRollback } from '@vercel/sdk/funcs/projectsRequestRollback.js';
import { createVercelCore, resultValue, toVercelApiError, type VercelClientOptions } from '../lib/vercel.js';

export type CreateDeploymentRequest = Parameters<typeof deploymentsCreateDeployment>[1];
export type CreateDeploymentBody = CreateDeploymentRequest['requestBody'];
export type GitSource = NonNullable<CreateDeploymentBody['gitSource']>;
export type GitMetadata = NonNullable<CreateDeploymentBody['gitMetadata']>;
export type UploadFileRequest = Parameters<typeof deploymentsUploadFile>[1];
export type ListDeploymentsRequest = Parameters<typeof deploymentsGetDeployments>[1];

/** The validated body of a successful call, derived from the function (never a deep model import). */
type OkValue<F extends (...args: any[]) => PromiseLike<unknown>> = Extract<Awaited<ReturnType<F>>, { ok: true }> extends { value: infer V } ? V : never;
export type CreatedDeployment = OkValue<typeof deploymentsCreateDeployment>;
export type FetchedDeployment = OkValue<typeof deploymentsGetDeployment>;
export type DeploymentListRow = OkValue<typeof deploymentsGetDeployments>['deployments'][number];
/** A raw JSON body: what ResponseValidationError.rawValue holds when a closed enum rejected a new value. */
export type RawBody = Record<string, unknown>;

/** What the stage needs to know about a deployment, whatever shape the API answered in. */
export interface DeploymentInfo {
  id: string;
  /** Host without scheme. */
  url: string;
  readyState: string;
  readySubstate?: string;
  target: string | null;
  aliasAssigned: boolean;
  aliasError?: { code?: string; message?: string };
  inspectorUrl?: string;
  errorCode?: string;
  errorMessage?: string;
  checksConclusion?: string;
  createdAt?: number;
  alias: string[];
}

export interface ProjectInfo {
  id: string;
  name: string;
  /** The deployment serving production now. */
  productionDeploymentId?: string;
  /** false after an instant rollback: production stays pinned until a promote. */
  autoAssignCustomDomains?: boolean;
  lastAliasRequest?: { type?: string; jobStatus?: string; toDeploymentId?: string; fromDeploymentId?: string };
}

/** Fields outside the SDK's schema, added to the createDeployment request by the hook. */
export interface CreateExtras {
  prebuilt?: boolean;
  env?: Record<string, string>;
  buildEnv?: Record<string, string>;
  /** Only ever false (staged production); omitted otherwise so the project setting applies. */
  autoAssignCustomDomains?: false;
  /** file path -> mode (st_mode as lstat reports it). */
  fileModes?: Map<string, number>;
}

export type CreateOutcome = { kind: 'created'; deployment: DeploymentInfo } | { kind: 'missing-files'; missing: string[] };

export interface BuildLine {
  created?: number;
  type: string;
  text: string;
}

export interface VercelDeployApi {
  getProject(): Promise<ProjectInfo>;
  createDeployment(request: CreateDeploymentRequest, extras: CreateExtras): Promise<CreateOutcome>;
  uploadFile(sha: string, data: Uint8Array): Promise<void>;
  getDeployment(idOrUrl: string): Promise<DeploymentInfo>;
  /** Newest first. */
  listDeployments(filter: Omit<ListDeploymentsRequest, 'teamId' | 'slug' | 'projectId'>): Promise<DeploymentInfo[]>;
  buildLogTail(id: string, lines: number): Promise<BuildLine[]>;
  cancelDeployment(id: string): Promise<void>;
  assignAlias(id: string, alias: string): Promise<void>;
  /** 201 started, 202 queued behind a rolling release. */
  promote(deploymentId: string): Promise<201 | 202>;
  rollback(deploymentId: string, description: string): Promise<void>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** Reads a deployment from a validated SDK value or a raw JSON body (getDeployment, createDeployment, list rows). */
export function toDeploymentInfo(raw: CreatedDeployment | FetchedDeployment | DeploymentListRow | RawBody): DeploymentInfo {
  const d = (raw ?? {}) as Record<string, any>;
  const aliasError = d.aliasError && typeof d.aliasError === 'object' ? { code: str(d.aliasError.code), message: str(d.aliasError.message) } : undefined;
  return {
    id: str(d.id) ?? str(d.uid) ?? '',
    url: (str(d.url) ?? '').replace(/^https?:\/\//, ''),
    readyState: str(d.readyState) ?? str(d.state) ?? 'UNKNOWN',
    readySubstate: str(d.readySubstate),
    target: str(d.target) ?? null,
    aliasAssigned: Boolean(d.aliasAssigned),
    aliasError,
    inspectorUrl: str(d.inspectorUrl),
    errorCode: str(d.errorCode),
    errorMessage: str(d.errorMessage),
    checksConclusion: str(d.checksConclusion),
    createdAt: typeof d.createdAt === 'number' ? d.createdAt : typeof d.created === 'number' ? d.created : undefined,
    alias: Array.isArray(d.alias) ? d.alias.filter((a: unknown): a is string => typeof a === 'string') : [],
  };
}

/** Adds the CLI-sent fields the SDK schema strips to a createDeployment request. */
export function injectCreateExtras(extras: CreateExtras): (req: Request) => Promise<Request | void> {
  return async (req) => {
    const url = new URL(req.url);
    if (req.method !== 'POST' || !url.pathname.endsWith('/v13/deployments')) return;
    const body = JSON.parse(await req.clone().text()) as Record<string, any>;
    if (extras.prebuilt) url.searchParams.set('prebuilt', '1');
    if (extras.env) body.env = extras.env;
    if (extras.buildEnv) body.build = { ...(body.build ?? {}), env: extras.buildEnv };
    if (extras.autoAssignCustomDomains === false) body.autoAssignCustomDomains = false;
    if (extras.fileModes && Array.isArray(body.files)) {
      for (const f of body.files) {
        const mode = extras.fileModes.get(f.file);
        if (mode !== undefined) f.mode = mode;
      }
    }
    return new Request(url, { method: req.method, headers: req.headers, body: JSON.stringify(body), signal: req.signal });
  };
}

export interface SdkDeployApiOptions extends Omit<VercelClientOptions, 'beforeRequest'> {
  projectId: string;
  teamId?: string;
  now?: () => number;
}

export function createSdkDeployApi(opts: SdkDeployApiOptions): VercelDeployApi {
  const core: VercelCore = createVercelCore(opts);
  const team = opts.teamId ? { teamId: opts.teamId } : {};
  const now = opts.now ?? Date.now;
  return {
    async getProject() {
      const p = resultValue('getProject', await projectsGetProject(core, { idOrName: opts.projectId, ...team }), now()) as Record<string, any>;
      const prod = p.targets?.production;
      return {
        id: str(p.id) ?? opts.projectId,
        name: str(p.name) ?? opts.projectId,
        productionDeploymentId: str(prod?.id),
        autoAssignCustomDomains: typeof p.autoAssignCustomDomains === 'boolean' ? p.autoAssignCustomDomains : undefined,
        lastAliasRequest: p.lastAliasRequest && typeof p.lastAliasRequest === 'object' ? p.lastAliasRequest : undefined,
      };
    },

    async createDeployment(request, extras) {
      // A client of its own per create, so the hook applies to exactly this request.
      const createCore = createVercelCore({ ...opts, beforeRequest: injectCreateExtras(extras), timeoutMs: opts.timeoutMs ?? 120_000 });
      const result = await deploymentsCreateDeployment(createCore, { ...request, ...team });
      try {
        return { kind: 'created', deployment: toDeploymentInfo(resultValue('createDeployment', result, now())) };
      } catch (err) {
        const e = toVercelApiError('createDeployment', err, now());
        if (e.status === 400 && e.code === 'missing_files' && Array.isArray(e.details.body?.missing)) {
          return { kind: 'missing-files', missing: e.details.body.missing.map(String) };
        }
        throw e;
      }
    },

    async uploadFile(sha, data) {
      const request: UploadFileRequest = { contentLength: data.byteLength, xVercelDigest: sha, xNowSize: data.byteLength, requestBody: data, ...team };
      resultValue('uploadFile', await deploymentsUploadFile(core, request, { timeoutMs: 300_000 }), now());
    },

    async getDeployment(idOrUrl) {
      return toDeploymentInfo(resultValue('getDeployment', await deploymentsGetDeployment(core, { idOrUrl, ...team }), now()));
    },

    async listDeployments(filter) {
      const body = resultValue('listDeployments', await deploymentsGetDeployments(core, { ...filter, projectId: opts.projectId, ...team }), now()) as Record<string, any>;
      const rows: Array<DeploymentListRow | RawBody> = Array.isArray(body.deployments) ? body.deployments : [];
      return rows.map(toDeploymentInfo).sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
    },

    async buildLogTail(id, lines) {
      const body = resultValue(
        'getDeploymentEvents',
        await deploymentsGetDeploymentEvents(core, { idOrUrl: id, direction: 'backward', limit: lines, builds: 1, follow: 0, ...team }),
        now(),
      );
      const events: any[] = Array.isArray(body) ? body : [];
      return events
        .map((e) => ({ created: typeof e?.created === 'number' ? e.created : undefined, type: String(e?.type ?? ''), text: str(e?.text) ?? str(e?.payload?.text) ?? '' }))
        .filter((e) => e.text !== '' && ['stdout', 'stderr', 'command', 'fatal', 'exit'].includes(e.type))
        .sort((a, b) => (a.created ?? 0) - (b.created ?? 0))
        .slice(-lines);
    },

    async cancelDeployment(id) {
      resultValue('cancelDeployment', await deploymentsCancelDeployment(core, { id, ...team }), now());
    },

    async assignAlias(id, alias) {
      resultValue('assignAlias', await aliasesAssignAlias(core, { id, ...team, requestBody: { alias } }), now());
    },

    async promote(deploymentId) {
      const [result, call] = await projectsRequestPromote(core, { projectId: opts.projectId, deploymentId, ...team }).$inspect();
      resultValue('promote', result, now());
      return call.response?.status === 202 ? 202 : 201;
    },

    async rollback(deploymentId, description) {
      resultValue('rollback', await projectsRequestRollback(core, { projectId: opts.projectId, deploymentId, description, ...team }), now());
    },
  };
}
