/** The notify stage. Its logic lands with its own issue; until then it refuses to run rather than pretend. */
import { StageError } from '../lib/errors.js';
import type { StageDefinition } from '../lib/stage.js';
import { OUTPUT } from './names.js';

export const notifyStage: StageDefinition<Record<string, never>, keyof typeof OUTPUT> = {
  name: 'notify',
  outputs: OUTPUT,
  read: () => ({}),
  async run() {
    throw new StageError('the notify stage is not built yet');
  },
};
