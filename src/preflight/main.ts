/** The preflight stage. Its logic lands with its own issue; until then it refuses to run rather than pretend. */
import { StageError } from '../lib/errors.js';
import type { StageDefinition } from '../lib/stage.js';
import { OUTPUT } from './names.js';

export const preflightStage: StageDefinition<Record<string, never>, keyof typeof OUTPUT> = {
  name: 'preflight',
  outputs: OUTPUT,
  read: () => ({}),
  async run() {
    throw new StageError('the preflight stage is not built yet');
  },
};
