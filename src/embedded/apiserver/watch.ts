// Writing a watch stream: newline-delimited JSON events on a chunked 200 response, kept open until
// the client goes away or timeoutSeconds passes (k8s.io/apiserver/pkg/endpoints/handlers/watch.go).
import type { ServerResponse } from 'node:http';
import type { StatusError } from '../../k8s/api-errors.js';

export interface WatchStream {
  send(event: { type: string; object: unknown }): void;
  /** Sends an event whose object is already JSON (one serialization shared by every watcher). */
  sendEncoded(type: string, objectJson: string): void;
  /** Ends the response (the client sees the watch close). */
  end(): void;
  /** Called once when the stream ends, from either side. */
  onClose(fn: () => void): void;
}

export function openWatchStream(res: ServerResponse, timeoutSeconds: number | undefined): WatchStream {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const closers: (() => void)[] = [];
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    for (const fn of closers) fn();
  };
  // In Node 20, req 'close' fires when the request body ends; the response's 'close' is the client leaving.
  res.on('close', close);
  const timer = timeoutSeconds && timeoutSeconds > 0 ? setTimeout(() => stream.end(), timeoutSeconds * 1000) : undefined;
  timer?.unref();
  const stream: WatchStream = {
    send(event) {
      if (!closed && !res.writableEnded) res.write(`${JSON.stringify(event)}\n`);
    },
    sendEncoded(type, objectJson) {
      if (!closed && !res.writableEnded) res.write(`{"type":${JSON.stringify(type)},"object":${objectJson}}\n`);
    },
    end() {
      if (!res.writableEnded) res.end();
      close();
    },
    onClose(fn) {
      if (closed) fn();
      else closers.push(fn);
    },
  };
  return stream;
}

/** A watch that cannot start (e.g. 410 Expired) is still a 200 with one ERROR event carrying the Status. */
export function sendWatchError(stream: WatchStream, error: StatusError): void {
  stream.send({ type: 'ERROR', object: error.status });
  stream.end();
}
