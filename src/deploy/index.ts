import * as core from '@actions/core';
import { runStage } from '../lib/stage.js';
import { deployStage } from './main.js';

await runStage(deployStage, core);
