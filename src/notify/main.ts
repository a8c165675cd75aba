/** The notify stage: wiring of inputs, Slack/GitHub/S3 and outputs around notify(). */
import { StageError } from '../lib/errors.js';
import { createGitHubApi } from '../lib/github.js';
import { createS3Client, putObject, s3Uri } from '../lib/s3.js';
import type { StageDefinition } from '../lib/stage.js';
import { readNotifySettings, type NotifySettings } from './inputs.js';
import { OUTPUT } from './names.js';
import { notify, writeSummary } from './notify.js';
import type { RecordStore } from './run-record.js';

export const notifyStage: StageDefinition<NotifySettings, keyof typeof OUTPUT> = {
  name: 'notify',
  outputs: OUTPUT,
  read: (inputs) => readNotifySettings(inputs),
  async run(settings, services) {
    const result = await notify(settings, {
      http: services.http,
      clock: services.clock,
      logger: services.logger,
      masker: services.masker,
      context: services.context,
      github: (token) => createGitHubApi({ token, apiUrl: services.context.apiUrl, http: services.http, clock: services.clock, attempts: 3 }),
      store: (loc): RecordStore => {
        const client = createS3Client({ region: loc.region, endpoint: loc.endpoint }, services.env);
        return {
          put: (key, body, contentType) => putObject(client, loc.bucket, key, body, { contentType }),
          uri: (key) => s3Uri(loc.bucket, key),
        };
      },
    });
    writeSummary(services.summary, settings, result);
    const outputs = { slackMessageTs: result.slackMessageTs ?? '', runRecordUri: result.runRecordUri ?? '' };
    if (settings.failOnError && result.failures.length) {
      return { outputs, error: new StageError(`${result.failures.length} notification(s) failed: ${result.failures.join('; ')}`) };
    }
    return { outputs };
  },
};
