/**
 * The workflow checks of issue 8 over every workflow, example and action.yml, and for each check a bad example
 * (inline YAML) that makes it fail, next to the corrected example that passes.
 */
import { readFileSync } from 'node:fs';
import {
  checkActionSource,
  checkCallers,
  checkDeclared,
  checkInjection,
  checkPermissionComments,
  checkPermissions,
  checkPinning,
  checkStageWiring,
  checkWorkflowSource,
  loadProject,
  type Finding,
} from '../../src/lib/workflow-checks.js';
import { actionErrors, workflowErrors } from '../support/workflow-parser.js';
import { ACTION_FILES, allWorkflowFiles } from './helpers.js';
import YAML from 'yaml';

const project = loadProject('.');
const checks = (fs: Finding[]) => fs.map((f) => `${f.check} ${f.where}: ${f.message}`);

describe('every workflow, example and action.yml', () => {
  const workflows = allWorkflowFiles();

  test('the suite checks the three reusable workflows, ci.yml and the five examples', () => {
    expect(workflows).toEqual(expect.arrayContaining(['.github/workflows/deploy.yml', '.github/workflows/rollback.yml', '.github/workflows/pr-checks.yml', '.github/workflows/ci.yml']));
    expect(workflows.filter((f) => f.startsWith('examples/')).length).toBeGreaterThanOrEqual(5);
  });

  test.each(allWorkflowFiles())('%s parses with GitHub\'s workflow parser', (file) => {
    expect(workflowErrors(file)).toEqual([]);
  });

  test.each(ACTION_FILES)('%s parses with GitHub\'s action parser', (file) => {
    expect(actionErrors(file)).toEqual([]);
  });

  // ci.yml belongs to the lead; its actions are pinned and its jobs declare permissions, so it is held to the
  // same checks except the ones about this suite's own wiring.
  test.each(allWorkflowFiles())('%s passes the workflow checks', (file) => {
    expect(checks(checkWorkflowSource(file, readFileSync(file, 'utf8'), project))).toEqual([]);
  });

  test('the root composite passes the action checks', () => {
    expect(checks(checkActionSource('action.yml', readFileSync('action.yml', 'utf8'), project))).toEqual([]);
  });
});

describe('GitHub\'s parser', () => {
  test('fails on an unknown key and on a context that is not available there', () => {
    const unknownKey = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    permissions: {}\n    stepz: []\n';
    expect(workflowErrors('bad.yml', unknownKey).join('\n')).toMatch(/stepz/);
    const badContext = 'on: push\njobs:\n  a:\n    runs-on: ${{ steps.x.outputs.y }}\n    permissions: {}\n    steps:\n      - run: "true"\n';
    expect(workflowErrors('bad.yml', badContext).join('\n')).toMatch(/steps/);
  });
});

const wf = (steps: string, extra = '') => `on: workflow_call\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    permissions: {} # nothing\n${extra}    steps:\n${steps}`;

describe('injection: no run: script pastes an input, event data, a secret or an output', () => {
  const bad: Array<[string, string]> = [
    ['an input', '      - run: echo "${{ inputs.environment }}"\n'],
    ['event data', '      - run: echo "${{ github.event.pull_request.title }}"\n'],
    ['event data (index form)', "      - run: echo \"${{ github['event'].issue.title }}\"\n"],
    ['the head branch', '      - run: git checkout ${{ github.head_ref }}\n'],
    ['a secret', '      - run: psql "${{ secrets.DATABASE_URL }}"\n'],
    ['an output', '      - id: x\n        run: "true"\n      - run: echo ${{ steps.x.outputs.y }}\n'],
    ['github-script', '      - uses: actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea # v7\n        with:\n          script: console.log("${{ inputs.title }}")\n'],
  ];
  test.each(bad)('fails on %s', (_what, steps) => {
    const findings = checkInjection('bad.yml', YAML.parse(wf(steps)), 'workflow');
    expect(findings.map((f) => f.check)).toContain('injection');
  });

  test('passes the same value through env:', () => {
    const good = wf('      - env:\n          ENVIRONMENT: ${{ inputs.environment }}\n          TITLE: ${{ github.event.pull_request.title }}\n        run: echo "$ENVIRONMENT $TITLE ${{ runner.temp }}"\n');
    expect(checkInjection('good.yml', YAML.parse(good), 'workflow')).toEqual([]);
  });

  test('fails in a composite action too', () => {
    const composite = "name: x\ndescription: y\ninputs:\n  a:\n    description: a\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: echo ${{ inputs.a }}\n";
    expect(checkInjection('action.yml', YAML.parse(composite), 'action').map((f) => f.check)).toEqual(['injection']);
  });
});

