import { describe, expect, it } from 'vitest';
import { checkReferences, ConfigError, loadConfig, type GatewayConfigInput } from '../../../gateway/config/index.ts';
import { createCors } from '../../../gateway/http/cors.ts';
import { knownNames } from '../../../gateway/known-names.ts';

/** `cors` is validated at load (shapes), when the doors are built (contradictions across levels) and against the known names. */

const route = (name: string) => ({ name, prefix: `/${name}`, targets: [{ url: 'http://127.0.0.1:1' }] });

function problemsOf(overrides: GatewayConfigInput): string[] {
  try {
    const config = loadConfig({ env: {}, overrides });
    checkReferences(config, knownNames(config));
    const cors = createCors(config.cors);
    for (const door of ['graphql', 'mobile'] as const) cors.forDoor(door === 'graphql' ? 'graphql' : 'bff', door, ['POST']);
    for (const r of config.routes) cors.forRestRoute(r);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('cors config', () => {
  it('accepts exact origins, patterns, per-door and per-route sets', () => {
    expect(
      problemsOf({
        routes: [route('notes')],
        cors: {
          policies: [{ origins: ['https://app.example.com', 'http://localhost:5173'] }, { matchOrigins: ['https://.*\\.example\\.com'], allowCredentials: true }],
          doors: { rest: { allowAnyOrigin: true } },
          routes: { mobile: { policies: [] }, notes: { maxAgeSeconds: 0 } },
          upstreamRoutes: ['notes'],
        },
      }),
    ).toEqual([]);
  });

  it.each([
    [{ policies: [{ origins: ['*'] }] }, 'cors.policies.0.origins.0: an origin like https://app.example.com'],
    [{ policies: [{ origins: ['https://app.example.com/'] }] }, 'cors.policies.0.origins.0: an origin like'],
    [{ policies: [{ origins: ['https://*.example.com'] }] }, 'cors.policies.0.origins.0: an origin like'],
    [{ policies: [{ matchOrigins: ['https://(unclosed'] }] }, 'cors.policies.0.matchOrigins.0: a JavaScript regular expression that compiles'],
    [{ policies: [{}] }, 'cors.policies.0: a policy needs origins or matchOrigins'],
    [{ allowHeaders: ['*'] }, 'cors.allowHeaders.0: an HTTP header name (a `*` wildcard is not accepted'],
    [{ doors: { graphql: { methods: ['TRACE'] } } }, 'cors.doors.graphql.methods.0'],
    [{ policie: [] }, 'cors: Unrecognized key'],
  ] as Array<[GatewayConfigInput['cors'], string]>)('refuses %j naming the key', (cors, message) => {
    const problems = problemsOf({ cors });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it('refuses credentials with any origin, at whichever levels they were set', () => {
    expect(problemsOf({ cors: { allowAnyOrigin: true, allowCredentials: true } })).toEqual([
      'cors.allowAnyOrigin: cannot be combined with cors.allowCredentials (browsers refuse credentials with Access-Control-Allow-Origin: *); list the origins in policies instead',
    ]);
    expect(problemsOf({ routes: [route('notes')], cors: { doors: { rest: { allowAnyOrigin: true } }, routes: { notes: { allowCredentials: true } } } })).toEqual([
      'cors.doors.rest.allowAnyOrigin: cannot be combined with cors.routes.notes.allowCredentials (browsers refuse credentials with Access-Control-Allow-Origin: *); list the origins in policies instead',
    ]);
    // The only REST route turns `*` off again: no door answers both.
    expect(problemsOf({ routes: [route('notes')], cors: { allowCredentials: true, doors: { rest: { allowAnyOrigin: true } }, routes: { notes: { allowAnyOrigin: false } } } })).toEqual([]);
  });

  it('refuses route names that name nothing, with the closest one', () => {
    const problems = problemsOf({ routes: [route('notes')], cors: { routes: { mobil: { policies: [] } }, upstreamRoutes: ['graphql', 'notez'] } });
    expect(problems).toEqual([
      expect.stringMatching(/^cors\.routes\.mobil: there is no route "mobil" \(did you mean "mobile"\?\)/),
      expect.stringMatching(/^cors\.upstreamRoutes\.0: there is no REST route "graphql"; the REST routes are notes$/),
      expect.stringMatching(/^cors\.upstreamRoutes\.1: there is no REST route "notez" \(did you mean "notes"\?\)/),
    ]);
  });
});
