/** The outside world of the backup logic, passed in (tests replace any part of it). */
import type { Clock } from '../lib/clock.js';
import type { RunContext } from '../lib/context.js';
import type { Logger } from '../lib/logger.js';
import type { ProcessRunner } from '../lib/process.js';
import type { Summary } from '../lib/summary.js';
import type { PgTools } from './pgtools.js';
import type { BackupStore } from './store.js';

export interface BackupPorts {
  store: BackupStore;
  processes: ProcessRunner;
  logger: Logger;
  summary: Summary;
  clock: Clock;
  context: RunContext;
  /** Base environment for child processes (PG* variables are replaced per call). */
  env: NodeJS.ProcessEnv;
  /** pg_dump/pg_restore of exactly this major (locating or installing them). */
  pgTools(major: number): Promise<PgTools>;
  /** Directory for temporary files (downloads before a restore). */
  tmpDir: string;
  /** Upload a file as a workflow artifact (artifact: true). */
  uploadArtifact?(name: string, file: string): Promise<void>;
  /** MongoDB client factory (tests without a server never call it). */
  mongo?: MongoConnector;
}

/** Opens a MongoDB client; the real one wraps the `mongodb` package. */
export type MongoConnector = (url: string) => Promise<import('mongodb').MongoClient>;
