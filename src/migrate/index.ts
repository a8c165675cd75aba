import * as core from '@actions/core';
import { runStage } from '../lib/stage.js';
import { migrateStage } from './main.js';

await runStage(migrateStage, core);
