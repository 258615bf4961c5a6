// The lab's audit log file (DIR/audit.log, as kube-apiserver's --audit-log-path): JSON lines, mode 0600, written
// by this lab alone and removed when it stops. Events from before the folder is known are kept and written
// when it opens.
import { closeSync, constants, fstatSync, lstatSync, openSync, rmSync, writeSync } from 'node:fs';
import type { AuditEvent, AuditSink } from './apiserver/audit.js';

export interface AuditLogFile {
  sink: AuditSink;
  open(file: string): void;
  close(): void;
}

export function createAuditLogFile(): AuditLogFile {
  let pending: string[] = [];
  let fd: number | undefined;
  let opened: { file: string; dev: number; ino: number } | undefined;
  const write = (line: string) => {
    if (fd === undefined) pending.push(line);
    else writeSync(fd, line);
  };
  return {
    sink: (event: AuditEvent) => write(`${JSON.stringify(event)}\n`),
    open(file) {
      // a dead lab's log is not ours to append to; never through a symlink
      rmSync(file, { force: true });
      fd = openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW, 0o600);
      const s = fstatSync(fd);
      opened = { file, dev: s.dev, ino: s.ino };
      for (const line of pending) writeSync(fd, line);
      pending = [];
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      if (!opened) return;
      const s = lstatSync(opened.file, { throwIfNoEntry: false });
      if (s && s.dev === opened.dev && s.ino === opened.ino) rmSync(opened.file, { force: true });
      opened = undefined;
    },
  };
}
