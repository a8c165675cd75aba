/** Input and output names of the notify stage; a test keeps them equal to actions/notify/action.yml. */
export const INPUT = {
  status: 'status',
  environment: 'environment',
  title: 'title',
  stages: 'stages',
  deploymentUrl: 'deployment-url',
  version: 'version',
  decision: 'decision',
  emergency: 'emergency',
  emergencyReason: 'emergency-reason',
  slackWebhookUrl: 'slack-webhook-url',
  slackToken: 'slack-token',
  slackChannel: 'slack-channel',
  slackMessageTs: 'slack-message-ts',
  githubToken: 'github-token',
  githubDeploymentId: 'github-deployment-id',
  runRecordBucket: 'run-record-bucket',
  runRecordPrefix: 'run-record-prefix',
  s3Region: 's3-region',
  s3Endpoint: 's3-endpoint',
  failOnError: 'fail-on-error',
  slackApiUrl: 'slack-api-url',
  rollbackWorkflow: 'rollback-workflow',
} as const;

export const OUTPUT = {
  slackMessageTs: 'slack-message-ts',
  runRecordUri: 'run-record-uri',
} as const;
