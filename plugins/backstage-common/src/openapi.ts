/**
 * The OpenAPI 3.1 document of the Berth API, rendered from {@link BERTH_ROUTES} and the zod
 * schemas (zod's own JSON Schema output), so it cannot drift from what the backend validates.
 */
import { z } from 'zod';
import { BERTH_ROUTES } from './routes';
import { errorBodySchema } from './schemas';

const jsonSchema = (t: z.ZodType) => z.toJSONSchema(t, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });

/** `/workspaces/:workspaceId` → `/workspaces/{workspaceId}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z]+)/g, '{$1}');
}

/** Builds the document. `serverUrl` is the plugin's base URL (e.g. `http://localhost:7007/api/berth`). */
export function openApiDocument(serverUrl = '/api/berth'): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const error = { description: 'Error', content: { 'application/json': { schema: jsonSchema(errorBodySchema) } } };
  for (const r of BERTH_ROUTES) {
    const p = openApiPath(r.path);
    const params = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query: unknown[] = [];
    if (r.query) {
      const js = jsonSchema(r.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(js.properties ?? {})) query.push({ name, in: 'query', required: (js.required ?? []).includes(name), schema });
    }
    const responses: Record<string, unknown> = {
      [String(r.status)]: r.response
        ? { description: r.summary, content: { 'application/json': { schema: jsonSchema(r.response) } } }
        : { description: r.summary, ...(r.produces ? { content: { [r.produces]: { schema: { type: 'string' } } } } : {}) },
      400: error, 404: error, 409: error,
    };
    if (r.auth === 'user') Object.assign(responses, { 401: error, 403: error });
    paths[p] = paths[p] ?? {};
    paths[p][r.method] = {
      operationId: r.id, summary: r.summary, tags: [r.tag],
      ...(r.auth === 'user' ? { security: [{ backstage: [] }, { berthToken: [] }] } : { security: [] }),
      ...(r.permission ? { 'x-berth-permission': r.permission } : {}),
      parameters: [...params, ...query],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } } : {}),
      ...(r.rawBody ? { requestBody: { required: true, content: { [r.rawBody]: { schema: { type: 'string', format: 'binary' } } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Berth API', version: '1', description: 'Cloud development workspaces: templates, workspaces, builds, schedules, Temporal history.' },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        backstage: { type: 'http', scheme: 'bearer', description: 'A Backstage user token' },
        berthToken: { type: 'http', scheme: 'bearer', description: 'A Berth personal API token (berth_…)' },
      },
    },
    paths,
  };
}