describe('permissions: every job declares them, commented', () => {
  test('fails on a job without permissions and on a workflow without top-level permissions', () => {
    const doc = YAML.parse('on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: "true"\n');
    expect(checks(checkPermissions('bad.yml', doc))).toEqual([
      'permissions permissions: no top-level permissions: (declare `permissions: {}` and grant per job)',
      'permissions jobs.a: job a does not declare permissions:',
    ]);
  });

  test('fails on write-all, and on a reusable workflow granting at the top', () => {
    const doc = YAML.parse('on: workflow_call\npermissions:\n  contents: write\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    permissions: write-all\n    steps:\n      - run: "true"\n');
    expect(checkPermissions('bad.yml', doc).map((f) => f.where)).toEqual(['permissions', 'jobs.a.permissions']);
  });

  test('fails on a granted scope without a comment; passes with one', () => {
    const bad = wf('      - run: "true"\n').replace('    permissions: {} # nothing\n', '    permissions:\n      contents: read\n      id-token: write # OIDC\n');
    expect(checks(checkPermissionComments('bad.yml', bad))).toEqual(['permission-comments jobs.a.permissions.contents: job a grants contents without a comment saying why']);
    const good = bad.replace('contents: read\n', 'contents: read # checkout\n');
    expect(checkPermissionComments('good.yml', good)).toEqual([]);
    const emptyBad = wf('      - run: "true"\n').replace('    permissions: {} # nothing\n', '    permissions: {}\n');
    expect(checkPermissionComments('bad.yml', emptyBad).map((f) => f.where)).toEqual(['jobs.a.permissions']);
  });
});

describe('pinning: every third-party uses: is pinned by a commit sha; ./ is refused where it means the caller', () => {
  test.each([
    ['a tag', 'actions/checkout@v5'],
    ['a branch', 'actions/checkout@main'],
    ['a short sha', 'actions/checkout@08c6903'],
    ['no ref', 'actions/checkout'],
    ['a docker tag', 'docker://alpine:3'],
  ])('fails on %s', (_what, uses) => {
    expect(checkPinning('bad.yml', YAML.parse(wf(`      - uses: ${uses}\n`)), 'workflow').map((f) => f.check)).toEqual(['pinning']);
  });

  test('passes a 40-hex sha, a digest-pinned image, and $/', () => {
    const steps = '      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0\n      - uses: docker://alpine@sha256:' + 'a'.repeat(64) + '\n      - uses: $/actions/verify\n';
    expect(checkPinning('good.yml', YAML.parse(wf(steps)), 'workflow')).toEqual([]);
  });

  test('fails on a reusable workflow call pinned by tag', () => {
    const doc = YAML.parse('on: push\npermissions: {}\njobs:\n  d:\n    permissions: {} # none\n    uses: shipgate/shipgate/.github/workflows/deploy.yml@v1\n');
    expect(checkPinning('bad.yml', doc, 'workflow').map((f) => f.where)).toEqual(['jobs.d.uses']);
  });

  test('fails on ./ in a reusable workflow and in an action; allows it in a caller\'s own workflow', () => {
    expect(checkPinning('bad.yml', YAML.parse(wf('      - uses: ./actions/migrate\n')), 'workflow').map((f) => f.check)).toEqual(['self-reference']);
    const composite = YAML.parse('name: x\ndescription: y\nruns:\n  using: composite\n  steps:\n    - uses: ./actions/migrate\n');
    expect(checkPinning('action.yml', composite, 'action').map((f) => f.check)).toEqual(['self-reference']);
    const caller = YAML.parse('on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    permissions: {} # none\n    steps:\n      - uses: ./.github/actions/setup\n');
    expect(checkPinning('caller.yml', caller, 'workflow')).toEqual([]);
  });
});

