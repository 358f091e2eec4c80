/**
 * A chart layer that fails the two ways platforms must survive: throwing (a bug, a crashed
 * renderer) or drawing nothing (null). `calls` proves the platform did ask for a chart.
 */
import type { ChartRenderer } from '../../src/platforms/chart-picture.ts';

export class FailingCharts implements ChartRenderer {
  mode: 'throw' | 'null' = 'throw';
  calls = 0;

  async render(): Promise<Buffer | null> {
    this.calls++;
    if (this.mode === 'throw') throw new Error('renderer exploded');
    return null;
  }
}
