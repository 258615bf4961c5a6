import type { Command } from 'commander';
import { PROFILES, PROFILE_NAMES } from '../lab/profiles.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list the scenarios in the catalogue and the profiles (defences)')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }) => {
      const { loadBuiltInCatalogue } = await import('../scenario/catalogue.js');
      const scenarios = (await loadBuiltInCatalogue()).map((s) => ({
        name: s.metadata.name,
        title: s.metadata.title,
        summary: s.metadata.summary,
        kind: s.verdict.kind,
        tags: s.metadata.tags,
      }));
      const profiles = PROFILE_NAMES.map((p) => ({ name: p, summary: PROFILES[p].summary }));
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ scenarios, profiles }, null, 2)}\n`);
        return;
      }
      const width = Math.max(...scenarios.map((s) => s.name.length), ...profiles.map((p) => p.name.length));
      const lines = [
        'Scenarios:',
        ...scenarios.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
        '',
        'Profiles:',
        ...profiles.map((p) => `  ${p.name.padEnd(width)}  ${p.summary}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
