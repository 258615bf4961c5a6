// The image-heist command line: builds the commander program and maps every failure to one line and an exit code.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerAudit } from './audit.js';
import { registerDoctor } from './doctor.js';
import { registerDown } from './down.js';
import { registerKind } from './kind.js';
import { registerList } from './list.js';
import { registerPlay } from './play.js';
import { registerRun } from './run.js';
import { registerStatus } from './status.js';
import { registerTutorial } from './tutorial.js';
import { registerUp } from './up.js';
import { registerWorkshop } from './workshop.js';
import { ExitCode, UserError, formatUserError } from '../errors.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('image-heist')
    .description('A hands-on lab for Kubernetes image-pull security: does a cached private image leak to another tenant?')
    .version(packageJson.version, '-v, --version', 'print the version')
    .option('--debug', 'print stack traces for unexpected errors')
    .showSuggestionAfterError()
    .exitOverride();
  // in the order a newcomer meets them
  registerPlay(program);
  registerTutorial(program);
  registerUp(program);
  registerRun(program);
  registerStatus(program);
  registerList(program);
  registerDoctor(program);
  registerDown(program);
  registerAudit(program);
  registerKind(program);
  registerWorkshop(program);
  return program;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    if (argv.length <= 2) {
      // no arguments: the workshop app on a terminal, help anywhere else
      if (!(process.stdin.isTTY && process.stdout.isTTY)) {
        program.outputHelp();
        return ExitCode.ok;
      }
      argv = [...argv, 'play'];
    }
    await program.parseAsync(argv);
    // a command that finished with something to report (run's failed expectations) sets process.exitCode
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    return reportError(error, debug);
  }
}

function reportError(error: unknown, debug: boolean): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message (unknown option, missing argument, …); help and version are not errors
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof UserError) {
    process.stderr.write(`image-heist: ${formatUserError(error)}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`image-heist: unexpected error: ${message}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return 1;
}
