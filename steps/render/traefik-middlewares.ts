import type { CrowdsecPlugin, DbConfig } from '../../config/db-types.ts';
import type { Env } from '../../config/env.ts';

/** Where the CrowdSec LAPI and AppSec ports are published for the host-networked Traefik. */
export const CROWDSEC_LAPI = '127.0.0.1:18080';
export const CROWDSEC_APPSEC = '127.0.0.1:7422';

type MiddlewareEnv = Pick<Env, 'trustedIpsCidrs' | 'traefikAdmin'>;

/**
 * `proxy/traefik/dynamic/middlewares.yml`: the security headers and rate limit
 * `web-secure` applies to every router, the dashboard's basic auth, and the
 * CrowdSec bouncer when the plugin is enabled.
 */
export function traefikMiddlewares(config: DbConfig, env: MiddlewareEnv): Record<string, unknown> {
  const crowdsec = config.plugins.crowdsec?.enabled === true ? config.plugins.crowdsec : undefined;
  const users = (env.traefikAdmin ?? '').split(',').map((user) => user.trim()).filter((user) => user !== '');
  return {
    http: {
      middlewares: {
        'default-headers': {
          headers: {
            browserXssFilter: true,
            contentTypeNosniff: true,
            referrerPolicy: 'strict-origin-when-cross-origin',
            stsSeconds: 31536000,
          },
        },
        'rate-limit': { rateLimit: { average: 100, burst: 200, period: '1s' } },
        ...(users.length > 0 ? { 'traefik-auth': { basicAuth: { users } } } : {}),
        ...(crowdsec ? { crowdsec: { plugin: { bouncer: bouncer(crowdsec, env.trustedIpsCidrs) } } } : {}),
      },
    },
  };
}

/** railyard's bouncer settings, then the plugin `options` from db.yml, which win. */
function bouncer(plugin: CrowdsecPlugin, trusted: readonly string[]): Record<string, unknown> {
  return {
    enabled: true,
    crowdsecMode: 'live',
    crowdsecLapiScheme: 'http',
    crowdsecLapiHost: CROWDSEC_LAPI,
    ...(plugin.apikey !== undefined ? { crowdsecLapiKey: plugin.apikey } : {}),
    crowdsecAppsecHost: CROWDSEC_APPSEC,
    ...(trusted.length > 0 ? { forwardedHeadersTrustedIPs: [...trusted] } : {}),
    ...plugin.options,
  };
}
