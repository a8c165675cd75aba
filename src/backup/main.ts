/** The backup stage. Its logic lands with its own issue; until then it refuses to run rather than pretend. */
import { StageError } from '../lib/errors.js';
import type { StageDefinition } from '../lib/stage.js';
import { OUTPUT } from './names.js';

export const backupStage: StageDefinition<Record<string, never>, keyof typeof OUTPUT> = {
  name: 'backup',
  outputs: OUTPUT,
  read: () => ({}),
  async run() {
    throw new StageError('the backup stage is not built yet');
  },
};
