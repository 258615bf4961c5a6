// The tutorial's chapters: docs/tutorial/*.md in name order, each readable on its own; a chapter with a
// hands-on task has it in TASKS under its file name.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TASKS, type Task } from './tasks.js';

export const TUTORIAL_DIR = fileURLToPath(new URL('../../docs/tutorial/', import.meta.url));

export interface Chapter {
  id: string;
  title: string;
  /** The markdown after the title line. */
  body: string;
  task?: Task;
}

export async function loadChapters(dir = TUTORIAL_DIR): Promise<Chapter[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.md')).sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(path.join(dir, file), 'utf8');
      const id = file.replace(/\.md$/, '');
      const [first, ...rest] = text.split('\n');
      const title = first?.startsWith('# ') ? first.slice(2).trim() : id;
      const task = TASKS[id];
      return { id, title, body: (first?.startsWith('# ') ? rest : [first ?? '', ...rest]).join('\n').trim(), ...(task ? { task } : {}) };
    }),
  );
}
