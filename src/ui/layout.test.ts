import { describe, expect, it } from 'vitest';
import { layoutFor } from './layout.js';

describe('layoutFor', () => {
  it('stacks the steps above two side-by-side panels at 80×24, one line short of the screen', () => {
    const l = layoutFor(80, 24, 2);
    expect(l).toMatchObject({ mode: 'band', height: 23, panelColumns: 2, panelWidth: 40 });
    expect(1 + l.infoHeight + l.panelHeight + 1).toBeLessThanOrEqual(23);
    expect(l.panelHeight).toBeGreaterThanOrEqual(12);
  });

  it('puts 3–4 clusters two by two on a narrow screen, in compact panels', () => {
    const l = layoutFor(80, 24, 4);
    expect(l.panelColumns).toBe(2);
    expect(1 + l.infoHeight + 2 * l.panelHeight + 1).toBeLessThanOrEqual(23);
  });

  it('moves the steps, manifest and explanation beside the panels on a wide screen', () => {
    const l = layoutFor(160, 40, 2);
    expect(l.mode).toBe('side');
    expect(l.infoWidth + 1 + l.panelColumns * l.panelWidth).toBeLessThanOrEqual(160);
  });
});
