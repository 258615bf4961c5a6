// `image-heist tutorial`: the chapters of docs/tutorial one at a time; a hands-on chapter's task is checked
// live against the lab `image-heist up` runs, and ticks when the learner's kubectl actions achieved it.
import { useEffect, useMemo, useState } from 'react';
import { Box, Text, useInput, useStdin } from 'ink';
import type { Chapter } from '../tutorial/chapters.js';
import type { TaskState } from '../tutorial/tasks.js';
import { withInvocation } from '../cli/invocation.js';
import { MarkdownBlock } from './Explanation.js';
import { commandsFor, TUTORIAL_KEYS, tutorialFooter, type TutorialCommand } from './keys.js';
import { ScrollBox } from './ScrollBox.js';
import { parseMarkdown } from './markdown.js';
import { Spinner } from './Spinner.js';
import { ThemeContext, useColor } from './theme.js';
import { useTaskCheck, type SnapshotReader } from './use-task-check.js';
import { useTerminalSize, type TerminalSize } from './use-terminal-size.js';

export interface TutorialAppProps {
  chapters: readonly Chapter[];
  /** Where `image-heist up` wrote lab.json and kubeconfig. */
  labDir: string;
  readSnapshot: SnapshotReader;
  pollMs?: number;
  onQuit: () => void;
  size?: TerminalSize;
  color?: boolean;
  /** How the learner invoked the app (`npx image-heist`, `npm start --`): commands in the text and hints use it. */
  command?: string;
}

export function TutorialApp({ chapters, labDir, readSnapshot, pollMs = 1_000, onQuit, size: fixedSize, color = true, command = 'image-heist' }: TutorialAppProps) {
  const size = useTerminalSize(fixedSize);
  const { isRawModeSupported } = useStdin();
  const [index, setIndex] = useState(0);
  const [scroll, setScroll] = useState(0);
  const [contentLines, setContentLines] = useState(0);
  const [ticked, setTicked] = useState<Record<string, string>>({});
  const chapter = chapters[index]!;
  const state = useTaskCheck(chapter.task, labDir, readSnapshot, pollMs, command);
  const blocks = useMemo(() => parseMarkdown(withInvocation(chapter.body, command)), [chapter.body, command]);

  useEffect(() => {
    if (state?.kind === 'done' && !ticked[chapter.id]) setTicked((t) => ({ ...t, [chapter.id]: state.evidence }));
  }, [state, chapter.id, ticked]);

  // relative moves: a key may reach a handler from the previous render, so never compute from its `index`
  const go = (delta: number) => {
    setIndex((i) => Math.max(0, Math.min(chapters.length - 1, i + delta)));
    setScroll(0);
  };
  const scrollBy = (delta: number) => setScroll((s) => Math.max(0, Math.min(Math.max(0, contentLines - textHeight + 1), s + delta)));
  useInput(
    (input, key) => {
      for (const command of commandsFor(TUTORIAL_KEYS, input, key)) run(command);
    },
    { isActive: isRawModeSupported === true },
  );
  // one key's command; several arrive together when typed while the app was busy
  function run(command: TutorialCommand): void {
    if (command === 'quit') onQuit();
    else if (command === 'next') go(1);
    else if (command === 'previous') go(-1);
    else if (command === 'scroll-down') scrollBy(1);
    else if (command === 'scroll-up') scrollBy(-1);
    else if (command === 'page-down') scrollBy(textHeight - 2);
    else if (command === 'page-up') scrollBy(-(textHeight - 2));
  }

  const height = Math.max(12, size.rows - 1);
  const listWidth = size.columns >= 100 ? Math.min(44, Math.max(...chapters.map((c) => c.title.length + 4)) + 1) : 0;
  const textWidth = size.columns - listWidth - (listWidth ? 1 : 0);
  // the task box grows with its hint (a long `up` command wraps), never past a third of the screen
  const taskHeight = chapter.task ? Math.min(Math.floor(height / 3), taskLines(chapter.task.text, state, ticked[chapter.id], command, textWidth - 4) + 2) : 0;
  const textHeight = height - 2 - taskHeight;
  return (
    <ThemeContext.Provider value={{ color }}>
      <Box flexDirection="column" width={size.columns} height={height} overflow="hidden">
        <Text bold wrap="truncate-end">
          image-heist tutorial ▸ {index + 1}/{chapters.length} {chapter.title}
        </Text>
        <Box flexDirection="row" height={height - 2}>
          {listWidth ? <ChapterList chapters={chapters} index={index} ticked={ticked} width={listWidth} height={height - 2} /> : null}
          {listWidth ? <Box width={1} /> : null}
          <Box flexDirection="column" width={textWidth}>
            <ScrollBox key={chapter.id} height={textHeight} width={textWidth} scroll={scroll} onMeasure={setContentLines} keys="↑/↓ PgUp/PgDn">
              {blocks.map((block, i) => (
                // flexShrink 0: a squeezed block would draw its wrapped lines over the next one
                <Box key={i} flexShrink={0} marginBottom={block.kind === 'item' && blocks[i + 1]?.kind === 'item' ? 0 : 1}>
                  <MarkdownBlock block={block} />
                </Box>
              ))}
            </ScrollBox>
            {chapter.task ? <TaskBox text={chapter.task.text} state={state} ticked={ticked[chapter.id]} height={taskHeight} /> : null}
          </Box>
        </Box>
        <Text dimColor wrap="truncate-end">
          {tutorialFooter()}
        </Text>
      </Box>
    </ThemeContext.Provider>
  );
}

