/**
 * Optional Vercel check: the project is reachable with the token, and every required variable exists for the
 * deploy target (production or preview). Only variable names and targets are read, never values.
 */
export interface VercelProjectPort {
  project(): Promise<{ id: string; name: string }>;
  envKeys(): Promise<{ key: string; targets: string[] }[]>;
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
