import * as core from '@actions/core';
import { runStage } from '../lib/stage.js';
import { verifyStage } from './main.js';

await runStage(verifyStage, core);