function ChapterList({ chapters, index, ticked, width, height }: { chapters: readonly Chapter[]; index: number; ticked: Record<string, string>; width: number; height: number }) {
  const color = useColor();
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {chapters.map((c, i) => (
        <Text key={c.id} wrap="wrap" bold={i === index} color={color(i === index ? 'cyan' : 'white')}>
          {i === index ? '▶ ' : '  '}
          {c.task ? (ticked[c.id] ? '☑ ' : '☐ ') : '  '}
          {c.title}
        </Text>
      ))}
    </Box>
  );
}

function TaskBox({ text, state, ticked, height }: { text: string; state: TaskState | undefined; ticked: string | undefined; height: number }) {
  const color = useColor();
  const done = ticked ?? (state?.kind === 'done' ? state.evidence : undefined);
  return (
    <Box flexDirection="column" height={height} borderStyle="round" borderColor={color(done ? 'green' : 'yellow')} paddingX={1} overflow="hidden">
      <Box flexShrink={0}>
        <Text bold wrap="wrap">
          {done ? '☑ DONE' : '☐ TASK'}: {text}
        </Text>
      </Box>
      {!done &&
        state?.earned?.map((evidence, i) => (
          <Box key={i} flexShrink={0}>
            <Text wrap="wrap" color={color('green')}>
              ✔ {evidence}
            </Text>
          </Box>
        ))}
      <Text wrap="wrap" color={color(done ? 'green' : 'gray')}>
        {done ? (
          `✔ ${done}`
        ) : !state ? (
          <Text>
            <Spinner /> checking the lab…
          </Text>
        ) : state.kind === 'waiting' ? (
          <Text>
            <Spinner /> watching the cluster: not yet
          </Text>
        ) : state.kind === 'done' ? (
          `✔ ${state.evidence}`
        ) : (
          state.hint
        )}
      </Text>
    </Box>
  );
}

/** Lines the task box's text takes at this width (words wrap, so round up generously). */
function taskLines(text: string, state: TaskState | undefined, ticked: string | undefined, command: string, width: number): number {
  const hint = ticked ?? (state?.kind === 'done' ? state.evidence : state && 'hint' in state ? state.hint : `${command} up --profile kubelet-always-verify`);
  const lines = (s: string) => Math.ceil((s.length + 8) / Math.max(10, width - 4));
  return lines(`☐ TASK: ${text}`) + lines(hint) + (state?.earned ?? []).reduce((n, e) => n + lines(`✔ ${e}`), 0);
}
