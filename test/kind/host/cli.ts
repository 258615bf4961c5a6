// `npm run kind:host -- up|down|status`: a Docker engine for the live kind suite (see host.ts).
//
//   up      start it (idempotent); the LAST line is `export DOCKER_HOST=unix://…`
//   down    stop only what up started and put the host back (add --purge to delete its images too)
//   status  say whether it runs; exit 0 when it does
//
// Exit codes: 0 done, 1 failed, 2 usage, 3 this host cannot run a Docker engine at all (the reason is printed).
import { dockerHost, down, EngineImpossible, status, up } from './host.js';

const [command, ...rest] = process.argv.slice(2);
const usage = 'usage: npm run kind:host -- up | down [--purge] | status';

try {
  if (command === 'up' && rest.length === 0) {
    const { state, alreadyRunning } = await up((l) => console.log(l));
    console.log(
      alreadyRunning
        ? `kind:host engine already running (dockerd pid ${state.pid})`
        : `kind:host engine started in ${state.startSeconds} s (dockerd pid ${state.pid}, runtime ${state.droppedCapabilities.length > 0 ? `runc without ${state.droppedCapabilities.join(', ')}` : 'runc'})`,
    );
    console.log(`export DOCKER_HOST=${dockerHost}`);
  } else if (command === 'down' && rest.every((a) => a === '--purge')) {
    await down((l) => console.log(l), { purge: rest.includes('--purge') });
  } else if (command === 'status' && rest.length === 0) {
    const s = await status();
    if (!s.state) console.log('kind:host: not running');
    else {
      console.log(`kind:host: ${s.running ? 'running' : 'recorded but not answering'} (dockerd pid ${s.state.pid}, started ${s.state.startedAt} in ${s.state.startSeconds} s)`);
      console.log(`  runtime: ${s.state.droppedCapabilities.length > 0 ? `runc without ${s.state.droppedCapabilities.join(', ')}` : 'runc'}`);
      console.log(
        `  host settings to restore: ${Object.entries(s.state.sysctls)
          .map(([k, v]) => `${k.replaceAll('/', '.')}=${v}`)
          .join(', ')}${s.state.createdDocker0 ? ', docker0' : ''}`,
      );
      if (s.running) console.log(`export DOCKER_HOST=${dockerHost}`);
    }
    process.exitCode = s.running ? 0 : 1;
  } else {
    console.error(usage);
    process.exitCode = 2;
  }
} catch (error) {
  if (error instanceof EngineImpossible) {
    console.error(`kind:host: this host cannot run a Docker engine: ${error.message}`);
    process.exitCode = 3;
  } else {
    console.error(`kind:host: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
