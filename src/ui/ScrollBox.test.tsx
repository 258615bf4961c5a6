import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { MarkdownBlock } from './Explanation.js';
import { parseMarkdown } from './markdown.js';
import { ScrollBox } from './ScrollBox.js';
import { ThemeContext } from './theme.js';

const lines = (n: number) => Array.from({ length: n }, (_, i) => <Text key={i}>line {i + 1}</Text>);
const settle = () => new Promise((r) => setTimeout(r, 30));

describe('ScrollBox', () => {
  it('says nothing when everything fits', async () => {
    const app = render(
      <ScrollBox height={5} width={30} scroll={0}>
        {lines(5)}
      </ScrollBox>,
    );
    await settle();
    expect(app.lastFrame()).toContain('line 5');
    expect(app.lastFrame()).not.toMatch(/more|end/);
    app.unmount();
  });

  it('shows how much is hidden below, and above once scrolled, always reaching the last line', async () => {
    const app = render(
      <ScrollBox height={5} width={30} scroll={0}>
        {lines(12)}
      </ScrollBox>,
    );
    await settle();
    expect(app.lastFrame()).toContain('↓ 8 more lines (↑/↓)');
    app.rerender(
      <ScrollBox height={5} width={30} scroll={100}>
        {lines(12)}
      </ScrollBox>,
    );
    await settle();
    expect(app.lastFrame()).toContain('line 12');
    expect(app.lastFrame()).toContain('— end — · ↑ 8 above');
    app.unmount();
  });
});

describe('inline code without colour', () => {
  it('keeps its backticks, so it still reads as code', () => {
    const [block] = parseMarkdown('Run `kubectl logs pod2` now.');
    const plain = render(
      <ThemeContext.Provider value={{ color: false }}>
        <MarkdownBlock block={block!} />
      </ThemeContext.Provider>,
    );
    expect(plain.lastFrame()).toContain('Run `kubectl logs pod2` now.');
    plain.unmount();
  });
});
