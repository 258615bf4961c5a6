// The node image build's bookkeeping: content hashes of inputs (a piece is rebuilt only when one changes),
// progress lines while a piece builds, and the seconds each piece took.
import { createHash } from 'node:crypto';

export type Progress = (line: string) => void;

/** A short hex hash of every input, in order. */
export function contentHash(parts: ReadonlyArray<string | Buffer>): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(typeof p === 'string' ? Buffer.from(p) : p).update('\0');
  return hash.digest('hex').slice(0, 16);
}

export interface Steps {
  /** Runs one piece, printing when it starts and how long it took; `cached` pieces say so and take ~0 s. */
  run<T>(name: string, work: () => Promise<T>): Promise<T>;
  seconds: Record<string, number>;
}

export function steps(progress: Progress): Steps {
  const seconds: Record<string, number> = {};
  return {
    seconds,
    async run(name, work) {
      const started = Date.now();
      progress(`▸ ${name}`);
      const result = await work();
      const s = Math.round((Date.now() - started) / 100) / 10;
      seconds[name] = s;
      progress(`  ${name}: ${s} s`);
      return result;
    },
  };
}
