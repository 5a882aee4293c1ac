import type { CrowdsecPlugin, DbConfig } from '../../config/db-types.ts';
import type { Env } from '../../config/env.ts';

/** Where the CrowdSec LAPI and AppSec ports are published for the host-networked Traefik. */
export const CROWDSEC_LAPI = '127.0.0.1:18080';
export const CROWDSEC_APPSEC = '127.0.0.1:7422';
/** The plugin options itsUP passes on; railyard passes every other option too (they win). */
const ITSUP_OPTIONS = ['logLevel', 'updateIntervalSeconds', 'defaultDecisionSeconds', 'httpTimeoutSeconds'];

type MiddlewareEnv = Pick<Env, 'traefikAdmin'>;

/**
 * `proxy/traefik/dynamic/middleware.yml` (itsUP's file name, so it replaces
 * itsUP's file instead of being shadowed by it: Traefik's file provider keeps
 * the first definition of a name, in file-name order). The values are the
 * ones that take effect in itsUP: its middleware.yml is read before
 * routers-http.yml, whose copies of these middlewares Traefik skips.
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
            forceSTSHeader: true,
            frameDeny: true,
            stsIncludeSubdomains: true,
            stsPreload: true,
            stsSeconds: 31536000,
          },
        },
        'rate-limit': { rateLimit: { average: 100, burst: 50 } },
        ...(crowdsec ? { crowdsec: { plugin: { bouncer: bouncer(crowdsec) } } } : {}),
        ...(users.length > 0 ? { 'traefik-auth': { basicAuth: { users } } } : {}),
      },
    },
  };
}

/** itsUP's bouncer settings (AppSec on), then the plugin `options` from db.yml, which win. */
function bouncer(plugin: CrowdsecPlugin): Record<string, unknown> {
  const own = Object.fromEntries(ITSUP_OPTIONS.filter((key) => plugin.options[key] !== undefined).map((key) => [key, plugin.options[key]]));
  return {
    enabled: true,
    ...own,
    crowdsecMode: 'live',
    crowdsecAppsecEnabled: true,
    crowdsecAppsecHost: CROWDSEC_APPSEC,
    ...(plugin.apikey !== undefined ? { crowdsecLapiKey: plugin.apikey } : {}),
    crowdsecLapiHost: CROWDSEC_LAPI,
    crowdsecLapiScheme: 'http',
    forwardedHeadersCustomName: 'X-Custom-Header',
    ...plugin.options,
  };
}

/** itsUP's default TLS options (in its routers-http.yml): TLS 1.2+, SNI required, its ciphers and curves. */
export const TLS_OPTIONS = {
  options: {
    default: {
      minVersion: 'VersionTLS12',
      sniStrict: true,
      cipherSuites: [
        'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
        'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
        'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
        'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
        'TLS_AES_128_GCM_SHA256',
        'TLS_AES_256_GCM_SHA384',
        'TLS_CHACHA20_POLY1305_SHA256',
      ],
      curvePreferences: ['CurveP521', 'CurveP384'],
    },
  },
} as const;
