// One cluster (one profile): its nodes with their cached images, both tenants' pods with live status, the
// latest kubelet events, and the verdict with its evidence. Fixed height, so the layout never jumps.
import { Box, Text } from 'ink';
import { PROFILES } from '../lab/profiles.js';
import type { Scenario } from '../scenario/schema.js';
import { bannerFor, condenseReason, type Banner, type PanelState } from './lab-view-state.js';
import { Spinner } from './Spinner.js';
import { wrappedLines } from './text-wrap.js';
import { useColor } from './theme.js';

export interface ClusterPanelProps {
  panel: PanelState;
  scenario?: Scenario;
  width: number;
  height: number;
}

/** `HOST:PORT/secure/super-secret-image:1` → `super-secret-image:1`: the registry host is the same everywhere. */
export function shortImage(reference: string): string {
  return reference.split('/').at(-1) ?? reference;
}

export function ClusterPanel({ panel, scenario, width, height }: ClusterPanelProps) {
  const color = useColor();
  const inner = Math.max(10, width - 4);
  const lines = Math.max(4, height - 2);
  const banner = bannerFor(panel, scenario);
  // the verdict and its whole evidence first (the flag, the registry's answer); pods, nodes and events get the rest
  const bannerLines = Math.min(lines - 1, 1 + Math.max(1, wrappedLines(bannerText(banner), inner)));
  const border = banner.kind === 'bypassed' ? 'red' : banner.kind === 'blocked' ? 'green' : 'gray';
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor={color(border)} paddingX={1} overflow="hidden">
      <Text bold wrap="truncate-end">
        {panel.profile}
        <Text dimColor> {PROFILES[panel.profile].summary}</Text>
      </Text>
      {panel.phase.kind === 'starting' ? (
        <Starting panel={panel} lines={lines - 1} />
      ) : (
        <Box flexDirection="column" height={lines - 1 - bannerLines} overflow="hidden">
          <Body panel={panel} lines={lines - 1 - bannerLines} width={inner} />
        </Box>
      )}
      {panel.phase.kind === 'starting' ? null : <VerdictBanner banner={banner} panel={panel} lines={bannerLines} />}
    </Box>
  );
}

function Starting({ panel, lines }: { panel: PanelState; lines: number }) {
  const progress = panel.phase.kind === 'starting' ? panel.phase.progress : [];
  return (
    <Box flexDirection="column" height={lines} overflow="hidden">
      <Text>
        <Spinner /> starting the lab…
      </Text>
      {(lines > 1 ? progress.slice(-(lines - 1)) : []).map((p) => (
        <Text key={p.action} wrap="truncate-end" dimColor={p.status === 'done'}>
          {p.status === 'done' ? '✔' : '…'} {p.action}
        </Text>
      ))}
    </Box>
  );
}

function Body({ panel, lines, width }: { panel: PanelState; lines: number; width: number }) {
  const color = useColor();
  const nodes = Object.entries(panel.nodeImages);
  // a small panel gives up events first, then nodes: the pods' status is what the room must see
  const activity = panel.activity ? 1 : 0;
  const podLines = Math.min(panel.pods.length, Math.max(0, lines - activity));
  const nodeLines = Math.min(nodes.length, 2, Math.max(0, lines - podLines - activity));
  const eventLines = Math.max(0, lines - nodeLines - podLines - activity);
  // a wide panel shows each event whole; a narrow one more of them, one line each
  const wide = width >= 50;
  return (
    <>
      {nodes.slice(0, nodeLines).map(([node, images]) => (
        <Text key={node} wrap="truncate-end">
          <Text color={color('cyan')}>▣ {node}</Text> {images.length === 0 ? <Text dimColor>(no images)</Text> : images.map(shortImage).join(', ')}
        </Text>
      ))}
      {(podLines > 0 ? panel.pods.slice(-podLines) : []).map((pod) => (
        <Text key={`${pod.namespace}/${pod.name}`} wrap="truncate-end">
          {podMark(pod.status)} {pod.namespace}/{pod.name}{' '}
          <Text bold color={color(podColor(pod.status))}>
            {pod.status}
          </Text>
          {pod.node && width >= 50 ? <Text dimColor> on {pod.node}</Text> : null}
        </Text>
      ))}
      {latestThatFit(panel.events.map(eventLine), eventLines, wide ? width : Infinity).map(({ text, warning }, i) => (
        <Box key={`${i}-${text}`} flexShrink={0}>
          <Text wrap={wide ? 'wrap' : 'truncate-end'} color={color(warning ? 'yellow' : 'gray')}>
            {text}
          </Text>
        </Box>
      ))}
      {panel.activity ? (
        <Text wrap="truncate-end" dimColor>
          <Spinner /> {panel.activity}
        </Text>
      ) : null}
    </>
  );
}

