import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { PUBLIC_METADATA, ROLES_METADATA, type Role } from '@olist/security';

/** A route of an app, with what it declares about access. */
export interface RouteInfo {
  readonly method: string;
  readonly path: string;
  readonly controller: string;
  /** `public`, the roles it admits, or `undeclared` (the guard refuses it; the matrix test fails on it). */
  readonly access: 'public' | 'undeclared' | ReadonlyArray<Role>;
}

const join = (...parts: Array<string | undefined>): string =>
  `/${parts.filter((p) => p && p !== '/').map((p) => p!.replace(/^\/+|\/+$/g, '')).join('/')}`;

/** Every route of every controller the app registered, read from Nest's metadata (not from a list kept by hand). */
export const routesOf = (app: INestApplication): RouteInfo[] => {
  const routes: RouteInfo[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!controller) continue;
      const base = Reflect.getMetadata(PATH_METADATA, controller) as string | undefined;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const publicRoute = Reflect.getMetadata(PUBLIC_METADATA, handler) ?? Reflect.getMetadata(PUBLIC_METADATA, controller);
        const roles = (Reflect.getMetadata(ROLES_METADATA, handler) ?? Reflect.getMetadata(ROLES_METADATA, controller)) as Role[] | undefined;
        routes.push({
          method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number]!,
          path: join(base, Reflect.getMetadata(PATH_METADATA, handler) as string),
          controller: controller.name,
          access: publicRoute ? 'public' : roles ?? 'undeclared',
        });
      }
    }
  }
  return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
};

/** Plausible values for path parameters (the route must be reached; the answer may still be a 4xx). */
const PARAMS: Record<string, string> = {
  runId: '7f02e3a6-62fd-5553-9585-932123bb5b76', file: 'orders', name: 'monthly_revenue', key: 'odw_AAAAAAAA', streamId: 'order-x',
};
export const concretePath = (path: string): string => path.replace(/:(\w+)/g, (_m, param: string) => PARAMS[param] ?? 'x');
