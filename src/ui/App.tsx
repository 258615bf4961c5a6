// The workshop app: pick a scenario, then watch one cluster per defence side by side as the story plays.
import { useEffect, useState } from 'react';
import { Box, Text, useInput, useStdin, type Key } from 'ink';
import type { Scenario } from '../scenario/schema.js';
import { ClusterPanel } from './ClusterPanel.js';
import { Explanation } from './Explanation.js';
import { HelpOverlay } from './HelpOverlay.js';
import { KubectlView } from './KubectlView.js';
import type { LabSessions } from './lab-sessions.js';
import { commandsFor, PLAY_KEYS, playFooter, type PlayCommand } from './keys.js';
import { scenarioFinished, type PlayState } from './lab-view-state.js';
import { layoutFor, type Layout } from './layout.js';
import { ManifestView } from './ManifestView.js';
import { ScenarioPicker } from './ScenarioPicker.js';
import { Spinner } from './Spinner.js';
import { StepList, stepListHeight } from './StepList.js';
import { displayAction, kubectlFor, manifestOf, type DisplayLab } from './step-display.js';
import { ThemeContext } from './theme.js';
import { useLabSessions } from './use-lab-session.js';
import { useTerminalSize, type TerminalSize } from './use-terminal-size.js';

export interface AppProps {
  controller: LabSessions;
  scenarios: readonly Scenario[];
  /** Start playing this one instead of showing the picker. */
  initialScenario?: Scenario;
  /** q or Ctrl-C: the caller stops the labs and exits. */
  onQuit: () => void;
  size?: TerminalSize;
  color?: boolean;
}

type Pane = 'explain' | 'manifest' | 'kubectl' | 'help';

export function App({ controller, scenarios, initialScenario, onQuit, size: fixedSize, color = true }: AppProps) {
  const size = useTerminalSize(fixedSize);
  const state = useLabSessions(controller);
  const { isRawModeSupported } = useStdin();
  const [view, setView] = useState<'picker' | 'play'>(initialScenario ? 'play' : 'picker');
  const [pane, setPane] = useState<Pane>('explain');
  const [quitting, setQuitting] = useState(false);
  // how far the explanation or the commands are scrolled; back to the top when the step or the pane changes
  const [scroll, setScroll] = useState(0);
  const step = state.panels.find((p) => p.running !== undefined)?.running ?? Math.min(...state.panels.map((p) => p.steps.length));
  useEffect(() => setScroll(0), [pane, step, state.scenario]);
  const layout = layoutFor(size.columns, size.rows, state.panels.length);

  const quit = () => {
    if (quitting) return;
    setQuitting(true);
    onQuit();
  };
  const toggle = (which: Pane) => setPane((p) => (p === which ? 'explain' : which));

  useInput(
    (input, key) => {
      for (const command of commandsFor(PLAY_KEYS, input, key)) run(command, key);
    },
    { isActive: isRawModeSupported === true },
  );
  // one key's command; several arrive together when typed while the app was busy
  function run(command: PlayCommand, key: Key): void {
    if (command === 'quit') return quit();
    if (command === 'help') return toggle('help');
    // the picker has its own keys (↑/↓, Enter)
    if (view !== 'play') return;
    switch (command) {
      case 'next':
        return void controller.next();
      case 'auto':
        return controller.setAuto(!state.auto);
      case 'replay':
        return void controller.replay();
      case 'reset':
        return void controller.reset();
      case 'kubectl':
        return toggle('kubectl');
      case 'manifest':
        return toggle('manifest');
      case 'scroll-down':
        return setScroll((s) => s + (key.pageDown ? 10 : 1));
      case 'scroll-up':
        return setScroll((s) => Math.max(0, s - (key.pageUp ? 10 : 1)));
      case 'scenarios':
        setView('picker');
        setPane('explain');
        return void controller.choose(undefined);
      default:
        return;
    }
  }

  const pick = (scenario: Scenario) => {
    setView('play');
    setPane('explain');
    void controller.choose(scenario);
  };

  return (
    <ThemeContext.Provider value={{ color }}>
      <Box flexDirection="column" width={size.columns} height={layout.height} overflow="hidden">
        <Header state={state} view={view} />
        {view === 'picker' || !state.scenario ? (
          <PickerScreen state={state} scenarios={scenarios} layout={layout} onPick={pick} active={!quitting && pane !== 'help'} help={pane === 'help'} width={size.columns} />
        ) : (
          <PlayScreen state={state} scenario={state.scenario} layout={layout} pane={pane} controller={controller} width={size.columns} scroll={scroll} />
        )}
        <Footer state={state} view={view} quitting={quitting} />
      </Box>
    </ThemeContext.Provider>
  );
}

function Header({ state, view }: { state: PlayState; view: 'picker' | 'play' }) {
  const scenario = view === 'play' ? state.scenario : undefined;
  return (
    <Box height={1}>
      <Text bold wrap="truncate-end">
        image-heist
        {scenario ? (
          <Text>
            {' ▸ '}
            {scenario.metadata.name}: {scenario.metadata.title}
          </Text>
        ) : (
          <Text dimColor> — does a cached private image leak to another tenant?</Text>
        )}
      </Text>
    </Box>
  );
}