function eventLine(event: PanelState['events'][number]): { text: string; warning: boolean } {
  return { text: `${event.type === 'Warning' ? '⚠' : '·'} ${event.pod} ${event.reason}: ${condenseReason(event.message)}`, warning: event.type === 'Warning' };
}

/** The latest events whose wrapped lines fit the room, oldest first: a wide panel shows each one whole. */
function latestThatFit<T extends { text: string }>(events: readonly T[], room: number, width: number): T[] {
  const shown: T[] = [];
  let used = 0;
  for (const event of [...events].reverse()) {
    const lines = Number.isFinite(width) ? wrappedLines(event.text, width) : 1;
    if (used + lines > room) break;
    shown.unshift(event);
    used += lines;
  }
  return shown;
}

function podMark(status: string): string {
  if (status === 'Running' || status === 'Completed') return '●';
  if (/Err|BackOff|Error|Invalid/.test(status)) return '✘';
  return '○';
}

function podColor(status: string): string {
  if (status === 'Running' || status === 'Completed') return 'green';
  if (/Err|BackOff|Error|Invalid/.test(status)) return 'red';
  return 'yellow';
}

/** The banner's second line on: what it says below the verdict word. */
function bannerText(banner: Banner): string {
  switch (banner.kind) {
    case 'waiting':
      return '';
    case 'bypassed':
    case 'allowed':
      return banner.evidence;
    case 'blocked':
    case 'denied':
      return banner.pullPolicy ? `policy ${banner.pullPolicy} → ${banner.reason}` : banner.reason;
    case 'error':
      return banner.message;
  }
}

function VerdictBanner({ banner, panel, lines }: { banner: Banner; panel: PanelState; lines: number }) {
  const color = useColor();
  const body = (text: string, props: { bold?: boolean; color?: string } = {}) => (
    <Box height={lines - 1} overflow="hidden">
      <Text wrap="wrap" bold={props.bold} color={props.color}>
        {text}
      </Text>
    </Box>
  );
  switch (banner.kind) {
    case 'waiting':
      return (
        <Box flexDirection="column" height={lines}>
          <Text dimColor wrap="truncate-end">
            {panel.running !== undefined
              ? `step ${panel.running + 1} running…`
              : panel.steps.length > 0
                ? `${panel.steps.length} step(s) done; verdict after the last`
                : 'verdict after the last step'}
          </Text>
        </Box>
      );
    case 'bypassed':
      return (
        <Box flexDirection="column" height={lines}>
          <Text wrap="truncate-end">
            <Text bold inverse color={color('red')}>
              {' ✘ BYPASSED '}
            </Text>
            <Text bold color={color('red')}>
              {' '}
              the flag leaked
            </Text>
          </Text>
          {body(banner.evidence, { bold: true, color: color('red') })}
        </Box>
      );
    case 'allowed':
      return (
        <Box flexDirection="column" height={lines}>
          <Text wrap="truncate-end">
            <Text bold inverse color={color('green')}>
              {' ✔ ALLOWED '}
            </Text>
          </Text>
          {body(banner.evidence)}
        </Box>
      );
    case 'blocked':
    case 'denied':
      return (
        <Box flexDirection="column" height={lines}>
          <Text wrap="truncate-end">
            <Text bold inverse color={color(banner.kind === 'blocked' ? 'green' : 'yellow')}>
              {banner.kind === 'blocked' ? ' ✔ BLOCKED ' : ' ✘ DENIED '}
            </Text>
            <Text bold> {banner.status}</Text>
          </Text>
          {body(banner.pullPolicy ? `policy ${banner.pullPolicy} → ${banner.reason}` : banner.reason)}
        </Box>
      );
    case 'error':
      return (
        <Box flexDirection="column" height={lines}>
          <Text wrap="truncate-end">
            <Text bold inverse color={color('magenta')}>
              {' ! ERROR '}
            </Text>
          </Text>
          {body(banner.message, { color: color('magenta') })}
        </Box>
      );
  }
}
