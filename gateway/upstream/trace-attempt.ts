import { activeSpan } from '../telemetry/spans.ts';
import type { BreakerGroup } from './circuit-breaker.ts';
import type { Policy } from './types.ts';

/**
 * Writes each attempt onto the call's span (the telemetry policy's, active here): the
 * target it went to, the attempt number (`http.request.resend_count`) and the breaker's
 * state before it decided; a retry also leaves an event. Sits below the balancer (the
 * target is known) and above the breaker. Passes straight through when tracing is off.
 */
export function traceAttemptPolicy(breakers: BreakerGroup | null): Policy {
  return (next) => (req) => {
    const span = activeSpan();
    const target = req.target;
    if (!span || !target) return next(req);
    const attempt = req.attempt ?? 1;
    const breaker = breakers ? breakers.for(target).state : 'disabled';
    // The query string is left out: it can carry credentials (`?api_key=`).
    const pathOnly = (target.basePath + req.path).split('?')[0] || '/';
    span.setAttributes({
      'server.address': target.host,
      'server.port': target.port,
      'url.full': `${target.origin}${pathOnly}`,
      'upstream.breaker.state': breaker,
    });
    if (attempt > 1) {
      span.setAttribute('http.request.resend_count', attempt - 1);
      span.addEvent('upstream.retry', { attempt, 'server.address': target.host, 'upstream.breaker.state': breaker });
    }
    return next(req);
  };
}
