// Colour on top of words and symbols, never instead of them: with NO_COLOR (no-color.org) every colour is
// dropped and the screen still says BYPASSED or BLOCKED.
import { createContext, useContext } from 'react';

export interface Theme {
  color: boolean;
}

export const ThemeContext = createContext<Theme>({ color: true });

export function useTheme(): Theme {
  return useContext(ThemeContext);
}

/** A colour name for Ink's Text, or undefined when colour is off. */
export function useColor(): (name: string) => string | undefined {
  const { color } = useTheme();
  return (name) => (color ? name : undefined);
}

/** NO_COLOR present and not empty turns colour off, as no-color.org asks. */
export function colorWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.NO_COLOR;
}
