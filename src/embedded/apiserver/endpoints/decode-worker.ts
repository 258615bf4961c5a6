// Large bodies are decoded off the event loop: one worker thread runs decode.ts (YAML conversion, Go's JSON
// checks, the typed decode) and hands back the decoded object as JSON text, so a tenant's 3 MiB body never
// stalls the other tenants' requests. The worker starts on the first large body and ends with the server.
// When the decoded object is larger than the store could hold, it is refused here, before the main thread
// parses it at all.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeObject, type DecodeOutcome, type ExpectedKind } from './decode.js';

/** Bodies from this size on go to the worker; smaller ones cost less than the hand-over. */
export const workerThresholdBytes = 64 * 1024;

interface Job {
  text: string;
  mediaType: 'json' | 'yaml';
  expect: ExpectedKind;
  patch: boolean;
}

type WorkerAnswer = { id: number } & ({ ok: true; json: string; strict: string[]; unknown: string[] } | Exclude<DecodeOutcome, { ok: true }>);

/** What a decode gives back when the object is too large to store: the caller answers with the store's error. */
export interface TooLarge {
  ok: 'too-large';
  bytes: number;
}

function workerSource(): string {
  // Compiled (dist/*.js) the worker imports decode.js as it is; from the sources it runs decode.ts through tsx,
  // like bin/image-heist.js in a development checkout.
  const compiled = import.meta.url.endsWith('.js');
  const decode = new URL(compiled ? './decode.js' : './decode.ts', import.meta.url).href;
  let register = '';
  if (!compiled) {
    const require = createRequire(import.meta.url);
    // tsx's ESM entry (require.resolve would give its CommonJS one).
    const tsx = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
    register = `const { register } = await import(${JSON.stringify(tsx)}); register();`;
  }
  return `
    ${register}
    const { parentPort } = await import('node:worker_threads');
    const { decodeObject } = await import(${JSON.stringify(decode)});
    parentPort.on('message', ({ id, text, mediaType, expect, patch, maxObjectBytes }) => {
      let answer;
      try {
        const outcome = decodeObject(text, mediaType, expect, { patch });
        if (outcome.ok) {
          const json = JSON.stringify(outcome.object);
          answer = { id, ok: true, json: json.length > maxObjectBytes ? '' : json, bytes: json.length, strict: outcome.strict, unknown: outcome.unknown };
        } else answer = { id, ...outcome };
      } catch (error) {
        answer = { id, ok: false, code: 400, reason: 'BadRequest', message: String(error && error.message || error) };
      }
      parentPort.postMessage(answer);
    });
  `;
}

export class DecodeWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (a: WorkerAnswer & { bytes?: number }) => void; reject: (e: Error) => void }>();

  constructor(private readonly maxObjectBytes: number) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(workerSource())}`), {
      // A worker that runs out of memory dies alone; the request gets a 400 and the next one a new worker.
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    worker.unref();
    worker.on('message', (answer: WorkerAnswer & { bytes?: number }) => {
      const job = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      job?.resolve(answer);
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const job of this.pending.values()) job.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('the decoder stopped')));
    this.worker = worker;
    return worker;
  }

  /** Decodes in the worker; a decoded object over maxObjectBytes comes back as TooLarge without being parsed here. */
  async decode(job: Job): Promise<DecodeOutcome | TooLarge> {
    const worker = this.start();
    const id = this.nextId++;
    const answer = await new Promise<WorkerAnswer & { bytes?: number }>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...job, maxObjectBytes: this.maxObjectBytes });
    });
    if (!answer.ok) {
      const { id: _id, ...failure } = answer;
      return failure;
    }
    if (answer.json === '') return { ok: 'too-large', bytes: answer.bytes ?? 0 };
    return { ok: true, object: JSON.parse(answer.json) as Record<string, unknown>, strict: answer.strict, unknown: answer.unknown };
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}

/** Decodes inline below the threshold, in the worker above it. */
export async function decodeBody(worker: DecodeWorker, job: Job): Promise<DecodeOutcome | TooLarge> {
  if (job.text.length < workerThresholdBytes) return decodeObject(job.text, job.mediaType, job.expect, { patch: job.patch });
  try {
    return await worker.decode(job);
  } catch (error) {
    // The worker died (out of memory on a hostile body): the body was bad input, not a server failure.
    return { ok: false, code: 400, reason: 'BadRequest', message: `the object provided could not be decoded: ${(error as Error).message}` };
  }
}
