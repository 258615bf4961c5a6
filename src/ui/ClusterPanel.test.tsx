import { vi } from 'vitest';
// colour codes must reach the frame for the NO_COLOR test to be able to fail: chalk reads FORCE_COLOR on import
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { loadBuiltInCatalogue } from '../scenario/catalogue.js';
import type { Scenario } from '../scenario/schema.js';
import { ClusterPanel } from './ClusterPanel.js';
import { initialPlayState, reducePlay, type PlayAction } from './lab-view-state.js';
import { admin1Runs, admin2Runs, TEST_LAB } from '../../test/support/engine-events.js';
import { ThemeContext } from './theme.js';

const classic = (await loadBuiltInCatalogue()).find((s) => s.metadata.name === 'classic') as Scenario;
const ESC = '\u001b';
const strip = (s: string) => s.replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '');

function panelAfter(actions: PlayAction[], profile: 'none' | 'always-pull-images') {
  const state = actions.reduce(reducePlay, initialPlayState([profile]));
  return state.panels[0]!;
}

const played = (profile: 'none' | 'always-pull-images') =>
  panelAfter(
    [{ type: 'lab-ready', scenario: '', profile, lab: { ...TEST_LAB, profile } }, { type: 'scenario-chosen', scenario: classic }, ...admin1Runs(profile), ...admin2Runs(profile)],
    profile,
  );

describe('ClusterPanel', () => {
  it('shows nodes with cached images, both tenants’ pods and BYPASSED with the flag line', () => {
    const panel = { ...played('none'), nodeImages: { worker: [TEST_LAB.images.secret], worker2: [] } };
    const frame = strip(render(<ClusterPanel panel={panel} scenario={classic} width={40} height={14} />).lastFrame()!);
    expect(frame).toContain('▣ worker super-secret-image:1');
    expect(frame).toContain('▣ worker2 (no images)');
    expect(frame).toContain('● tenant-a/pod1 Running');
    expect(frame).toContain('● tenant-b/pod2 Running');
    expect(frame).toContain('✘ BYPASSED');
    expect(frame).toContain('FLAG{test-flag}');
    expect(frame.split('\n')).toHaveLength(14);
  });

  it('shows BLOCKED with the status, the policy and the registry’s refusal', () => {
    const frame = strip(render(<ClusterPanel panel={played('always-pull-images')} scenario={classic} width={40} height={14} />).lastFrame()!);
    expect(frame).toContain('✘ tenant-b/pod2 ErrImagePull');
    expect(frame).toMatch(/✔ BLOCKED\s+ErrImagePull/);
    expect(frame.replace(/[│\s]+/g, ' ')).toContain('policy Always → pull access denied');
    expect(frame).not.toContain('FLAG{');
  });

  it('keeps its height whatever it holds, so the layout never jumps', () => {
    const starting = panelAfter([{ type: 'lab-starting', scenario: '', profile: 'none' }], 'none');
    for (const panel of [starting, played('none'), played('always-pull-images')]) {
      expect(
        render(<ClusterPanel panel={panel} scenario={classic} width={30} height={9} />)
          .lastFrame()!
          .split('\n'),
      ).toHaveLength(9);
    }
  });

  it('shows start-up progress while the lab starts', () => {
    const panel = panelAfter(
      [
        { type: 'lab-starting', scenario: '', profile: 'none' },
        { type: 'lab-progress', scenario: '', profile: 'none', progress: { action: 'push SuperSecretImage1', status: 'started' } },
      ],
      'none',
    );
    const frame = strip(render(<ClusterPanel panel={panel} scenario={classic} width={40} height={10} />).lastFrame()!);
    expect(frame).toContain('starting the lab…');
    expect(frame).toContain('… push SuperSecretImage1');
  });

  it('uses colour, and none at all with NO_COLOR, while the words stay', () => {
    const panel = played('none');
    const colored = render(<ClusterPanel panel={panel} scenario={classic} width={40} height={14} />).lastFrame()!;
    expect(colored).toMatch(new RegExp(`${ESC}\\[31m`));
    const plain = render(
      <ThemeContext.Provider value={{ color: false }}>
        <ClusterPanel panel={panel} scenario={classic} width={40} height={14} />
      </ThemeContext.Provider>,
    ).lastFrame()!;
    expect(plain).not.toMatch(new RegExp(`${ESC}\\[(3|4|9)\\dm`));
    expect(plain).toContain('BYPASSED');
  });
});
