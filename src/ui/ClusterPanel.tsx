// One cluster (one profile): its nodes with their cached images, both tenants' pods with live status, the
// latest kubelet events, and the verdict with its evidence. Fixed height, so the layout never jumps.
import { Box, Text } from 'ink';
import { PROFILES } from '../lab/profiles.js';
import type { Scenario } from '../scenario/schema.js';
import { bannerFor, condenseReason, type Banner, type PanelState } from './lab-view-state.js';
import { Spinner } from './Spinner.js';
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
  const bannerLines = lines >= 16 ? 5 : lines >= 11 ? 4 : lines >= 9 ? 3 : 2;
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
  return (
    <>
      {nodes.slice(0, nodeLines).map(([node, images]) => (
        <Text key={node} wrap="truncate-end">
          <Text color={color('cyan')}>▣ {node}</Text> {images.length === 0 ? <Text dimColor>(no images)</Text> : images.map(shortImage).join(', ')}
        </Text>
      ))}
      {(podLines > 0 ? panel.pods.slice(-podLines) : []).map((pod) => (
        <Text key={`${pod.namespace}/${pod.name}`} wrap="truncate-end">
          {podMark(pod.status)} {pod.namespace}/{pod.name} <Text bold color={color(podColor(pod.status))}>{pod.status}</Text>
          {pod.node && width >= 50 ? <Text dimColor> on {pod.node}</Text> : null}
        </Text>
      ))}
      {(eventLines > 0 ? panel.events.slice(-eventLines) : []).map((event, i) => (
        <Text key={`${i}-${event.reason}`} wrap="truncate-end" color={color(event.type === 'Warning' ? 'yellow' : 'gray')}>
          {event.type === 'Warning' ? '⚠' : '·'} {event.pod} {event.reason}: {condenseReason(event.message)}
        </Text>
      ))}
      {panel.activity ? (
        <Text wrap="truncate-end" dimColor>
          <Spinner /> {panel.activity}
        </Text>
      ) : null}
    </>
  );
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
            {panel.running !== undefined ? `step ${panel.running + 1} running…` : panel.steps.length > 0 ? `${panel.steps.length} step(s) done; verdict after the last` : 'verdict after the last step'}
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
            <Text bold color={color('red')}> the flag leaked</Text>
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
