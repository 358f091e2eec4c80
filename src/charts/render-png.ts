/**
 * SVG → PNG with @resvg/resvg-js (Rust resvg; its native part comes as per-platform npm packages,
 * nothing is downloaded at install). Text uses DejaVu Sans from the dejavu-fonts-ttf npm package,
 * loaded explicitly with system fonts off: a clean CI machine or a slim container has no fonts,
 * and the same font everywhere makes the pictures identical wherever they are rendered.
 */
import { createRequire } from 'node:module';
import { renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';
import { FONT_FAMILY } from './svg.ts';

/** Turns an SVG document into PNG bytes. Injected so tests and benches can count renderings. */
export type PngRenderer = (svg: string) => Promise<Buffer>;

/** Paths of the bundled fonts (regular and bold), resolved from node_modules. */
export function bundledFontFiles(): string[] {
  const require = createRequire(import.meta.url);
  return [
    require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
    require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
  ];
}

/**
 * The production renderer. Rendering runs on libuv's thread pool (renderAsync), so a chart
 * being drawn does not stall the bot's event loop.
 */
export function resvgRenderer(fontFiles: readonly string[] = bundledFontFiles()): PngRenderer {
  const options: ResvgRenderOptions = {
    font: {
      fontFiles: [...fontFiles],
      loadSystemFonts: false,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
    shapeRendering: 2,
    textRendering: 1,
    logLevel: 'off',
  };
  return async (svg) => (await renderAsync(svg, options)).asPng();
}
