// action.yml checked as GitHub reads it, with the schema and reader that GitHub publishes for
// its own editor support (@actions/workflow-parser, from actions/languageservices): it knows
// `runs.using: node24`, `post` and `post-if`, and the branding icons and colours GitHub
// accepts. Added to it: what only the Marketplace's release form asks, which no schema states.
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';
import { ACTION_ROOT } from '@actions/workflow-parser/actions/action-constants';
import { JSONObjectReader } from '@actions/workflow-parser/templates/json-object-reader';
import { TemplateSchema } from '@actions/workflow-parser/templates/schema/index';
import {
  TemplateContext,
  TemplateValidationErrors,
} from '@actions/workflow-parser/templates/template-context';
import { readTemplate } from '@actions/workflow-parser/templates/template-reader';
import { NoOperationTraceWriter } from '@actions/workflow-parser/templates/trace-writer';
import { YamlObjectReader } from '@actions/workflow-parser/workflows/yaml-object-reader';
import { parse } from 'yaml';

/**
 * The Marketplace's release form refuses a description of 125 characters or more. GitHub's
 * docs do not say so; the form's message is quoted in AbsaOSS/k3d-action#7.
 */
export const MARKETPLACE_DESCRIPTION_LIMIT = 125;

// The package's own parseAction imports this schema as a JSON module without the
// `type: 'json'` attribute, which Node refuses (actions/languageservices#387); so the schema
// is read here and handed to the same reader.
function actionSchema() {
  const file = new URL('action-v1.0.min.json', import.meta.resolve('@actions/workflow-parser'));
  return TemplateSchema.load(new JSONObjectReader(undefined, readFileSync(file, 'utf8')));
}

/**
 * What is wrong with an action.yml, one line each: none when GitHub would run it and the
 * Marketplace would list it.
 * @param {string} text
 * @param {string} [fileName]
 * @returns {string[]}
 */
export function actionMetadataProblems(text, fileName = 'action.yml') {
  const context = new TemplateContext(
    new TemplateValidationErrors(),
    actionSchema(),
    new NoOperationTraceWriter(),
  );
  const fileId = context.getFileId(fileName);
  const reader = new YamlObjectReader(fileId, text);
  if (reader.errors.length > 0)
    return reader.errors.map((error) => `${fileName}: ${error.message}`);
  readTemplate(context, ACTION_ROOT, reader, fileId);
  const schemaProblems = context.errors.getErrors().map((error) => error.message);
  return [...schemaProblems, ...marketplaceProblems(parse(text) ?? {}, fileName)];
}

/**
 * What GitHub's schema lets pass but a Marketplace listing needs: a short description, a
 * badge, and the descriptions that GitHub's docs mark as required for every input and output.
 * @param {Record<string, any>} action
 * @param {string} fileName
 */
function marketplaceProblems(action, fileName) {
  const problems = [];
  if (typeof action.description === 'string') {
    const length = [...action.description].length;
    if (length >= MARKETPLACE_DESCRIPTION_LIMIT) {
      problems.push(
        `${fileName}: description is ${length} characters; the Marketplace takes fewer than ${MARKETPLACE_DESCRIPTION_LIMIT}`,
      );
    }
  }
  if (!action.branding?.icon || !action.branding?.color) {
    problems.push(`${fileName}: branding needs an icon and a color, for the Marketplace's badge`);
  }
  for (const kind of ['inputs', 'outputs']) {
    for (const [name, definition] of Object.entries(action[kind] ?? {})) {
      if (!definition?.description) {
        problems.push(`${fileName}: ${kind.slice(0, -1)} ${name} has no description`);
      }
    }
  }
  return problems;
}
