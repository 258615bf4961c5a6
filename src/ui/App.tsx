// The workshop app: pick a scenario, then watch one cluster per defence side by side as the story plays.
import { useState } from 'react';
import { Box, Text, useInput, useStdin } from 'ink';
import type { Scenario } from '../scenario/schema.js';
import { ClusterPanel } from './ClusterPanel.js';
import { Explanation } from './Explanation.js';
import { HelpOverlay } from './HelpOverlay.js';
import { KubectlView } from './KubectlView.js';
import type { LabSessions } from './lab-sessions.js';
import type { PlayState } from './lab-view-state.js';
import { layoutFor, type Layout } from './layout.js';
import { ManifestView } from './ManifestView.js';
import { ScenarioPicker } from './ScenarioPicker.js';
import { Spinner } from './Spinner.js';
import { StepList } from './StepList.js';
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
  const layout = layoutFor(size.columns, size.rows, state.panels.length);

  const quit = () => {
    if (quitting) return;
    setQuitting(true);
    onQuit();
  };
  const toggle = (which: Pane) => setPane((p) => (p === which ? 'explain' : which));

  useInput(
    (input, key) => {
      if (input === 'q' || (key.ctrl && input === 'c')) return quit();
      if (input === '?') return toggle('help');
      if (view !== 'play') return;
      if (key.return || input === ' ') void controller.next();
      else if (input === 'a') controller.setAuto(!state.auto);
      else if (input === 'b') void controller.replay();
      else if (input === 'r') void controller.reset();
      else if (input === 'k') toggle('kubectl');
      else if (input === 'm') toggle('manifest');
      else if (key.escape) {
        setView('picker');
        setPane('explain');
        void controller.choose(undefined);
      }
    },
    { isActive: isRawModeSupported === true },
  );

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
          <PlayScreen state={state} scenario={state.scenario} layout={layout} pane={pane} controller={controller} width={size.columns} />
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
  const busy = quitting ? (state.busy ?? 'stopping the labs…') : state.busy;
  const done = state.scenario && state.panels.every((p) => p.verdict || p.phase.kind === 'failed');
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
          {done ? 'done: r reset  b replay  Esc scenarios  k kubectl  ? help  q quit' : '⏎ next  a auto  b replay  r reset  k kubectl  m yaml  ? help  q quit'}
        </Text>
      )}
    </Box>
  );
}

function PickerScreen({ state, scenarios, layout, onPick, active, help, width }: { state: PlayState; scenarios: readonly Scenario[]; layout: Layout; onPick: (s: Scenario) => void; active: boolean; help: boolean; width: number }) {
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

function PlayScreen({ state, scenario, layout, pane, controller, width }: { state: PlayState; scenario: Scenario; layout: Layout; pane: Pane; controller: LabSessions; width: number }) {
  const live = state.panels.filter((p) => p.phase.kind !== 'failed');
  const done = live.length === 0 ? 0 : Math.min(...live.map((p) => p.steps.length));
  const running = state.panels.find((p) => p.running !== undefined)?.running;
  const focus = Math.min(running ?? done, scenario.steps.length - 1);
  const step = scenario.steps[focus]!;
  const ready = state.panels.find((p) => p.phase.kind === 'ready');
  const lab: DisplayLab | undefined =
    ready?.phase.kind === 'ready' ? { info: ready.phase.lab, imageDigests: controller.lab(ready.profile)?.imageDigests, pods: ready.pods } : undefined;
  const action = displayAction(step, lab);
  const manifest = manifestOf(action);
  const heading = `${focus + 1}. ${step.title} (${step.actor})`;

  const paneView = (height: number, paneWidth: number, which: Pane) => {
    if (which === 'help') return <HelpOverlay height={height} width={paneWidth} />;
    if (which === 'kubectl') return <KubectlView lines={kubectlFor(step, lab)} height={height} width={paneWidth} />;
    if (which === 'manifest' && manifest !== undefined) return <ManifestView manifest={manifest} height={height} width={paneWidth} title={heading} />;
    return <Explanation title={heading} markdown={step.explain} height={height} width={paneWidth} />;
  };

  const panels = (
    <Box flexDirection="row" flexWrap="wrap" width={layout.panelWidth * layout.panelColumns}>
      {state.panels.map((panel) => (
        <ClusterPanel key={panel.profile} panel={panel} scenario={scenario} width={layout.panelWidth} height={layout.panelHeight} />
      ))}
    </Box>
  );

  if (layout.mode === 'side') {
    const stepsHeight = Math.min(scenario.steps.length + 1, 8);
    const rest = layout.infoHeight - stepsHeight - 1;
    const manifestHeight = manifest === undefined ? 0 : Math.min(16, Math.floor(rest / 2));
    return (
      <Box flexDirection="row" height={layout.infoHeight}>
        <Box flexDirection="column" width={layout.infoWidth} marginRight={1}>
          <StepList scenario={scenario} done={done} running={running} height={stepsHeight} width={layout.infoWidth} />
          <Box height={1} />
          {pane === 'help' || pane === 'kubectl' ? (
            paneView(rest, layout.infoWidth, pane)
          ) : (
            <>
              {paneView(rest - manifestHeight, layout.infoWidth, 'explain')}
              {manifest !== undefined ? <ManifestView manifest={manifest} height={manifestHeight} width={layout.infoWidth} /> : null}
            </>
          )}
        </Box>
        {panels}
      </Box>
    );
  }
  const rightWidth = width - layout.stepsWidth - 1;
  if (pane === 'kubectl' || pane === 'help') {
    // commands are long and meant to be copied: they get the whole screen below the header
    return paneView(layout.infoHeight + layout.panelHeight * Math.ceil(state.panels.length / layout.panelColumns), width, pane);
  }
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
