import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRailyardError } from '../../core/errors.ts';
import { parseRequestUrl } from '../../hooks/request-url.ts';
import { matchRoute, type Route } from '../../hooks/router.ts';

const route = (method: 'GET' | 'POST', path: string): Route => ({ method, path, auth: 'none', handle: async () => undefined });
const ROUTES = [route('GET', '/update-upstream/:project'), route('GET', '/update-upstream/:project/:service'), route('POST', '/hook')];

describe('parseRequestUrl', () => {
  it('keeps dot segments and escapes as sent (the name check must see them)', () => {
    const url = parseRequestUrl('/update-upstream/../x?apikey=k&project=a');
    assert.deepEqual(url.segments, ['update-upstream', '..', 'x']);
    assert.equal(url.path, '/update-upstream/../x');
    assert.equal(url.query.get('project'), 'a');
    assert.deepEqual(parseRequestUrl('/update-upstream/%2e%2e%2f').segments, ['update-upstream', '%2e%2e%2f']);
  });
});

describe('matchRoute', () => {
  it('matches parameters, decoded', () => {
    const { route: found, params } = matchRoute(ROUTES, 'GET', parseRequestUrl('/update-upstream/%2e%2e%2f/web').segments);
    assert.equal(found.path, '/update-upstream/:project/:service');
    assert.deepEqual(params, { project: '../', service: 'web' });
  });

  it('throws ROUTE_NOT_FOUND, METHOD_NOT_ALLOWED (with Allow) and NAME_INVALID for bad escapes', () => {
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (error) {
        return isRailyardError(error) ? error.code : 'other';
      }
      return undefined;
    };
    assert.equal(codeOf(() => matchRoute(ROUTES, 'GET', ['nope'])), 'ROUTE_NOT_FOUND');
    assert.equal(codeOf(() => matchRoute(ROUTES, 'GET', ['hook'])), 'METHOD_NOT_ALLOWED');
    assert.equal(codeOf(() => matchRoute(ROUTES, 'GET', ['update-upstream', '%E0%A4%A'])), 'NAME_INVALID');
  });
});
