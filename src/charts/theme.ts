/**
 * Palettes. Series colours are mid-tone (neither pastel nor near-black) so the same picture reads
 * on Telegram's and Discord's light and dark themes; only background, ink and grid change.
 */
import type { ChartTheme } from './types.ts';

export interface Palette {
  readonly background: string;
  readonly panel: string;
  readonly ink: string;
  readonly muted: string;
  readonly grid: string;
  /** 1d / 3d / 7d hash rate, hash price, retarget estimate. */
  readonly series: readonly [string, string, string];
  /** Fill of the 90 % interval band (opaque so it is exact in the PNG and testable). */
  readonly band: string;
  readonly step: string;
  readonly peak: string;
  readonly threshold: string;
  readonly good: string;
}

const LIGHT: Palette = {
  background: '#f4f5f7',
  panel: '#ffffff',
  ink: '#1f2430',
  muted: '#5b6374',
  grid: '#dde1e8',
  series: ['#8fa3bf', '#3b82c4', '#e07b00'],
  band: '#c9dcf0',
  step: '#7a5cc2',
  peak: '#2e9e6b',
  threshold: '#d6403a',
  good: '#2e9e6b',
};

const DARK: Palette = {
  background: '#1b1f27',
  panel: '#232833',
  ink: '#e6e9ef',
  muted: '#a3abba',
  grid: '#363d4b',
  series: ['#7d8ca5', '#4f9be0', '#f0932b'],
  band: '#2f4a6a',
  step: '#a58be6',
  peak: '#3fbf85',
  threshold: '#ef5a52',
  good: '#3fbf85',
};

/** The palette for a theme (dark by default: Discord's and most phones' default). */
export function palette(theme: ChartTheme | undefined): Palette {
  return theme === 'light' ? LIGHT : DARK;
}
