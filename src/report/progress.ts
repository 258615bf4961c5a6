// Live progress of `run`: one spinner line per scenario × profile on a terminal, plain lines otherwise
// (CI logs, pipes). It only listens to engine events.
import type { EngineEvent } from '../scenario/events.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  /** Spinners and colour only on a terminal, and never with NO_COLOR for the colour. */
  interactive: boolean;
  color: boolean;
}

export class RunProgress {
  private current: { label: string; detail: string } | undefined;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ProgressOptions) {}

  readonly listener = (event: EngineEvent): void => {
    switch (event.type) {
      case 'lab-starting':
        this.line(`starting the ${event.profile} lab…`);
        break;
      case 'step-started':
        this.update(`${event.scenario} × ${event.profile}`, event.stepId);
        break;
      case 'pod-status':
        this.update(`${event.scenario} × ${event.profile}`, `${event.pod}: ${event.status}`);
        break;
      case 'verdict': {
        const r = event.result;
        const mark = r.passed ? this.paint('ok', 32) : this.paint(`FAIL (expected ${r.expectedVerdict})`, 31);
        this.finish(`${r.scenario} × ${r.profile}: ${r.verdict} ${mark} ${this.paint(`${r.durationMs} ms`, 2)}`);
        break;
      }
      default:
        break;
    }
  };

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.current && this.options.interactive) this.options.stream.write('\r\x1b[2K');
    this.current = undefined;
  }

  private update(label: string, detail: string): void {
    this.current = { label, detail };
    if (!this.options.interactive) return;
    this.timer ??= setInterval(() => this.draw(), 80);
    this.timer.unref();
    this.draw();
  }

  private draw(): void {
    if (!this.current) return;
    this.frame = (this.frame + 1) % FRAMES.length;
    const width = this.options.stream.columns ?? 80;
    const text = `${FRAMES[this.frame]} ${this.current.label}  ${this.current.detail}`.slice(0, width - 1);
    this.options.stream.write(`\r\x1b[2K${text}`);
  }

  private finish(text: string): void {
    this.stop();
    this.line(text);
  }

  private line(text: string): void {
    if (this.options.interactive) this.options.stream.write('\r\x1b[2K');
    this.options.stream.write(`${text}\n`);
  }

  private paint(text: string, code: number): string {
    return this.options.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }
}

/** Colour unless NO_COLOR is set (https://no-color.org) or the stream is not a terminal. */
export function wantsColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}
