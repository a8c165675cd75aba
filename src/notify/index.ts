import * as core from '@actions/core';
import { runStage } from '../lib/stage.js';
import { notifyStage } from './main.js';

await runStage(notifyStage, core);
