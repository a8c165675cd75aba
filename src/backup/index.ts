import * as core from '@actions/core';
import { runStage } from '../lib/stage.js';
import { backupStage } from './main.js';

await runStage(backupStage, core);
