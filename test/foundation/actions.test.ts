/** Every action.yml parses with GitHub's parser, declares node24 and an existing main, and matches its stage's names.ts. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import YAML from 'yaml';
import { actionErrors } from '../support/workflow-parser.js';

const STAGES = ['preflight', 'backup', 'migrate', 'deploy', 'verify', 'notify'] as const;

describe('action.yml files', () => {
  test('all seven parse with @actions/workflow-parser', () => {
    const files = ['action.yml', ...STAGES.map((s) => `actions/${s}/action.yml`)];
    for (const f of files) expect({ file: f, errors: actionErrors(f) }).toEqual({ file: f, errors: [] });
  });

  test('the parser rejects what GitHub rejects (node22, unknown keys)', () => {
    expect(actionErrors('bad.yml', 'name: x\ndescription: y\nruns:\n  using: node22\n  main: a.js\n').length).toBeGreaterThan(0);
    expect(actionErrors('bad.yml', 'name: x\ndescription: y\nbogus: 1\nruns:\n  using: node24\n  main: a.js\n').length).toBeGreaterThan(0);
  });

  test.each(STAGES)('%s declares node24, an existing main, branding, and exactly the names in src/%s/names.ts', async (stage) => {
    const file = `actions/${stage}/action.yml`;
    const spec = YAML.parse(readFileSync(file, 'utf8'));
    expect(spec.runs.using).toBe('node24');
    expect(spec.runs.main).toBe(`../../dist/${stage}/index.js`);
    expect(existsSync(resolve(dirname(file), spec.runs.main))).toBe(true);
    expect(spec.branding?.icon).toBeTruthy();
    const names = await import(`../../src/${stage}/names.js`);
    expect(Object.values(names.INPUT).sort()).toEqual(Object.keys(spec.inputs).sort());
    expect(Object.values(names.OUTPUT).sort()).toEqual(Object.keys(spec.outputs).sort());
    for (const [name, def] of Object.entries<any>(spec.inputs)) expect({ name, description: typeof def.description }).toEqual({ name, description: 'string' });
    for (const [name, def] of Object.entries<any>(spec.outputs)) expect({ name, description: typeof def.description }).toEqual({ name, description: 'string' });
  });

  test('dist/ is ESM and every bundle is committed with its source map and licenses', () => {
    expect(JSON.parse(readFileSync('dist/package.json', 'utf8'))).toEqual({ type: 'module' });
    for (const s of STAGES) {
      for (const f of ['index.js', 'index.js.map', 'licenses.txt']) expect(existsSync(join('dist', s, f))).toBe(true);
    }
  });

  test('.gitattributes marks dist/** generated', () => {
    expect(readFileSync('.gitattributes', 'utf8')).toMatch(/^dist\/\*\* .*linguist-generated=true/m);
  });
});
