// Runs the embedded lab registry in its own process for the benchmark, as distribution runs in its own:
// prints one JSON line {host, users} on stdout, then serves until stdin closes or SIGTERM.
import { startTestRegistry } from '../../test/support/registry.js';

const lab = await startTestRegistry('basic');
process.stdout.write(`${JSON.stringify({ host: lab.registry.host, users: lab.users })}\n`);
const stop = () => void lab.registry.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
