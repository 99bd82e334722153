// The browsable API reference at /api/v1/docs: Swagger UI from the swagger-ui-dist package, served by the gateway
// itself (no CDN: works offline), reading /api/v1/openapi.json. "Authorize" takes a bearer token; the dashboard's
// signed-in token is offered automatically (same browser storage key as the explorer).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Carbon Nexus REST API reference</title>
<link rel="stylesheet" href="/api/v1/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/api/v1/docs/favicon-32x32.png">
<style>body { margin: 0; } .swagger-ui .topbar { display: none; }</style>
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/v1/docs/swagger-ui-bundle.js"></script>
<script src="/api/v1/docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  displayRequestDuration: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  onComplete: function () {
    var token = null;
    try { token = window.localStorage.getItem('carbon-nexus-token'); } catch (e) {}
    if (token) window.ui.preauthorizeApiKey('bearerAuth', token);
    document.body.setAttribute('data-ready', 'true');
  },
});
`;

export function registerDocsPage(app: FastifyInstance): void {
  const dir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  // Registered inside the /api/v1 scope.
  app.get('/docs', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(PAGE),
  );
  app.get('/docs/init.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(INIT));
  app.get('/docs/:asset', async (req, reply) => {
    const { asset } = req.params as { asset: string };
    const type = ASSETS[asset];
    if (!type) return reply.code(404).send({ error: `no asset ${asset}` });
    return reply
      .type(type)
      .header('cache-control', 'public, max-age=86400')
      .send(fs.createReadStream(path.join(dir, asset)));
  });
}
