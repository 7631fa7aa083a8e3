/** The route table, the OpenAPI document rendered from it, the request schemas and the SSE parser. */
import {
  BERTH_ROUTES, berthPermissions, createBuildBodySchema, createWorkspaceBodySchema, extendBodySchema, listWorkspacesQuerySchema, openApiDocument, openApiPath,
  parseSseFrame, putScheduleBodySchema, route,
} from '../src';

describe('route table', () => {
  test('ids and method+path pairs are unique', () => {
    expect(new Set(BERTH_ROUTES.map((r) => r.id)).size).toBe(BERTH_ROUTES.length);
    expect(new Set(BERTH_ROUTES.map((r) => `${r.method} ${r.path}`)).size).toBe(BERTH_ROUTES.length);
  });
  test('every permission a route names exists', () => {
    const names = new Set(berthPermissions.map((p) => p.name));
    for (const r of BERTH_ROUTES) if (r.permission) expect(names).toContain(r.permission);
  });
  test('every mutating route needs a user', () => {
    for (const r of BERTH_ROUTES.filter((x) => x.method !== 'get')) expect(r.auth).toBe('user');
  });
  test('route() throws for an unknown id', () => {
    expect(route('createWorkspace').path).toBe('/workspaces');
    expect(() => route('nope')).toThrow(/unknown Berth route/);
  });
});

describe('OpenAPI document', () => {
  const doc = openApiDocument('http://localhost:7007/api/berth') as { openapi: string; paths: Record<string, Record<string, any>> };
  test('is OpenAPI 3.1 with every route as an operation', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.values(doc.paths).flatMap((m) => Object.values(m)).map((o) => o.operationId);
    expect(ops.sort()).toEqual(BERTH_ROUTES.map((r) => r.id).sort());
  });
  test.each(BERTH_ROUTES.map((r) => [r.id, r]))('%s declares its path parameters, body and errors', (_id, r) => {
    const op = doc.paths[openApiPath(r.path)][r.method];
    const names = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
    expect(op.parameters.filter((p: any) => p.in === 'path').map((p: any) => p.name)).toEqual(names);
    if (r.body) expect(op.requestBody.content['application/json'].schema.type).toBe('object');
    expect(op.responses[String(r.status)]).toBeDefined();
    expect(op.responses['400'].content['application/json'].schema.properties.error).toBeDefined();
    if (r.auth === 'user') expect(op.responses['401']).toBeDefined();
  });
  test('path templating', () => {
    expect(openApiPath('/workspaces/:workspaceId/builds/:buildNumber')).toBe('/workspaces/{workspaceId}/builds/{buildNumber}');
  });
});

describe('request schemas', () => {
  test.each([
    ['create: minimal', createWorkspaceBodySchema, { name: 'dev', template: 'local' }, true],
    ['create: unknown field', createWorkspaceBodySchema, { name: 'dev', template: 'local', colour: 'red' }, false],
    ['create: name too long', createWorkspaceBodySchema, { name: 'x'.repeat(33), template: 'local' }, false],
    ['create: non-string parameter', createWorkspaceBodySchema, { name: 'dev', template: 'local', parameters: { cpu: 2 } }, false],
    ['create: ttl out of range', createWorkspaceBodySchema, { name: 'dev', template: 'local', ttl_ms: -1 }, false],
    ['create: ttl not whole', createWorkspaceBodySchema, { name: 'dev', template: 'local', ttl_ms: 1.5 }, false],
    ['create: bad version id', createWorkspaceBodySchema, { name: 'dev', template: 'local', template_version_id: 'v1' }, false],
    ['build: update', createBuildBodySchema, { transition: 'update' }, true],
    ['build: unknown transition', createBuildBodySchema, { transition: 'pause' }, false],
    ['build: missing transition', createBuildBodySchema, {}, false],
    ['schedule: ttl only', putScheduleBodySchema, { ttl_ms: 3_600_000 }, true],
    ['schedule: autostart off', putScheduleBodySchema, { autostart_schedule: null }, true],
    ['schedule: nothing', putScheduleBodySchema, {}, false],
    ['schedule: ttl as string', putScheduleBodySchema, { ttl_ms: '8h' }, false],
    ['extend: ISO time', extendBodySchema, { deadline: '2026-12-02T18:00:00Z' }, true],
    ['extend: not a time', extendBodySchema, { deadline: 'tomorrow' }, false],
    ['list: limit as query string', listWorkspacesQuerySchema, { limit: '20' }, true],
    ['list: limit zero', listWorkspacesQuerySchema, { limit: '0' }, false],
    ['list: unknown query key', listWorkspacesQuerySchema, { sort: 'name' }, false],
  ])('%s', (_n, schema, value, ok) => {
    expect(schema.safeParse(value).success).toBe(ok);
  });
});

describe('parseSseFrame', () => {
  test.each([
    ['event and data', 'event: log\ndata: {"seq":1}', { event: 'log', data: '{"seq":1}' }],
    ['id line ignored', 'id: 3\nevent: end\ndata: {}', { event: 'end', data: '{}' }],
    ['multi-line data joined', 'data: a\ndata: b', { event: 'message', data: 'a\nb' }],
    ['comment only', ': keep-alive', null],
    ['no space after colon', 'event:log\ndata:x', { event: 'log', data: 'x' }],
  ])('%s', (_n, frame, want) => {
    expect(parseSseFrame(frame)).toEqual(want);
  });
});
