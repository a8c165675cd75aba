/** The migrate stage: wires the real outside world to the migration logic. */
import type { StageDefinition } from '../lib/stage.js';
import { connect } from '../lib/postgres.js';
import { readMigrateSettings, type MigrateSettings } from './inputs.js';
import { OUTPUT } from './names.js';
import { runMigrate, type Restorer } from './runner.js';

/**
 * The backup stage's restore, once it exists. src/backup exposes no restore function yet, so `on-failure: restore`
 * fails before anything is changed (see runMigrate).
 */
const restorer: Restorer | undefined = undefined;

export const migrateStage: StageDefinition<MigrateSettings, keyof typeof OUTPUT> = {
  name: 'migrate',
  outputs: OUTPUT,
  read: (inputs) => readMigrateSettings(inputs),
  run: (settings, services) =>
    runMigrate(settings, {
      connect: (url, applicationName) => connect(url, applicationName),
      logger: services.logger,
      clock: services.clock,
      summary: services.summary,
      processes: services.processes,
      env: services.env,
      workspace: services.context.workspace,
      runUrl: services.context.runUrl,
      restorer,
    }),
};
