import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from '../app.module';
import { AppConfig, ConfigError, loadConfig } from '../config/app-config';
import { buildOpenApiDocument } from '../openapi';

/**
 * The OpenAPI document as the API serves it, without a server, database or Redis: Nest's preview mode registers
 * the modules and controllers without instantiating a provider, so nothing connects.
 */
export async function openApiDocumentWithoutServer(config: AppConfig): Promise<OpenAPIObject> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, 'api'), new FastifyAdapter(), { preview: true, logger: false, abortOnError: false });
  try {
    return buildOpenApiDocument(app, config);
  } finally {
    await app.close();
  }
}

/** Prints the document (`npm run lint:openapi` lints it with the committed ADR ruleset). */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  process.stdout.write(`${JSON.stringify(await openApiDocumentWithoutServer(loadConfig()), null, 2)}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof ConfigError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
