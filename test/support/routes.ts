import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger';
import { AUTH_METADATA, RouteAuth } from '../../src/auth/authenticated.decorator';
import type { TestApp } from './test-app';

export interface RouteInfo {
  method: string;
  path: string;
  auth: RouteAuth | undefined;
  /** `Controller.method`, for messages. */
  name: string;
  /** The media types the route states it produces (`@ApiProduces`), when it states any. */
  produces: string[];
}

const PREFIX_EXCLUDED = new Set(['/health/live', '/health/ready', '/metrics', '/.well-known/oauth-authorization-server']);

function join(...parts: string[]): string {
  return '/' + parts.flatMap((p) => p.split('/')).filter(Boolean).join('/');
}

/** `METHOD /path` as the tests name a route. */
export const routeKey = (r: Pick<RouteInfo, 'method' | 'path'>) => `${r.method} ${r.path}`;

/**
 * Every route Nest registered, read from controller metadata, with what it states about access. Routes that
 * Fastify serves outside Nest are not here: the API documentation and the queue dashboard (/admin/queues,
 * walked by test/queue-dashboard.e2e-spec.ts); test/routes.e2e-spec.ts fails on any other.
 */
export function collectRoutes(t: TestApp): RouteInfo[] {
  const discovery = t.app.get(DiscoveryService);
  const scanner = t.app.get(MetadataScanner);
  const reflector = t.app.get(Reflector);
  const routes: RouteInfo[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as object;
    if (!instance) continue;
    const base = Reflect.getMetadata(PATH_METADATA, wrapper.metatype as object) as string;
    for (const method of scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const handler = (instance as Record<string, unknown>)[method] as () => unknown;
      const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (sub === undefined) continue;
      const verb = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const raw = join(base, sub);
      const path = PREFIX_EXCLUDED.has(raw) ? raw : join('api/v1', raw);
      routes.push({
        method: verb,
        path,
        auth: reflector.getAllAndOverride<RouteAuth>(AUTH_METADATA, [handler, wrapper.metatype as () => unknown]),
        name: `${wrapper.name}.${method}`,
        produces: (Reflect.getMetadata(DECORATORS.API_PRODUCES, handler) as string[] | undefined) ?? [],
      });
    }
  }
  return routes;
}
