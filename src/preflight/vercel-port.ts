/** The Vercel project check's port over @vercel/sdk standalone functions (loaded only when configured). */
import { projectsFilterProjectEnvs } from '@vercel/sdk/funcs/projectsFilterProjectEnvs.js';
import { projectsGetProject } from '@vercel/sdk/funcs/projectsGetProject.js';
import { createVercelCore, resultValue } from '../lib/vercel.js';
import type { VercelProjectPort } from './vercel-check.js';

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

