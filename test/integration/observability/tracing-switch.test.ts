import { describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { isTracingActive, startTracing, tracingWanted } from '../../../gateway/telemetry/tracing.ts';
import { withSpan } from '../../../gateway/telemetry/spans.ts';
import { BoundedLabel, OTHER } from '../../../gateway/telemetry/bounded-label.ts';

/** When tracing starts (standard OTEL_* variables), and what "off" costs: nothing starts. */
describe('tracing on or off', () => {
  it.each([
    [{}, false],
    [{ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
  ] as Array<[NodeJS.ProcessEnv, boolean]>)('%j → %s', (env, wanted) => {
    expect(tracingWanted(env)).toBe(wanted);
  });

  it('with nothing configured, no SDK is started: the API stays a no-op and withSpan just runs', async () => {
    const tracing = await startTracing({ env: {} });
    expect(tracing.enabled).toBe(false);
    expect(isTracingActive()).toBe(false);
    const result = await withSpan('step', (span) => {
      expect(span.isRecording()).toBe(false);
      return 42;
    });
    expect(result).toBe(42);
    expect(trace.getActiveSpan()).toBeUndefined();
    await tracing.shutdown();
  });
});

describe('BoundedLabel (operation names as metric labels)', () => {
  it('with an allow-list, only listed names pass', () => {
    const label = new BoundedLabel(['GetUser'], 100);
    expect(label.value('GetUser', 'none')).toBe('GetUser');
    expect(label.value('Other1', 'none')).toBe(OTHER);
    expect(label.value(undefined, 'none')).toBe('none');
  });

  it('without one, the first `max` valid names pass and the rest are `other`', () => {
    const label = new BoundedLabel(undefined, 2);
    expect(label.value('A', 'none')).toBe('A');
    expect(label.value('not a name!', 'none')).toBe(OTHER);
    expect(label.value('B', 'none')).toBe('B');
    expect(label.value('C', 'none')).toBe(OTHER);
    expect(label.value('A', 'none')).toBe('A');
    expect(label.value('x'.repeat(65), 'none')).toBe(OTHER);
  });
});
