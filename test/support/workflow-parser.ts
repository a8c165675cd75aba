/**
 * GitHub's own parser for action.yml and workflow files (@actions/workflow-parser). It imports its JSON
 * schemas without import attributes, which plain Node refuses; jest's ESM loader accepts them.
 */
import { readFileSync } from 'node:fs';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';

/** Parse errors of an action.yml (empty when valid). */
export function actionErrors(path: string, content = readFileSync(path, 'utf8')): string[] {
  const result = parseAction({ name: path, content }, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((e) => e.message);
}

/** Parse errors of a workflow file (empty when valid). */
export function workflowErrors(path: string, content = readFileSync(path, 'utf8')): string[] {
  const result = parseWorkflow({ name: path, content }, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((e) => e.message);
}
