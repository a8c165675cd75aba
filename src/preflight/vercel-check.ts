/**
 * Optional Vercel check: the project is reachable with the token, and every required variable exists for the
 * deploy target (production or preview). Only variable names and targets are read, never values.
 */
import { projectsFilterProjectEnvs } from '@vercel/sdk/funcs/projectsFilterProjectEnvs.js';
import { projectsGetProject } from '@vercel/sdk/funcs/projectsGetProject.js';
import { createVercelCore, resultValue } from '../lib/vercel.js';

export interface VercelProjectPort {
  project(): Promise<{ id: string; name: string }>;
  envKeys(): Promise<{ key: string; targets: string[] }[]>;
}

export function createVercelProjectPort(opts: { token: string; projectId: string; teamId?: string; serverURL?: string }): VercelProjectPort {
  const core = createVercelCore({ token: opts.token, serverURL: opts.serverURL, timeoutMs: 30_000 });
  const team = opts.teamId ? { teamId: opts.teamId } : {};
  return {
    async project() {
      const p = resultValue('getProject', await projectsGetProject(core, { idOrName: opts.projectId, ...team })) as Record<string, any>;
      return { id: String(p.id ?? opts.projectId), name: String(p.name ?? opts.projectId) };
    },
    async envKeys() {
      const v = resultValue('filterProjectEnvs', await projectsFilterProjectEnvs(core, { idOrName: opts.projectId, ...team })) as any;
      const list: any[] = Array.isArray(v?.envs) ? v.envs : Array.isArray(v) ? v : v?.key ? [v] : [];
      return list.map((e) => ({ key: String(e.key), targets: Array.isArray(e.target) ? e.target.map(String) : e.target ? [String(e.target)] : [] }));
    },
  };
}

export interface VercelCheck {
  project?: { id: string; name: string };
  target: string;
  missing: string[];
  error?: string;
}

export async function checkVercel(port: VercelProjectPort, required: string[], environment: string): Promise<VercelCheck> {
  const target = /^prod(uction)?$/i.test(environment) ? 'production' : environment === 'development' ? 'development' : 'preview';
  try {
    const project = await port.project();
    const envs = await port.envKeys();
    const present = new Set(envs.filter((e) => e.targets.includes(target)).map((e) => e.key));
    return { project, target, missing: required.filter((n) => !present.has(n)) };
  } catch (err) {
    return { target, missing: [], error: (err as Error).message };
  }
}
