/** The migrate stage: wires the real outside world to the migration logic. */
import { StageError } from '../lib/errors.js';
import type { StageDefinition } from '../lib/stage.js';
import { readMigrateSettings, type MigrateSettings } from './inputs.js';
import { OUTPUT } from './names.js';

export const migrateStage: StageDefinition<MigrateSettings, keyof typeof OUTPUT> = {
  name: 'migrate',
  outputs: OUTPUT,
  read: (inputs) => readMigrateSettings(inputs),
  async run() {
    throw new StageError('the migration runner is not built yet (issue #3)');
  },
};