function Footer({ state, view, quitting }: { state: PlayState; view: 'picker' | 'play'; quitting: boolean }) {
  if (state.stopped) {
    return (
      <Box height={1}>
        <Text wrap="truncate-end">✔ every lab stopped</Text>
      </Box>
    );
  }
  const busy = quitting ? (state.busy ?? 'stopping the labs…') : state.busy;
  return (
    <Box height={1}>
      {busy ? (
        <Text wrap="truncate-end">
          <Spinner /> {busy}
        </Text>
      ) : view === 'picker' ? (
        <Text dimColor wrap="truncate-end">
          ↑/↓ choose Enter play ? help q quit
        </Text>
      ) : (
        <Text dimColor wrap="truncate-end">
          {state.auto ? <Text bold>AUTO </Text> : null}
          {playFooter(scenarioFinished(state))}
        </Text>
      )}
    </Box>
  );
}

function PickerScreen({
  state,
  scenarios,
  layout,
  onPick,
  active,
  help,
  width,
}: {
  state: PlayState;
  scenarios: readonly Scenario[];
  layout: Layout;
  onPick: (s: Scenario) => void;
  active: boolean;
  help: boolean;
  width: number;
}) {
  const body = layout.height - 2;
  const labLines = Math.min(state.panels.length, 4);
  return (
    <Box flexDirection="column" height={body}>
      {help ? (
        <HelpOverlay height={body - labLines - 1} width={width} />
      ) : (
        <ScenarioPicker scenarios={scenarios} onPick={onPick} height={body - labLines - 1} width={width} active={active} initial={state.scenario?.metadata.name} />
      )}
      <Text bold>Labs</Text>
      {state.panels.slice(0, labLines).map((panel) => (
        <Text key={panel.profile} wrap="truncate-end">
          {panel.phase.kind === 'ready' ? '✔' : panel.phase.kind === 'failed' ? '✘' : <Spinner />} {panel.profile.padEnd(22)}
          <Text dimColor>
            {panel.phase.kind === 'ready'
              ? `ready: ${panel.phase.lab.nodes.length} nodes, registry ${panel.phase.lab.registry.host}`
              : panel.phase.kind === 'failed'
                ? panel.phase.message
                : (panel.phase.progress.at(-1)?.action ?? 'starting…')}
          </Text>
        </Text>
      ))}
    </Box>
  );
}

function PlayScreen({
  state,
  scenario,
  layout,
  pane,
  controller,
  width,
  scroll,
}: {
  state: PlayState;
  scenario: Scenario;
  layout: Layout;
  pane: Pane;
  controller: LabSessions;
  width: number;
  scroll: number;
}) {
  const live = state.panels.filter((p) => p.phase.kind !== 'failed');
  const done = live.length === 0 ? 0 : Math.min(...live.map((p) => p.steps.length));
  const running = state.panels.find((p) => p.running !== undefined)?.running;
  const focus = Math.min(running ?? done, scenario.steps.length - 1);
  const step = scenario.steps[focus]!;
  const labs: DisplayLab[] = state.panels.flatMap((p) =>
    p.phase.kind === 'ready' ? [{ info: p.phase.lab, imageDigests: controller.lab(p.profile)?.imageDigests, pods: p.pods, backend: controller.backendName }] : [],
  );
  const lab = labs[0];
  const action = displayAction(step, lab);
  const manifest = manifestOf(action);
  const heading = `${focus + 1}. ${step.title} (${step.actor})`;
  const body = layout.height - 2;

  if (pane === 'kubectl' || pane === 'help') {
    // commands are long and meant to be copied: they get the whole screen below the header
    return pane === 'help' ? (
      <HelpOverlay height={body} width={width} scroll={scroll} />
    ) : (
      <KubectlView heading={heading} labs={labs.map((l) => ({ profile: l.info.profile, lines: kubectlFor(step, l) }))} height={body} width={width} scroll={scroll} />
    );
  }

  const paneView = (height: number, paneWidth: number, which: Pane) => {
    if (which === 'manifest' && manifest !== undefined) return <ManifestView manifest={manifest} height={height} width={paneWidth} title={heading} />;
    return <Explanation title={heading} markdown={step.explain} height={height} width={paneWidth} scroll={scroll} />;
  };

  const panels = (
    <Box flexDirection="row" flexWrap="wrap" width={layout.panelWidth * layout.panelColumns}>
      {state.panels.map((panel) => (
        <ClusterPanel key={panel.profile} panel={panel} scenario={scenario} width={layout.panelWidth} height={layout.panelHeight} />
      ))}
    </Box>
  );

  if (layout.mode === 'side') {
    const stepsHeight = Math.min(stepListHeight(scenario, layout.infoWidth), Math.floor(layout.infoHeight / 3));
    const rest = layout.infoHeight - stepsHeight - 1;
    const manifestHeight = manifest === undefined ? 0 : Math.min(16, Math.floor(rest / 2));
    return (
      <Box flexDirection="row" height={layout.infoHeight}>
        <Box flexDirection="column" width={layout.infoWidth} marginRight={1}>
          <StepList scenario={scenario} done={done} running={running} height={stepsHeight} width={layout.infoWidth} />
          <Box height={1} />
          {paneView(rest - manifestHeight, layout.infoWidth, 'explain')}
          {manifest !== undefined ? <ManifestView manifest={manifest} height={manifestHeight} width={layout.infoWidth} /> : null}
        </Box>
        {panels}
      </Box>
    );
  }
  const rightWidth = width - layout.stepsWidth - 1;
  return (
    <Box flexDirection="column">
      <Box flexDirection="row" height={layout.infoHeight}>
        <StepList scenario={scenario} done={done} running={running} height={layout.infoHeight} width={layout.stepsWidth} />
        <Box width={1} />
        {paneView(layout.infoHeight, rightWidth, pane)}
      </Box>
      {panels}
    </Box>
  );
}