describe('stage wiring: with: keys are declared inputs, referenced outputs exist (catches drift)', () => {
  test('fails on an input the stage does not declare, and on a missing required input', () => {
    const steps = '      - id: m\n        uses: $/actions/migrate\n        with:\n          database_url: ${{ secrets.DATABASE_URL }}\n';
    expect(checks(checkStageWiring('bad.yml', YAML.parse(wf(steps)), 'workflow', project))).toEqual([
      expect.stringMatching(/^stage-inputs jobs\.a\.steps\[0\]: migrate has no input `database_url`/),
      'stage-inputs jobs.a.steps[0]: migrate requires input `database-url`',
    ]);
  });

  test('fails on an output the stage does not declare (in a step, a job output and an if:)', () => {
    const extra = '    outputs:\n      n: ${{ steps.m.outputs.applied_count }}\n';
    const steps = '      - id: m\n        uses: $/actions/migrate\n        with:\n          database-url: x\n      - if: steps.m.outputs.state == \'applied\'\n        run: "true"\n';
    const found = checkStageWiring('bad.yml', YAML.parse(wf(steps, extra)), 'workflow', project);
    expect(found.map((f) => `${f.check} ${f.where}`).sort()).toEqual(['stage-outputs jobs.a.outputs.n', 'stage-outputs jobs.a.steps[1].if']);
    const good = checkStageWiring('good.yml', YAML.parse(wf(steps.replace('state', 'status'), extra.replace('applied_count', 'applied-count'))), 'workflow', project);
    expect(good).toEqual([]);
  });

  test('fails on a step id that does not exist and on needs outputs a job does not declare', () => {
    const doc = YAML.parse(
      'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    permissions: {} # none\n    outputs:\n      x: ${{ steps.nope.outputs.y }}\n    steps:\n      - run: "true"\n' +
        '  b:\n    needs: a\n    runs-on: ubuntu-24.04\n    permissions: {} # none\n    steps:\n      - env:\n          Y: ${{ needs.a.outputs.z }}\n          W: ${{ needs.c.outputs.x }}\n        run: "true"\n',
    );
    expect(checks(checkStageWiring('bad.yml', doc, 'workflow', project))).toEqual([
      'stage-outputs jobs.a.outputs.x: no step with id nope in job a',
      'job-outputs jobs.b.steps[0].env.Y: job a has no output `z` (declared: x)',
      'job-outputs jobs.b.steps[0].env.W: needs.c is not a job this one needs',
    ]);
  });

  test('fails on a composite running a bundle with node that passes an undeclared INPUT_ or leaves a default out', () => {
    const composite = YAML.parse(
      'name: x\ndescription: y\nruns:\n  using: composite\n  steps:\n    - id: n\n      shell: bash\n      env:\n        INPUT_STATUS: auto\n        INPUT_COLOUR: blue\n      run: node "$GITHUB_ACTION_PATH/dist/notify/index.js"\n',
    );
    const found = checks(checkStageWiring('action.yml', composite, 'action', project));
    expect(found).toContainEqual(expect.stringMatching(/notify has no input `colour`/));
    expect(found).toContainEqual(expect.stringMatching(/notify input `environment` has a default/));
  });
});

describe('declared: inputs.* and secrets.* referenced by a reusable workflow are declared', () => {
  test('fails on a misspelt input and an undeclared secret', () => {
    const doc = YAML.parse(
      'on:\n  workflow_call:\n    inputs:\n      environment:\n        type: string\n    secrets:\n      DATABASE_URL:\n        required: true\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    permissions: {} # none\n    steps:\n      - env:\n          E: ${{ inputs.enviroment }}\n          T: ${{ secrets.VERCEL_TOKEN }}\n          D: ${{ secrets.DATABASE_URL }}\n        run: "true"\n',
    );
    expect(checks(checkDeclared('bad.yml', doc, 'workflow'))).toEqual([
      'declared-inputs jobs.a.steps[0].env.E: inputs.enviroment is not a declared input',
      'declared-secrets jobs.a.steps[0].env.T: secrets.VERCEL_TOKEN is not a declared secret of workflow_call',
    ]);
  });
});

describe('callers: examples pass only what the Shipgate workflow or action declares', () => {
  const caller = (body: string) => YAML.parse(`on: push\npermissions: {}\njobs:\n${body}`);
  test('fails on an unknown input, a missing required input, an unknown or missing secret', () => {
    const doc = caller(
      '  deploy:\n    permissions: {} # none\n    uses: shipgate/shipgate/.github/workflows/deploy.yml@08c6903cd8c0fde910a37f88322edcfb5dd907a8\n    with:\n      environment: production\n      s3-bucket: b\n      vercel-project-id: p\n      skip_tests: true\n    secrets:\n      DATABASE_URL: ${{ secrets.DATABASE_URL }}\n      VERCEL_TOKN: ${{ secrets.VERCEL_TOKEN }}\n',
    );
    expect(checks(checkCallers('bad.yml', doc, project))).toEqual([
      'caller-inputs jobs.deploy.uses: deploy.yml has no input `skip_tests`',
      'caller-inputs jobs.deploy.uses: deploy.yml has no secret `VERCEL_TOKN`',
      'caller-inputs jobs.deploy.uses: deploy.yml requires secret `VERCEL_TOKEN`',
    ]);
  });

  test('fails on an unknown input of the composite and of a stage action', () => {
    const doc = caller(
      '  a:\n    runs-on: ubuntu-24.04\n    permissions: {} # none\n    steps:\n      - uses: shipgate/shipgate@08c6903cd8c0fde910a37f88322edcfb5dd907a8\n        with:\n          database-url: x\n          s3-bucket: b\n          vercel-token: t\n          vercel-project-id: p\n          healthpath: /h\n      - uses: shipgate/shipgate/actions/verify@08c6903cd8c0fde910a37f88322edcfb5dd907a8\n        with:\n          url: https://x\n          p95: 3\n',
    );
    expect(checks(checkCallers('bad.yml', doc, project))).toEqual([
      'caller-inputs jobs.a.steps[0].uses: the Shipgate composite has no input `healthpath`',
      'caller-inputs jobs.a.steps[1].uses: verify has no input `p95`',
    ]);
  });
});
