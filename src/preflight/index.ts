import * as core from '@actions/core';
import { runStage } from '../lib/stage.js';
import { preflightStage } from './main.js';

await runStage(preflightStage, core);
