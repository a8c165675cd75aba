/** The verify stage: wiring of inputs, the outside world and outputs around verify(). */
import { StageError } from '../lib/errors.js';
import { connect } from '../lib/postgres.js';
import type { StageDefinition } from '../lib/stage.js';
import { readVerifySettings, type VerifySettings } from './inputs.js';
import { OUTPUT } from './names.js';
import { verify, writeSummary } from './verify.js';

export const verifyStage: StageDefinition<VerifySettings, keyof typeof OUTPUT> = {
  name: 'verify',
  outputs: OUTPUT,
  read: (inputs, services) => readVerifySettings(inputs, services.context),
  async run(settings, services) {
    const report = await verify(settings, {
      http: services.http,
      clock: services.clock,
      logger: services.logger,
      processes: services.processes,
      env: services.env,
      openSql: (url) => connect(url, 'shipgate-verify'),
    });
    writeSummary(services.summary, report);
    const outputs = {
      healthy: report.healthy,
      decision: report.decision,
      p95Ms: report.samples?.p95Ms,
      errorRate: report.samples ? Number(report.samples.errorRate.toFixed(4)) : undefined,
      versionServed: report.versionServed ?? '',
      report,
    };
    if (report.decision === 'monitor') services.logger.warning(`verify: monitor: ${report.reason}`);
    if (report.decision === 'rollback-app' || report.decision === 'rollback-full') {
      return { outputs, error: new StageError(`${report.decision}: ${report.reason}`) };
    }
    services.logger.info(`verify: ${report.decision}`);
    return { outputs };
  },
};
