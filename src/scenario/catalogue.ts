// The scenario catalogue shipped in scenarios/, and picking scenarios by name or file.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { loadCatalogue, loadScenarioFile } from './loader.js';
import type { Scenario } from './schema.js';

export const CATALOGUE_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export function loadBuiltInCatalogue(): Promise<Scenario[]> {
  return loadCatalogue(CATALOGUE_DIR);
}

/** Each argument is a catalogue name or a path to a scenario file; none means the whole catalogue. */
export async function selectScenarios(args: string[]): Promise<Scenario[]> {
  const catalogue = await loadBuiltInCatalogue();
  if (args.length === 0) return catalogue;
  const selected: Scenario[] = [];
  for (const arg of args) {
    const named = catalogue.find((s) => s.metadata.name === arg);
    if (named) selected.push(named);
    else if (/\.ya?ml$/.test(arg) || existsSync(arg)) selected.push(await loadScenarioFile(arg));
    else throw new UserError(`unknown scenario "${arg}"`, `run \`image-heist list\` for the catalogue, or give a path to a .yaml file`);
  }
  return selected;
}
