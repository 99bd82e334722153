// OpenAPI description of data-core's plain HTTP ingestion routes (served by the gateway in the embedded topology).
// They are not GraphQL operations (data feeds are not GraphQL clients), so they are described here by hand; the
// event body is the graph's own EventInput type.

export function ingestionPaths(eventInputRef: Record<string, unknown>): Record<string, unknown> {
  const err = (description: string) => ({
    description,
    content: {
      'application/json': {
        schema: { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] },
      },
    },
  });
  const result = {
    type: 'object',
    required: ['accepted', 'rejected', 'duplicates', 'results'],
    properties: {
      accepted: { type: 'integer' },
      rejected: { type: 'integer' },
      duplicates: { type: 'integer' },
      results: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            index: { type: 'integer' },
            status: { type: 'string', enum: ['ACCEPTED', 'DUPLICATE', 'REJECTED'] },
            eventId: { type: ['string', 'null'] },
            errors: {
              type: 'array',
              items: { type: 'object', properties: { field: { type: 'string' }, reason: { type: 'string' } } },
            },
          },
        },
      },
    },
  };
  const security = [{ bearerAuth: [] }];
  return {
    '/ingest/event': {
      post: {
        operationId: 'ingestEvent',
        tags: ['ingest'],
        summary: 'Push one event or a batch (up to 5000)',
        description:
          'Roles analyst, partner, admin. Each event is validated, normalized and estimated; rejected events name the field and the reason. 422 when nothing was accepted.',
        security,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                oneOf: [
                  eventInputRef,
                  { type: 'array', items: eventInputRef, maxItems: 5000 },
                  {
                    type: 'object',
                    required: ['events'],
                    properties: { events: { type: 'array', items: eventInputRef } },
                  },
                ],
              },
              example: {
                supplierExternalId: 'northwind',
                eventType: 'TRANSPORT',
                timestamp: '2025-01-06T08:30:00Z',
                distanceKm: 120,
                loadKg: 8000,
                vehicleType: 'rigid_truck',
                fuelType: 'diesel',
                externalId: 'shipment-1',
              },
            },
          },
        },
        responses: {
          '200': { description: 'Per-event results.', content: { 'application/json': { schema: result } } },
          '400': err('The body is not an event, an array of events or {"events": [...]}.'),
          '401': err('No valid bearer token.'),
          '403': err('The token lacks an ingestion role.'),
          '413': err('More than 5000 events.'),
          '422': {
            description: 'No event was accepted; see results.',
            content: { 'application/json': { schema: result } },
          },
        },
      },
    },
    '/ingest/csv': {
      post: {
        operationId: 'ingestCsv',
        tags: ['ingest'],
        summary: 'Stream a CSV file (optionally gzip)',
        description:
          'Roles analyst, partner, admin. Answers 202 at once with the job id in `X-Import-Job-Id` and `Location`, keeps reading the upload, and ends the body with the job summary. Watch progress at GET /ingest/jobs/{id} or the importProgress subscription.',
        security,
        parameters: [
          {
            name: 'filename',
            in: 'query',
            required: false,
            schema: { type: 'string' },
            description: 'Shown in the import list.',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'text/csv': {
              schema: { type: 'string' },
              example:
                'external_id,supplier_external_id,event_type,timestamp,distance_km,load_kg,vehicle_type,fuel_type\ncsv-1,northwind,transport,2025-01-06T08:30:00Z,120,8000,rigid_truck,diesel\n',
            },
            'application/gzip': { schema: { type: 'string', contentEncoding: 'base64' } },
          },
        },
        responses: {
          '202': {
            description: 'The import job (summary once the body is consumed).',
            headers: { 'X-Import-Job-Id': { schema: { type: 'string' } } },
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          '401': err('No valid bearer token.'),
          '403': err('The token lacks an ingestion role.'),
          '415': err('Not CSV or gzip.'),
        },
      },
    },
    '/ingest/jobs/{id}': {
      get: {
        operationId: 'ingestJob',
        tags: ['ingest'],
        summary: 'An import job with its first row errors',
        security,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          '200': { description: 'The job.', content: { 'application/json': { schema: { type: 'object' } } } },
          '400': err('Not a uuid.'),
          '401': err('No valid bearer token.'),
          '404': err('No such job (or not yours).'),
        },
      },
    },
    '/ingest/jobs/{id}/errors': {
      get: {
        operationId: 'ingestJobErrors',
        tags: ['ingest'],
        summary: 'Every rejected row of an import job, in file order, paged',
        description:
          'Read from the stored rejected rows (not the 1000-error sample). `row` is the file line minus the header line. Follow `nextCursor` (null on the last page) as `after`.',
        security,
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          {
            name: 'after',
            in: 'query',
            required: false,
            schema: { type: 'string' },
            description: "The previous page's nextCursor.",
          },
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        ],
        responses: {
          '200': {
            description: '{jobId, totalCount, rows: [{row, errors: [{column, reason}], payload}], nextCursor}',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          '400': err('Not a uuid, a bad cursor or a limit outside 1..1000.'),
          '401': err('No valid bearer token.'),
          '404': err('No such job (or not yours).'),
        },
      },
    },
  };
}
