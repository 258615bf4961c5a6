// `image-heist kind save FILE` / `kind load FILE`: the offline workshop kit — the node, registry and busybox images
// the kind backend would use, in one `docker save` archive, loaded on machines without internet.
import type { Command } from 'commander';
import { BackendUnavailableError, UserError } from '../errors.js';
import { addKindImageOptions, kindImages, type KindImageFlags } from './kind-options.js';

export function registerKind(program: Command): void {
  const kind = program.command('kind').description('the offline workshop kit for the kind backend: save the images it uses to a file, load them elsewhere');
  addKindImageOptions(
    kind
      .command('save')
      .description('write the node, registry and busybox images the kind backend would use into FILE (pulls any that Docker lacks)')
      .argument('<file>', 'the archive to write (docker save format)'),
  ).action(async (file: string, flags: KindImageFlags) => {
    const images = { ...(await import('../kind/names.js')).DEFAULT_KIND_IMAGES, ...kindImages(flags, 'kind') };
    await requireDocker();
    const [{ ensureImage }, { saveImages }, { runCommand }] = await Promise.all([import('../kind/images.js'), import('../kind/commands.js'), import('../kind/exec.js')]);
    for (const [option, image] of [
      ['--node-image', images.node],
      ['--registry-image', images.registry],
      ['--busybox-image', images.busybox],
    ] as const) {
      process.stdout.write(`image-heist: ${image}\n`);
      await ensureImage(image, option);
    }
    await runCommand(saveImages([images.node, images.registry, images.busybox], file), { timeoutMs: 30 * 60_000 });
    process.stdout.write(`image-heist: saved to ${file}; on the workshop machines: image-heist kind load ${file}\n`);
  });
  kind
    .command('load')
    .description('load a kit written by `image-heist kind save` into Docker')
    .argument('<file>', 'the archive to read')
    .action(async (file: string) => {
      await requireDocker();
      const { access } = await import('node:fs/promises');
      await access(file).catch(() => {
        throw new UserError(`cannot read ${file}`, 'pass the file `image-heist kind save` wrote');
      });
      const [{ loadImages }, { runCommand }] = await Promise.all([import('../kind/commands.js'), import('../kind/exec.js')]);
      const out = await runCommand(loadImages(file), { timeoutMs: 30 * 60_000 });
      process.stdout.write(out.endsWith('\n') || out === '' ? out : `${out}\n`);
    });
}

async function requireDocker(): Promise<void> {
  const { probeDocker } = await import('../kind/preflight.js');
  const docker = await probeDocker();
  if (!docker.engine) throw new BackendUnavailableError(`the kit is kept in Docker, and no Docker engine answers (${docker.reason})`, 'start Docker first');
}
