// One spelling for profiles in every command: `--profile` (or `-p`), repeatable or a comma list, `all` for
// every profile; `--profiles` is accepted for the old spelling of `play`.
import { Option, type Command } from 'commander';
import { UserError } from '../errors.js';
import { isProfileName, PROFILE_NAMES, type ProfileName } from '../lab/profiles.js';
import { didYouMean } from './suggest.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Adds `-p, --profile <profiles>` (repeatable) and the hidden alias `--profiles`. */
export function addProfileOption(command: Command, description: string): Command {
  return command
    .addOption(new Option('-p, --profile <profiles>', `${description}: ${PROFILE_NAMES.join(', ')}; repeat it or use a comma list, or all`).argParser(collect))
    .addOption(new Option('--profiles <profiles>').argParser(collect).hideHelp());
}

/** Every profile named by --profile/--profiles (`all` anywhere means all), in the order given, once each. */
export function profilesFrom(flags: { profile?: string[]; profiles?: string[] }, fallback: readonly ProfileName[]): ProfileName[] {
  const values = [...(flags.profile ?? []), ...(flags.profiles ?? [])];
  if (values.length === 0) return [...fallback];
  const names = values
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new UserError('--profile needs a profile name', `valid profiles: ${PROFILE_NAMES.join(', ')} (or all)`);
  for (const name of names) {
    if (name !== 'all' && !isProfileName(name)) {
      const guess = didYouMean(name, [...PROFILE_NAMES, 'all']);
      throw new UserError(`unknown profile "${name}"${guess ? `; ${guess}` : ''}`, `valid profiles: ${PROFILE_NAMES.join(', ')}, or all`);
    }
  }
  if (names.includes('all')) return [...PROFILE_NAMES];
  return [...new Set(names as ProfileName[])];
}

/** Scenario arguments checked before anything loads: a mistyped catalogue name gets a suggestion. */
export async function checkScenarioNames(names: readonly string[]): Promise<void> {
  const { existsSync } = await import('node:fs');
  const { loadBuiltInCatalogue } = await import('../scenario/catalogue.js');
  const known = (await loadBuiltInCatalogue()).map((s) => s.metadata.name);
  for (const name of names) {
    if (known.includes(name) || /\.ya?ml$/.test(name) || existsSync(name)) continue;
    const guess = didYouMean(name, known);
    throw new UserError(`unknown scenario "${name}"${guess ? `; ${guess}` : ''}`, 'see the catalogue with `list`, or give a path to a .yaml file');
  }
}
