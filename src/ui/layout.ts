// Where things go for a terminal size and a number of clusters: side by side on a wide screen, stacked on a
// small one, compact panels for 3–4 clusters. One frame line is kept free: Ink clears the whole screen on
// every frame once the output fills the terminal, which flickers.

export interface Layout {
  /** Steps, manifest and explanation in a column beside the panels (wide), or in a band above them. */
  mode: 'side' | 'band';
  /** The frame's height: rows − 1. */
  height: number;
  /** Width of the step/manifest/explanation column (side) or the whole band (band). */
  infoWidth: number;
  infoHeight: number;
  /** Width of the step list inside the band. */
  stepsWidth: number;
  panelWidth: number;
  panelHeight: number;
  /** Panels per row. */
  panelColumns: number;
}

const HEADER = 1;
const FOOTER = 1;

export function layoutFor(columns: number, rows: number, panels: number): Layout {
  const height = Math.max(12, rows - 1);
  const n = Math.max(1, panels);
  if (columns >= 130 && rows >= 26) {
    // the steps and the explanation need ~40 columns; everything beyond goes to the panels and their events
    const infoWidth = Math.max(36, Math.min(56, Math.floor(columns * 0.27)));
    const area = columns - infoWidth - 1;
    const body = height - HEADER - FOOTER;
    const panelColumns = n <= 2 || body < 26 ? n : 2;
    const panelRows = Math.ceil(n / panelColumns);
    return {
      mode: 'side',
      height,
      infoWidth,
      infoHeight: body,
      stepsWidth: infoWidth,
      panelWidth: Math.floor(area / panelColumns),
      panelHeight: Math.floor(body / panelRows),
      panelColumns,
    };
  }
  const body = height - HEADER - FOOTER;
  const infoHeight = Math.max(5, Math.min(12, Math.floor(body * 0.3)));
  const panelArea = body - infoHeight;
  // a panel narrower than 40 columns cuts its verdict line and pod lines; 3–4 clusters then go two by two
  const panelColumns = Math.floor(columns / n) >= 40 || n <= 2 ? n : 2;
  const panelRows = Math.ceil(n / panelColumns);
  return {
    mode: 'band',
    height,
    infoWidth: columns,
    infoHeight,
    stepsWidth: Math.max(24, Math.floor(columns * 0.34)),
    panelWidth: Math.floor(columns / panelColumns),
    panelHeight: Math.floor(panelArea / panelRows),
    panelColumns,
  };
}
