import { describe, expect, it } from '@jest/globals';
import { Input, INPUT_DEFAULTS, Output } from '../../src/config/constants.js';
import { readmeTable } from '../support/readme.js';
import { readActionYml } from '../support/runner.js';

const normalize = (text: string) => text.replace(/\s+/g, ' ').replace(/`/g, '').trim();

describe('the public contract', () => {
  it('declares in action.yml exactly the inputs the code reads, with the same defaults', async () => {
    const action = await readActionYml();
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(Input).sort());
    for (const name of Object.values(Input)) {
      const declared = action.inputs[name];
      expect({ name, default: declared.required ? undefined : declared.default }).toEqual({
        name,
        default: INPUT_DEFAULTS[name],
      });
    }
    expect(action.inputs[Input.Bucket].required).toBe(true);
  });

  it('declares in action.yml exactly the outputs the code sets', async () => {
    const action = await readActionYml();
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Output).sort());
  });

  it('documents in README the inputs of action.yml, with their defaults and descriptions', async () => {
    const action = await readActionYml();
    const rows = readmeTable('Inputs');
    expect(rows.map(([name]) => name)).toEqual(Object.keys(action.inputs));
    for (const [name, defaultValue, meaning] of rows) {
      const declared = action.inputs[name] as {
        default?: string;
        required?: boolean;
        description: string;
      };
      expect({ name, default: defaultValue }).toEqual({
        name,
        default: declared.required ? 'required' : declared.default || '""',
      });
      expect({ name, meaning: normalize(meaning) }).toEqual({
        name,
        meaning: normalize(declared.description),
      });
    }
  });

  it('documents in README the outputs of action.yml, with their descriptions', async () => {
    const action = await readActionYml();
    const rows = readmeTable('Outputs');
    expect(rows.map(([name]) => name)).toEqual(Object.keys(action.outputs));
    for (const [name, meaning] of rows) {
      expect({ name, meaning: normalize(meaning) }).toEqual({
        name,
        meaning: normalize(action.outputs[name].description),
      });
    }
  });
});
