// Part of `npm run lint`: fails, naming each problem, unless action.yml (or the file named) is
// action metadata that GitHub runs and the Marketplace lists.
//
//   node scripts/check-action.mjs [action.yml]
import { readFileSync } from 'node:fs';
import { actionMetadataProblems } from './action-metadata.mjs';

const file = process.argv[2] ?? 'action.yml';
const problems = actionMetadataProblems(readFileSync(file, 'utf8'), file);
for (const problem of problems) console.error(problem);
if (problems.length > 0) process.exit(1);
console.log(`${file} is valid action metadata`);
