import type { Command } from 'commander';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check this machine: Node, kubectl, Docker, kind, and which lab backends can run here')
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      const { formatDoctorReport, runDoctor } = await import('../doctor/doctor.js');
      const report = await runDoctor();
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctorReport(report)}\n`);
    });
}
